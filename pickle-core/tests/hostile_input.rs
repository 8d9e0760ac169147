//! Hostile input: random bytes, every truncation and byte flip of real pickles, and hand-made
//! bombs never panic, never hang, and end in a clear error (or a graph that writes back).

mod support;

use support::{FRAGMENTS, Rng, exercise};

use pickle_core::ErrorKind;
use pickle_core::decoder::Limits;
use pickle_core::value::from_slice;
use std::path::PathBuf;

fn golden_samples() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/corpus");
    let names = [
        "records_mixed",
        "nested_everything",
        "class_reduce_full",
        "frames_big_then_small",
        "tuple_recursive_via_list",
        "class_getnewargs_ex",
    ];
    let mut samples = Vec::new();
    for proto in 0..=5 {
        for name in names {
            if let Ok(data) = std::fs::read(dir.join(format!("p{proto}/{name}.pickle"))) {
                samples.push(data);
            }
        }
    }
    assert!(samples.len() >= 30);
    samples
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let opcodes = b"(.0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}]\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98";
    for _ in 0..20_000 {
        let len = rng.below(48);
        // Mostly opcode bytes, so that inputs get past the first byte.
        let mut data = Vec::new();
        for _ in 0..len {
            match rng.below(8) {
                0 | 1 => data.push(rng.next() as u8),
                2 => data.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())]),
                _ => data.push(opcodes[rng.below(opcodes.len())]),
            }
        }
        exercise(&data);
    }
}

/// Everything before the cut is valid, so loading can only fail where the input ends: with
/// "Ran out of input" between opcodes and "pickle data was truncated" inside one. Every cut of
/// small pickles is tried; large ones are cut at their first and last 4 KiB and every 997th
/// byte between.
#[test]
fn every_truncation_of_real_pickles_is_an_end_of_input_error() {
    let mut cuts_tried = 0;
    for sample in golden_samples() {
        let n = sample.len();
        let cuts = (0..n).filter(|&end| n < 8192 || end < 4096 || end > n - 4096 || end % 997 == 0);
        for end in cuts {
            let err = from_slice(&sample[..end], &Limits::UNTRUSTED)
                .expect_err("a truncated pickle must not load");
            assert!(
                matches!(*err.kind, ErrorKind::RanOutOfInput | ErrorKind::Truncated),
                "cut at {end} of {n}: {err}"
            );
            cuts_tried += 1;
        }
    }
    assert!(cuts_tried > 10_000, "{cuts_tried}");
}

#[test]
fn byte_flips_of_real_pickles_never_panic() {
    let mut rng = Rng(42);
    for sample in golden_samples() {
        for _ in 0..300 {
            let mut data = sample.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(data.len());
                data[at] = rng.next() as u8;
            }
            exercise(&data);
        }
    }
}
