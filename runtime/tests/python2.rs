//! The Python 2 half: pickles as Python 2.7 wrote them load as CPython 3 loads them, and the
//! cPickle-era API (`noload`, `persistent_load` as a list, `find_global`, positional
//! `Pickler(file, protocol)`, the `cPickle` and `copy_reg` names) behaves as cPickle did.

mod support;

#[test]
fn python_2_pickles_load_as_cpython_3_loads_them() {
    let dir = support::fixtures().join("python2");
    let out = support::brine()
        .arg("check.py")
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
    let checked: usize = stdout
        .trim()
        .strip_prefix("checked ")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(checked >= 48, "{stdout}");
}

/// Runs `code` under brine and returns what it prints.
fn run(code: &str) -> String {
    support::python(code)
}

#[test]
fn find_global_none_refuses_every_global() {
    let out = run(r#"
import cPickle, io
data = cPickle.dumps([1, {2}], 2)
up = cPickle.Unpickler(io.BytesIO(data))
up.find_global = None
try:
    up.load()
except cPickle.UnpicklingError as e:
    print(type(e).__name__, e)
up = cPickle.Unpickler(io.BytesIO(cPickle.dumps([1, 2], 2)))
up.find_global = None
print(up.load())
"#);
    assert_eq!(
        out,
        "UnpicklingError Global and instance pickles are not supported.\n[1, 2]\n"
    );
}

#[test]
fn find_global_is_called_with_the_names_as_written() {
    let out = run(r#"
import cPickle, io
seen = []
def find_global(module, name):
    seen.append((module, name))
    if (module, name) == ('__builtin__', 'set'):
        return set
    raise cPickle.UnpicklingError('%s.%s is forbidden' % (module, name))
up = cPickle.Unpickler(io.BytesIO(b"c__builtin__\nset\np0\n((lp1\nI1\natp2\nRp3\n."))
up.find_global = find_global
print(up.load(), seen)
up = cPickle.Unpickler(io.BytesIO(b"cos\nsystem\n(S'echo hi'\ntR."))
up.find_global = find_global
try:
    up.load()
except cPickle.UnpicklingError as e:
    print(e)
print(up.find_global is find_global)
"#);
    assert_eq!(
        out,
        "{1} [('__builtin__', 'set')]\nos.system is forbidden\nTrue\n"
    );
}

#[test]
fn persistent_load_as_a_list_collects_ids_and_noload_builds_nothing() {
    let out = run(r#"
import cPickle, io

class Pickler(cPickle.Pickler):
    def persistent_id(self, obj):
        return 'id%d' % obj if isinstance(obj, int) and obj > 10 else None

class Imported:
    pass

for proto in (0, 1, 2):
    f = io.BytesIO()
    Pickler(f, proto).dump([11, {'k': 12}, Imported(), 3, 13])
    data = f.getvalue()
    up = cPickle.Unpickler(io.BytesIO(data))
    ids = []
    up.persistent_load = ids
    print(proto, up.noload(), ids)
    up = cPickle.Unpickler(io.BytesIO(data))
    up.persistent_load = ids = []
    loaded = up.load()
    print(proto, loaded[:2], loaded[3:], type(loaded[2]).__name__, ids)
"#);
    // noload: containers are built but nothing is appended to them and nothing is called;
    // the ids are still collected. load with a list: each id stands in for its object.
    assert_eq!(
        out,
        "0 [] ['id11', 'id12', 'id13']\n\
         0 ['id11', {'k': 'id12'}] [3, 'id13'] Imported ['id11', 'id12', 'id13']\n\
         1 [] ['id11', 'id12', 'id13']\n\
         1 ['id11', {'k': 'id12'}] [3, 'id13'] Imported ['id11', 'id12', 'id13']\n\
         2 [] ['id11', 'id12', 'id13']\n\
         2 ['id11', {'k': 'id12'}] [3, 'id13'] Imported ['id11', 'id12', 'id13']\n"
    );
}

#[test]
fn noload_imports_and_calls_nothing() {
    let out = run(r#"
import cPickle, io, sys
# A module that does not exist, a REDUCE of it, INST, OBJ, BUILD and an extension code.
data = (b"(lp0\ncno_such_module\nfunc\np1\n(S'arg'\ntRp2\na(ino_such_module\nCls\n(dbaI5\na."
        b"")
up = cPickle.Unpickler(io.BytesIO(data))
print(up.noload(), 'no_such_module' in sys.modules)
up = cPickle.Unpickler(io.BytesIO(b"\x80\x02]q\x00(\x82\x07K\x01e."))
print(up.noload())
"#);
    assert_eq!(out, "[] False\n[]\n");
}

#[test]
fn pickler_takes_the_protocol_positionally_and_dump_defaults_to_5() {
    let out = run(r#"
import cPickle, copy_reg, copyreg, pickle, io
f = io.BytesIO()
cPickle.Pickler(f, 2).dump({'a': 1})
print(f.getvalue()[:2], cPickle is pickle, copy_reg is copyreg)
f = io.BytesIO()
pickle.dump(None, f)
print(f.getvalue()[:2], pickle.DEFAULT_PROTOCOL)
"#);
    assert_eq!(out, "b'\\x80\\x02' True True\nb'\\x80\\x05' 5\n");
}
