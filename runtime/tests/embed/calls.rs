//! Keyword arguments both ways, host functions' optional, `*args` and `**kwargs`
//! parameters, callables and modules made after build, and the host's own data.

use brine::{Error, Kwargs, Object, Output, Rest, Runtime, kwargs};
use std::sync::Mutex;

/// The message of the Python error `run` gives.
fn python_error(rt: &Runtime, code: &str) -> String {
    match rt.run(code) {
        Err(Error::Python(err)) => err.to_string(),
        other => panic!("{code}: {other:?}"),
    }
}

#[test]
fn the_host_calls_python_with_keyword_arguments() {
    let rt = Runtime::new().unwrap();
    let data = std::collections::HashMap::from([("b", vec![1]), ("a", vec![1, 2])]);
    let text: String = rt
        .call_with(
            "json.dumps",
            (data,),
            kwargs!(sort_keys = true, separators = (",", ":")),
        )
        .unwrap();
    assert_eq!(text, r#"{"a":[1,2],"b":[1]}"#);
    rt.run("def describe(*args, **kwargs):\n    return repr((args, kwargs))")
        .unwrap();
    let describe: Object = rt.eval("describe").unwrap();
    let from_pairs: Kwargs = [("x", 1), ("y", 2)].into_iter().collect();
    assert_eq!(
        describe.call_with::<String>((0,), from_pairs).unwrap(),
        "((0,), {'x': 1, 'y': 2})"
    );
    let map = std::collections::BTreeMap::from([("k", vec![1.5])]);
    assert_eq!(
        describe
            .call_with::<String>((), map.into_iter().collect())
            .unwrap(),
        "((), {'k': [1.5]})"
    );
    // A name set again keeps its place and takes the new value.
    let replaced = Kwargs::new().arg("a", 1).arg("b", 2).arg("a", 3);
    assert_eq!(
        describe.call_with::<String>((), replaced).unwrap(),
        "((), {'a': 3, 'b': 2})"
    );
    rt.run("class Box:\n    def put(self, item, *, times=1):\n        return [item] * times")
        .unwrap();
    let boxed: Object = rt.call("__main__.Box", ()).unwrap();
    assert_eq!(
        boxed
            .call_method_with::<Vec<String>>("put", ("x",), kwargs!(times = 3))
            .unwrap(),
        ["x", "x", "x"]
    );
    let Err(Error::Python(err)) =
        boxed.call_method_with::<Object>("put", ("x",), kwargs!(count = 3))
    else {
        panic!("an unknown keyword")
    };
    assert_eq!(
        err.message(),
        "Box.put() got an unexpected keyword argument 'count'"
    );
}

fn params_runtime() -> Runtime {
    Runtime::builder()
        .stdout(Output::Capture)
        .module("host", |m| {
            m.function(
                "greet",
                |name: String, greeting: Option<String>, punct: Option<String>| {
                    let greeting = greeting.unwrap_or_else(|| "Hello".into());
                    format!("{greeting}, {name}{}", punct.as_deref().unwrap_or("."))
                },
            );
            m.function("total", |first: i64, rest: Rest<i64>| {
                first + rest.iter().sum::<i64>()
            });
            m.function(
                "options",
                |name: String, mut kw: Kwargs| -> Result<String, Error> {
                    let level: i64 = kw.take("level")?.unwrap_or(0);
                    let rest: Vec<String> = kw.names().map(str::to_string).collect();
                    Ok(format!("{name} {level} {rest:?}"))
                },
            );
            m.function("everything", |args: Rest<Object>, kw: Kwargs| {
                format!("{} {}", args.len(), kw.len())
            });
        })
        .build()
        .unwrap()
}

#[test]
fn host_functions_take_optional_rest_and_keyword_parameters() {
    let rt = params_runtime();
    rt.run("import host").unwrap();
    let eval = |code: &str| rt.eval::<String>(code).unwrap();
    assert_eq!(eval("host.greet('Ada')"), "Hello, Ada.");
    assert_eq!(eval("host.greet('Ada', 'Hi')"), "Hi, Ada.");
    assert_eq!(eval("host.greet('Ada', None, '!')"), "Hello, Ada!");
    assert_eq!(rt.eval::<i64>("host.total(1)").unwrap(), 1);
    assert_eq!(
        rt.eval::<i64>("host.total(1, 2, 3, *range(4))").unwrap(),
        12
    );
    assert_eq!(
        eval("host.options('x', level=3, color='red', size=2)"),
        "x 3 [\"color\", \"size\"]"
    );
    assert_eq!(eval("host.options('x')"), "x 0 []");
    assert_eq!(eval("host.everything()"), "0 0");
    assert_eq!(eval("host.everything(1, [2], a=3)"), "2 1");
    assert_eq!(
        python_error(&rt, "host.greet()"),
        "TypeError: greet() takes at least 1 argument (0 given)"
    );
    assert_eq!(
        python_error(&rt, "host.greet('a', 'b', 'c', 'd')"),
        "TypeError: greet() takes from 1 to 3 positional arguments but 4 were given"
    );
    assert_eq!(
        python_error(&rt, "host.greet('a', punct='!')"),
        "TypeError: greet() takes no keyword arguments"
    );
    assert_eq!(
        python_error(&rt, "host.total()"),
        "TypeError: total() takes at least 1 argument (0 given)"
    );
    assert_eq!(
        python_error(&rt, "host.total(1, 2, 'three')"),
        "TypeError: total() argument 3: cannot convert Python str to i64"
    );
    assert_eq!(
        python_error(&rt, "host.options('x', level='high')"),
        "TypeError: cannot convert Python str to i64"
    );
}

#[test]
fn closures_become_callables_and_modules_at_any_time() {
    let rt = Runtime::builder().stdout(Output::Capture).build().unwrap();
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let on_event = rt
        .function("on_event", move |name: String, payload: Option<i64>| {
            log.lock().unwrap().push((name, payload));
        })
        .unwrap();
    rt.globals()
        .unwrap()
        .set_item("on_event", &on_event)
        .unwrap();
    rt.run("on_event('start')\non_event('tick', 3)").unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [("start".to_string(), None), ("tick".to_string(), Some(3))]
    );
    assert_eq!(on_event.repr().unwrap(), "<built-in function on_event>");
    let key = rt.function("key", |pair: (String, i64)| -pair.1).unwrap();
    let ranked: Vec<(String, i64)> = rt
        .call_with(
            "sorted",
            (vec![("a", 1), ("b", 3), ("c", 2)],),
            kwargs!(key = key),
        )
        .unwrap();
    assert_eq!(ranked[0], ("b".to_string(), 3));

    rt.add_module("late", |m| {
        m.function("double", |x: i64| x * 2);
        m.constant("NAME", "late");
        m.doc("Added after build.");
    })
    .unwrap();
    rt.run("import late\nprint(late.double(21), late.NAME, late.__doc__)")
        .unwrap();
    assert_eq!(rt.take_stdout(), "42 late Added after build.\n");

    // A host function taking the runtime calls back into Python and makes objects.
    let apply = rt
        .function(
            "apply",
            |rt: &Runtime, name: String, value: i64| -> Result<Object, Error> {
                let result: i64 = rt.call(&name, (value,))?;
                rt.object(&vec![value, result])
            },
        )
        .unwrap();
    rt.run("def square(x):\n    return x * x").unwrap();
    assert_eq!(
        apply.call::<Vec<i64>>(("__main__.square", 7)).unwrap(),
        [7, 49]
    );
}

#[test]
fn host_state_is_reached_through_the_runtime() {
    struct Counter(Mutex<u32>);
    struct Label(&'static str);
    let rt = Runtime::builder()
        .app_data(Counter(Mutex::new(0)))
        .app_data(Label("first"))
        .app_data(Label("second"))
        .module("state", |m| {
            m.function("bump", |rt: &Runtime| -> u32 {
                let counter = rt.app_data::<Counter>().expect("given at build");
                let mut n = counter.0.lock().unwrap();
                *n += 1;
                *n
            });
            m.function("label", |rt: &Runtime| rt.app_data::<Label>().map(|l| l.0));
        })
        .build()
        .unwrap();
    rt.run("import state\nfor _ in range(3):\n    state.bump()")
        .unwrap();
    assert_eq!(*rt.app_data::<Counter>().unwrap().0.lock().unwrap(), 3);
    assert_eq!(rt.eval::<String>("state.label()").unwrap(), "second");
    assert!(rt.app_data::<String>().is_none());
}
