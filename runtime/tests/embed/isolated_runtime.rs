//! What an isolated runtime still does: the pure standard library, pickles, host modules,
//! and the pickle chapter's examples that need no files.

use brine::{Output, Runtime};

fn isolated() -> Runtime {
    Runtime::builder()
        .isolated()
        .stdout(Output::Capture)
        .module("host", |m| {
            m.function("double", |x: i64| x * 2);
        })
        .python_module("rules", "def score(x):\n    return x + 1\n")
        .build()
        .unwrap()
}

#[test]
fn the_pure_standard_library_works() {
    let rt = isolated();
    let script = r#"
import base64, bisect, collections, copy, copyreg, dataclasses, datetime, decimal, enum
import fractions, functools, hashlib, heapq, io, itertools, json, math, operator, os.path
import pickle, pprint, random, re, statistics, string, struct, textwrap, traceback, typing
import uuid, zlib

@dataclasses.dataclass
class Point:
    x: int
    y: int

class Colour(enum.Enum):
    RED = 1

checks = [
    pickle.loads(pickle.dumps({'p': Point(1, 2), 'when': datetime.date(2026, 12, 2)}))['p'] == Point(1, 2),
    json.loads(json.dumps({'a': [1, 2]})) == {'a': [1, 2]},
    collections.Counter('abca')['a'] == 2,
    decimal.Decimal('1.10') + decimal.Decimal('2.20') == decimal.Decimal('3.30'),
    fractions.Fraction(1, 3) * 3 == 1,
    re.fullmatch(r'(\w+)@(\w+)', 'a@b').group(2) == 'b',
    Colour.RED.name == 'RED',
    statistics.median([3, 1, 2]) == 2,
    0 <= random.random() < 1,
    len(uuid.uuid4().hex) == 32,
    hashlib.sha256(b'x').hexdigest()[:8] == '2d711642',
    zlib.decompress(zlib.compress(b'abc')) == b'abc',
    base64.b64encode(b'hi') == b'aGk=',
    os.path.join('a', 'b') == 'a/b',
    struct.pack('<i', 1) == b'\x01\x00\x00\x00',
    io.BytesIO(b'xy').read() == b'xy',
    copy.deepcopy([[1]]) == [[1]],
    pickle.loads(pickle.dumps(Colour.RED, 2)) is Colour.RED,
]
try:
    1 / 0
except ZeroDivisionError:
    text = traceback.format_exc()
checks.append('ZeroDivisionError' in text)
print(checks.count(True), len(checks))
"#;
    rt.run(script).unwrap();
    assert_eq!(rt.take_stdout(), "19 19\n");
}

#[test]
fn host_modules_work() {
    let rt = isolated();
    assert_eq!(
        rt.eval::<i64>("__import__('host').double(__import__('rules').score(20))")
            .unwrap(),
        42
    );
}

fn chapter_example(name: &str) -> String {
    std::fs::read_to_string(super::workspace().join("examples/docs/python3").join(name)).unwrap()
}

#[test]
fn the_chapters_restricted_unpickler_works() {
    let rt = isolated();
    rt.run(&chapter_example("restricting_globals.py")).unwrap();
    assert_eq!(
        rt.eval::<String>("repr(restricted_loads(pickle.dumps([1, 2, range(15)])))")
            .unwrap(),
        "[1, 2, range(0, 15)]"
    );
    for (pickle, global) in [
        (r#"b"cos\nsystem\n(S'echo hello world'\ntR.""#, "os.system"),
        (r#"b"cbuiltins\neval\n(S'1'\ntR.""#, "builtins.eval"),
    ] {
        let Err(brine::Error::Python(err)) = rt.run(&format!("restricted_loads({pickle})")) else {
            panic!("{global} was not forbidden");
        };
        assert_eq!(
            err.to_string(),
            format!("_pickle.UnpicklingError: global '{global}' is forbidden")
        );
    }
}

#[test]
fn the_chapters_dispatch_tables_work() {
    let rt = isolated();
    let prelude = "import copyreg, io, pickle\n\
        class SomeClass:\n    def __init__(self, value):\n        self.value = value\n\
        def reduce_SomeClass(obj):\n    return (SomeClass, (obj.value * 10,))\n";
    for (snippet, want) in [
        ("dispatch_table_private.py", "40 4\n"),
        ("dispatch_table_subclass.py", "40 4\n"),
        ("dispatch_table_copyreg.py", "40 40\n"),
    ] {
        rt.run(prelude).unwrap();
        rt.run(&chapter_example(snippet)).unwrap();
        rt.run("p.dump(SomeClass(4))\nprint(pickle.loads(f.getvalue()).value, pickle.loads(pickle.dumps(SomeClass(4))).value)")
            .unwrap();
        assert_eq!(rt.take_stdout(), want, "{snippet}");
        rt.run("copyreg.dispatch_table.pop(SomeClass, None)")
            .unwrap();
    }
}

#[test]
fn an_isolated_runtime_cannot_be_given_a_path() {
    let built = Runtime::builder().isolated().path("plugins").build();
    assert!(matches!(built, Err(brine::Error::Build(msg)) if msg.contains("isolated")));
}
