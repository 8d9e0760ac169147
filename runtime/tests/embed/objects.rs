//! `Object` handles: attributes, calls, identity, and their tie to one runtime.

use brine::{Error, Object, Runtime};

fn counter_runtime() -> Runtime {
    let rt = Runtime::new().unwrap();
    rt.run(
        "class Counter:\n    def __init__(self, start=0):\n        self.n = start\n    def bump(self, by=1):\n        self.n += by\n        return self.n\n    def __str__(self):\n        return f'Counter at {self.n}'",
    )
    .unwrap();
    rt
}

#[test]
fn attributes_calls_and_methods() {
    let rt = counter_runtime();
    let cls: Object = rt.eval("Counter").unwrap();
    let counter: Object = cls.call((5,)).unwrap();
    assert_eq!(counter.call_method::<i64>("bump", ()).unwrap(), 6);
    assert_eq!(counter.call_method::<i64>("bump", (10,)).unwrap(), 16);
    counter.set_attr("n", 100).unwrap();
    assert_eq!(
        counter.get_attr("n").unwrap().extract::<i64>().unwrap(),
        100
    );
    assert_eq!(counter.str().unwrap(), "Counter at 100");
    assert!(
        counter
            .repr()
            .unwrap()
            .starts_with("<__main__.Counter object at 0x")
    );
    assert_eq!(counter.type_name(), "Counter");
    assert!(counter.is_instance(&cls).unwrap());
    let Err(Error::Python(err)) = counter.get_attr("missing") else {
        panic!()
    };
    assert_eq!(err.type_name(), "AttributeError");
    assert_eq!(err.message(), "'Counter' object has no attribute 'missing'");
}

#[test]
fn items_and_none() {
    let rt = Runtime::new().unwrap();
    let d: Object = rt.eval("{'a': [1, 2]}").unwrap();
    assert_eq!(d.get_item::<Vec<i64>>("a").unwrap(), [1, 2]);
    d.set_item("b", (3, "x")).unwrap();
    assert_eq!(d.repr().unwrap(), "{'a': [1, 2], 'b': (3, 'x')}");
    assert!(rt.none().is_none());
    assert!(rt.eval::<Object>("None").unwrap().is_none());
    assert!(!d.is_none());
    let Err(Error::Python(err)) = d.get_item::<Object>("zzz") else {
        panic!()
    };
    assert_eq!(err.to_string(), "KeyError: 'zzz'");
}

#[test]
fn identity_is_python_identity() {
    let rt = Runtime::new().unwrap();
    rt.run("shared = []\npair = (shared, shared)").unwrap();
    let pair: (Object, Object) = rt.eval("pair").unwrap();
    assert!(pair.0.is(&pair.1));
    let copy: Object = rt.eval("list(shared)").unwrap();
    assert!(!pair.0.is(&copy));
    // A clone is another handle to the same object.
    assert!(copy.clone().is(&copy));
    // Mutation through one handle is seen through the other.
    pair.0.call_method::<()>("append", (1,)).unwrap();
    assert_eq!(rt.eval::<Vec<i64>>("shared").unwrap(), [1]);
}

#[test]
fn an_object_used_with_another_runtime_is_an_error() {
    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    let from_a: Object = a.eval("[1, 2, 3]").unwrap();
    let Err(Error::Conversion { detail, .. }) = b.call::<usize>("len", (&from_a,)) else {
        panic!("another runtime's object is refused")
    };
    assert!(detail.unwrap().starts_with("it belongs to runtime "));
    assert!(matches!(b.dumps(&from_a, 5), Err(Error::Conversion { .. })));
    assert!(matches!(b.to_value(&from_a), Err(Error::Conversion { .. })));
    let other: Object = b.eval("[1, 2, 3]").unwrap();
    assert!(!from_a.is(&other));
    // Within its own runtime it works as before.
    assert_eq!(a.call::<usize>("len", (&from_a,)).unwrap(), 3);
}

#[test]
fn objects_keep_their_runtime_alive_and_cross_threads() {
    let obj: Object = {
        let rt = Runtime::new().unwrap();
        rt.eval("{'kept': True}").unwrap()
    };
    // The runtime was dropped, but its object still works, on another thread too.
    let repr = std::thread::spawn(move || obj.repr().unwrap())
        .join()
        .unwrap();
    assert_eq!(repr, "{'kept': True}");
}

#[test]
fn dropping_the_last_handle_finalizes_the_runtime() {
    let dir = std::env::temp_dir().join(format!("brine-atexit-{}", std::process::id()));
    let rt = Runtime::new().unwrap();
    let code = format!(
        "import atexit\natexit.register(lambda: open({:?}, 'w').write('finalized'))",
        dir.to_string_lossy()
    );
    rt.run(&code).unwrap();
    let handle: Object = rt.eval("1").unwrap();
    drop(rt);
    assert!(!dir.exists(), "an object still holds the runtime");
    drop(handle);
    assert_eq!(std::fs::read_to_string(&dir).unwrap(), "finalized");
    std::fs::remove_file(dir).unwrap();
}
