//! Hostile and damaged input read through serde: an error or a value, never a panic, a hang
//! or a runaway allocation (the hostile corpus claims gigabytes and nests absurdly).

use super::golden::golden;
use pickle_core::serde::{DeOptions, Globals, from_slice};

/// Reads `data` as two types that visit everything, under three policies.
fn read_every_way(data: &[u8]) {
    let policies = [
        DeOptions::new(),
        DeOptions::new()
            .globals(Globals::Reduce)
            .replace_recursive_structures()
            .persistent_load(|_| Ok(None)),
        DeOptions::new().replace_unresolved_globals(),
    ];
    for options in policies {
        let _ = from_slice::<serde_json::Value>(data, options.clone());
        let _ = from_slice::<Vec<Option<String>>>(data, options);
    }
}

#[test]
fn the_hostile_corpus_never_crashes_a_reader() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile/corpus");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        read_every_way(&std::fs::read(entry.unwrap().path()).unwrap());
        files += 1;
    }
    assert!(files >= 49, "{files} files in {}", dir.display());
}

#[test]
fn every_truncation_and_flipped_byte_of_the_small_golden_files() {
    for case in ["scalars", "bytes", "enums", "instances", "persistent"] {
        for proto in 0..=5 {
            let data = golden(case, proto);
            for len in 0..data.len() {
                read_every_way(&data[..len]);
            }
            let mut flipped = data.clone();
            for at in 0..data.len() {
                flipped[at] ^= 0xff;
                read_every_way(&flipped);
                flipped[at] ^= 0xff;
            }
        }
    }
}
