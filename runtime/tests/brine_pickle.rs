//! `brine-pickle dis` prints exactly what the VM's pickletools prints (`brine -m pickletools`).

mod support;

use std::path::Path;
use std::process::Command;
use support::per_protocol;

fn golden_files(proto: u8) -> (std::path::PathBuf, Vec<String>) {
    let dir = support::fixtures().join(format!("golden/corpus/p{proto}"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pickle"))
        .collect();
    files.sort();
    (dir, files)
}

/// What a run printed and how it ended: stdout, stderr, exit status.
type Run = (String, String, Option<i32>);

fn output(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// `brine-pickle dis ARGS` and `brine -m pickletools ARGS`, both run in `dir`.
fn dis_and_pickletools<S: AsRef<std::ffi::OsStr>>(args: &[S], dir: &Path) -> (Run, Run) {
    let ours = output(
        Command::new(env!("CARGO_BIN_EXE_brine-pickle"))
            .arg("dis")
            .args(args)
            .current_dir(dir),
    );
    let theirs = output(
        support::brine()
            .args(["-m", "pickletools"])
            .args(args)
            .current_dir(dir),
    );
    (ours, theirs)
}

/// brine-pickle prints the exception pickletools raises (type, message and notes) as the last
/// lines of Python's traceback show it.
fn assert_same_exception(ours: &str, traceback: &str, what: &str) {
    assert!(
        traceback.ends_with(ours),
        "{what}: brine-pickle says {ours:?}, pickletools {traceback:?}"
    );
    let first = ours.lines().next().unwrap_or("");
    assert!(
        traceback.is_empty() || traceback.lines().any(|l| l == first),
        "{what}: the exception line is {first:?}"
    );
}

per_protocol! {
    /// All golden pickles of a protocol in one invocation each (several files: preamble
    /// lines), plain and with `--annotate`.
    fn dis_matches_pickletools_over_the_golden_corpus(proto: u8) {
        dis_matches_pickletools(proto, &[]);
        dis_matches_pickletools(proto, &["--annotate"]);
    }
}

fn dis_matches_pickletools(proto: u8, options: &[&str]) {
    let (dir, files) = golden_files(proto);
    assert!(files.len() >= 470);
    let args: Vec<&str> = options
        .iter()
        .copied()
        .chain(files.iter().map(String::as_str))
        .collect();
    let ((ours, _, ours_status), (theirs, _, theirs_status)) = dis_and_pickletools(&args, &dir);
    assert_eq!((ours_status, theirs_status), (Some(0), Some(0)));
    if ours != theirs {
        let line = ours
            .lines()
            .zip(theirs.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "protocol {proto} {options:?}: first difference at line {line}:\n ours: {:?}\n pickletools: {:?}",
            ours.lines().nth(line),
            theirs.lines().nth(line)
        );
    }
}

#[test]
fn options_and_errors_match_pickletools() {
    let dir = std::env::temp_dir().join(format!("brine-pickle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("nested.pickle"),
        b"\x80\x02]q\x00(]q\x01(K\x01K\x02ee.",
    )
    .unwrap();
    std::fs::write(dir.join("bad_memo.pickle"), b"\x80\x02]q\x00h\x07a.").unwrap();
    for args in [
        vec!["-l", "2", "nested.pickle"],
        vec!["-m", "-p", "-- {name} --", "nested.pickle", "nested.pickle"],
        vec!["bad_memo.pickle"],
        vec!["-a", "-l", "1", "bad_memo.pickle", "nested.pickle"],
    ] {
        let ((ours, ours_err, ours_status), (theirs, theirs_err, theirs_status)) =
            dis_and_pickletools(&args, &dir);
        assert_eq!(ours, theirs, "{args:?}");
        assert_eq!(ours_status, theirs_status, "{args:?}");
        assert_same_exception(&ours_err, &theirs_err, &format!("{args:?}"));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The hostile corpus, file by file: the same listing, exit status and final error line as
/// pickletools, except where pickletools itself tries to allocate an 8-byte length claim and
/// dies with MemoryError; brine-pickle allocates nothing and reports pickletools' own
/// "expected N bytes ... but only M remain". Annotated (`-a`) and plain listings alike.
/// marks_100000 is left out: every open MARK indents
/// each later line, so its listing is some 20 GB for both tools (brine-pickle streams it).
#[test]
fn dis_matches_pickletools_over_the_hostile_corpus() {
    let dir = support::fixtures().join("hostile/corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let allocates = [
        "claim_binbytes8.pickle",
        "claim_binunicode8.pickle",
        "claim_bytearray8.pickle",
    ];
    let last = |s: &str| s.trim_end().lines().last().unwrap_or("").to_string();
    let listed = names.iter().filter(|n| n.as_str() != "marks_100000.pickle");
    for (name, options) in listed.flat_map(|n| [(n, &[][..]), (n, &["-a"][..])]) {
        let args: Vec<&str> = options.iter().copied().chain([name.as_str()]).collect();
        let ((ours, ours_err, ours_status), (theirs, theirs_err, theirs_status)) =
            dis_and_pickletools(&args, &dir);
        assert_eq!(ours, theirs, "{name} {options:?}: stdout");
        assert_eq!(ours_status, theirs_status, "{name}: exit status");
        if allocates.contains(&name.as_str()) {
            assert_eq!(last(&theirs_err), "MemoryError", "{name}");
            assert!(
                last(&ours_err).starts_with("ValueError: expected 9223372036854775807 bytes in a "),
                "{name}: {ours_err}"
            );
        } else {
            assert_same_exception(&ours_err, &theirs_err, name);
        }
    }
}
