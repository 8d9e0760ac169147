//! Deep data freed on host threads with small stacks: each level is freed, none kills the
//! process (it did: freeing 100,000 nested lists overflowed a 256 KiB thread inside
//! RustPython's deallocation), and what the freeing needs of the types stays out of sight.

use brine::Runtime;

/// Set in the child process that runs the freeing (a stack overflow there is a signal,
/// which must fail this test rather than end the test binary).
const CHILD: &str = "BRINE_DEEP_FREE_CHILD";

/// The threads' stacks, with how deep the structures nest on them, how many of [`BUILDS`]
/// are tried, and whether the runtime is isolated with the recursion limit at a million:
/// on 256 KiB twice as deep as RustPython freed there, on 2 MiB twice as deep with the
/// first four (for the time a million levels take).
const THREADS: [(usize, usize, usize, bool); 3] = [
    (256 << 10, 200_000, 19, false),
    (256 << 10, 200_000, 19, true),
    (2 << 20, 1_000_000, 4, true),
];

/// Each script builds one deep structure in `x`, with a `Bottom` at its innermost level.
/// `{n}` is the depth.
const BUILDS: [(&str, &str); 19] = [
    ("lists", "x = [Bottom()]\nfor _ in range({n}):\n    x = [x]"),
    (
        "tuples",
        "x = (Bottom(),)\nfor _ in range({n}):\n    x = (x,)",
    ),
    (
        "dicts",
        "x = {'b': Bottom()}\nfor _ in range({n}):\n    x = {'k': x}",
    ),
    (
        "frozensets",
        "x = frozenset([Bottom()])\nfor _ in range({n}):\n    x = frozenset([x])",
    ),
    (
        "instances",
        "class N:\n    pass\nx = Bottom()\nfor _ in range({n}):\n    y = N()\n    y.next = x\n    x = y\ny = None",
    ),
    (
        "a list subclass",
        "class L(list):\n    pass\nx = L([Bottom()])\nfor _ in range({n}):\n    x = L([x])",
    ),
    (
        "map iterators",
        "x = iter([Bottom()])\nfor _ in range({n}):\n    x = map(abs, x)",
    ),
    (
        "exception chains",
        "x = ValueError(Bottom())\nfor _ in range({n}):\n    e = ValueError()\n    e.__context__ = x\n    x = e\ne = None",
    ),
    (
        "bound methods",
        "class M:\n    def m(self):\n        pass\nx = Bottom()\nfor _ in range({n}):\n    x = M.m.__get__(x)",
    ),
    (
        "instances with __slots__",
        "class S:\n    __slots__ = ('next',)\nx = Bottom()\nfor _ in range({n}):\n    y = S()\n    y.next = x\n    x = y\ny = None",
    ),
    (
        "deques",
        "import collections\nx = collections.deque([Bottom()])\nfor _ in range({n}):\n    x = collections.deque([x])",
    ),
    (
        "itertools.repeat",
        "import itertools\nx = Bottom()\nfor _ in range({n}):\n    x = itertools.repeat(x)",
    ),
    (
        "cmp_to_key keys",
        "import functools\nK = functools.cmp_to_key(print)\nx = Bottom()\nfor _ in range({n}):\n    x = K(x)",
    ),
    (
        "XML elements",
        "import xml.etree.ElementTree as ET\nx = ET.Element('a')\nx.text = Bottom()\nfor _ in range({n}):\n    y = ET.Element('a')\n    y.append(x)\n    x = y\ny = None",
    ),
    (
        "simple queues",
        "import queue\nx = queue.SimpleQueue()\nx.put(Bottom())\nfor _ in range({n}):\n    y = queue.SimpleQueue()\n    y.put(x)\n    x = y\ny = None",
    ),
    (
        // (An isolated runtime refuses `_socket`, and so asyncio: lists there.)
        "asyncio futures",
        "try:\n    import asyncio\n    loop = asyncio.new_event_loop()\n    make = lambda x: (f := loop.create_future(), f.set_result(x), f)[2]\nexcept ImportError:\n    loop, make = None, lambda x: [x]\nx = Bottom()\nfor _ in range({n}):\n    x = make(x)\nif loop:\n    loop.close()",
    ),
    (
        "generators",
        "x = iter([Bottom()])\nfor _ in range({n}):\n    x = (y for y in x)",
    ),
    (
        "suspended generators",
        "def wrap(inner):\n    try:\n        yield\n    finally:\n        inner = None\nx = Bottom()\nfor _ in range({n}):\n    x = wrap(x)\n    next(x)",
    ),
    (
        "a pickle's lists",
        "import pickle\nx = [Bottom(), pickle.loads(b'(' * {n} + b']' + b'l' * {n} + b'.')]",
    ),
];

