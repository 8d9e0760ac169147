//! Deep recursion and deep data in an isolated runtime whose recursion limit is raised to a
//! million: RecursionError, and the host goes on.

use brine::{Error, Runtime};

fn deep_runtime() -> Runtime {
    Runtime::builder()
        .isolated()
        .recursion_limit(1_000_000)
        .build()
        .unwrap()
}

fn recursion_error(outcome: Result<(), Error>) -> String {
    match outcome {
        Err(Error::Python(err)) if err.type_name() == "RecursionError" => err.to_string(),
        other => panic!("not a RecursionError: {other:?}"),
    }
}

#[test]
fn deep_recursion_is_a_recursion_error() {
    let rt = deep_runtime();
    assert_eq!(
        rt.eval::<i64>("__import__('sys').getrecursionlimit()")
            .unwrap(),
        1_000_000
    );
    recursion_error(rt.run("def down(n):\n    return down(n + 1)\ndown(0)"));
    recursion_error(
        rt.run("class A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())"),
    );
    recursion_error(rt.run("d = {}\nd['k'] = d\nimport json\njson.dumps(d, check_circular=False)"));
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

#[test]
fn deep_data_is_a_recursion_error() {
    let rt = deep_runtime();
    rt.run("import pickle, copy\nx = []\nfor _ in range(200_000):\n    x = [x]")
        .unwrap();
    for op in ["repr(x)", "pickle.dumps(x)", "copy.deepcopy(x)", "str(x)"] {
        let message = recursion_error(rt.run(op));
        // Which of RustPython's guards trips first depends on how much native stack each
        // level takes in this build: the recursion check says "maximum recursion depth
        // exceeded ...", the native-stack check at a frame's entry raises RecursionError
        // with no message (seen for deepcopy in debug test builds).
        assert!(
            message.contains("maximum recursion depth exceeded") || message == "RecursionError",
            "{op}: {message}"
        );
    }
    // Equal but not identical: compared level by level.
    rt.run("y = []\nfor _ in range(200_000):\n    y = [y]")
        .unwrap();
    recursion_error(rt.run("x == y"));
    rt.run("del x, y").unwrap();
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

/// Sources nested a million deep (the parser's tree is built and freed one native frame per
/// level) are refused before they are parsed, as CPython refuses them: by `exec`, `eval` and
/// `compile` in the script, and by the host's own `run` and `eval`, isolated or not, on the
/// thread that built the runtime and on a host thread. The runtime goes on.
#[test]
fn sources_nested_too_deep_are_a_recursion_error_not_a_crash() {
    let deep = [
        format!("a = 1{}", "+1".repeat(1_000_000)),
        format!("a = {}1", "-".repeat(1_000_000)),
        format!("x{}", ".y".repeat(1_000_000)),
        format!("a = {}x", "not ".repeat(1_000_000)),
    ];
    for rt in [deep_runtime(), Runtime::new().unwrap()] {
        rt.run("import sys").unwrap();
        for source in &deep {
            let message = recursion_error(rt.run(source));
            assert_eq!(
                message,
                "RecursionError: maximum recursion depth exceeded during compilation"
            );
            rt.globals()
                .unwrap()
                .set_item("source", source.as_str())
                .unwrap();
            for call in [
                "exec(source)",
                "eval(source)",
                "compile(source, 's', 'exec')",
            ] {
                recursion_error(rt.run(call));
            }
            recursion_error(rt.run("exec(source.encode())"));
        }
        // What RustPython compiles itself is unchanged.
        rt.run(&format!("a = 1{}", "+1".repeat(200))).unwrap();
        assert_eq!(rt.eval::<i64>("a").unwrap(), 201);
        assert_eq!(rt.eval::<String>("exec.__module__").unwrap(), "builtins");
    }
    // On a host thread with a 2 MiB stack, too.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let rt = Runtime::new().unwrap();
            recursion_error(rt.run(&format!("exec('a=1' + '+1' * {})", 1_000_000)));
            assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
        })
        .unwrap()
        .join()
        .unwrap();
}

/// On host threads with small stacks (256 KiB and 2 MiB), isolated or not, with the
/// recursion limit at its default and at a million: recursion, chains of iterators and
/// generators, and deep data through repr, str, ==, hash, copy, pickle and json are
/// RecursionError, measured against the thread's own stack, and the deep data is then
/// freed on that thread (tests/embed/deep_free.rs).
#[test]
fn small_host_threads_get_recursion_errors_too() {
    const SCRIPTS: [&str; 12] = [
        "def down(n):\n    return down(n + 1)\ndown(0)",
        "it = iter([1])\nfor _ in range(100_000):\n    it = map(abs, it)\nlist(it)",
        "it = iter([1])\nfor _ in range(100_000):\n    it = (y for y in it)\nlist(it)",
        "x = []\nfor _ in range(100_000):\n    x = [x]\nrepr(x)",
        "x = []\nfor _ in range(100_000):\n    x = [x]\nstr(x)",
        "x = []\nfor _ in range(100_000):\n    x = [x]\nx == [x]",
        "x = ()\nfor _ in range(100_000):\n    x = (x,)\nhash(x)",
        "import copy\nx = []\nfor _ in range(100_000):\n    x = [x]\ncopy.deepcopy(x)",
        "import pickle\nx = []\nfor _ in range(100_000):\n    x = [x]\npickle.dumps(x)",
        "import json\nx = []\nfor _ in range(100_000):\n    x = [x]\njson.dumps(x)",
        "import json\njson.loads('[' * 100_000 + ']' * 100_000)",
        "exec('a = ' + '(' * 3_000 + '1' + ')' * 3_000)",
    ];
    for stack in [256 << 10, 2 << 20] {
        for (isolated, limit) in [(false, None), (true, Some(1_000_000))] {
            let builder = Runtime::builder();
            let builder = if isolated {
                builder.isolated()
            } else {
                builder
            };
            let builder = match limit {
                Some(limit) => builder.recursion_limit(limit),
                None => builder,
            };
            let rt = builder.build().unwrap();
            for script in SCRIPTS {
                let outcome = std::thread::scope(|s| {
                    std::thread::Builder::new()
                        .stack_size(stack)
                        .spawn_scoped(s, || {
                            let outcome = rt.run(script);
                            rt.run("x = it = None").unwrap();
                            outcome
                        })
                        .unwrap()
                        .join()
                        .unwrap()
                });
                match outcome {
                    Err(Error::Python(err))
                        if matches!(err.type_name(), "RecursionError" | "SyntaxError") => {}
                    other => panic!("{stack} bytes, isolated {isolated}: {script}: {other:?}"),
                }
            }
            assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
        }
    }
}
