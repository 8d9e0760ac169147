//! Several runtimes in one process: nothing leaks between them, on one thread or on two.

use brine::{Error, Runtime};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn runtimes_and_objects_can_move_between_threads() {
    assert_send_sync::<Runtime>();
    assert_send_sync::<brine::Object>();
    assert_send_sync::<Error>();
    let rt = Runtime::new().unwrap();
    rt.run("made_on = 'the first thread'").unwrap();
    let rt = std::thread::spawn(move || {
        rt.run("used_on = 'a worker thread'").unwrap();
        rt
    })
    .join()
    .unwrap();
    assert_eq!(
        rt.eval::<String>("made_on + ', ' + used_on").unwrap(),
        "the first thread, a worker thread"
    );
}

/// Each runtime sets the same names its own way; none sees the other's.
fn assert_isolated(a: &Runtime, b: &Runtime) {
    a.run("import sys, json\nowner = 'a'\nsys.path.insert(0, '/only/in/a')\njson.marker = 'a'")
        .unwrap();
    b.run("import sys, json\nowner = 'b'\nsys.modules['only_in_b'] = sys")
        .unwrap();
    assert_eq!(a.eval::<String>("owner").unwrap(), "a");
    assert_eq!(b.eval::<String>("owner").unwrap(), "b");
    assert!(!b.eval::<bool>("'/only/in/a' in sys.path").unwrap());
    assert!(!b.eval::<bool>("hasattr(json, 'marker')").unwrap());
    assert!(!a.eval::<bool>("'only_in_b' in sys.modules").unwrap());
    assert!(
        !a.eval::<bool>("__import__('sys').modules['__main__'] is None")
            .unwrap()
    );
}

#[test]
fn two_runtimes_share_nothing() {
    let a = Runtime::builder()
        .module("host_a", |m| {
            m.function("who", || "a");
        })
        .build()
        .unwrap();
    let b = Runtime::new().unwrap();
    assert_isolated(&a, &b);
    assert_eq!(a.eval::<String>("__import__('host_a').who()").unwrap(), "a");
    let Err(Error::Python(err)) = b.run("import host_a") else {
        panic!("b has no host_a")
    };
    assert_eq!(err.type_name(), "ModuleNotFoundError");
}

#[test]
fn two_runtimes_on_two_threads_at_once() {
    let workers: Vec<_> = ["left", "right"]
        .into_iter()
        .map(|name| {
            std::thread::spawn(move || {
                let rt = Runtime::builder()
                    .argv([name])
                    .python_module("side", format!("NAME = {name:?}\n"))
                    .build()
                    .unwrap();
                rt.run("import sys, side\ncount = 0").unwrap();
                for _ in 0..200 {
                    rt.run("count += 1\nassert side.NAME == sys.argv[0]")
                        .unwrap();
                }
                (
                    rt.eval::<i64>("count").unwrap(),
                    rt.eval::<String>("side.NAME").unwrap(),
                )
            })
        })
        .collect();
    let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(
        results,
        [(200, "left".to_string()), (200, "right".to_string())]
    );
}

#[test]
fn threads_sharing_one_runtime_take_turns() {
    let rt = std::sync::Arc::new(Runtime::new().unwrap());
    rt.run("hits = []").unwrap();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let rt = rt.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    rt.run(&format!("hits.append({i})")).unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(rt.eval::<usize>("len(hits)").unwrap(), 200);
}
