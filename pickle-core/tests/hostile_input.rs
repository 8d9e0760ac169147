//! Hostile input: random bytes, every truncation and byte flip of real pickles, and hand-made
//! bombs never panic, never hang, and end in a clear error (or a graph that writes back).

mod support;

use support::Rng;

use pickle_core::ErrorKind;
use pickle_core::decoder::Limits;
use pickle_core::disasm::{DisMemo, DisOptions, dis, optimize};
use pickle_core::inspect::{AllowList, inspect};
use pickle_core::value::{from_slice, to_json, to_vec};
use std::path::PathBuf;

/// Reads `data` untrusted; whatever reads is written back at every protocol and as JSON. The
/// input is also inspected, disassembled and optimized as pickletools would. None of it may panic (a panic fails
/// the test).
fn exercise(data: &[u8]) {
    if let Ok(pickle) = from_slice(data, &Limits::UNTRUSTED) {
        for proto in 0..=5 {
            let _ = to_vec(&pickle, proto);
        }
        let _ = to_json(&pickle);
    }
    let report = inspect(data, &Limits::UNTRUSTED, &AllowList::safe_default());
    let _ = (report.to_text(), report.to_json());
    let options = DisOptions {
        annotate: 30,
        ..DisOptions::default()
    };
    let _ = dis(data, &mut std::io::sink(), &mut DisMemo::new(), &options);
    let _ = optimize(data);
}

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

/// Pieces of text arguments, so that random inputs also reach the line-based readers' corners
/// (`01` is True even as a memo index; huge decimals; escapes; quotes).
const FRAGMENTS: [&[u8]; 12] = [
    b"01\n",
    b"00\n",
    b"0\n",
    b"99999999999999999999999\n",
    b"-1\n",
    b"1L\n",
    b"'a'\n",
    b"\\u00e9\n",
    b"1e400\n",
    b"__builtin__\nint\n",
    b"\\x\n",
    b"\n",
];

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
