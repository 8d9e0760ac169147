//! Pickles in and out: `loads`/`dumps` with Python's semantics, and `to_value`/`from_value`
//! between VM objects and pickle-core graphs.

use super::workspace;
use brine::{Error, Object, Runtime};
use pickle_core::decoder::Limits;
use pickle_core::inspect::{AllowList, Verdict, inspect};
use pickle_core::value::{self, Value};

/// A class with the protocol methods the chapter describes.
const READING: &str = "\
class Reading:
    def __init__(self, sensor, celsius):
        self.sensor, self.celsius = sensor, celsius
        self.text = f'{sensor}: {celsius} C'
    def __getstate__(self):
        return {'sensor': self.sensor, 'celsius': self.celsius}
    def __setstate__(self, state):
        self.__init__(state['sensor'], state['celsius'])
";

#[test]
fn loads_and_dumps_run_the_reduce_protocol() {
    let rt = Runtime::builder()
        .python_module("readings", READING)
        .build()
        .unwrap();
    let reading: Object = rt.call("readings.Reading", ("porch", 21.5)).unwrap();
    let bytes = rt.dumps(&reading, 2).unwrap();
    // The README's bytes: CPython's, with __getstate__ leaving `text` out.
    assert_eq!(
        bytes,
        b"\x80\x02creadings\nReading\nq\x00)\x81q\x01}q\x02(X\x06\x00\x00\x00sensorq\x03X\x05\x00\x00\x00porchq\x04X\x07\x00\x00\x00celsiusq\x05G@5\x80\x00\x00\x00\x00\x00ub."
    );
    let back = rt.loads(&bytes).unwrap();
    assert_eq!(
        back.get_attr("text").unwrap().extract::<String>().unwrap(),
        "porch: 21.5 C"
    );
    // The same bytes as the script's own pickle.dumps, at every protocol.
    rt.run("import pickle, readings\nr = readings.Reading('porch', 21.5)")
        .unwrap();
    let r: Object = rt.eval("r").unwrap();
    for protocol in 0..=5 {
        let ours = rt.dumps(&r, protocol).unwrap();
        let script: Vec<u8> = rt.eval(&format!("pickle.dumps(r, {protocol})")).unwrap();
        assert_eq!(ours, script, "protocol {protocol}");
    }
    let Err(Error::Python(err)) = rt.dumps(&r, 6) else {
        panic!()
    };
    assert_eq!(err.to_string(), "ValueError: pickle protocol must be <= 5");
}

/// The golden corpus's protocol-5 pickles, by name.
fn golden_pickles() -> Vec<(String, Vec<u8>)> {
    let dir = workspace().join("tests/golden/corpus/p5");
    let mut pickles: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pickle"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    pickles.sort();
    pickles
}

fn golden_runtime() -> Runtime {
    let golden = workspace().join("tests/golden");
    Runtime::builder()
        .path(golden.to_string_lossy())
        .build()
        .unwrap()
}

/// The root and every node, as text, in which a NaN node equals a NaN node (and -0.0 is not
/// 0.0).
fn nodes(pickle: &value::Pickle) -> Vec<String> {
    let graph = &pickle.graph;
    let mut shown = vec![format!("root {}", pickle.root)];
    shown.extend((0..graph.len()).map(|id| format!("{id}: {:?}", graph.get(id))));
    shown
}

#[test]
fn to_value_equals_the_graph_of_the_dumped_bytes_over_the_golden_corpus() {
    let rt = golden_runtime();
    let (mut checked, mut cpython_bytes) = (0, 0);
    for (name, golden) in golden_pickles() {
        let obj = rt.loads(&golden).unwrap();
        let graph = rt.to_value(&obj).unwrap();
        let dumped = rt.dumps(&obj, 5).unwrap();
        let expected = value::from_slice(&dumped, &Limits::UNLIMITED).unwrap();
        assert_eq!(nodes(&graph), nodes(&expected), "{name}");
        if dumped == golden {
            // Node for node the graph of CPython's own pickle of the same object.
            let cpython = value::from_slice(&golden, &Limits::UNLIMITED).unwrap();
            assert_eq!(nodes(&graph), nodes(&cpython), "{name}");
            cpython_bytes += 1;
        }
        checked += 1;
    }
    assert!(checked >= 480, "{checked} golden pickles");
    assert!(
        cpython_bytes >= 400,
        "only {cpython_bytes} matched CPython's bytes"
    );
}

