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

#[test]
fn iteration_yields_items_then_the_error_once() {
    let rt = Runtime::new().unwrap();
    let evens: Vec<i64> = rt
        .eval::<Object>("(n for n in range(7) if n % 2 == 0)")
        .unwrap()
        .iter()
        .unwrap()
        .map(|item| item.and_then(|i| i.extract()))
        .collect::<Result<_, Error>>()
        .unwrap();
    assert_eq!(evens, [0, 2, 4, 6]);
    rt.run("def failing():\n    yield 1\n    raise ValueError('third item')")
        .unwrap();
    let mut items = rt.eval::<Object>("failing()").unwrap().iter().unwrap();
    assert_eq!(items.next().unwrap().unwrap().extract::<i64>().unwrap(), 1);
    let Err(Error::Python(err)) = items.next().unwrap() else {
        panic!("the generator's exception")
    };
    assert_eq!(
        (err.type_name(), err.message()),
        ("ValueError", "third item")
    );
    assert!(items.next().is_none(), "the iteration ends at its error");
    let Err(Error::Python(err)) = rt.eval::<Object>("42").unwrap().iter() else {
        panic!("an int is not iterable")
    };
    assert_eq!(err.message(), "'int' object is not iterable");
}

#[test]
fn len_contains_del_and_attributes_as_python_has_them() {
    let rt = counter_runtime();
    let d: Object = rt.eval("{'a': 1, 'b': 2}").unwrap();
    assert_eq!(d.len().unwrap(), 2);
    assert!(d.contains("a").unwrap());
    assert!(!d.contains("z").unwrap());
    d.del_item("a").unwrap();
    assert_eq!(d.repr().unwrap(), "{'b': 2}");
    let Err(Error::Python(err)) = d.del_item("a") else {
        panic!("a missing key")
    };
    assert_eq!((err.type_name(), err.message()), ("KeyError", "'a'"));
    let Err(Error::Python(err)) = rt.eval::<Object>("3").unwrap().len() else {
        panic!("an int has no len")
    };
    assert_eq!(err.message(), "object of type 'int' has no len()");

    rt.run("class Probe:\n    x = 1\n    @property\n    def broken(self):\n        raise ValueError('not attribute error')\n    @property\n    def missing(self):\n        raise AttributeError('gone')\np = Probe()")
        .unwrap();
    let p: Object = rt.eval("p").unwrap();
    assert!(p.has_attr("x").unwrap());
    assert!(!p.has_attr("y").unwrap());
    assert!(!p.has_attr("missing").unwrap());
    let Err(Error::Python(err)) = p.has_attr("broken") else {
        panic!("hasattr lets other exceptions through")
    };
    assert_eq!(err.type_name(), "ValueError");
    p.set_attr("y", 5).unwrap();
    p.del_attr("y").unwrap();
    assert!(!p.has_attr("y").unwrap());
}

#[test]
fn comparison_hash_and_truth() {
    use brine::CompareOp::*;
    let rt = Runtime::new().unwrap();
    let three: Object = rt.eval("3").unwrap();
    let expected = [
        (Lt, false),
        (Le, true),
        (Eq, true),
        (Ne, false),
        (Gt, false),
        (Ge, true),
    ];
    for (op, want) in expected {
        assert_eq!(three.compare(3.0, op).unwrap(), want, "{op:?}");
    }
    assert!(three.compare(2, Gt).unwrap());
    assert!(three.eq(3).unwrap());
    let Err(Error::Python(err)) = three.compare("x", Lt) else {
        panic!("int < str")
    };
    assert_eq!(
        err.message(),
        "'<' not supported between instances of 'int' and 'str'"
    );
    assert_eq!(three.hash().unwrap(), 3);
    assert_eq!(
        rt.eval::<Object>("'x'").unwrap().hash().unwrap(),
        rt.eval::<i64>("hash('x')").unwrap()
    );
    let Err(Error::Python(err)) = rt.eval::<Object>("[]").unwrap().hash() else {
        panic!("a list is unhashable")
    };
    assert_eq!(
        (err.type_name(), err.message()),
        ("TypeError", "unhashable type: 'list'")
    );
    rt.run("class Empty:\n    def __len__(self):\n        return 0")
        .unwrap();
    for (source, truthy) in [
        ("0", false),
        ("[0]", true),
        ("''", false),
        ("Empty()", false),
        ("object()", true),
    ] {
        assert_eq!(
            rt.eval::<Object>(source).unwrap().is_truthy().unwrap(),
            truthy,
            "{source}"
        );
    }
}

#[test]
fn dict_list_and_tuple_views() {
    let rt = Runtime::new().unwrap();
    let d = rt.dict().unwrap();
    d.set("b", 2).unwrap();
    d.set("a", vec![1, 2]).unwrap();
    assert_eq!(d.get::<Vec<i64>>("a").unwrap(), Some(vec![1, 2]));
    assert_eq!(d.get::<i64>("z").unwrap(), None);
    assert_eq!(d.keys::<String>().unwrap(), ["b", "a"]);
    let items: Vec<(String, Object)> = d.items().unwrap();
    assert_eq!(items[0].0, "b");
    assert!(d.contains("b").unwrap());
    d.del("b").unwrap();
    assert_eq!(d.len().unwrap(), 1);
    let Err(Error::Conversion { found, .. }) = d.get::<i64>("a") else {
        panic!("a list is not an i64")
    };
    assert_eq!(found, "list");

    let l = rt.list(&["x", "y"]).unwrap();
    l.push("z").unwrap();
    l.set(0, "w").unwrap();
    assert_eq!(l.get::<String>(-1).unwrap(), "z");
    assert_eq!(l.to_vec::<String>().unwrap(), ["w", "y", "z"]);
    assert_eq!(l.len().unwrap(), 3);

    let t = rt
        .eval::<Object>("(1, 'two', 3.0)")
        .unwrap()
        .as_tuple()
        .unwrap();
    assert_eq!(t.get::<String>(1).unwrap(), "two");
    assert_eq!(t.len().unwrap(), 3);

    rt.run("class Ordered(dict):\n    pass").unwrap();
    assert!(rt.eval::<Object>("Ordered(a=1)").unwrap().as_dict().is_ok());
    let Err(Error::Conversion {
        expected, found, ..
    }) = rt.eval::<Object>("[1]").unwrap().as_dict()
    else {
        panic!("a list is not a dict")
    };
    assert_eq!((expected.as_str(), found.as_str()), ("dict", "list"));
}
