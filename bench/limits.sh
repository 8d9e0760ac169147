#!/bin/sh
# What stopping runs costs and how fast it stops them (runtime/benches/limits.rs), side by
# side in one run; the results replace their section of BENCHMARKS.md. `bench/limits.sh
# native` measures the long native calls instead (minutes), into a section of their own;
# `bench/limits.sh fuel` what a fuel budget costs.
set -e
cd "$(dirname "$0")/.."
cargo build --release --ignore-rust-version --bin brine
section=limits
heading="Interrupts and time limits"
if [ "$1" = native ]; then
    section=native_calls
    heading="Long native calls under a time limit"
fi
if [ "$1" = fuel ]; then
    section=fuel
    heading="Fuel"
fi
out="$PWD/target/bench-$section.md"
cargo bench --ignore-rust-version -p brine-runtime --bench limits -- "$@" > "$out"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
    echo "## $heading"
    echo
    echo "Measured $(date -u +%F) on $cpu, $(nproc) cores. Command: \`bench/limits.sh $*\` (release build)."
    echo
    cat "$out"
} | tee /dev/stderr | target/release/brine bench/markdown_section.py BENCHMARKS.md "$section"