#[test]
fn to_value_agrees_with_the_bytes_at_the_edges_of_plain_data() {
    let rt = Runtime::new().unwrap();
    rt.run("import collections\nclass Sub(list):\n    pass")
        .unwrap();
    for source in [
        // Integers around the widths LONG1 and BININT take, and the float oddities.
        "[2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 10**40]",
        "[float('nan'), -0.0, 0.0, float('inf'), True, False, None]",
        // One str object twice is one node; equal strs are two; a lone surrogate is kept.
        "(lambda s: [s, s, 'a' + 'b', 'ab', '\\ud800'])('x' * 3)",
        "(lambda b: [b, b, bytearray(b'z'), b''])(b'raw')",
        // Empty containers (the empty tuple is not memoised), sets, frozensets, nesting.
        "[(), (), {}, [], set(), frozenset(), {1: (2, [3, frozenset({4})]), 'k': {5}}]",
        // A tuple reached again through a list inside it, and a subclass: the bytes path.
        "(lambda l: (l.append((l,)), l)[1])([])",
        "(lambda t: (t[0].append(t), t)[1])(([],))",
        "[Sub([1]), collections.OrderedDict(a=1)]",
    ] {
        let obj: Object = rt.eval(source).unwrap();
        let bytes = rt.dumps(&obj, 5).unwrap();
        let expected = value::from_slice(&bytes, &Limits::UNLIMITED).unwrap();
        assert_eq!(
            nodes(&rt.to_value(&obj).unwrap()),
            nodes(&expected),
            "{source}"
        );
    }
    // What cannot be pickled fails as dumps fails, with the same notes on where it was.
    for source in [
        "[1, {'f': (2, lambda: 0)}]",
        "{'k': {1, 2, __import__('threading').Lock()}}",
    ] {
        let obj: Object = rt.eval(source).unwrap();
        let (Err(Error::Python(a)), Err(Error::Python(b))) = (rt.to_value(&obj), rt.dumps(&obj, 5))
        else {
            panic!("{source} cannot be pickled")
        };
        assert_eq!(
            (a.type_name(), a.message()),
            (b.type_name(), b.message()),
            "{source}"
        );
        let notes = |e: &brine::PythonError| {
            e.exception()
                .unwrap()
                .get_attr("__notes__")
                .unwrap()
                .repr()
                .unwrap()
        };
        assert_eq!(notes(&a), notes(&b), "{source}");
    }
    // Nesting too deep for the walk is the RecursionError dumps raises.
    let deep: Object = rt
        .eval("__import__('functools').reduce(lambda inner, _: [inner], range(100000), [])")
        .unwrap();
    let Err(Error::Python(err)) = rt.to_value(&deep) else {
        panic!()
    };
    assert_eq!(err.type_name(), "RecursionError");
}

#[test]
fn from_value_rebuilds_what_the_default_allow_list_allows_and_refuses_the_rest() {
    let rt = golden_runtime();
    let allow = AllowList::safe_default();
    let (mut built, mut refused) = (0, 0);
    for (name, golden) in golden_pickles() {
        let graph = value::from_slice(&golden, &Limits::UNTRUSTED).unwrap();
        let verdict = inspect(&golden, &Limits::UNTRUSTED, &allow).verdict();
        match rt.from_value(&graph) {
            Ok(obj) => {
                assert_eq!(verdict, Verdict::Safe, "{name} was built");
                let loaded = rt.loads(&golden).unwrap();
                assert_eq!(
                    rt.dumps(&obj, 5).unwrap(),
                    rt.dumps(&loaded, 5).unwrap(),
                    "{name}"
                );
                built += 1;
            }
            Err(Error::Forbidden { global }) => {
                let Verdict::Unsafe(problems) = verdict else {
                    panic!("{name}: refused {global} but inspect finds it safe")
                };
                assert!(
                    problems.iter().any(|p| p.contains(&global)),
                    "{name}: {global} {problems:?}"
                );
                refused += 1;
            }
            Err(other) => panic!("{name}: {other}"),
        }
    }
    assert!(
        built >= 300 && refused >= 40,
        "built {built}, refused {refused}"
    );
}

