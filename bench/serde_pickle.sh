#!/bin/sh
# pickle-core against serde-pickle, side by side in one run; the results replace their section
# of BENCHMARKS.md. Builds brine to write the input files (and to edit the markdown).
set -e
cd "$(dirname "$0")/.."
data="$PWD/target/bench-data"
cargo build --release --ignore-rust-version --bin brine
target/release/brine bench/serde_data.py "$data"
cargo bench --ignore-rust-version -p pickle-core --bench serde_pickle -- "$data" "$@" > "$data/results.md"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
    echo "## pickle-core against serde-pickle"
    echo
    echo "Measured $(date -u +%F) on $cpu, $(nproc) cores. Command: \`bench/serde_pickle.sh\`."
    cat "$data/results.md"
} | tee /dev/stderr | target/release/brine bench/markdown_section.py BENCHMARKS.md serde_pickle
