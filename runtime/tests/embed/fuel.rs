//! Fuel: a run stops after a budget of safe points, at the same instruction every time.

use brine::{Error, Runtime};
use std::time::Duration;

/// Loops, calls, a generator and a comprehension: all burn fuel.
const WORK: &str = "\
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def squares():
    k = 0
    while True:
        yield k * k
        k += 1

total = 0
steps = []
for s in squares():
    total += fib(s % 12) + sum([i for i in range(s % 7)])
    steps.append(total)
";

#[test]
fn ten_runs_stop_at_the_same_instruction() {
    let rt = Runtime::builder().fuel(50_000).build().unwrap();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let outcome = rt.run(WORK);
        assert!(
            matches!(outcome, Err(Error::OutOfFuel { fuel: 50_000 })),
            "{outcome:?}"
        );
        let used = rt.fuel_used();
        let state = rt.eval::<(i64, usize)>("(total, len(steps))").unwrap();
        seen.push((used, state));
    }
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
    assert_eq!(seen[0].0, 50_000);
    assert!(seen[0].1.1 > 10, "{seen:?}");
}

#[test]
fn a_run_within_its_fuel_reports_what_it_burned() {
    let rt = Runtime::builder().fuel(1_000_000).build().unwrap();
    // A runtime's first run burns some more, for what the runtime sets up once (measured:
    // 42 units); from the same state, the same run burns the same.
    rt.run("pass").unwrap();
    rt.run("def f():\n    return 1\nfor i in range(1000):\n    f()")
        .unwrap();
    let used = rt.fuel_used();
    // A jump per iteration and a start per call.
    assert!((2_000..3_000).contains(&used), "{used}");
    rt.run("def f():\n    return 1\nfor i in range(1000):\n    f()")
        .unwrap();
    assert_eq!(rt.fuel_used(), used);
}

#[test]
fn a_handler_cannot_keep_a_run_going_past_its_fuel() {
    let rt = Runtime::builder().fuel(10_000).build().unwrap();
    let outcome = rt.run(
        "n = 0\n\
         while True:\n\
         \x20   try:\n\
         \x20       while True:\n\
         \x20           n += 1\n\
         \x20   except BaseException as e:\n\
         \x20       caught = type(e).__name__\n",
    );
    assert!(
        matches!(outcome, Err(Error::OutOfFuel { .. })),
        "{outcome:?}"
    );
    assert_eq!(rt.eval::<String>("caught").unwrap(), "OutOfFuel");
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

#[test]
fn one_piece_of_work_gets_fuel_of_its_own() {
    let rt = Runtime::new().unwrap();
    rt.run("def spin():\n    n = 0\n    while True:\n        n += 1")
        .unwrap();
    let outcome = rt.with_fuel(5_000, |rt| rt.call::<()>("spin", ()));
    assert!(
        matches!(outcome, Err(Error::OutOfFuel { fuel: 5_000 })),
        "{outcome:?}"
    );
    assert_eq!(rt.fuel_used(), 5_000);
    // The budget was the work's only.
    rt.run("for i in range(100_000):\n    pass").unwrap();
}

#[test]
fn fuel_and_a_time_limit_each_stop_what_they_bound() {
    let rt = Runtime::builder()
        .fuel(1_000)
        .time_limit(Duration::from_millis(100))
        .build()
        .unwrap();
    assert!(matches!(
        rt.run("while True: pass"),
        Err(Error::OutOfFuel { .. })
    ));
    // Native code burns nothing; the time limit stops it.
    let outcome = rt.run("import time\ntime.sleep(10)");
    assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
}

#[test]
fn fuel_is_burned_the_same_on_another_thread() {
    let rt = Runtime::builder().fuel(20_000).build().unwrap();
    let _ = rt.run(WORK);
    let at_home = (rt.fuel_used(), rt.eval::<i64>("total").unwrap());
    let away = std::thread::scope(|s| {
        s.spawn(|| {
            let outcome = rt.run(WORK);
            assert!(
                matches!(outcome, Err(Error::OutOfFuel { .. })),
                "{outcome:?}"
            );
            (rt.fuel_used(), rt.eval::<i64>("total").unwrap())
        })
        .join()
        .unwrap()
    });
    assert_eq!(at_home, away);
}
