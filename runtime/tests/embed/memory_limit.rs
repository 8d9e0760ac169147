//! Memory limits per runtime: brine's allocator (installed for this whole test binary, in
//! main.rs) charges each runtime what it allocates, and a runtime past its limit stops the
//! script with MemoryError while the host and the runtime go on.

use brine::{Error, Runtime};
use std::time::Duration;

const MIB: usize = 1 << 20;

fn used(rt: &Runtime) -> usize {
    rt.memory_used().expect("brine's allocator is installed")
}

/// A runtime allowed about `extra` bytes above what it holds once built, and its limit.
fn limited_to(extra: usize) -> (Runtime, usize) {
    let probe = Runtime::new().unwrap();
    let limit = used(&probe) + extra;
    drop(probe);
    let rt = Runtime::builder()
        .memory_limit(limit)
        .build()
        .expect("a limited runtime builds");
    (rt, limit)
}

fn limited(extra: usize) -> Runtime {
    limited_to(extra).0
}

#[test]
fn memory_used_follows_what_the_script_holds() {
    let rt = Runtime::new().unwrap();
    let before = used(&rt);
    assert!(
        before > 4 * MIB,
        "a built runtime holds its modules: {before}"
    );
    rt.run("x = bytearray(50 * 2**20)").unwrap();
    let holding = used(&rt);
    assert!(holding >= before + 50 * MIB, "{before} -> {holding}");
    rt.run("del x").unwrap();
    let after = used(&rt);
    assert!(after < before + 2 * MIB, "{before} -> {after}");
}

#[test]
fn a_loop_past_the_limit_stops_with_memory_limit_and_the_runtime_goes_on() {
    let (rt, limit) = limited_to(64 * MIB);
    let outcome = rt.run("x = []\nwhile True:\n    x.append(bytearray(2**12))");
    assert!(
        matches!(outcome, Err(Error::MemoryLimit { limit: l }) if l == limit),
        "{outcome:?}"
    );
    // The run's temporaries are gone; `x` stays, as the script left it.
    assert!(rt.eval::<usize>("len(x)").unwrap() > 500);
    rt.run("del x").unwrap();
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
    rt.run("y = bytes(10 * 2**20)").unwrap();
}

#[test]
fn the_script_sees_memory_error_and_may_recover() {
    let rt = limited(32 * MIB);
    rt.run(
        "held = []\n\
         try:\n\
         \x20   while True:\n\
         \x20       held.append('x' * 4096 + str(len(held)))\n\
         except MemoryError as e:\n\
         \x20   message = str(e)\n\
         \x20   count = len(held)\n\
         \x20   held = None\n",
    )
    .expect("a script that lets go of what it held goes on");
    assert!(rt.eval::<usize>("count").unwrap() > 1000);
    let message = rt.eval::<String>("message").unwrap();
    assert!(
        message.starts_with("the runtime's memory limit of ")
            && message.ends_with(" bytes is exceeded"),
        "{message}"
    );
}

#[test]
fn a_script_that_swallows_memory_error_and_holds_on_is_stopped() {
    let rt = limited(16 * MIB);
    // (A request refused outright raises where it is made and holds nothing: a loop that
    // swallows those is a loop, for a time limit to stop. This one holds on.)
    let outcome = rt.with_time_limit(Duration::from_secs(60), |rt| {
        rt.run(
            "held = []\n\
         while True:\n\
         \x20   try:\n\
         \x20       held.append(bytearray(2**12))\n\
         \x20   except MemoryError:\n\
         \x20       pass\n",
        )
    });
    assert!(
        matches!(outcome, Err(Error::MemoryLimit { .. })),
        "{outcome:?}"
    );
    rt.run("held = None").unwrap();
}

