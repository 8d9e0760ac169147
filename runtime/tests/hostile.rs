//! The hostile corpus (tests/hostile/corpus) through brine's `pickle.loads`: every file raises
//! a Python exception (or loads), and the process lives to report on all of them.

mod support;

const LOAD_ALL: &str = r#"
import os, pickle, sys
directory = sys.argv[1]
names = sorted(os.listdir(directory))
for name in names:
    with open(os.path.join(directory, name), 'rb') as f:
        data = f.read()
    try:
        pickle.loads(data)
        outcome = 'loaded'
    except Exception as e:
        outcome = type(e).__name__
    print(name, outcome)
print('done', len(names))
"#;

#[test]
fn every_hostile_pickle_raises_or_loads_and_brine_survives() {
    let corpus = support::fixtures().join("hostile/corpus");
    let out = support::run(&["-c", LOAD_ALL, corpus.to_str().unwrap()], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "brine ended: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or("");
    let count: usize = last
        .strip_prefix("done ")
        .expect("the loop finished")
        .parse()
        .unwrap();
    assert!(count >= 45);
    let outcome = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split(' ').nth(1).unwrap().to_string())
    };
    // Length claims are truncation, never an attempt to allocate them (CPython raises
    // MemoryError or OverflowError for some of these; brine reads only what is there).
    for name in [
        "claim_binbytes8.pickle",
        "claim_bytearray8.pickle",
        "claim_binunicode8.pickle",
        "claim_binstring.pickle",
    ] {
        assert_eq!(outcome(name).as_deref(), Some("UnpicklingError"), "{name}");
    }
    // Huge memo indices cost one entry each (CPython raises MemoryError trying to grow its
    // memo table); these then fail on what follows in the stream (a stack underflow, and a
    // GET of index 0, which was never stored).
    assert_eq!(
        outcome("put_huge.pickle").as_deref(),
        Some("UnpicklingError")
    );
    assert_eq!(
        outcome("long_binput_max.pickle").as_deref(),
        Some("UnpicklingError")
    );
    assert_eq!(outcome("binput_sparse.pickle").as_deref(), Some("loaded"));
    assert_eq!(outcome("marks_100000.pickle").as_deref(), Some("loaded"));
    assert_eq!(
        outcome("utf8_overlong.pickle").as_deref(),
        Some("UnicodeDecodeError")
    );
    assert_eq!(
        outcome("build_on_int.pickle").as_deref(),
        Some("AttributeError")
    );
}

/// LONG_BINPUTs each 1,023 past the last, 300 KB of them: the memo grows with the entries,
/// not with the indices (it had grown to every index within 1,024 of its end: 1,012 MiB
/// at the peak for this pickle, 2.6 GB for 850 KB of it; now 38 MiB).
const SPREAD_PUTS: &str = r#"
import pickle, resource, struct
data = b'\x80\x02N' + b''.join(b'r' + struct.pack('<I', k * 1023) for k in range(1, 60000))
data += b'0j' + struct.pack('<I', 59999 * 1023) + b'.'
print(pickle.loads(data), len(data))
print('peak MiB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"#;

#[test]
fn memo_indices_spread_out_cost_memory_by_entries_not_by_index() {
    let out = support::run(&["-c", SPREAD_PUTS], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("None 300005"));
    let peak: u64 = lines
        .next()
        .and_then(|l| l.strip_prefix("peak MiB "))
        .expect("the peak is reported")
        .parse()
        .unwrap();
    assert!(peak < 256, "{peak} MiB resident at the peak");
}
