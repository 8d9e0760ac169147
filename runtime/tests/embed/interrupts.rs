//! Stopping runs: interrupts from other threads and time limits, on the runtime's own thread
//! and on others, one runtime or several at once.

use brine::{Error, InterruptHandle, Runtime};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// A loop that catches everything it can, to show that an interrupt still ends it.
const STUBBORN_LOOP: &str = "\
while True:
    try:
        n += 1
    except BaseException:
        pass
";

/// Interrupts the run in progress as soon as there is one; returns when it was sent.
fn interrupt_when_running(handle: &InterruptHandle) -> Instant {
    loop {
        if handle.interrupt() {
            return Instant::now();
        }
        thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn an_interrupt_stops_a_loop_that_catches_base_exception() {
    let rt = Runtime::new().unwrap();
    rt.run("n = 0").unwrap();
    let handle = rt.interrupt_handle();
    let stopper = thread::spawn(move || interrupt_when_running(&handle));
    let outcome = rt.run(STUBBORN_LOOP);
    stopper.join().unwrap();
    assert!(matches!(outcome, Err(Error::Interrupted)), "{outcome:?}");
    assert_eq!(outcome.unwrap_err().to_string(), "the run was interrupted");
    // The runtime goes on.
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

/// The first exception lets cleanup run, as a KeyboardInterrupt does; code that swallows it
/// and goes on is stopped at every instruction once the grace is over.
#[test]
fn cleanup_runs_but_nothing_outlives_an_interrupt() {
    // The script says when its first loop runs, so that the interrupt lands there.
    let looping = Arc::new(AtomicBool::new(false));
    let flag = looping.clone();
    let rt = Runtime::builder()
        .module("progress", move |m| {
            m.function("looping", move || flag.store(true, Ordering::SeqCst));
        })
        .build()
        .unwrap();
    rt.run("cleanups = 0").unwrap();
    let handle = rt.interrupt_handle();
    let stopper = thread::spawn(move || {
        while !looping.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_micros(200));
        }
        interrupt_when_running(&handle)
    });
    let script = "\
import progress
def work():
    global cleanups
    try:
        progress.looping()
        while True:
            pass
    finally:
        cleanups += 1
        while True:
            pass
try:
    work()
except BaseException as e:
    caught = type(e).__name__
    while True:
        pass
";
    let outcome = rt.run(script);
    stopper.join().unwrap();
    assert!(matches!(outcome, Err(Error::Interrupted)), "{outcome:?}");
    assert_eq!(rt.eval::<i64>("cleanups").unwrap(), 1);
}

/// A module whose import is interrupted is not left half made: importing it again runs it
/// again, as after a KeyboardInterrupt.
#[test]
fn an_interrupted_import_leaves_the_runtime_in_order() {
    let rt = Runtime::builder()
        .python_module(
            "slow",
            "import time\nt0 = time.monotonic()\nwhile time.monotonic() - t0 < 10:\n    pass\n",
        )
        .python_module("quick", "VALUE = 7\n")
        .build()
        .unwrap();
    let limited = rt.with_time_limit(Duration::from_millis(30), |rt| rt.run("import slow"));
    assert!(matches!(limited, Err(Error::Timeout { .. })), "{limited:?}");
    assert!(
        !rt.eval::<bool>("'slow' in __import__('sys').modules")
            .unwrap()
    );
    assert_eq!(rt.eval::<i64>("__import__('quick').VALUE").unwrap(), 7);
}

/// The import lock is one for the process: an interrupt that left it held by this thread
/// would make every other thread's imports wait forever.
#[test]
fn interrupts_in_the_import_system_never_leave_its_lock_held() {
    let rt = Runtime::new().unwrap();
    let handle = rt.interrupt_handle();
    let reimport =
        "import sys\nwhile True:\n    sys.modules.pop('colorsys', None)\n    import colorsys";
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let stopper = thread::spawn(move || {
        for trial in 0..100u64 {
            started_rx.recv().unwrap();
            // Land at different points of the import each time.
            thread::sleep(Duration::from_micros(trial * 37 % 900));
            interrupt_when_running(&handle);
        }
    });
    for _ in 0..100 {
        started_tx.send(()).unwrap();
        let outcome = rt.run(reimport);
        assert!(matches!(outcome, Err(Error::Interrupted)), "{outcome:?}");
    }
    stopper.join().unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let other = Runtime::new().unwrap();
        done_tx
            .send(other.eval::<String>("__import__('colorsys').__name__"))
            .unwrap();
    });
    let imported = done_rx.recv_timeout(Duration::from_secs(60));
    assert_eq!(
        imported.expect("another thread's import waits").unwrap(),
        "colorsys"
    );
    assert_eq!(
        rt.eval::<String>("__import__('colorsys').__name__")
            .unwrap(),
        "colorsys"
    );
}

