#!/usr/bin/env bash
# What RustPython's `threading` feature costs (atomic reference counts, locked dicts and
# lists): RustPython 0.6.0's own interpreter, built twice from crates.io with the same
# features but that one (the standard library frozen in, mimalloc), runs
# bench/threading_cost.py in turn, round by round; each figure is the fastest over rounds.
# Prints a Markdown table of without/with. Its own RustPython, its own pickle (not brine's).
#
#   bench/threading_cost.sh [ROUNDS]      (default 3; the two builds take a while, once)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
work=target/threading-cost
features='"stdlib", "stdio", "importlib", "host_env", "mimalloc", "freeze-stdlib"'
for flavour in with without; do
    crate=$work/$flavour
    mkdir -p "$crate/src"
    extra=$([ "$flavour" = with ] && echo ', "threading"' || true)
    cat > "$crate/Cargo.toml" <<TOML
[package]
name = "rustpython-$flavour-threading"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
mimalloc = { version = "0.1", default-features = false }
rustpython = { version = "=0.6.0", default-features = false, features = [$features$extra] }
# The parser's pins, as brine's own manifest states them (DESIGN.md).
rustpython-ruff_python_ast = "=0.16.5"
rustpython-ruff_python_parser = "=0.16.5"
rustpython-ruff_python_trivia = "=0.16.5"
rustpython-ruff_source_file = "=0.16.5"
rustpython-ruff_text_size = "=0.16.5"

[workspace]
TOML
    # RustPython's own main.rs, as its binary has it.
    cat > "$crate/src/main.rs" <<'RS'
use rustpython::{InterpreterBuilder, InterpreterBuilderExt};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rustpython::run(InterpreterBuilder::new().init_stdlib())
}
RS
    # Brine's lock, which carries the pins no manifest can (malachite-bigint 0.12).
    cp Cargo.lock "$crate/Cargo.lock"
    (cd "$crate" && cargo build --release --ignore-rust-version --quiet)
done
results=$(mktemp -d)
for round in $(seq "$rounds"); do
    for flavour in with without; do
        "$work/$flavour/target/release/rustpython-$flavour-threading" bench/threading_cost.py \
            > "$results/$flavour.$round.json"
    done
done
python3 - "$results" "$rounds" <<'PY'
import json, sys
folder, rounds = sys.argv[1], int(sys.argv[2])
best = {}
for flavour in ('with', 'without'):
    runs = [json.load(open(f'{folder}/{flavour}.{r}.json')) for r in range(1, rounds + 1)]
    best[flavour] = {k: min(run[k] for run in runs) for k in runs[0]}
print('| case | with threading ms | without ms | without/with |')
print('|---|---:|---:|---:|')
for case, with_ms in best['with'].items():
    without = best['without'][case]
    print(f'| {case} | {with_ms:.2f} | {without:.2f} | {without / with_ms:.2f} |')
PY
