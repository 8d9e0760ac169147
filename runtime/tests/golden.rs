//! The golden corpus (tests/golden): 486 graphs pickled by CPython at protocols 0-5.
//!
//! For every protocol: brine's `dumps` gives CPython's bytes; its `loads` of CPython's bytes
//! gives the same graph, sharing included, and dumps back to the same bytes; and its output
//! equals the VM's pure-Python `pickle._dumps`, except where tests/golden/cases.py documents
//! that the C pickler differs.

mod support;

use rstest::rstest;

/// Runs `tests/golden/check.py MODE PROTO` under brine and asserts it found no failure.
fn check(mode: &str, proto: u8) {
    let script = support::fixtures().join("golden/check.py");
    let out = support::run(
        &[
            script.to_str().expect("utf-8 path"),
            mode,
            &proto.to_string(),
        ],
        "",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "check.py did not finish:\n{stderr}");
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failures.is_empty(),
        "{} golden cases failed at protocol {proto}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let checked: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("checked "))
        .expect("a `checked N` line")
        .parse()
        .expect("a count");
    assert!(checked >= 400, "only {checked} golden cases ran");
}

#[rstest]
fn dumps_gives_cpythons_bytes(#[values(0, 1, 2, 3, 4, 5)] proto: u8) {
    check("dumps", proto);
}

#[rstest]
fn loads_gives_the_same_graph_back(#[values(0, 1, 2, 3, 4, 5)] proto: u8) {
    check("loads", proto);
}

#[rstest]
fn dumps_agrees_with_the_pure_python_pickler(#[values(0, 1, 2, 3, 4, 5)] proto: u8) {
    check("oracle", proto);
}
