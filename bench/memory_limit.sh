#!/bin/sh
# Memory limits measured: the attack suite (runtime/tests/embed/memory_attacks.rs, each
# attack in a process of its own), and what the accounting costs the pickle benchmarks:
# the `brine` binary with brine's accounting allocator around mimalloc (the
# `accounting-allocator` feature), with no limit and with a 4 GiB limit, against the usual
# build, side by side in the same rounds (bench/run.py --baseline). The results replace
# their section of BENCHMARKS.md. About 25 minutes (the builds, then the rounds).
set -e
cd "$(dirname "$0")/.."
keep="$PWD/target/memory-limit-bench"
mkdir -p "$keep"
build() { cargo build --release --ignore-rust-version --locked --bin brine "$@"; }
# The two builds share the dependencies; each binary is copied out before the other is built.
build --features accounting-allocator
cp target/release/brine "$keep/brine-accounting"
build
cp target/release/brine "$keep/brine-plain"
plain="$keep/brine-plain"
accounting="$keep/brine-accounting"
# A wrapper that sets the limit, so that bench/run.py runs it as one more binary.
limited="$keep/brine-limited"
printf '#!/bin/sh\nBRINE_MEMORY_LIMIT=4294967296 exec %s "$@"\n' "$accounting" > "$limited"
chmod +x "$limited"
attacks="$keep/attacks.txt"
cargo test --ignore-rust-version --locked -p brine-runtime --test embed memory_attacks -- --nocapture 2>&1 |
    grep '^attack ' > "$attacks"
run() { "$plain" bench/run.py --python none --no-rustpython --rounds 3 --protocols 2,4 "$@"; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
    echo "## Memory limits"
    echo
    echo "Measured $(date -u +%F) on $cpu, $(nproc) cores. Command: \`bench/memory_limit.sh\`."
    echo
    echo "### The attacks"
    echo
    echo "runtime/tests/embed/memory_attacks.rs (a debug build of brine with optimised"
    echo "dependencies, glibc's malloc under \`brine::Allocator\`): each attack in a process of its"
    echo "own, in a runtime limited to 64 MiB above what a new runtime holds. \"Peak above the"
    echo "start\" is the process's peak resident size less its resident size before the runtime"
    echo "was built; \"past the limit\" is that less the limit (the runtime's own 7 MiB count in"
    echo "the limit). Every attack ends in MemoryError (\"stopped at the limit\": the host got"
    echo "\`Error::MemoryLimit\`) and the next run works. Two go further past the limit than the"
    echo "16 MiB the others are held to: lists of repeated items (glibc keeps about 4 KiB more per"
    echo "list than the blocks it holds: 8,544 lists of 1,000 items take 136 MiB resident where"
    echo "bytearrays of the same size, count and accounting take 104 MiB), and squaring a huge"
    echo "int in a loop (RustPython multiplies exact ints inline, in a specialised instruction"
    echo "brine cannot look into first: the product is made, and the run stops after it)."
    echo
    "$plain" bench/attack_table.py < "$attacks"
    echo
    echo "### What the accounting costs"
    echo
    echo "bench/workloads.py at protocols 2 and 4, \`brine\` with \`brine::Allocator\` around"
    echo "mimalloc against the usual \`brine\` (mimalloc alone), three rounds alternating, each"
    echo "cell the fastest (\`bench/run.py --baseline\`). brine/baseline above 1 is the accounting"
    echo "slower. Each block carries 8 bytes more, and a thread-local read and an atomic add per"
    echo "allocation and free."
    echo
    echo "#### Installed, no limit set"
    echo
    run --brine "$accounting" --baseline "$plain"
    echo
    echo "#### Installed, a 4 GiB limit set (never reached)"
    echo
    run --brine "$limited" --baseline "$plain"
} | tee /dev/stderr | "$plain" bench/markdown_section.py BENCHMARKS.md memory_limit
