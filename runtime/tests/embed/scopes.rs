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