#[test]
fn from_value_calls_nothing_outside_the_allow_list() {
    let rt = Runtime::new().unwrap();
    rt.run("import os\ncalls = []\nos.system = lambda cmd: calls.append(cmd)")
        .unwrap();
    for (attack, named) in [
        (&b"cos\nsystem\n(S'echo hi'\ntR."[..], "os.system"),
        // CPython's protocol 4 pickle of a __reduce__ returning (os.system, ('hi',)).
        (
            b"\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02hi\x94\x85\x94R\x94.",
            "posix.system",
        ),
        // Dotted-name traversal through STACK_GLOBAL.
        (b"\x80\x04\x8c\x07pathlib\x8c\tos.system\x93\x8c\x02hi\x85R.", "pathlib.os.system"),
        (b"(cos\nsystem\nS'hi'\no.", "os.system"),
        (b"(S'hi'\nios\nsystem\n.", "os.system"),
    ] {
        let graph = value::from_slice(attack, &Limits::UNTRUSTED).unwrap();
        let Err(Error::Forbidden { global }) = rt.from_value(&graph) else {
            panic!("{named} is refused")
        };
        assert_eq!(global, named);
    }
    assert_eq!(
        rt.eval::<usize>("len(calls)").unwrap(),
        0,
        "nothing was called"
    );
    // With the global allowed, the same graph is made: the host chose to allow it.
    let mut allow = AllowList::safe_default();
    allow.add("os.system").unwrap();
    let graph = value::from_slice(b"cos\nsystem\n(S'hi'\ntR.", &Limits::UNTRUSTED).unwrap();
    rt.from_value_allowing(&graph, &allow).unwrap();
    assert_eq!(rt.eval::<Vec<String>>("calls").unwrap(), ["hi"]);
}

#[test]
fn graphs_keep_sharing_and_cycles_both_ways() {
    let rt = Runtime::new().unwrap();
    rt.run("inner = [1]\nouter = [inner, inner]\nouter.append(outer)")
        .unwrap();
    let outer: Object = rt.eval("outer").unwrap();
    let pickle = rt.to_value(&outer).unwrap();
    let Value::List(items) = pickle.graph.get(pickle.root) else {
        panic!()
    };
    assert_eq!(items[0], items[1]);
    assert_eq!(items[2], pickle.root);
    let back = rt.from_value(&pickle).unwrap();
    rt.globals().unwrap().set_item("back", &back).unwrap();
    assert!(
        rt.eval::<bool>("back[0] is back[1] and back[2] is back and back[0] == [1]")
            .unwrap()
    );
}

#[test]
fn python_2_names_in_a_graph_are_taken_as_python_3_names() {
    let rt = Runtime::new().unwrap();
    // set([1]) as Python 2 pickles it: c__builtin__\nset.
    let graph =
        value::from_slice(b"c__builtin__\nset\n((lp0\nI1\natR.", &Limits::UNTRUSTED).unwrap();
    let obj = rt.from_value(&graph).unwrap();
    assert_eq!(obj.repr().unwrap(), "{1}");
}

/// Set in the child process of the test below.
const FRESH_CHILD: &str = "BRINE_EMBED_FRESH_PROCESS";

#[test]
fn a_fresh_process_pickles_before_any_script_imports_pickle() {
    // The VM's classes are made once per process: only a process of its own shows whether
    // the API works before anything has imported `_pickle`.
    if std::env::var_os(FRESH_CHILD).is_some() {
        let rt = Runtime::new().unwrap();
        rt.run("class Point:\n    def __init__(self, x): self.x = x")
            .unwrap();
        let point: Object = rt.call("Point", (3,)).unwrap();
        let bytes = rt.dumps(&point, 5).unwrap();
        assert_eq!(
            rt.loads(&bytes)
                .unwrap()
                .get_attr("x")
                .unwrap()
                .extract::<i64>()
                .unwrap(),
            3
        );
        rt.to_value(&point).unwrap();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "pickles::a_fresh_process_pickles_before_any_script_imports_pickle",
        ])
        .env(FRESH_CHILD, "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("1 passed"), "{report}");
}
