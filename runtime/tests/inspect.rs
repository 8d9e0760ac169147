//! `inspect` resolves globals and callables exactly as the loader does: brine's own Unpickler,
//! with a `find_class` that records each name and hands back a recording stand-in instead of
//! importing anything, uses the same globals and calls, in the same order, over the golden
//! and hostile corpora and a set of hand-made attacks. And the `brine-pickle inspect` command.

mod support;

use pickle_core::decoder::Limits;
use pickle_core::inspect::{AllowList, inspect};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Loads each pickle of a directory with recording stand-ins; prints, per file, its name then
/// `G module name` per find_class and `C label` per call, fields separated by \x1f.
const RECORDING_LOADER: &str = r#"
import _compat_pickle, io, os, pickle, sys

def resolved(module, name, proto):
    if proto < 3:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            return '.'.join(_compat_pickle.NAME_MAPPING[(module, name)])
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
    return module + '.' + name

class Settable(type):
    def __setitem__(cls, key, value):
        pass

def stand_in(label, log):
    # Calling a stand-in records the call and gives another stand-in: a class, so that
    # NEWOBJ accepts it, with the methods APPEND(S), SETITEM(S) and BUILD look up.
    class StandIn(metaclass=Settable):
        def __new__(cls, *args, **kwargs):
            log.append(('C', label))
            return stand_in('<other>', log)
        def __setstate__(*args):
            pass
        def append(*args):
            pass
        def extend(*args):
            pass
    return StandIn

class Recording(pickle.Unpickler):
    def __init__(self, data, log):
        super().__init__(io.BytesIO(data))
        self.log = log
        self.proto = data[1] if data[:1] == b'\x80' and len(data) > 1 else 0
    def find_class(self, module, name):
        self.log.append(('G', module, name))
        return stand_in(resolved(module, name, self.proto), self.log)

corpus = sys.argv[1]
for name in sorted(os.listdir(corpus)):
    if not name.endswith('.pickle'):
        continue
    with open(os.path.join(corpus, name), 'rb') as f:
        data = f.read()
    log = []
    try:
        Recording(data, log).load()
    except Exception:
        pass
    fields = [name] + ['\x1f'.join(event) for event in log]
    print('\x1e'.join(fields))
"#;

/// The globals (`G module name`) and calls (`C label`) of `inspect`'s report, in order.
/// Calls of anything but a global are `<other>`; methods of globals are left out (the
/// stand-ins do not record them).
fn inspected(data: &[u8]) -> (Vec<String>, Vec<String>) {
    let report = inspect(data, &Limits::UNTRUSTED, &AllowList::safe_default());
    let globals = report.globals.iter();
    let globals = globals.map(|g| format!("G\x1f{}\x1f{}", g.module, g.name));
    let calls = report
        .calls
        .iter()
        .filter(|c| matches!(c.opcode, "REDUCE" | "NEWOBJ" | "NEWOBJ_EX" | "INST" | "OBJ"));
    let calls = calls.map(|c| match c.of_global {
        true => format!("C\x1f{}", c.callable),
        false => "C\x1f<other>".to_string(),
    });
    (globals.collect(), calls.collect())
}

fn compare(corpus: &Path) -> usize {
    let out = support::brine()
        .args(["-c", RECORDING_LOADER])
        .arg(corpus)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8(out.stdout).unwrap();
    let mut compared = 0;
    for line in listing.lines() {
        let mut fields = line.split('\x1e');
        let name = fields.next().unwrap();
        let loader = fields.map(String::from).partition(|e| e.starts_with('G'));
        let data = std::fs::read(corpus.join(name)).unwrap();
        assert_eq!(inspected(&data), loader, "{}", corpus.join(name).display());
        compared += 1;
    }
    compared
}

#[test]
fn inspect_resolves_as_the_loader_does_over_the_golden_corpus() {
    for proto in 0..=5 {
        let corpus = support::fixtures().join(format!("golden/corpus/p{proto}"));
        assert!(compare(&corpus) >= 470);
    }
}

#[test]
fn inspect_resolves_as_the_loader_does_over_the_hostile_corpus() {
    assert!(compare(&support::fixtures().join("hostile/corpus")) >= 45);
}

