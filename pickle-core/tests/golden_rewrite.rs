//! The Value model against the golden corpus (tests/golden/corpus): every CPython pickle, read
//! into a graph and written back in its own protocol, gives CPython's bytes back.

use pickle_core::decoder::Limits;
use pickle_core::value::{from_slice, to_vec};
use rstest::rstest;
use std::path::PathBuf;

fn corpus(proto: u8) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/golden/corpus/p{proto}"))
}

#[rstest]
fn rewriting_gives_cpythons_bytes_back(#[values(0, 1, 2, 3, 4, 5)] proto: u8) {
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