/// Counts the `Bottom`s freed: the structure was freed to its innermost level.
const PRELUDE: &str =
    "freed = []\nclass Bottom:\n    def __del__(self):\n        freed.append(1)\n";

/// Frees each structure on threads of 256 KiB and 2 MiB, isolated and not, with the
/// recursion limit at its default and at a million: once inside the script that built it
/// and once in the host's next run. Every level is freed by the time the run returns
/// (the innermost object's `__del__` has run), and the runtime goes on.
#[test]
fn deep_data_is_freed_on_small_host_threads() {
    if std::env::var_os(CHILD).is_none() {
        let test = "deep_free::deep_data_is_freed_on_small_host_threads";
        let output = crate::child_process(test, CHILD, "1").output().unwrap();
        assert!(
            output.status.success(),
            "the child ended with {:?}: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout)
        );
        return;
    }
    for (stack, depth, builds, isolated) in THREADS {
        let rt = if isolated {
            Runtime::builder()
                .isolated()
                .recursion_limit(1_000_000)
                .build()
                .unwrap()
        } else {
            Runtime::new().unwrap()
        };
        for (what, build) in &BUILDS[..builds] {
            let build = build.replace("{n}", &depth.to_string());
            let work = || {
                rt.run(PRELUDE).unwrap();
                rt.run(&format!("{build}\nx = None")).unwrap();
                let freed = rt.eval::<usize>("len(freed)").unwrap();
                assert_eq!(freed, 1, "{what} freed in the script, {stack} bytes");
                rt.run(&build).unwrap();
                rt.run("del x").unwrap();
                let freed = rt.eval::<usize>("len(freed)").unwrap();
                assert_eq!(freed, 2, "{what} freed by the next run, {stack} bytes");
            };
            std::thread::scope(|s| {
                std::thread::Builder::new()
                    .stack_size(stack)
                    .spawn_scoped(s, work)
                    .unwrap()
                    .join()
                    .unwrap()
            });
        }
        assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
    }
}

/// The hook the freeing puts on the built-in types and on classes with `__slots__` is not
/// there to a script, as on CPython: no `__del__` on lists, tuples, dicts, sets,
/// exceptions, deques or instances of a `__slots__` class, by attribute, by method call, by
/// `getattr` or in `dir()`; a subclass's own `__del__` runs, one added later too. A class
/// with `__slots__` (and its subclass) has no `__del__` in its `__dict__`, which cloudpickle
/// pickles with a class made in `__main__` (it could not pickle the hook).
#[test]
fn the_types_have_no_del_to_a_script() {
    let rt = crate::captured();
    rt.run(
        "class L(list):\n\
         \x20   def __del__(self):\n\
         \x20       print('own __del__')\n\
         class M(dict):\n\
         \x20   pass\n\
         m = M()\n\
         del m\n\
         M.__del__ = lambda self: print('added __del__')\n\
         l = L()\n\
         del l\n\
         m = M()\n\
         del m\n\
         class S:\n\
         \x20   __slots__ = ('a',)\n\
         import collections\n\
         for obj in ([], (), {}, set(), frozenset(), ValueError(), S(), collections.deque()):\n\
         \x20   assert not hasattr(obj, '__del__'), type(obj)\n\
         \x20   assert getattr(type(obj), '__del__', None) is None, type(obj)\n\
         \x20   assert '__del__' not in dir(obj) and '__del__' not in dir(type(obj)), type(obj)\n\
         assert hasattr(M(), '__del__') and '__del__' in dir(M)\n\
         class T(S):\n\
         \x20   __slots__ = ('b',)\n\
         assert '__del__' not in S.__dict__ and '__del__' not in T.__dict__\n\
         try:\n\
         \x20   [].__del__()\n\
         except AttributeError as e:\n\
         \x20   print(e)\n\
         try:\n\
         \x20   list.__del__\n\
         except AttributeError as e:\n\
         \x20   print(e)\n",
    )
    .unwrap();
    assert_eq!(
        rt.take_stdout(),
        "own __del__\n\
         added __del__\n\
         added __del__\n\
         'list' object has no attribute '__del__'\n\
         type object 'list' has no attribute '__del__'\n"
    );
}
