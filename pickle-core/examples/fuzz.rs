//! A mutation fuzzer for longer runs than `cargo test` allows, on stable Rust (cargo-fuzz
//! needs a nightly toolchain).
//!
//! ```text
//! cargo run --release --ignore-rust-version -p pickle-core --example fuzz -- \
//!     [--seconds N] [--seed N] [--out DIR]
//! ```
//!
//! Seeds are the golden and hostile corpora. Each input is a seed with a few mutations (bit
//! flips, opcode and text insertions, deletions, duplications, splices, extreme lengths) and
//! goes through everything pickle-core does with untrusted bytes (tests/support's
//! `exercise`). An input that panics, or makes the process hold more than 64 MiB more than
//! before it, is written to the output directory and the run exits with status 1. Inputs
//! that end in an error message not seen before join the pool, so the run drifts towards
//! new paths.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{Counting, FRAGMENTS, Rng, exercise, peak_during};

use pickle_core::decoder::Limits;
use pickle_core::value::from_slice;

#[global_allocator]
static COUNTING: Counting = Counting;

const MEMORY_LIMIT: usize = 64 << 20;
/// Seeds larger than this are left out: mutating them is slow and finds nothing new.
const MAX_SEED: usize = 256 << 10;
/// The pool stops growing here, so a long run's memory stays bounded.
const MAX_POOL: usize = 20_000;
const OPCODES: &[u8] = b"(.0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}]\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98";
const EXTREMES: [u32; 5] = [0, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xff];

struct Options {
    seconds: u64,
    seed: u64,
    out: PathBuf,
}

fn options() -> Options {
    let mut options = Options {
        seconds: 60,
        seed: 0x5eed,
        out: PathBuf::from("target/fuzz-findings"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => options.seconds = value.parse().expect("--seconds N"),
            "--seed" => options.seed = value.parse().expect("--seed N"),
            "--out" => options.out = PathBuf::from(value),
            _ => panic!("unknown option {arg}"),
        }
    }
    options
}

fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
    let mut dirs: Vec<PathBuf> = (0..=5)
        .map(|p| root.join(format!("golden/corpus/p{p}")))
        .collect();
    dirs.push(root.join("hostile/corpus"));
    let mut seeds = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(&dir).expect("the corpora are in the repository") {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            if data.len() <= MAX_SEED {
                seeds.push(data);
            }
        }
    }
    seeds
}

/// One random change to `data`.
fn mutate(data: &mut Vec<u8>, pool: &[Vec<u8>], rng: &mut Rng) {
    let at = |rng: &mut Rng, data: &Vec<u8>| rng.below(data.len() + 1);
    match rng.below(8) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = at(rng, data);
            data.insert(i, OPCODES[rng.below(OPCODES.len())]);
        }
        2 => {
            let i = at(rng, data);
            let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())];
            data.splice(i..i, fragment.iter().copied());
        }
        3 if !data.is_empty() => {
            let i = rng.below(data.len());
            let n = rng.below((data.len() - i).min(64)) + 1;
            data.drain(i..i + n);
        }
        4 if !data.is_empty() => {
            let i = rng.below(data.len());
            let n = rng.below((data.len() - i).min(64)) + 1;
            let copy = data[i..i + n].to_vec();
            let j = at(rng, data);
            data.splice(j..j, copy);
        }
        5 => {
            let other = &pool[rng.below(pool.len())];
            let (i, j) = (at(rng, data), rng.below(other.len() + 1));
            data.truncate(i);
            data.extend_from_slice(&other[j..]);
        }
        6 if data.len() >= 4 => {
            let i = rng.below(data.len() - 3);
            let value = EXTREMES[rng.below(EXTREMES.len())];
            data[i..i + 4].copy_from_slice(&value.to_le_bytes());
        }
        _ => {
            let i = at(rng, data);
            data.insert(i, rng.next() as u8);
        }
    }
}

/// What an input leads to, for telling new behaviour from old: the error's message with its
/// numbers left out (offsets and indices would make every input look new).
fn outcome(data: &[u8]) -> String {
    match from_slice(data, &Limits::UNTRUSTED) {
        Ok(_) => "ok".into(),
        Err(e) => e.to_string().replace(|c: char| c.is_ascii_digit(), ""),
    }
}

fn save(out: &Path, kind: &str, data: &[u8]) -> PathBuf {
    std::fs::create_dir_all(out).unwrap();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &b in data {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let path = out.join(format!("{kind}-{hash:016x}.pickle"));
    std::fs::write(&path, data).unwrap();
    path
}

fn main() {
    let options = options();
    let mut pool = seeds();
    let mut seen: HashSet<String> = pool.iter().map(|s| outcome(s)).collect();
    let mut rng = Rng(options.seed | 1);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(options.seconds);
    let (mut runs, mut findings) = (0u64, 0u64);
    let mut report_at = start + Duration::from_secs(10);
    println!("{} seeds, {} outcomes", pool.len(), seen.len());
    while Instant::now() < deadline {
        let mut data = pool[rng.below(pool.len())].clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut data, &pool, &mut rng);
        }
        let (result, used) = peak_during(|| catch_unwind(AssertUnwindSafe(|| exercise(&data))));
        runs += 1;
        if result.is_err() {
            findings += 1;
            println!("panic: {}", save(&options.out, "panic", &data).display());
        } else if used > MEMORY_LIMIT {
            findings += 1;
            let path = save(&options.out, "memory", &data);
            println!("{used} bytes at peak: {}", path.display());
        } else if data.len() <= MAX_SEED && pool.len() < MAX_POOL && seen.insert(outcome(&data)) {
            pool.push(data);
        }
        if Instant::now() >= report_at {
            let rate = runs as f64 / start.elapsed().as_secs_f64();
            println!(
                "{runs} runs ({rate:.0}/s), pool {}, {findings} findings",
                pool.len()
            );
            report_at += Duration::from_secs(10);
        }
    }
    println!(
        "done: {runs} runs, {} inputs in the pool, {findings} findings",
        pool.len()
    );
    std::process::exit(i32::from(findings > 0));
}