#[test]
fn a_large_request_past_the_limit_is_refused_before_it_is_made() {
    let rt = limited(32 * MIB);
    for source in [
        "bytearray(2**30)",
        "b'x' * 2**30",
        "'a' * 2**30",
        "[0] * 2**27",
        "bytes(2**30)",
        "3 ** 10**9",
    ] {
        rt.run("caught = False").unwrap();
        let before = used(&rt);
        let outcome = rt.run(&format!(
            "try:\n    {source}\nexcept MemoryError:\n    caught = True"
        ));
        assert!(outcome.is_ok(), "{source}: {outcome:?}");
        assert!(rt.eval::<bool>("caught").unwrap(), "{source}");
        // The script did not catch it: the host learns the run ended at the limit.
        let outcome = rt.run(source);
        assert!(
            matches!(outcome, Err(Error::MemoryLimit { .. })),
            "{source}: {outcome:?}"
        );
        assert!(used(&rt) < before + MIB, "{source}");
    }
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

#[test]
fn runtimes_have_budgets_of_their_own() {
    let small = limited(16 * MIB);
    let large = Runtime::new().unwrap();
    let outcome = small.run("x = [bytearray(2**16) for _ in range(1000)]");
    assert!(
        matches!(outcome, Err(Error::MemoryLimit { .. })),
        "{outcome:?}"
    );
    large
        .run("x = [bytearray(2**16) for _ in range(1000)]")
        .expect("the other runtime is not limited");
    assert!(used(&large) > 64 * MIB);
    assert!(used(&small) < used(&large));
}

#[test]
fn what_a_run_on_another_thread_allocates_counts() {
    let rt = limited(16 * MIB);
    let outcome = std::thread::scope(|s| {
        s.spawn(|| rt.run("x = [bytearray(2**16) for _ in range(1000)]"))
            .join()
            .unwrap()
    });
    assert!(
        matches!(outcome, Err(Error::MemoryLimit { .. })),
        "{outcome:?}"
    );
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

#[test]
fn a_pickle_load_counts() {
    let rt = limited(32 * MIB);
    let source = Runtime::new().unwrap();
    let big = source
        .eval::<brine::Object>("[bytes([i % 256]) * 2**16 for i in range(1024)]")
        .unwrap();
    let data = source.dumps(&big, 4).unwrap();
    let outcome = rt.loads(&data);
    assert!(
        matches!(outcome, Err(Error::MemoryLimit { .. })),
        "{outcome:?}"
    );
    let small = source
        .dumps(&source.eval::<brine::Object>("[1, 2, 3]").unwrap(), 4)
        .unwrap();
    assert_eq!(rt.loads(&small).unwrap().repr().unwrap(), "[1, 2, 3]");
}

#[test]
fn bytes_handed_to_the_host_count_until_the_host_drops_them() {
    let rt = Runtime::new().unwrap();
    let obj = rt
        .eval::<brine::Object>("bytes(range(256)) * 2**16")
        .unwrap();
    let before = used(&rt);
    let data = rt.dumps(&obj, 4).unwrap();
    assert!(used(&rt) >= before + 16 * MIB);
    drop(data);
    assert!(used(&rt) < before + MIB);
}

#[test]
fn a_limit_for_one_piece_of_work() {
    let rt = Runtime::new().unwrap();
    let limit = used(&rt) + 16 * MIB;
    let outcome = rt.with_memory_limit(limit, |rt| {
        rt.run("x = [bytearray(2**16) for _ in range(1000)]")
    });
    assert!(
        matches!(outcome, Err(Error::MemoryLimit { limit: l }) if l == limit),
        "{outcome:?}"
    );
    // The limit was the work's only.
    rt.run("x = [bytearray(2**16) for _ in range(1000)]")
        .unwrap();
    rt.run("del x").unwrap();
}

#[test]
fn a_limit_with_a_time_limit_each_stops_what_it_bounds() {
    let rt = Runtime::builder()
        .memory_limit(used(&Runtime::new().unwrap()) + 32 * MIB)
        .time_limit(Duration::from_millis(200))
        .build()
        .unwrap();
    assert!(matches!(
        rt.run("while True: pass"),
        Err(Error::Timeout { .. })
    ));
    let outcome = rt.run("x = []\nwhile True: x.append(bytearray(4096))");
    assert!(
        matches!(outcome, Err(Error::MemoryLimit { .. })),
        "{outcome:?}"
    );
}

#[test]
fn a_limit_below_what_a_runtime_needs_fails_the_build() {
    let Err(Error::Build(message)) = Runtime::builder().memory_limit(MIB).build() else {
        panic!("built");
    };
    assert!(
        message.starts_with("memory_limit(1048576) is below the "),
        "{message}"
    );
    assert!(
        message.ends_with(" bytes the runtime holds once built"),
        "{message}"
    );
}

#[test]
fn dropped_runtimes_give_their_accounts_back() {
    let first = used(&Runtime::new().unwrap());
    for _ in 0..20 {
        let rt = limited(8 * MIB);
        rt.run("x = bytearray(2**20)").unwrap();
        assert!(used(&rt) < first + 4 * MIB, "{} vs {first}", used(&rt));
    }
}