#[test]
fn an_interrupt_with_no_run_in_progress_does_nothing() {
    let rt = Runtime::new().unwrap();
    let handle = rt.interrupt_handle();
    assert!(!handle.interrupt());
    assert_eq!(rt.eval::<i64>("sum(range(10))").unwrap(), 45);
}

#[test]
fn a_time_limit_stops_every_run_that_outlives_it() {
    // Long enough that the short run at the end fits in it on a loaded machine.
    let limit = Duration::from_millis(300);
    let rt = Runtime::builder().time_limit(limit).build().unwrap();
    rt.run("import time\nsteps = 0").unwrap();
    let started = Instant::now();
    let outcome = rt.run("while True:\n    steps += 1");
    let took = started.elapsed();
    assert!(
        matches!(outcome, Err(Error::Timeout { limit: l }) if l == limit),
        "{outcome:?}"
    );
    assert!(took >= limit && took < limit * 10, "took {took:?}");
    // Usable afterwards, with the globals the stopped run set; and the next run has its
    // own full limit.
    assert!(rt.eval::<i64>("steps").unwrap() > 0);
    let again = rt.run("while True:\n    steps += 1");
    assert!(matches!(again, Err(Error::Timeout { .. })), "{again:?}");
    rt.run("time.sleep(0.02)").unwrap();
}

#[test]
fn a_time_limit_for_one_piece_of_work() {
    let rt = Runtime::new().unwrap();
    rt.run("def spin():\n    while True:\n        pass\ndef quick():\n    return 7")
        .unwrap();
    // Long enough for the quick call on a loaded machine.
    let limit = Duration::from_millis(300);
    let outcome = rt.with_time_limit(limit, |rt| {
        assert_eq!(rt.call::<i64>("quick", ()).unwrap(), 7);
        rt.call::<()>("spin", ())
    });
    assert!(
        matches!(outcome, Err(Error::Timeout { limit: l }) if l == limit),
        "{outcome:?}"
    );
    // Without a limit, the same runtime runs on.
    assert_eq!(rt.call::<i64>("quick", ()).unwrap(), 7);
}

#[test]
fn a_run_that_ends_in_time_is_not_stopped_later() {
    let rt = Runtime::builder()
        .time_limit(Duration::from_millis(300))
        .build()
        .unwrap();
    rt.run("x = 1").unwrap();
    // Past the first run's deadline: its watch must not stop the second run.
    thread::sleep(Duration::from_millis(400));
    rt.run("import time\nt0 = time.monotonic()\nwhile time.monotonic() - t0 < 0.02:\n    pass")
        .unwrap();
}

/// Two runtimes, each busy on its own thread; one is interrupted, many times over. The
/// other must never be stopped, and the interrupted one must stop every time.
#[test]
fn two_runtimes_on_two_threads_are_interrupted_independently() {
    const TRIALS: usize = 50;
    let (handle_tx, handle_rx) = mpsc::channel();
    let (trial_tx, trial_rx) = mpsc::channel::<()>();
    let a = thread::spawn(move || {
        let rt = Runtime::new().unwrap();
        rt.run("n = 0").unwrap();
        handle_tx.send(rt.interrupt_handle()).unwrap();
        (0..TRIALS)
            .map(|_| {
                trial_tx.send(()).unwrap();
                rt.run(STUBBORN_LOOP)
            })
            .collect::<Vec<_>>()
    });
    let (stop_b, stop_b_rx) = mpsc::channel::<()>();
    let b = thread::spawn(move || {
        let rt = Runtime::new().unwrap();
        rt.run("import time\nn = 0").unwrap();
        let mut outcomes = Vec::new();
        while stop_b_rx.try_recv().is_err() {
            outcomes.push(
                rt.run("t0 = time.monotonic()\nwhile time.monotonic() - t0 < 0.005:\n    n += 1"),
            );
        }
        outcomes
    });
    let a_handle = handle_rx.recv().unwrap();
    for _ in 0..TRIALS {
        trial_rx.recv().unwrap();
        interrupt_when_running(&a_handle);
    }
    let a_outcomes = a.join().unwrap();
    stop_b.send(()).unwrap();
    let b_outcomes = b.join().unwrap();
    let interrupted = a_outcomes
        .iter()
        .filter(|o| matches!(o, Err(Error::Interrupted)))
        .count();
    assert_eq!(interrupted, TRIALS, "{a_outcomes:?}");
    assert!(b_outcomes.len() > 1);
    assert!(b_outcomes.iter().all(Result::is_ok), "{b_outcomes:?}");
}

/// A runtime built on one thread and run from another (which gets a VM of its own).
fn away_from_home(rt: Runtime, work: impl FnOnce(&Runtime) + Send + 'static) -> Runtime {
    thread::spawn(move || {
        work(&rt);
        rt
    })
    .join()
    .unwrap()
}

