//! The golden corpora, pickled by CPython at protocols 0-5.
//!
//! tests/golden, 486 graphs of built-in types and classes (CPython 3.11): for every protocol,
//! brine's `dumps` gives CPython's bytes; its `loads` of CPython's bytes gives the same graph,
//! sharing included, and dumps back to the same bytes; and its output equals the VM's
//! pure-Python `pickle._dumps`, except where tests/golden/cases.py documents that the C
//! pickler differs.
//!
//! tests/stdlib, 203 standard-library objects (CPython 3.13): brine's `dumps` gives CPython's
//! bytes or error, and its `loads` of CPython's bytes makes what CPython made of them,
//! `copy.deepcopy` included; tests/stdlib/contract.py lists where 3.14 (the contract) differs
//! and the differences still open.

mod support;

use support::per_protocol;

/// Runs `tests/golden/check.py MODE PROTO` under brine and asserts it found no failure.
fn check(mode: &str, proto: u8) {
    check_corpus("golden", mode, proto, 400);
}

/// Runs `tests/CORPUS/check.py MODE PROTO` under brine and asserts it found no failure among
/// at least `minimum` cases.
fn check_corpus(corpus: &str, mode: &str, proto: u8, minimum: usize) {
    let script = support::fixtures().join(format!("{corpus}/check.py"));
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
        "{} {corpus} cases failed at protocol {proto}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let checked: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("checked "))
        .expect("a `checked N` line")
        .parse()
        .expect("a count");
    assert!(checked >= minimum, "only {checked} {corpus} cases ran");
}

per_protocol! {
    fn dumps_gives_cpythons_bytes(proto: u8) {
        check("dumps", proto);
    }
}

per_protocol! {
    fn loads_gives_the_same_graph_back(proto: u8) {
        check("loads", proto);
    }
}

per_protocol! {
    fn dumps_agrees_with_the_pure_python_pickler(proto: u8) {
        check("oracle", proto);
    }
}

per_protocol! {
    fn standard_library_objects_dump_to_cpythons_bytes(proto: u8) {
        check_corpus("stdlib", "dumps", proto, 150);
    }
}

per_protocol! {
    fn standard_library_objects_load_as_cpython_loads_them(proto: u8) {
        check_corpus("stdlib", "loads", proto, 150);
    }
}
