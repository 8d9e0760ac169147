//! The pickle chapter's examples (examples/docs), run verbatim through `brine`.

mod support;

use std::fs;

/// "Examples": dump_data.py writes data.pickle; load_data.py reads it back. The chapter shows
/// no output, so the test prints what load_data.py loaded and compares it with the dict the
/// chapter pickles. (Set order is printed sorted: `{None, True, False}` iterates in hash
/// order.)
#[test]
fn the_data_example_dumps_and_loads() {
    let dir = std::env::temp_dir().join(format!("brine-doc-data-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let examples = support::fixtures().join("../examples/docs/python3");
    let dump = examples.join("dump_data.py");
    let mut cmd = support::brine();
    cmd.current_dir(&dir);
    let out = support::run_with(cmd, &[dump.to_str().unwrap()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = fs::read(dir.join("data.pickle")).unwrap();
    assert_eq!(&data[..2], b"\x80\x05", "written with the highest protocol");

    let load = examples.join("load_data.py");
    let check = format!(
        "exec(open({:?}).read())\nprint(data['a'], data['b'], sorted(data['c'], key=repr))",
        load.to_str().unwrap()
    );
    let mut cmd = support::brine();
    cmd.current_dir(&dir);
    let out = support::run_with(cmd, &["-c", &check], "");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[1, 2.0, 3, (4+6j)] ('character string', b'byte string') [False, None, True]\n"
    );
    fs::remove_dir_all(&dir).unwrap();
}
