//! pickle-core against serde-pickle, side by side in one run, on the same files: the records
//! workload of bench/workloads.py and 2,000,000 short strings, each at protocols 2 to 5
//! (written by bench/serde_data.py; bench/serde_pickle.sh does both steps).
//!
//! Decoding: `value::from_slice` (a graph with sharing kept) against `value_from_slice`.
//! Encoding: `value::to_vec` at the file's protocol, asserted to give the file's bytes back
//! (memoised, CPython's output), against `value_to_vec` of serde-pickle's own value (it writes
//! protocol 3, or 2 when asked, without a memo). Rounds alternate the four timings; each
//! figure is the median over the rounds.

use pickle_core::decoder::Limits;
use pickle_core::value::{from_slice, to_vec};
use serde_pickle::{DeOptions, SerOptions, value_from_slice, value_to_vec};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const ROUNDS: usize = 11;

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

/// Median milliseconds: our decode, serde-pickle's decode, our encode, serde-pickle's encode.
fn measure(data: &[u8], proto: u8) -> [f64; 4] {
    let serde_options = || {
        if proto == 2 {
            SerOptions::new().proto_v2()
        } else {
            SerOptions::new()
        }
    };
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for round in 0..=ROUNDS {
        let (ours_decode, pickle) = time(|| from_slice(data, &Limits::UNLIMITED).unwrap());
        let (serde_decode, value) =
            time(|| value_from_slice(data, DeOptions::new()).expect("serde-pickle reads it"));
        let (ours_encode, written) = time(|| to_vec(&pickle, proto).unwrap());
        let (serde_encode, serde_written) = time(|| value_to_vec(&value, serde_options()).unwrap());
        assert!(written == data, "pickle-core's output is the file's bytes");
        assert!(!serde_written.is_empty());
        // Dropping the graphs is part of neither timing.
        drop((pickle, value, written, serde_written));
        if round > 0 {
            for (s, d) in
                samples
                    .iter_mut()
                    .zip([ours_decode, serde_decode, ours_encode, serde_encode])
            {
                s.push(d);
            }
        }
    }
    samples.map(median)
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .expect("usage: serde_pickle DATA_DIR (see bench/serde_pickle.sh)");
    println!(
        "| workload | protocol | size | decode: pickle-core | serde-pickle | faster | encode: pickle-core | serde-pickle | faster |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for workload in ["records", "strings"] {
        for proto in 2..=5u8 {
            let path = dir.join(format!("{workload}_p{proto}.pickle"));
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let [od, sd, oe, se] = measure(&data, proto);
            println!(
                "| {workload} | {proto} | {:.1} MB | {od:.1} ms | {sd:.1} ms | {:.1}x | {oe:.1} ms | {se:.1} ms | {:.1}x |",
                data.len() as f64 / 1e6,
                sd / od,
                se / oe
            );
        }
    }
}
