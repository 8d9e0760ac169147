#!/bin/sh
# pickle-core against serde-pickle, side by side in one run (BENCHMARKS.md). Builds brine to
# write the input files, then runs the comparison in release mode.
set -e
cd "$(dirname "$0")/.."
data="$PWD/target/bench-data"
cargo build --release --ignore-rust-version --bin brine
target/release/brine bench/serde_data.py "$data"
cargo bench --ignore-rust-version -p pickle-core --bench serde_pickle -- "$data" "$@"
