#!/bin/sh
# What memory accounting costs the pickle benchmarks: the `brine` binary with brine's
# accounting allocator around mimalloc (the `accounting-allocator` feature), with no limit
# and with a 4 GiB limit, against the usual build, side by side in the same rounds
# (bench/run.py --baseline). The results replace their section of BENCHMARKS.md. About 20
# minutes (the builds, then the rounds).
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
out="$PWD/target/bench-memory-limit.md"
run() { "$plain" bench/run.py --python none --no-rustpython --rounds 3 --protocols 2,4 "$@"; }
{
    echo "### Installed, no limit set"
    echo
    run --brine "$accounting" --baseline "$plain"
    echo
    echo "### Installed, a 4 GiB limit set"
    echo
    run --brine "$limited" --baseline "$plain"
} > "$out"
cat "$out"
