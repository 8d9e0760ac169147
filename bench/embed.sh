#!/bin/sh
# The embedding API's costs, side by side in one run (runtime/benches/embed.rs); the results
# replace their section of BENCHMARKS.md. Needs python3 for the startup reference.
set -e
cd "$(dirname "$0")/.."
cargo build --release --ignore-rust-version --bin brine
out="$PWD/target/bench-embed.md"
cargo bench --ignore-rust-version -p brine --bench embed -- "$PWD/target/release/brine" > "$out"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
    echo "## The embedding API"
    echo
    echo "Measured $(date -u +%F) on $cpu, $(nproc) cores; $(python3 --version) as the startup reference. Command: \`bench/embed.sh\` (release build; each figure the median of 9 rounds, the measurements alternating)."
    echo
    cat "$out"
} | tee /dev/stderr | target/release/brine bench/markdown_section.py BENCHMARKS.md embed
