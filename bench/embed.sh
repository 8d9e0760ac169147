#!/bin/sh
# The embedding API's costs, side by side in one run (runtime/benches/embed.rs); the results
# replace their section of BENCHMARKS.md. Needs python3 for the startup reference.
set -e
cd "$(dirname "$0")/.."
cargo build --release --ignore-rust-version --bin brine
out="$PWD/target/bench-embed.md"
cargo bench --ignore-rust-version -p brine-runtime --bench embed -- "$PWD/target/release/brine" > "$out"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
    echo "## The embedding API"
    echo
    echo "Measured $(date -u +%F) on $cpu, $(nproc) cores; $(python3 --version) as the startup reference. Command: \`bench/embed.sh\` (release build; each figure the median of 9 rounds, 27 for \`to_value\`, the measurements alternating)."
    echo
    echo "The in-process startup has no process to start; the two processes pay for theirs. Heap"
    echo "figures come from a counting allocator around mimalloc. Every RustPython 0.6"
    echo "interpreter leaves about 1.8 MiB behind when finalized, with or without Brine (the row"
    echo "for a plain RustPython interpreter measures it), so a host that makes runtimes by the"
    echo "thousand should keep and reuse them. \`to_value\` makes nodes straight from the objects"
    echo "for the built-in types and lets the save walk write the rest, read into the same graph"
    echo "with one memo; the round trip it replaces encodes and then parses. Profiled with perf"
    echo "(\`perf record -g target/release/deps/embed-* target/release/brine to_value=short_strings\`):"
    echo "node and memo bookkeeping and the kernel clearing fresh pages for the graph lead; no"
    echo "encoding or opcode dispatch is left. The last workload is the direct walk's worst case: plain"
    echo "data up to an instance at the very end."
    echo
    cat "$out"
} | tee /dev/stderr | target/release/brine bench/markdown_section.py BENCHMARKS.md embed
