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

/// Whether the tests that need the network run: with `BRINE_NETWORK_TESTS=1` only (CI has
/// none). Otherwise says on stderr that `what` is skipped, and why.
pub fn network_allowed(what: &str) -> bool {
    let allowed = std::env::var_os("BRINE_NETWORK_TESTS").is_some();
    if !allowed {
        eprintln!("skipped: {what} needs the network (BRINE_NETWORK_TESTS=1)");
    }
    allowed
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

/// One `#[test]` per pickle protocol, in a module named after the check: `fn name(proto)
/// {...}` becomes `name::p0` ... `name::p5` (`from 1:` starts at protocol 1), so that the
/// protocols run in parallel and fail one by one. (A macro rather than a test framework:
/// rstest's proc-macro pulls regex into the build-time dependencies RustPython shares, and a
/// host crate built beside the workspace could not reuse the compiled VM.)
#[allow(unused_macros)]
macro_rules! per_protocol {
    ($(#[$doc:meta])* fn $name:ident($proto:ident: u8) $body:block) => {
        per_protocol!(@expand [$(#[$doc])*] $name $proto $body;
            p0 0, p1 1, p2 2, p3 3, p4 4, p5 5);
    };
    (from 1: $(#[$doc:meta])* fn $name:ident($proto:ident: u8) $body:block) => {
        per_protocol!(@expand [$(#[$doc])*] $name $proto $body; p1 1, p2 2, p3 3, p4 4, p5 5);
    };
    (@expand [$(#[$doc:meta])*] $name:ident $proto:ident $body:block;
        $($test:ident $value:literal),+) => {
        $(#[$doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body_for_protocol($proto: u8) $body

            $(
                #[test]
                fn $test() {
                    body_for_protocol($value)
                }
            )+
        }
    };
}
#[allow(unused_imports)]
pub(crate) use per_protocol;
