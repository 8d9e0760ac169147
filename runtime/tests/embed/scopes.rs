//! Scopes: namespaces of their own in one runtime.

use brine::{Error, Object, Runtime};

#[test]
fn what_one_scope_defines_no_other_sees() {
    let rt = Runtime::new().unwrap();
    rt.run("shared = 'main'").unwrap();
    let a = rt.scope().unwrap();
    let b = rt.scope_named("tenant_b").unwrap();
    a.run("x = 1\ndef f():\n    return x\nclass Rule:\n    pass")
        .unwrap();
    b.run("x = 2").unwrap();
    assert_eq!(a.eval::<i64>("f()").unwrap(), 1);
    assert_eq!(b.eval::<i64>("x").unwrap(), 2);
    let Err(Error::Python(err)) = b.eval::<Object>("f") else {
        panic!("b has no f")
    };
    assert_eq!(
        (err.type_name(), err.message()),
        ("NameError", "name 'f' is not defined")
    );
    let Err(Error::Python(err)) = a.eval::<Object>("shared") else {
        panic!("__main__'s globals are not a scope's")
    };
    assert_eq!(err.type_name(), "NameError");
    assert!(
        rt.eval::<bool>("'x' not in globals() and 'f' not in globals()")
            .unwrap()
    );
    // Names and builtins of its own; modules are the runtime's.
    assert_eq!(a.eval::<String>("__name__").unwrap(), "__scope__");
    assert_eq!(b.eval::<String>("__name__").unwrap(), "tenant_b");
    assert_eq!(a.eval::<String>("Rule.__module__").unwrap(), "__scope__");
    assert_eq!(a.eval::<usize>("len([1, 2])").unwrap(), 2);
    a.run("import json\njson.extra = 'seen'").unwrap();
    assert_eq!(
        b.eval::<String>("__import__('json').extra").unwrap(),
        "seen"
    );
}

#[test]
fn scopes_run_compiled_code_and_hold_host_values() {
    let rt = Runtime::new().unwrap();
    let step = rt.compile("total = total + step", "<step>").unwrap();
    let scopes: Vec<_> = (1..=3).map(|_| rt.scope().unwrap()).collect();
    for (k, scope) in scopes.iter().enumerate() {
        scope.set("total", 0).unwrap();
        scope.set("step", k as i64 + 1).unwrap();
        for _ in 0..10 {
            scope.exec(&step).unwrap();
        }
    }
    let totals: Vec<i64> = scopes
        .iter()
        .map(|s| s.get::<i64>("total").unwrap().unwrap())
        .collect();
    assert_eq!(totals, [10, 20, 30]);
    assert_eq!(scopes[0].get::<i64>("missing").unwrap(), None);
    let globals = scopes[1].globals();
    assert!(globals.contains("step").unwrap());
    assert!(globals.contains("__builtins__").unwrap());
    // A traceback from a scope names its code as __main__'s would.
    let Err(Error::Python(err)) = scopes[2].run("total = total / 0") else {
        panic!("division by zero")
    };
    assert_eq!(err.type_name(), "ZeroDivisionError");
    assert!(
        err.traceback()
            .contains("File \"<string>\", line 1, in <module>")
    );
}

#[test]
fn scopes_callbacks_and_serde_under_isolation_limits_and_threads() {
    use brine::kwargs;
    use std::time::Duration;
    let rt = Runtime::builder().isolated().build().unwrap();
    let scope = rt.scope().unwrap();
    let double = rt.function("double", |x: i64| x * 2).unwrap();
    scope.set("double", double).unwrap();
    scope
        .set("rows", rt.serialize(&vec![(1, "a"), (2, "b")]).unwrap())
        .unwrap();
    assert_eq!(
        scope
            .eval::<Vec<i64>>("[double(n) for n, _ in rows]")
            .unwrap(),
        [2, 4]
    );
    // What isolation refuses, a scope refuses too.
    let Err(Error::Python(err)) = scope.run("open('/etc/passwd')") else {
        panic!("isolated")
    };
    assert_eq!(err.type_name(), "PermissionError");
    // A time limit stops a scope's run, and the scope goes on.
    let stopped = rt.with_time_limit(Duration::from_millis(50), |_| {
        scope.run("while True:\n    pass")
    });
    assert!(matches!(stopped, Err(Error::Timeout { .. })), "{stopped:?}");
    let sorted: Vec<i64> = rt
        .call_with("sorted", (vec![3, 1, 2],), kwargs!(reverse = true))
        .unwrap();
    assert_eq!(sorted, [3, 2, 1]);
    // One scope used from several threads: their runs take turns.
    scope.set("hits", 0).unwrap();
    std::thread::scope(|threads| {
        for _ in 0..4 {
            threads.spawn(|| {
                for _ in 0..25 {
                    scope.run("hits += 1").unwrap();
                }
            });
        }
    });
    assert_eq!(scope.get::<i64>("hits").unwrap(), Some(100));
}