#[test]
fn runs_on_other_threads_stop_at_their_time_limit() {
    let rt = Runtime::builder()
        .time_limit(Duration::from_millis(300))
        .build()
        .unwrap();
    rt.run("steps = 0\ndef deep(n):\n    return deep(n + 1) if n < 10**9 else n")
        .unwrap();
    let rt = away_from_home(rt, |rt| {
        let looping = rt.run(
            "while True:\n    try:\n        steps += 1\n    except BaseException:\n        pass",
        );
        assert!(matches!(looping, Err(Error::Timeout { .. })), "{looping:?}");
        let comprehension = rt.run("[x for x in iter(int, 1)]");
        assert!(
            matches!(comprehension, Err(Error::Timeout { .. })),
            "{comprehension:?}"
        );
    });
    assert!(rt.eval::<i64>("steps").unwrap() > 0);
    // The watching went with the runs: no events left on.
    assert_eq!(
        rt.eval::<i64>("__import__('sys').monitoring.get_events(4)")
            .unwrap(),
        0
    );
}

/// A script that takes every free `sys.monitoring` tool, or frees the runtime's, would
/// leave nothing to stop it at its safe points.
#[test]
fn scripts_cannot_take_the_runtimes_monitoring_tool() {
    let rt = Runtime::new().unwrap();
    let attempts = r#"
import sys
m = sys.monitoring
n = 0
refused = []
for attempt in (lambda: m.use_tool_id(4, 'mine'), lambda: m.free_tool_id(4),
                lambda: m.clear_tool_id(tool_id=4), lambda: m.set_events(4, 0),
                lambda: m.register_callback(4, m.events.JUMP, None)):
    try:
        attempt()
    except ValueError as e:
        refused.append(str(e))
m.use_tool_id(3, 'mine')
m.free_tool_id(3)
"#;
    rt.run(attempts).unwrap();
    assert_eq!(
        rt.eval::<String>("sys.monitoring.get_tool(4)").unwrap(),
        "brine"
    );
    let refused = rt.eval::<Vec<String>>("refused").unwrap();
    assert_eq!(refused.len(), 5, "{refused:?}");
    assert_eq!(
        refused[1],
        "tool 4 is the runtime's own (brine): scripts cannot change it"
    );
    let rt = away_from_home(rt, |rt| {
        let looping = rt.with_time_limit(Duration::from_millis(50), |rt| rt.run(STUBBORN_LOOP));
        assert!(matches!(looping, Err(Error::Timeout { .. })), "{looping:?}");
    });
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

#[test]
fn runs_on_other_threads_are_interrupted() {
    let rt = Runtime::new().unwrap();
    rt.run("n = 0").unwrap();
    let handle = rt.interrupt_handle();
    let stopper = thread::spawn(move || interrupt_when_running(&handle));
    let rt = away_from_home(rt, |rt| {
        let outcome = rt.run(STUBBORN_LOOP);
        assert!(matches!(outcome, Err(Error::Interrupted)), "{outcome:?}");
        let limited =
            rt.with_time_limit(Duration::from_millis(20), |rt| rt.run("while True: pass"));
        assert!(matches!(limited, Err(Error::Timeout { .. })), "{limited:?}");
    });
    stopper.join().unwrap();
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

#[test]
fn a_long_sleep_is_cut_short_by_a_time_limit() {
    // Long enough for the short runs that follow on a loaded machine.
    let limit = Duration::from_millis(300);
    let rt = Runtime::builder().time_limit(limit).build().unwrap();
    let started = Instant::now();
    let outcome = rt.run("import time\ntime.sleep(30)");
    assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let rt = away_from_home(rt, |rt| {
        let outcome = rt.run("import time\ntime.sleep(30)");
        assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
    });
    // Still time.sleep as Python has it.
    rt.run("time.sleep(0.001)\ntime.sleep(0)").unwrap();
    for (call, message) in [
        (
            "time.sleep(-1)",
            "ValueError: sleep length must be non-negative",
        ),
        (
            "time.sleep('1')",
            "TypeError: 'str' object cannot be interpreted as an integer or float",
        ),
    ] {
        let Err(Error::Python(err)) = rt.run(call) else {
            panic!("{call} did not raise");
        };
        assert_eq!(err.to_string(), message);
    }
}

/// `min` and `max` over a native iterator run no bytecode between items: RustPython's took
/// it whole into a vector first (100 bytes an item: `max(range(10**9))` had the kernel kill
/// the host), and nothing could stop them. brine's take one item at a time and look for a
/// pending interrupt every few thousand.
#[test]
fn a_time_limit_stops_min_and_max_over_a_native_iterator() {
    let rt = Runtime::new().unwrap();
    for call in [
        "max(__import__('itertools').repeat(0, 10**7))",
        "min(range(10**7))",
    ] {
        let outcome = rt.with_time_limit(Duration::from_millis(50), |rt| rt.run(call));
        assert!(
            matches!(outcome, Err(Error::Timeout { .. })),
            "{call}: {outcome:?}"
        );
    }
    assert_eq!(rt.eval::<i64>("max(range(10)) + min(3, 1, 2)").unwrap(), 10);
}
