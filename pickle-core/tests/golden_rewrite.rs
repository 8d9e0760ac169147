//! The Value model against the golden corpus (tests/golden/corpus): every CPython pickle, read
//! into a graph and written back in its own protocol, gives CPython's bytes back.

use pickle_core::decoder::Limits;
use pickle_core::value::{from_slice, to_vec};
use std::path::PathBuf;

fn corpus(proto: u8) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/golden/corpus/p{proto}"))
}

/// Protocol by protocol, as separate tests that run in parallel.
mod rewriting_gives_cpythons_bytes_back {
    #[test]
    fn p0() {
        super::rewrite_corpus(0)
    }
    #[test]
    fn p1() {
        super::rewrite_corpus(1)
    }
    #[test]
    fn p2() {
        super::rewrite_corpus(2)
    }
    #[test]
    fn p3() {
        super::rewrite_corpus(3)
    }
    #[test]
    fn p4() {
        super::rewrite_corpus(4)
    }
    #[test]
    fn p5() {
        super::rewrite_corpus(5)
    }
}

fn rewrite_corpus(proto: u8) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(corpus(proto)).expect("the golden corpus") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "pickle") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        match from_slice(&data, &Limits::default()).and_then(|p| to_vec(&p, proto)) {
            Ok(again) if again == data => {}
            Ok(again) => {
                let at = again
                    .iter()
                    .zip(&data)
                    .position(|(a, b)| a != b)
                    .unwrap_or(again.len().min(data.len()));
                failures.push(format!(
                    "{name}: differs at byte {at} (lengths {}/{})",
                    again.len(),
                    data.len()
                ));
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "protocol {proto}: {} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 470, "only {checked} pickles at protocol {proto}");
}
