//! What stopping runs costs and how fast it stops them (bench/limits.sh): interrupt latency
//! at home and away from it, two runtimes interrupted independently, time-limit overshoot,
//! and the pickle workloads with the machinery armed against a runtime without it.
//!
//!     cargo bench -p brine-runtime --bench limits [-- SECTION]
//!
//! SECTION is one of `latency`, `independence`, `timeout`, `cost` (default: all), or `native`
//! (long native calls under a time limit; run only when named: it takes minutes). Prints
//! Markdown.

use brine::{Error, InterruptHandle, Output, Runtime};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const LATENCY_TRIALS: usize = 200;
const INDEPENDENCE_TRIALS: usize = 200;
const TIMEOUT_TRIALS: usize = 50;
const COST_ROUNDS: usize = 9;

const BUSY: &str = "while True:\n    pass";
const STUBBORN: &str =
    "while True:\n    try:\n        pass\n    except BaseException:\n        pass";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and worst of `samples`, in milliseconds.
fn median_worst(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    (ms(samples[samples.len() / 2]), ms(*samples.last().unwrap()))
}

/// Interrupts the run in progress as soon as there is one; the time just before the call
/// that found it.
fn interrupt_when_running(handle: &InterruptHandle) -> Instant {
    loop {
        let sent = Instant::now();
        if handle.interrupt() {
            return sent;
        }
        thread::sleep(Duration::from_micros(100));
    }
}

/// How long `trials` runs of `script` take to stop after `interrupt()`, on the runtime's
/// own thread or (`away`) on another.
fn latencies(script: &'static str, away: bool, trials: usize) -> Vec<Duration> {
    let rt = Runtime::new().unwrap();
    let handle = rt.interrupt_handle();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (sent_tx, sent_rx) = mpsc::channel::<Instant>();
    let stopper = thread::spawn(move || {
        while started_rx.recv().is_ok() {
            sent_tx.send(interrupt_when_running(&handle)).unwrap();
        }
    });
    let measure = move |rt: &Runtime| {
        (0..trials)
            .map(|_| {
                started_tx.send(()).unwrap();
                let outcome = rt.run(script);
                let stopped = Instant::now();
                assert!(matches!(outcome, Err(Error::Interrupted)), "{outcome:?}");
                stopped - sent_rx.recv().unwrap()
            })
            .collect::<Vec<_>>()
    };
    let samples = if away {
        thread::spawn(move || measure(&rt)).join().unwrap()
    } else {
        let samples = measure(&rt);
        // The stopper ends when the channel that starts it is gone.
        drop(measure);
        samples
    };
    stopper.join().unwrap();
    samples
}

fn latency() {
    println!("### Interrupt latency\n");
    println!(
        "From `interrupt()` to the host's call returning `Error::Interrupted`, {LATENCY_TRIALS} \
         interrupts each.\n"
    );
    println!("| loop | thread | median ms | worst ms |");
    println!("| --- | --- | ---: | ---: |");
    for (name, script) in [
        ("`while True: pass`", BUSY),
        ("catching BaseException", STUBBORN),
    ] {
        for (place, away) in [
            ("home (signal channel)", false),
            ("another (monitoring)", true),
        ] {
            let (median, worst) = median_worst(latencies(script, away, LATENCY_TRIALS));
            println!("| {name} | {place} | {median:.3} | {worst:.3} |");
        }
    }
    println!();
}

/// Two runtimes busy on two threads; only one is interrupted, `trials` times.
fn independence() {
    let (handle_tx, handle_rx) = mpsc::channel();
    let (trial_tx, trial_rx) = mpsc::channel::<()>();
    let a = thread::spawn(move || {
        let rt = Runtime::new().unwrap();
        handle_tx.send(rt.interrupt_handle()).unwrap();
        (0..INDEPENDENCE_TRIALS)
            .filter(|_| {
                trial_tx.send(()).unwrap();
                matches!(rt.run(STUBBORN), Err(Error::Interrupted))
            })
            .count()
    });
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let b = thread::spawn(move || {
        let rt = Runtime::new().unwrap();
        rt.run("import time").unwrap();
        let (mut runs, mut stopped) = (0, 0);
        while stop_rx.try_recv().is_err() {
            runs += 1;
            let busy = "t0 = time.monotonic()\nwhile time.monotonic() - t0 < 0.002:\n    pass";
            stopped += usize::from(rt.run(busy).is_err());
        }
        (runs, stopped)
    });
    let handle = handle_rx.recv().unwrap();
    for _ in 0..INDEPENDENCE_TRIALS {
        trial_rx.recv().unwrap();
        interrupt_when_running(&handle);
    }
    let interrupted = a.join().unwrap();
    stop_tx.send(()).unwrap();
    let (runs, wrongly) = b.join().unwrap();
    println!("### Two runtimes on two threads\n");
    println!(
        "Runtime A loops catching BaseException and is interrupted {INDEPENDENCE_TRIALS} \
         times; runtime B, on its own thread, runs 2 ms loops all the while and is never \
         interrupted.\n"
    );
    println!("| trials | A stopped | B's runs | B stopped |");
    println!("| ---: | ---: | ---: | ---: |");
    println!("| {INDEPENDENCE_TRIALS} | {interrupted} | {runs} | {wrongly} |\n");
}