/// Ways of hiding what a pickle calls.
const ATTACKS: [(&str, &[u8]); 8] = [
    ("reduce", b"cos\nsystem\n(S'echo hi'\ntR."),
    (
        "memo",
        b"\x80\x02c__builtin__\neval\nq\x000h\x00X\x03\x00\x00\x001+1\x85R.",
    ),
    (
        "stack_global_memo",
        b"\x80\x04\x8c\x02os\x94\x8c\x06system\x9400h\x00h\x01\x93\x8c\x02id\x85R.",
    ),
    ("inst", b"(S'id'\nios\nsystem\n."),
    ("obj", b"(cos\nsystem\nS'id'\no."),
    ("newobj_ex", b"\x80\x04cos\nsystem\n)}\x92."),
    (
        "call_of_result",
        b"cbuiltins\ngetattr\n(cbuiltins\nobject\nS'__subclasses__'\ntR)R.",
    ),
    (
        "py2_names",
        b"\x80\x02cexceptions\nStandardError\n)R.\x80\x03",
    ),
];

#[test]
fn inspect_resolves_as_the_loader_does_for_hidden_calls() {
    let dir = std::env::temp_dir().join(format!("brine-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, data) in ATTACKS {
        std::fs::write(dir.join(format!("{name}.pickle")), data).unwrap();
    }
    assert_eq!(compare(&dir), ATTACKS.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn brine_pickle(args: &[&str], dir: &Path) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_brine-pickle"))
        .arg("inspect")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

#[test]
fn the_command_gives_the_verdict_as_its_exit_status() {
    let dir = std::env::temp_dir().join(format!("brine-inspect-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("evil.pickle"), b"cos\nsystem\n(S'echo hi'\ntR.").unwrap();
    std::fs::write(
        dir.join("set.pickle"),
        b"\x80\x02c__builtin__\nset\n]\x85R.",
    )
    .unwrap();
    std::fs::write(dir.join("cut.pickle"), b"\x80\x02c__builtin__\nset\n]\x85R").unwrap();
    std::fs::write(
        dir.join("allow.txt"),
        "# the shell, for this test\nos.system\n",
    )
    .unwrap();

    let (text, status) = brine_pickle(&["evil.pickle"], &dir);
    assert_eq!(status, Some(1));
    assert_eq!(
        text,
        "globals:
  GLOBAL os.system  NOT ALLOWED
calls:
  REDUCE os.system  NOT ALLOWED
verdict: unsafe
  - global os.system is not allowed
  - REDUCE calls os.system, which is not allowed
"
    );
    assert_eq!(brine_pickle(&["set.pickle"], &dir).1, Some(0));
    let (text, status) = brine_pickle(&["cut.pickle"], &dir);
    assert_eq!(status, Some(2));
    assert!(
        text.ends_with("verdict: malformed: Ran out of input (at byte 22)\n"),
        "{text}"
    );
    // Malformed after a call of something not allowed: a loader runs the call before it
    // fails, so the file is unsafe, and the text says so beside the part's error.
    std::fs::write(
        dir.join("call_then_junk.pickle"),
        b"cos\nsystem\n(S'id'\ntR\xff",
    )
    .unwrap();
    let (text, status) = brine_pickle(&["call_then_junk.pickle"], &dir);
    assert_eq!(status, Some(1));
    assert!(
        text.contains("verdict: malformed: ")
            && text.ends_with(
                "file verdict: unsafe\n  - pickle 1: global os.system is not allowed\n  \
                 - pickle 1: REDUCE calls os.system, which is not allowed\n"
            ),
        "{text}"
    );

    // The allow-list is configurable: entries, a file of entries, or no defaults.
    assert_eq!(
        brine_pickle(&["--allow", "os.system", "evil.pickle"], &dir).1,
        Some(0)
    );
    assert_eq!(
        brine_pickle(&["--allow-file", "allow.txt", "evil.pickle"], &dir).1,
        Some(0)
    );
    assert_eq!(
        brine_pickle(&["--no-default", "set.pickle"], &dir).1,
        Some(1)
    );
    let (json, status) = brine_pickle(&["--json", "--allow", "os.*", "evil.pickle"], &dir);
    assert_eq!(status, Some(0));
    assert!(json.starts_with(r#"{"format":"pickle","verdict":"safe","problems":[],"error":null,"findings":[],"code":[],"notes":[],"parts":[{"name":"pickle 1","offset":0,"report":{"verdict":"safe","problems":[],"error":null,"globals":[{"opcode":"GLOBAL","module":"os","name":"system","resolved":"os.system","allowed":true,"offset":0}]"#), "{json}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The container corpus (tests/containers, written by its generate.py): model files and
/// archives with payloads where a scanner reading only the obvious place misses them. Each
/// file gets the verdict and the parts expected.txt gives it, from the library, and the
/// matching exit status from `brine-pickle inspect`.
#[test]
fn container_corpus_verdicts_and_parts() {
    use pickle_core::inspect::Verdict;
    use pickle_core::inspect::container::inspect_file;
    let dir = support::fixtures().join("containers");
    let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let mut checked = 0;
    for line in expected.lines() {
        let mut fields = line.splitn(4, ' ');
        let (name, verdict, torch_verdict, parts) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        let path = dir.join("corpus").join(name);
        let data = std::fs::read(&path).unwrap();
        let kind = |verdict| match verdict {
            Verdict::Safe => ("safe", 0),
            Verdict::Unsafe(_) => ("unsafe", 1),
            Verdict::Malformed(_) => ("malformed", 2),
        };
        let torch = AllowList::profile("torch").unwrap();
        let torch_report = inspect_file(&data, &Limits::UNTRUSTED, &torch);
        assert_eq!(
            kind(torch_report.verdict()).0,
            torch_verdict,
            "{name} (torch): {}",
            torch_report.to_text()
        );
        let report = inspect_file(&data, &Limits::UNTRUSTED, &AllowList::safe_default());
        let (got, status) = kind(report.verdict());
        assert_eq!(got, verdict, "{name}: {}", report.to_text());
        let names: Vec<&str> = report.parts.iter().map(|p| p.name.as_str()).collect();
        let want: Vec<&str> = match parts {
            "-" => Vec::new(),
            parts => parts.split(',').collect(),
        };
        assert_eq!(names, want, "{name}");
        let out = Command::new(env!("CARGO_BIN_EXE_brine-pickle"))
            .arg("inspect")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(status), "{name}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), report.to_text());
        let out = Command::new(env!("CARGO_BIN_EXE_brine-pickle"))
            .args(["inspect", "--profile", "torch"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(kind(torch_report.verdict()).1),
            "{name}"
        );
        checked += 1;
    }
    assert!(checked >= 66, "{checked} files");
}

/// joblib writes each NumPy array's bytes (or a pickle of an array of objects) into the
/// stream after the array wrapper's BUILD: the inspector reads past them to the end, and
/// finds what the inline pickle names.
#[test]
fn joblib_dumps_are_read_past_their_inline_arrays() {
    use pickle_core::inspect::container::inspect_file;
    let dir = support::fixtures().join("containers/corpus");
    for name in [
        "joblib_arrays.pkl",
        "joblib_object_array_payload.pkl",
        "joblib_compressed.pkl.z",
    ] {
        let data = std::fs::read(dir.join(name)).unwrap();
        let report = inspect_file(&data, &Limits::UNTRUSTED, &AllowList::safe_default());
        assert_eq!(report.parts.len(), 1, "{name}");
        assert_eq!(
            report.parts[0].report.error,
            None,
            "{name}: {}",
            report.to_text()
        );
        assert!(report.findings.is_empty(), "{name}");
    }
    let data = std::fs::read(dir.join("joblib_object_array_payload.pkl")).unwrap();
    let report = inspect_file(&data, &Limits::UNTRUSTED, &AllowList::safe_default());
    let calls: Vec<_> = report.parts[0]
        .report
        .calls
        .iter()
        .map(|c| c.callable.as_str())
        .collect();
    assert!(calls.contains(&"posix.system"), "{calls:?}");
}

/// A tree for the directory scans: a benign pickle, a dangerous one a level down, a text file
/// (not a pickle: malformed), and a symbolic link to the dangerous one outside the tree.
fn scan_tree(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("brine-scan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let tree = root.join("models");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("a.pkl"), b"\x80\x02N.").unwrap();
    std::fs::write(
        tree.join("sub/evil.pkl"),
        b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.",
    )
    .unwrap();
    std::fs::write(tree.join("notes.txt"), b"hello").unwrap();
    std::fs::write(root.join("outside.pkl"), b"cos\nsystem\n(S'id'\ntR.").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("outside.pkl"), tree.join("link.pkl")).unwrap();
    root
}

#[test]
fn a_directory_is_walked_filtered_and_summed_up() {
    let root = scan_tree("walk");
    let (text, status) = brine_pickle(&["models"], &root);
    assert_eq!(status, Some(1), "{text}");
    let headers: Vec<_> = text.lines().filter(|l| l.starts_with("==> ")).collect();
    assert_eq!(
        headers,
        [
            "==> models/a.pkl <==",
            "==> models/notes.txt <==",
            "==> models/sub/evil.pkl <=="
        ]
    );
    assert!(
        text.ends_with(
            "3 files: 1 safe, 1 unsafe, 1 malformed, 0 unreadable; 1 symbolic links not followed\n"
        ),
        "{text}"
    );
    // Only pickles, and the link followed: its target's payload counts.
    let (text, status) = brine_pickle(
        &["--include", "*.pkl", "--follow-symlinks", "models"],
        &root,
    );
    assert_eq!(status, Some(1));
    assert!(
        text.ends_with("3 files: 1 safe, 2 unsafe, 0 malformed, 0 unreadable\n"),
        "{text}"
    );
    // Leaving out the directory with the payload and the text file: safe, status 0.
    let (text, status) = brine_pickle(
        &[
            "--exclude",
            "sub",
            "--exclude",
            "*.txt",
            "--jobs",
            "1",
            "models",
        ],
        &root,
    );
    assert_eq!(
        (status, text.lines().last()),
        (
            Some(0),
            Some(
                "1 files: 1 safe, 0 unsafe, 0 malformed, 0 unreadable; 1 symbolic links not followed"
            )
        )
    );
    // Malformed without unsafe: status 2. A path that does not exist is unreadable: 2 too.
    assert_eq!(
        brine_pickle(&["models/a.pkl", "models/notes.txt"], &root).1,
        Some(2)
    );
    assert_eq!(
        brine_pickle(&["models/a.pkl", "missing.pkl"], &root).1,
        Some(2)
    );
    // JSON: a line per file, then the summary.
    let (json, _) = brine_pickle(&["--json", "models"], &root);
    let lines: Vec<_> = json.lines().collect();
    assert!(
        lines[0].starts_with(r#"{"file":"models/a.pkl","format":"pickle","verdict":"safe""#),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[3],
        r#"{"summary":{"files":3,"safe":1,"unsafe":1,"malformed":1,"unreadable":0,"links_skipped":1}}"#
    );
    std::fs::remove_dir_all(&root).unwrap();
}

/// SARIF 2.1.0: a result per finding with its file, byte offset and rule, checked here and,
/// where the Python at `BRINE_SARIF_PYTHON` (or `python3`) has the `sarif-pydantic` package
/// from PyPI, by its SARIF 2.1.0 model.
#[test]
fn sarif_output_names_each_finding_file_offset_and_rule() {
    let root = scan_tree("sarif");
    let (sarif, status) = brine_pickle(&["--format", "sarif", "models"], &root);
    assert_eq!(status, Some(1));
    assert!(sarif.starts_with(r#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"brine-pickle""#), "{sarif}");
    // GLOBAL at byte 2 of evil.pkl, REDUCE at byte 21; the text file's error at byte 0.
    for expected in [
        r#""ruleId":"global-not-allowed","ruleIndex":0,"level":"error","message":{"text":"pickle 1: global os.system is not allowed"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"models/sub/evil.pkl"},"region":{"byteOffset":2}}}]"#,
        r#""ruleId":"call-not-allowed","ruleIndex":1,"level":"error""#,
        r#"{"uri":"models/sub/evil.pkl"},"region":{"byteOffset":21}"#,
        r#""ruleId":"malformed","ruleIndex":6,"level":"warning""#,
    ] {
        assert!(sarif.contains(expected), "{expected} in {sarif}");
    }
    let python = std::env::var("BRINE_SARIF_PYTHON").unwrap_or_else(|_| "python3".into());
    let model = "from sarif_pydantic import Sarif\nlog = Sarif.model_validate(json.load(sys.stdin))\nprint(log.version, len(log.runs[0].results))";
    validate_with(&python, "sarif_pydantic", model, &sarif);
    // The OASIS schema itself, where a copy is given (it is not committed: it is OASIS's).
    if let Ok(schema) = std::env::var("BRINE_SARIF_SCHEMA") {
        let check = format!(
            "import jsonschema\nlog = json.load(sys.stdin)\njsonschema.Draft4Validator(json.load(open({schema:?}))).validate(log)\nprint(log['version'], len(log['runs'][0]['results']))"
        );
        validate_with(&python, "jsonschema", &check, &sarif);
    }
    std::fs::remove_dir_all(&root).unwrap();
}

/// Runs `check` (after `import sys, json`) under `python` with `log` as its input, when
/// `python` has `module`; it must print the version and the number of results (3).
fn validate_with(python: &str, module: &str, check: &str, log: &str) {
    let has_module = Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_module {
        eprintln!(
            "skipped the SARIF check with {module}: {python} does not have it (pip install it, or set BRINE_SARIF_PYTHON)"
        );
        return;
    }
    let mut child = Command::new(python)
        .args(["-c", &format!("import sys, json\n{check}")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(log.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{module}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "2.1.0 3\n",
        "{module}"
    );
}
