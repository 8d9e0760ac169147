//! Running `brine` from tests.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The workspace's `tests/` directory (fixtures shared by the conformance tests).
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

/// A `brine` command.
pub fn brine() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_brine"));
    cmd.env_remove("BRINE_PICKLE_IMPL").env_remove("PYTHONPATH");
    cmd
}

/// Runs `brine` with `args` and `stdin`, returning its output.
pub fn run(args: &[&str], stdin: &str) -> Output {
    run_with(brine(), args, stdin)
}

/// Runs a prepared command with `args` and `stdin`.
pub fn run_with(mut cmd: Command, args: &[&str], stdin: &str) -> Output {
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("brine runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("brine finishes")
}

/// Runs Python `code` with `brine -c`, asserting success, and returns its stdout.
pub fn python(code: &str) -> String {
    let out = run(&["-c", code], "");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "brine -c failed\n--- code\n{code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    stdout.into_owned()
}
