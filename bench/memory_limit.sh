#!/bin/sh
# What memory accounting costs the pickle benchmarks: the `brine` binary with brine's
# accounting allocator around mimalloc (the `accounting-allocator` feature), with no limit
# and with a 4 GiB limit, against the usual build, side by side in the same rounds
# (bench/run.py --baseline). The results replace their section of BENCHMARKS.md. About 25
# minutes (two release builds, then the rounds).
set -e
cd "$(dirname "$0")/.."
cargo build --release --ignore-rust-version --locked --bin brine
cargo build --release --ignore-rust-version --locked --bin brine --features accounting-allocator \
    --target-dir target/accounting
plain="$PWD/target/release/brine"
accounting="$PWD/target/accounting/release/brine"
# A wrapper that sets the limit, so that bench/run.py runs it as one more binary.
limited="$PWD/target/accounting/brine-limited"
printf '#!/bin/sh\nBRINE_MEMORY_LIMIT=4294967296 exec %s "$@"\n' "$accounting" > "$limited"
chmod +x "$limited"
out="$PWD/target/bench-memory-limit.md"
{
    echo "### Installed, no limit set"
    echo
    "$plain" bench/run.py --brine "$accounting" --baseline "$plain" --python none --no-rustpython --rounds 3 --protocols 4
    echo
    echo "### Installed, a 4 GiB limit set"
    echo
    "$plain" bench/run.py --brine "$limited" --baseline "$plain" --python none --no-rustpython --rounds 3 --protocols 4
} > "$out"
cat "$out"
