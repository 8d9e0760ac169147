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