/// How far past a 50 ms limit runs end.
fn timeout() {
    let limit = Duration::from_millis(50);
    println!("### Time limits\n");
    println!(
        "A 50 ms limit, {TIMEOUT_TRIALS} runs each; overshoot is the time past the limit. The \
         last row is the worst case for a native call that outlives the limit: it ends before \
         the run can be stopped.\n"
    );
    println!("| run | median overshoot ms | worst overshoot ms |");
    println!("| --- | ---: | ---: |");
    let rt = Runtime::builder().time_limit(limit).build().unwrap();
    for (name, script) in [
        ("`while True: pass`", BUSY),
        ("`time.sleep(60)`", "import time\ntime.sleep(60)"),
        // One native call: nothing stops it before it returns.
        (
            "`sum(range(10**7))`, one native call",
            "sum(range(10**7))\nwhile True:\n    pass",
        ),
    ] {
        let samples = (0..TIMEOUT_TRIALS)
            .map(|_| {
                let started = Instant::now();
                let outcome = rt.run(script);
                assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
                started.elapsed().saturating_sub(limit)
            })
            .collect();
        let (median, worst) = median_worst(samples);
        println!("| {name} | {median:.3} | {worst:.3} |");
    }
    println!();
}

/// Long native calls under a 50 ms limit (issue 29, item 6): how far past it each runs, once
/// each (some run for minutes). Each is followed by a loop, which the limit stops at once.
fn native() {
    let limit = Duration::from_millis(50);
    println!("### Long native calls\n");
    println!(
        "A 50 ms limit; each call once, then a loop. Overshoot is the time past the limit. \
         Native iterations over `range`, `count`, `repeat` and `cycle` look at their run every \
         4,096 items (embed/long_iterations.rs), and `min`/`max` are brine's; what is left is \
         one native call that iterates nothing of those (a regular expression, an int power), \
         which runs to its end. Before embed/long_iterations.rs (2026-12-06): \
         `sum(range(10**9))` 63.6 s, `sorted(range(10**7), key=...)` 2.5 s, \
         `list(range(10**8))` 0.06 s.\n"
    );
    println!("| call | overshoot s |");
    println!("| --- | ---: |");
    let rt = Runtime::builder().time_limit(limit).build().unwrap();
    for call in [
        "sum(range(10**9))",
        "sorted(range(10**7), key=lambda x: -x)",
        "list(range(10**8))",
        "'x'.join(str(i) for i in range(10**7))",
        "max(range(10**9))",
        "min(range(10**9))",
        "any(x < 0 for x in range(10**8))",
        "all(x >= 0 for x in range(10**8))",
        "__import__('re').match(r'(a+)+$', 'a' * 28 + 'b')",
        "pow(3, 10**8)",
        "str(10**10**6)",
    ] {
        let script = format!("x = {call}\nwhile True:\n    pass");
        let started = Instant::now();
        let outcome = rt.run(&script);
        let past = started.elapsed().saturating_sub(limit).as_secs_f64();
        let how = match outcome {
            Err(Error::Timeout { .. }) => String::new(),
            other => format!(" ({other:?})"),
        };
        println!("| `{call}` | {past:.2}{how} |");
    }
    println!();
}

/// Each cell (`workload pP op`) of a run of the workloads, in milliseconds.
type Results = Vec<(String, f64)>;

/// Reads what bench/workloads.py prints into cells.
const FLATTEN: &str = "import json\n\
def flatten(text):\n    \
    results = json.loads(text)['results']\n    \
    return [(f'{w} p{p} {op}', ms) for w, by in results.items() for p, ops in by.items() for op, ms in ops.items()]\n";

/// The pickle workloads (bench/workloads.py) in a runtime.
fn workloads(rt: &Runtime) -> Results {
    rt.run_file(workspace().join("bench/workloads.py")).unwrap();
    let printed = rt.take_stdout();
    rt.call("results_json.flatten", (printed,)).unwrap()
}

/// Each cell's median over rounds.
fn medians(rounds: &[Results]) -> Results {
    rounds[0]
        .iter()
        .map(|(cell, _)| {
            let mut values: Vec<f64> = rounds
                .iter()
                .map(|r| r.iter().find(|(c, _)| c == cell).unwrap().1)
                .collect();
            values.sort_by(f64::total_cmp);
            (cell.clone(), values[values.len() / 2])
        })
        .collect()
}

fn workspace() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bench_runtime(armed: bool) -> (Runtime, Option<InterruptHandle>) {
    let mut builder = Runtime::builder()
        .argv(["workloads.py", "--repeat", "5", "--protocols", "2,4,5"])
        .python_module("results_json", FLATTEN)
        .stdout(Output::Capture);
    if armed && FUEL.load(std::sync::atomic::Ordering::Relaxed) {
        builder = builder.fuel(u64::MAX / 2);
    } else if armed {
        builder = builder.time_limit(Duration::from_secs(3600));
    }
    let rt = builder.build().unwrap();
    let handle = armed.then(|| rt.interrupt_handle());
    (rt, handle)
}

