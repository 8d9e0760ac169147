#!/bin/sh
# The VM's floor under loads (runtime/benches/vm_floor.rs): the objects a load ends with, made
# and freed through RustPython's API with no pickle, beside brine's and CPython's loads in the
# same rounds. The table replaces its section of BENCHMARKS.md. PYTHON picks the CPython.
set -e
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
cargo build --release --ignore-rust-version --bin brine
out="$PWD/target/bench-vm-floor.md"
cargo bench --ignore-rust-version -p brine-runtime --bench vm_floor -- "$PWD/target/release/brine" "$python" "${ROUNDS:-5}" > "$out"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
    echo "## The VM's floor under loads"
    echo
    echo "Measured $(date -u +%F) on $cpu, $(nproc) cores; $("$python" --version) as the reference. Command: \`bench/vm_floor.sh\` (release build; each figure the fastest of ${ROUNDS:-5} rounds of 7 runs, the three alternating round by round)."
    echo
    echo "\"VM floor\" makes the objects a protocol-4 \`pickle.loads\` of the workload ends with"
    echo "(bench/workloads.py), through the same RustPython constructors the loader uses, and frees"
    echo "them: no pickle, no decoder, no memo, no state dicts; text formatted beforehand, dict keys"
    echo "shared as the memo shares them, attribute names interned, the collector off. What any"
    echo "unpickler on RustPython 0.6 pays at the least; where it is above CPython's whole load,"
    echo "brine's load cannot reach CPython's time on this VM."
    echo
    cat "$out"
} | tee /dev/stderr | target/release/brine bench/markdown_section.py BENCHMARKS.md vm_floor
