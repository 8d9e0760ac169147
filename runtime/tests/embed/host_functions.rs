//! Host modules: Rust closures called from scripts, their errors and panics.

use brine::{Error, ExceptionKind, Object, Output, Runtime};

fn host_runtime() -> Runtime {
    Runtime::builder()
        .stdout(Output::Capture)
        .module("host", |m| {
            m.doc("Functions of the test host.");
            m.function("add", |a: i64, b: i64| a + b);
            m.function("greet", |name: String| format!("hello, {name}"));
            m.function("nothing", || ());
            m.function("fail", |kind: String| -> Result<(), Error> {
                let kind = match kind.as_str() {
                    "value" => ExceptionKind::ValueError,
                    "type" => ExceptionKind::TypeError,
                    "key" => ExceptionKind::KeyError,
                    _ => ExceptionKind::RuntimeError,
                };
                Err(Error::raise(kind, format!("{} from the host", kind.name())))
            });
            m.function("explode", |n: i64| -> i64 {
                if n > 0 {
                    panic!("the host refuses {n}")
                }
                n
            });
            m.function("apply", |f: Object, x: i64| f.call::<i64>((x,)));
            m.function("stats", |xs: Vec<f64>| {
                let sum: f64 = xs.iter().sum();
                (xs.len(), sum)
            });
            m.constant("LIMIT", 10u32);
        })
        .build()
        .unwrap()
}

#[test]
fn scripts_import_and_call_host_functions() {
    let rt = host_runtime();
    rt.run("import host\nprint(host.add(2, 3), host.greet('world'), host.nothing(), host.LIMIT)")
        .unwrap();
    rt.run("print(host.stats([1.5, 2.5]), host.__doc__)")
        .unwrap();
    rt.run("print(host.add.__name__, host.add.__module__, repr(host.add))")
        .unwrap();
    assert_eq!(
        rt.take_stdout(),
        "5 hello, world None 10\n(2, 4.0) Functions of the test host.\nadd host <built-in function add>\n"
    );
    // A host function pickles by name, as a builtin does, and loads as itself.
    assert!(
        rt.eval::<bool>(
            "__import__('pickle').loads(__import__('pickle').dumps(host.add)) is host.add"
        )
        .unwrap()
    );
    // Found again after removal from sys.modules, and private to this runtime.
    rt.run("import sys\ndel sys.modules['host']\nimport host\nassert host.add(1, 1) == 2")
        .unwrap();
}

#[test]
fn a_returned_error_raises_the_chosen_exception() {
    let rt = host_runtime();
    for (kind, shown) in [
        ("value", "ValueError ValueError from the host"),
        ("type", "TypeError TypeError from the host"),
        ("key", "KeyError 'KeyError from the host'"),
        ("runtime", "RuntimeError RuntimeError from the host"),
    ] {
        let code = format!(
            "import host\ntry:\n    host.fail({kind:?})\nexcept Exception as e:\n    print(type(e).__name__, e)"
        );
        rt.run(&code).unwrap();
        assert_eq!(rt.take_stdout(), format!("{shown}\n"));
    }
    // Uncaught, it reaches the host as that exception.
    let Err(Error::Python(err)) = rt.run("import host\nhost.fail('key')") else {
        panic!()
    };
    assert_eq!(err.type_name(), "KeyError");
}

#[test]
fn a_panic_becomes_a_runtime_error_at_the_boundary() {
    let rt = host_runtime();
    // Keep the test output free of the panic hook's message.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result =
        rt.run("import host\ntry:\n    host.explode(3)\nexcept RuntimeError as e:\n    print(e)");
    std::panic::set_hook(hook);
    result.unwrap();
    assert_eq!(
        rt.take_stdout(),
        "host function host.explode panicked: the host refuses 3\n"
    );
    // The runtime and the function still work.
    assert_eq!(rt.eval::<i64>("host.explode(-1)").unwrap(), -1);
}

#[test]
fn arguments_are_checked_and_converted() {
    let rt = host_runtime();
    let error = |code: &str| match rt.run(code) {
        Err(Error::Python(err)) => err.to_string(),
        other => panic!("{code}: {other:?}"),
    };
    rt.run("import host").unwrap();
    assert_eq!(
        error("host.add(1)"),
        "TypeError: add() takes 2 positional arguments but 1 was given"
    );
    assert_eq!(
        error("host.greet()"),
        "TypeError: greet() takes 1 positional argument but 0 were given"
    );
    assert_eq!(
        error("host.add(1, 'x')"),
        "TypeError: add() argument 2: cannot convert Python str to i64"
    );
    assert_eq!(
        error("host.add(2 ** 64, 1)"),
        "TypeError: add() argument 1: cannot convert Python int to i64: 18446744073709551616 is out of range"
    );
    assert_eq!(
        error("host.add(a=1, b=2)"),
        "TypeError: add() takes no keyword arguments"
    );
}

#[test]
fn host_functions_can_call_back_into_python() {
    let rt = host_runtime();
    rt.run("import host\nresult = host.apply(lambda x: x * 10, 4)")
        .unwrap();
    assert_eq!(rt.eval::<i64>("result").unwrap(), 40);
    // A Python exception raised by the callback passes through the host function as itself.
    rt.run("class Stop(Exception):\n    pass\ndef stop(x):\n    raise Stop(x)")
        .unwrap();
    rt.run("try:\n    host.apply(stop, 1)\nexcept Stop as e:\n    print('caught', repr(e))")
        .unwrap();
    assert_eq!(rt.take_stdout(), "caught Stop(1)\n");
}

#[test]
fn a_host_function_can_raise_an_exception_object_of_the_script() {
    let rt = Runtime::builder()
        .module("host", |m| {
            m.function("reject", |cls: Object, why: String| -> Result<(), Error> {
                Err(Error::from_exception(cls.call((why,))?)?)
            });
        })
        .build()
        .unwrap();
    rt.run("import host\nclass Rejected(Exception):\n    pass")
        .unwrap();
    rt.run(
        "try:\n    host.reject(Rejected, 'too big')\nexcept Rejected as e:\n    caught = str(e)",
    )
    .unwrap();
    assert_eq!(rt.eval::<String>("caught").unwrap(), "too big");
}
