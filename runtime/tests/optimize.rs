//! `brine-pickle optimize` and `pickle_core::disasm::optimize` give what the VM's
//! `pickletools.optimize` gives, byte for byte, over the golden and hostile corpora; and the
//! `json` command's output and exit status.

mod support;

use pickle_core::disasm::optimize;
use std::path::Path;
use std::process::Command;

/// Runs pickletools.optimize over every pickle in `corpus`, writing NAME (the result) or
/// NAME.err (`Type: message`) into `out`.
const PICKLETOOLS_OPTIMIZE: &str = r#"
import os, pickletools, sys
corpus, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(corpus)):
    if not name.endswith('.pickle'):
        continue
    with open(os.path.join(corpus, name), 'rb') as f:
        data = f.read()
    try:
        result = pickletools.optimize(data)
    except Exception as e:
        with open(os.path.join(out, name + '.err'), 'w') as f:
            f.write('%s: %s' % (type(e).__name__, e))
    else:
        with open(os.path.join(out, name), 'wb') as f:
            f.write(result)
"#;

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("brine-optimize-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Pickles for which pickletools cannot write a usable result: a GET of a memo index never
/// stored (it fails comparing None with an int, or at protocol 0 writes `gNone`, which no
/// unpickler reads); we say so instead.
const NEVER_STORED: [&str; 3] = [
    "get_huge.pickle",
    "long_binget_missing.pickle",
    "long_binput_max.pickle",
];

fn compare_corpus(corpus: &Path, tag: &str) -> usize {
    let out = temp_dir(tag);
    let status = support::brine()
        .args(["-c", PICKLETOOLS_OPTIMIZE])
        .arg(corpus)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut compared = 0;
    for entry in std::fs::read_dir(corpus).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".pickle") {
            continue;
        }
        let ours = optimize(&std::fs::read(&path).unwrap());
        match std::fs::read(out.join(&name)) {
            Ok(theirs) if NEVER_STORED.contains(&name.as_str()) => {
                assert!(theirs.starts_with(b"gNone\n"), "{name}");
                assert!(
                    ours.unwrap_err()
                        .message
                        .ends_with("has never been stored into")
                );
            }
            Ok(theirs) => assert_eq!(ours.as_deref(), Ok(&theirs[..]), "{tag}/{name}"),
            Err(_) if NEVER_STORED.contains(&name.as_str()) => {
                let error = ours.unwrap_err();
                assert_eq!(error.exception, "ValueError", "{name}");
                assert!(error.message.ends_with("has never been stored into"));
            }
            Err(_) => {
                let theirs = std::fs::read_to_string(out.join(format!("{name}.err"))).unwrap();
                let ours = ours.unwrap_err();
                // Our errors carry the note Python's traceback shows under a decoding error.
                let shown = format!("{}: {}", ours.exception, ours.message);
                assert_eq!(shown.lines().next(), theirs.lines().next(), "{tag}/{name}");
            }
        }
        compared += 1;
    }
    std::fs::remove_dir_all(&out).unwrap();
    compared
}

#[test]
fn optimize_matches_pickletools_over_the_golden_corpus() {
    for proto in 0..=5 {
        let corpus = support::fixtures().join(format!("golden/corpus/p{proto}"));
        assert!(compare_corpus(&corpus, &format!("p{proto}")) >= 470);
    }
}

#[test]
fn optimize_matches_pickletools_over_the_hostile_corpus() {
    let corpus = support::fixtures().join("hostile/corpus");
    assert!(compare_corpus(&corpus, "hostile") >= 45);
}

fn brine_pickle() -> Command {
    Command::new(env!("CARGO_BIN_EXE_brine-pickle"))
}

#[test]
fn the_command_writes_the_optimized_pickle() {
    let dir = temp_dir("cli");
    // pickle.dumps([[1], [1]], 2) with the inner list shared: one BINPUT is read back.
    let data = b"\x80\x02]q\x00(]q\x01K\x01ah\x01e.";
    std::fs::write(dir.join("in.pickle"), data).unwrap();
    let status = brine_pickle()
        .args(["optimize", "in.pickle", "out.pickle"])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let optimized = std::fs::read(dir.join("out.pickle")).unwrap();
    assert_eq!(optimized, b"\x80\x02](]q\x00K\x01ah\x00e.");

    let piped = support::run_with(brine_pickle(), &["optimize", "-", "-"], "N.");
    assert_eq!(
        (piped.status.code(), &piped.stdout[..]),
        (Some(0), &b"N."[..])
    );

    let bad = support::run_with(brine_pickle(), &["optimize", "-", "-"], "N");
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr).trim_end(),
        "ValueError: pickle exhausted before seeing STOP"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_json_command_prints_the_graph_and_refuses_malformed_input() {
    // d = {}; d['self'] = d; pickle.dumps([d, b'x'], 5)
    let bytes = b"\x80\x05\x95\x15\x00\x00\x00\x00\x00\x00\x00]\x94(}\x94\x8c\x04self\x94h\x01sC\x01x\x94e.";
    let mut child = brine_pickle()
        .args(["json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "[{\"$id\":1,\"dict\":[[\"self\",{\"$ref\":1}]]},{\"bytes\":\"x\"}]\n"
    );
    let bad = support::run_with(brine_pickle(), &["json", "-"], "(");
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr).trim_end(),
        "malformed pickle: Ran out of input"
    );
}