/// Whether "armed" means a fuel budget (the `fuel` section) rather than a time limit and a
/// live interrupt handle.
static FUEL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The workloads with the machinery armed (a time limit, a live interrupt handle) against
/// the same runtime without, rounds alternating.
fn cost(away: bool) {
    let (plain, _) = bench_runtime(false);
    let (armed, _handle) = bench_runtime(true);
    let run = |rt: Runtime| -> (Runtime, Results) {
        if away {
            thread::spawn(move || {
                let results = workloads(&rt);
                (rt, results)
            })
            .join()
            .unwrap()
        } else {
            let results = workloads(&rt);
            (rt, results)
        }
    };
    let (mut plain, mut armed) = (plain, armed);
    let mut rounds: [Vec<Results>; 2] = Default::default();
    for _ in 0..COST_ROUNDS {
        let (rt, results) = run(plain);
        plain = rt;
        rounds[0].push(results);
        let (rt, results) = run(armed);
        armed = rt;
        rounds[1].push(results);
    }
    let plain = medians(&rounds[0]);
    let armed = medians(&rounds[1]);
    let ratios: Vec<(String, f64)> = plain
        .iter()
        .map(|(cell, p)| {
            let a = armed.iter().find(|(c, _)| c == cell).unwrap().1;
            (cell.clone(), a / p)
        })
        .collect();
    let geomean = (ratios.iter().map(|(_, r)| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    let worst = ratios.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    let place = if away {
        "another thread"
    } else {
        "the runtime's own thread"
    };
    println!(
        "| {place} | {} | {geomean:.3} | {:.3} ({}) |",
        ratios.len(),
        worst.1,
        worst.0
    );
}

/// A bare Python loop, where the watching of safe points is the most visible: each
/// iteration is a jump.
fn loop_cost() {
    const LOOP: &str = "import time\nt0 = time.perf_counter()\nfor _ in range(10**6):\n    pass\nelapsed = time.perf_counter() - t0";
    let time_loop = |armed: bool, away: bool| -> f64 {
        let (rt, _handle) = bench_runtime(armed);
        let measure = move || {
            let mut samples: Vec<f64> = (0..COST_ROUNDS)
                .map(|_| {
                    rt.run(LOOP).unwrap();
                    rt.eval::<f64>("elapsed").unwrap() * 1000.0
                })
                .collect();
            samples.sort_by(f64::total_cmp);
            samples[samples.len() / 2]
        };
        if away {
            thread::spawn(measure).join().unwrap()
        } else {
            measure()
        }
    };
    println!(
        "A bare loop, `for _ in range(10**6): pass`, median of {COST_ROUNDS} runs: every \
         iteration is a jump, the worst case for the watching.\n"
    );
    println!("| runs on | plain ms | armed ms | armed/plain |");
    println!("| --- | ---: | ---: | ---: |");
    for (place, away) in [
        ("the runtime's own thread", false),
        ("another thread", true),
    ] {
        let plain = time_loop(false, away);
        let armed = time_loop(true, away);
        println!(
            "| {place} | {plain:.1} | {armed:.1} | {:.2} |",
            armed / plain
        );
    }
    println!();
}

fn main() {
    let only = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let runs = |section: &str| only.as_deref().is_none_or(|o| o == section);
    if runs("latency") {
        latency();
    }
    if runs("independence") {
        independence();
    }
    if runs("timeout") {
        timeout();
    }
    if only.as_deref() == Some("native") {
        native();
    }
    if only.as_deref() == Some("fuel") {
        FUEL.store(true, std::sync::atomic::Ordering::Relaxed);
        println!("### What fuel costs\n");
        println!(
            "bench/workloads.py in a runtime with a fuel budget (never reached) against the same \
             in a runtime without; {COST_ROUNDS} rounds alternating, each cell the median. A \
             runtime without fuel runs no differently from before fuel existed: nothing is \
             watched, and a run's start stores three counters.\n"
        );
        println!("| runs on | cells | geometric mean with fuel/without | worst cell |");
        println!("| --- | ---: | ---: | --- |");
        cost(false);
        cost(true);
        println!();
        loop_cost();
    }
    if runs("cost") {
        println!("### What the machinery costs\n");
        println!(
            "bench/workloads.py (the pickle workloads of `brine bench/run.py`: dumps and loads at \
             protocols 2, 4 and 5) in a runtime with a time limit and a live interrupt handle, \
             against the same in a runtime without; {COST_ROUNDS} rounds alternating, each cell \
             the median. A ratio above 1 is the armed runtime slower.\n"
        );
        println!("| runs on | cells | geometric mean armed/plain | worst cell |");
        println!("| --- | ---: | ---: | --- |");
        cost(false);
        cost(true);
        println!();
        loop_cost();
    }
}
