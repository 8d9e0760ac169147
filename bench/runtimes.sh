#!/bin/sh
# Runtimes made, used and dropped by the thousand (runtime/benches/runtimes.rs): resident
# memory, objects the collector tracks and time per runtime, for a fresh runtime per script,
# one runtime reused, and plain RustPython interpreters; the results replace their section of
# BENCHMARKS.md. About 10 minutes.
set -e
cd "$(dirname "$0")/.."
cargo build --release --ignore-rust-version --bin brine
out="$PWD/target/bench-runtimes.md"
bench() { cargo bench --ignore-rust-version -p brine-runtime --bench runtimes -- "$@"; }
{
    bench fresh 10000
    bench away 1000
    bench away-kept 1000
    bench reused 10000
    bench scoped 10000
    bench rustpython 300
    bench left
} > "$out"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
    echo "## Runtimes by the thousand"
    echo
    echo "Measured $(date -u +%F) on $cpu, $(nproc) cores. Command: \`bench/runtimes.sh\` (release"
    echo "build, glibc's allocator, one host thread). Each runtime runs one of five scripts in turn"
    echo "(pickle and json; a class with \`__slots__\`; collections, functools, operator and decimal"
    echo "with a cycle; an exception; a loop stopped by a 10 ms time limit). The resident size is"
    echo "read once glibc has given back its arenas' free pages (\`malloc_trim\`)."
    echo
    echo "Before runtime/src/embed/vm/leftovers.rs and per_interpreter.rs, each dropped runtime left"
    echo "about 1,300 tracked objects and 2 MiB behind, and each took longer than the last (300"
    echo "non-isolated runtimes of the first and third scripts: 98 ms each for the first 50, 730 ms"
    echo "for the last 50, 631 MiB resident). What held them: classes with \`__slots__\` (RustPython's"
    echo "member descriptors hold their class unseen by the collector), the value a \`ContextVar\`"
    echo "caches (\`decimal\`'s context), the originals of the functions brine replaces (RustPython"
    echo "keeps a native function's closure for ever), and the finalizing thread's interpreter"
    echo "slot (every deferred free walked one more). A reused runtime grows by the classes with"
    echo "\`__slots__\` its scripts define (the second script's \`Point\`, every fifth run): RustPython"
    echo "frees none while its interpreter lives. The last part lists what the newest dropped"
    echo "runtime still holds when the next one starts (its \`sys\` and \`builtins\`, freed at a"
    echo "later collection: the counts above stay flat). The run with a new scope per script in one"
    echo "isolated runtime copies the second script's \`Point\` rather than pickling it: a scope is no"
    echo "module, so its classes cannot be pickled by reference (as with CPython's \`exec\` in a dict)."
    echo
    cat "$out"
} | tee /dev/stderr | target/release/brine bench/markdown_section.py BENCHMARKS.md runtimes
