//! What making, using and dropping runtimes costs over thousands of them (bench/runtimes.sh):
//! a fresh runtime per script, isolated and not, against one runtime kept and reused, and
//! plain RustPython interpreters made and finalized the same way.
//!
//!     cargo bench -p brine-runtime --bench runtimes [-- fresh N | away N | away-kept N | reused N | scoped N | rustpython N | left]
//!
//! `left` lists what one dropped runtime leaves to the process-wide collector, by type, and
//! the objects that hold it from outside the collector's view (how the leaks were found).
//! Prints Markdown.

use brine::{Error, Runtime};
use rustpython_vm::gc_state::gc_state;
use rustpython_vm::{AsObject, PyObjectRef};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

#[path = "../tests/support/churn.rs"]
mod churn;
use churn::{SCRIPTS, resident_kib, tracked_objects};

/// Runs script `k` (of [`SCRIPTS`], in turn) in `rt`.
fn run_script(rt: &Runtime, k: usize) {
    run_script_with(rt, k, |script| rt.run(script))
}

/// Runs script `k` in a scope of its own in `rt`, as a host reusing one runtime for many
/// scripts would. A scope is no module, so the class the second script defines cannot be
/// pickled by reference (as for CPython's `exec` in a dict of its own): it is copied instead.
fn run_script_scoped(rt: &Runtime, k: usize) {
    let scope = rt.scope().unwrap();
    run_script_with(rt, k, |script| {
        let by_copy = script.replace(
            "import pickle\np = pickle.loads(pickle.dumps(Point(1, 2)))",
            "import copy\np = copy.deepcopy(Point(1, 2))",
        );
        scope.run(&by_copy)
    })
}

/// Runs script `k` through `run`, under a 10 ms time limit for the looping one.
fn run_script_with(rt: &Runtime, k: usize, run: impl Fn(&str) -> Result<(), Error>) {
    let outcome = match k % SCRIPTS.len() {
        4 => rt.with_time_limit(Duration::from_millis(10), |_| run(SCRIPTS[4])),
        kind => run(SCRIPTS[kind]),
    };
    match (k % SCRIPTS.len(), outcome) {
        (0..=2, Ok(())) | (3, Err(Error::Python(_))) | (4, Err(Error::Timeout { .. })) => {}
        (kind, other) => panic!("script {kind}: {other:?}"),
    }
}

fn fresh_runtime(k: usize) -> Runtime {
    let builder = Runtime::builder();
    let builder = if k % 4 < 2 {
        builder.isolated()
    } else {
        builder
    };
    builder.build().unwrap()
}

/// One row per `step` items of `n`: resident size, tracked objects, time per item.
fn table(what: &str, n: usize, step: usize, mut item: impl FnMut(usize)) {
    println!("{what}\n");
    println!("| done | resident MiB | tracked objects | ms each (last {step}) |");
    println!("|---:|---:|---:|---:|");
    let mut started = Instant::now();
    let mut first = None;
    let mut last = 0.0;
    for k in 0..n {
        item(k);
        if (k + 1) % step == 0 {
            let each = started.elapsed().as_secs_f64() * 1000.0 / step as f64;
            first.get_or_insert(each);
            last = each;
            let mib = resident_kib() as f64 / 1024.0;
            println!(
                "| {} | {mib:.1} | {} | {each:.1} |",
                k + 1,
                tracked_objects()
            );
            started = Instant::now();
        }
    }
    if let Some(first) = first {
        println!(
            "\nLast {step} against the first {step}: {:.2}x\n",
            last / first
        );
    }
}

fn plain_rustpython(k: usize) {
    use rustpython::InterpreterBuilderExt;
    let interpreter = rustpython::InterpreterBuilder::new().init_stdlib().build();
    interpreter.enter(|vm| {
        let scope = vm.new_scope_with_builtins();
        let source = SCRIPTS[k % 4];
        let _ = vm.run_string(scope, source, "<bench>");
    });
    interpreter.finalize(None);
}

/// What one dropped runtime leaves to the collector once another has collected: the objects
/// that no interpreter owns any more and were not there before.
fn left() {
    let adopt = || {
        Runtime::new()
            .unwrap()
            .run("import gc\ngc.collect()")
            .unwrap()
    };
    for k in 0..SCRIPTS.len() {
        run_script(&fresh_runtime(k), k);
    }
    adopt();
    let before: HashSet<usize> = gc_state()
        .get_objects(None, 0)
        .iter()
        .map(|o| o.get_id())
        .collect();
    for k in 0..SCRIPTS.len() {
        run_script(&fresh_runtime(k), k);
    }
    adopt();
    let left: Vec<PyObjectRef> = gc_state()
        .get_objects(None, 0)
        .into_iter()
        .filter(|o| !before.contains(&o.get_id()))
        .collect();
    let mut types: HashMap<String, usize> = HashMap::new();
    for obj in &left {
        *types.entry(obj.class().name().to_string()).or_default() += 1;
    }
    let mut types: Vec<_> = types.into_iter().collect();
    types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!(
        "{} runtimes left {} objects: {types:?}\n",
        SCRIPTS.len(),
        left.len()
    );
    println!("Held from outside the collector's view (references the collector cannot see):\n");
    for (obj, unseen) in held_from_outside(&left) {
        println!("- a `{}` ({unseen} unseen references)", obj.class().name());
    }
}

/// The objects of `set` with more references than the set's own and the one `set` holds.
fn held_from_outside(set: &[PyObjectRef]) -> Vec<(&PyObjectRef, isize)> {
    let index: HashMap<usize, usize> = set
        .iter()
        .enumerate()
        .map(|(k, o)| (o.get_id(), k))
        .collect();
    let mut inside = vec![0isize; set.len()];
    for obj in set {
        for referent in obj.gc_get_referents() {
            if let Some(&k) = index.get(&referent.get_id()) {
                inside[k] += 1;
            }
        }
    }
    set.iter()
        .zip(inside)
        .map(|(obj, inside)| (obj, obj.strong_count() as isize - 1 - inside))
        .filter(|(_, unseen)| *unseen > 0)
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let what = args.first().map(String::as_str).unwrap_or("fresh");
    let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let step = (n / 10).max(1);
    match what {
        "fresh" => table(
            &format!("A fresh runtime per script ({n}; every other pair isolated):"),
            n,
            step,
            |k| run_script(&fresh_runtime(k), k),
        ),
        "away" => table(
            &format!("A fresh runtime per script, dropped on another thread ({n}):"),
            n,
            step,
            |k| {
                let rt = fresh_runtime(k);
                run_script(&rt, k);
                std::thread::spawn(move || drop(rt)).join().unwrap();
            },
        ),
        "away-kept" => {
            // One thread kept for the drops: what "away" leaves is the ending threads'.
            let (runtimes, to_drop) = std::sync::mpsc::channel::<Runtime>();
            let (dropped, done) = std::sync::mpsc::channel::<()>();
            let dropper = std::thread::spawn(move || {
                for rt in to_drop {
                    drop(rt);
                    dropped.send(()).unwrap();
                }
            });
            table(
                &format!("A fresh runtime per script, dropped on one other thread ({n}):"),
                n,
                step,
                |k| {
                    let rt = fresh_runtime(k);
                    run_script(&rt, k);
                    runtimes.send(rt).unwrap();
                    done.recv().unwrap();
                },
            );
            drop(runtimes);
            dropper.join().unwrap();
        }
        "reused" => {
            let rt = Runtime::new().unwrap();
            table(
                &format!("One runtime, reused for every script ({n}):"),
                n,
                step,
                |k| run_script(&rt, k),
            )
        }
        "scoped" => {
            let rt = Runtime::builder().isolated().build().unwrap();
            table(
                &format!("One isolated runtime, a new scope for every script ({n}):"),
                n,
                step,
                |k| run_script_scoped(&rt, k),
            )
        }
        "rustpython" => table(
            &format!("Plain RustPython 0.6 interpreters, made and finalized ({n}):"),
            n,
            step,
            plain_rustpython,
        ),
        "left" => left(),
        other => panic!("unknown section {other}"),
    }
}
