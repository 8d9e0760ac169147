//! The `_pickle` API as CPython 3.14 has it: functions and their keywords, `Pickler` and
//! `Unpickler`, memo proxies, and the exceptions with CPython's messages.

mod support;
// What a load makes of protocols 0-2's bytes and of instances' state (pickle_api/loads.rs).
#[path = "pickle_api/loads.rs"]
mod loads;

use support::{per_protocol, python};

/// Runs `code` after a prelude with `err(f)`: the exception type and message `f()` raises.
fn run(code: &str) -> String {
    let prelude = "import pickle, _pickle, io\n\
        def err(f):\n    try:\n        f()\n        return 'no error'\n    except Exception as e:\n        return f'{type(e).__name__}: {e}'\n";
    python(&format!("{prelude}{code}"))
}

#[test]
fn module_functions_take_every_keyword() {
    let out = run(
        "b = pickle.dumps([1, 'x'], protocol=2, fix_imports=False, buffer_callback=None)\n\
        print(b)\n\
        print(pickle.loads(b, fix_imports=True, encoding='ASCII', errors='strict', buffers=()))\n\
        f = io.BytesIO(); pickle.dump({1: 2}, f, 3, fix_imports=True); f.seek(0)\n\
        print(pickle.load(f, encoding='latin1', errors='strict', buffers=None))\n\
        print(pickle.loads(bytearray(b'K\\x07.')), pickle.loads(memoryview(b'N.')))",
    );
    assert_eq!(
        out,
        "b'\\x80\\x02]q\\x00(K\\x01X\\x01\\x00\\x00\\x00xq\\x01e.'\n[1, 'x']\n{1: 2}\n7 None\n"
    );
}

#[test]
fn protocol_argument_rules() {
    let out = run(
        "print(pickle.dumps(None, -1), pickle.dumps(None), pickle.dumps(None, None))\n\
        print(err(lambda: pickle.dumps(1, 6)))\n\
        print(err(lambda: pickle.dumps(1, 4, buffer_callback=print)))\n\
        print(err(lambda: pickle.dumps(1, 'x')))",
    );
    assert_eq!(
        out,
        "b'\\x80\\x05N.' b'\\x80\\x05N.' b'\\x80\\x05N.'\n\
         ValueError: pickle protocol must be <= 5\n\
         ValueError: buffer_callback needs protocol >= 5\n\
         TypeError: 'str' object cannot be interpreted as an integer\n"
    );
}

#[test]
fn a_pickler_keeps_its_memo_across_dumps_until_cleared() {
    let out = run("f = io.BytesIO(); p = pickle.Pickler(f, 2)\n\
        s = 'shared text'\n\
        p.dump(s); p.dump(s); p.clear_memo(); p.dump(s)\n\
        print(f.getvalue())\n\
        f.seek(0); u = pickle.Unpickler(f)\n\
        a, b, c = u.load(), u.load(), u.load()\n\
        print(a == b == c, a is b, b is c, len(u.memo.copy()))");
    assert_eq!(
        out,
        "b'\\x80\\x02X\\x0b\\x00\\x00\\x00shared textq\\x00.\\x80\\x02h\\x00.\\x80\\x02X\\x0b\\x00\\x00\\x00shared textq\\x00.'\n\
         True True False 1\n"
    );
}

#[test]
fn memo_proxies_copy_clear_and_assign() {
    let out = run("f = io.BytesIO(); p = pickle.Pickler(f, 4)\n\
        x = ['item']; p.dump(x)\n\
        memo = p.memo.copy()\n\
        print(type(p.memo).__name__, sorted(v[0] for v in memo.values()), memo[id(x)][1] is x)\n\
        p2 = pickle.Pickler(io.BytesIO(), 4); p2.memo = p.memo; p2.dump(x)\n\
        print(p2.memo.copy()[id(x)][0])\n\
        p.memo.clear(); print(len(p.memo.copy()))\n\
        f.seek(0); u = pickle.Unpickler(f); got = u.load()\n\
        print(type(u.memo).__name__, u.memo.copy()[0] is got)\n\
        u2 = pickle.Unpickler(io.BytesIO(b'\\x80\\x02h\\x05.')); u2.memo = {5: 'from memo'}; print(u2.load())");
    assert_eq!(
        out,
        "PicklerMemoProxy [0, 1] True\n0\n0\nUnpicklerMemoProxy True\nfrom memo\n"
    );
}

#[test]
fn fast_mode_skips_the_memo_and_refuses_cycles() {
    let out = run(
        "f = io.BytesIO(); p = pickle.Pickler(f, 2); p.fast = True\n\
        s = 'ab' * 3; p.dump([s, s]); print(p.fast, f.getvalue())\n\
        x = []\n\
        for _ in range(60): x = [x]\n\
        x[0][0][0].append(x)\n\
        print(err(lambda: pickle.Pickler(io.BytesIO(), 2).__setattr__('fast', 1) or None))\n\
        q = pickle.Pickler(io.BytesIO(), 2); q.fast = 1\n\
        print(err(lambda: q.dump(x)).split(' at ')[0])\n\
        f = io.BytesIO(); p = pickle.Pickler(f, 2); p.fast = True; p.dump({3, 1}); print(f.getvalue())",
    );
    // Fast mode: no BINPUT after the list or the strings, so the shared string is written twice;
    // none after a set's reduction list and tuple either (CPython 3.13's bytes).
    assert_eq!(
        out,
        "True b'\\x80\\x02](X\\x06\\x00\\x00\\x00abababX\\x06\\x00\\x00\\x00abababe.'\n\
         no error\n\
         ValueError: fast mode: can't pickle cyclic objects including object type list\n\
         b'\\x80\\x02c__builtin__\\nset\\n](K\\x01K\\x03e\\x85R.'\n"
    );
}

#[test]
fn file_objects_need_the_right_methods() {
    let out = run("print(err(lambda: pickle.Pickler(object())))\n\
        print(err(lambda: pickle.Unpickler(object())))\n\
        class W:\n    def __init__(self): self.parts = []\n    def write(self, b): self.parts.append(bytes(b))\n\
        w = W(); pickle.dump(list(range(3)), w, 4); print(b''.join(w.parts))\n\
        class R:\n    def __init__(self, d): self.f = io.BytesIO(d)\n    def read(self, n=-1): return self.f.read(n)\n    def readline(self): return self.f.readline()\n\
        print(pickle.load(R(b''.join(w.parts))), pickle.load(R(b'(lp0\\nI1\\na.')))");
    assert_eq!(
        out,
        "TypeError: file must have a 'write' attribute\n\
         TypeError: file must have 'read' and 'readline' attributes\n\
         b'\\x80\\x04\\x95\\x0b\\x00\\x00\\x00\\x00\\x00\\x00\\x00]\\x94(K\\x00K\\x01K\\x02e.'\n\
         [0, 1, 2] [1]\n"
    );
}

#[test]
fn large_frames_stream_to_files_as_they_fill() {
    let out = run(
        "class W:\n    def __init__(self): self.sizes = []; self.data = b''\n    def write(self, b): self.sizes.append(len(b)); self.data += bytes(b)\n\
        w = W(); obj = [str(i) * 3 for i in range(40000)]\n\
        pickle.dump(obj, w, 4)\n\
        print(len(w.sizes) > 2, max(w.sizes) < 70000, w.data == pickle.dumps(obj, 4), pickle.loads(w.data) == obj)",
    );
    assert_eq!(out, "True True True True\n");
}

#[test]
fn several_loads_read_consecutive_pickles_from_one_file() {
    let out = run("f = io.BytesIO()\n\
        for p in range(6): pickle.dump(('p', p, list(range(p))), f, p)\n\
        f.write(b'trailing')\n\
        f.seek(0); u = pickle.Unpickler(f)\n\
        print([u.load()[1] for _ in range(6)], f.read())");
    assert_eq!(out, "[0, 1, 2, 3, 4, 5] b'trailing'\n");
}

/// An overriding `find_class` gets the names as written (Python 2's here); only the default
/// one maps them, as in CPython.
#[test]
fn subclasses_can_override_hooks() {
    let out = run(
        "class P(pickle.Pickler):\n    def persistent_id(self, obj):\n        return 'pid' if obj == 'secret' else None\n\
        class U(pickle.Unpickler):\n    def persistent_load(self, pid):\n        return f'loaded {pid}'\n    def find_class(self, module, name):\n        return (module, name)\n\
        f = io.BytesIO(); P(f, 2).dump(['secret', 'open', len]); print(f.getvalue())\n\
        f.seek(0); print(U(f).load())\n\
        print(err(lambda: pickle.loads(b'Pabc\\n.')))",
    );
    assert_eq!(
        out,
        "b'\\x80\\x02]q\\x00(X\\x03\\x00\\x00\\x00pidq\\x01QX\\x04\\x00\\x00\\x00openq\\x02c__builtin__\\nlen\\nq\\x03e.'\n\
         ['loaded pid', 'open', ('__builtin__', 'len')]\n\
         UnpicklingError: A load persistent id instruction was encountered,\nbut no persistent_load function was specified.\n"
    );
}

#[test]
fn malformed_input_raises_cpythons_exceptions() {
    let cases = [
        ("b''", "EOFError: Ran out of input"),
        ("b'N'", "EOFError: Ran out of input"),
        (
            "b'\\x80\\x04\\x95'",
            "UnpicklingError: pickle data was truncated",
        ),
        ("b'\\xff'", "UnpicklingError: invalid load key, '\\xff'."),
        ("b'z'", "UnpicklingError: invalid load key, 'z'."),
        ("b'.'", "UnpicklingError: unpickling stack underflow"),
        ("b'(.'", "UnpicklingError: unexpected MARK found"),
        ("b'Nt.'", "UnpicklingError: could not find MARK"),
        (
            "b'h\\x05.'",
            "UnpicklingError: Memo value not found at index 5",
        ),
        ("b'p-1\\n.'", "UnpicklingError: unpickling stack underflow"),
        (
            "b'\\x80\\x06N.'",
            "ValueError: unsupported pickle protocol: 6",
        ),
        (
            "b'\\x80\\x04K\\x01K\\x02\\x93.'",
            "UnpicklingError: STACK_GLOBAL requires str",
        ),
        (
            "b'\\x80\\x02\\x82\\x05.'",
            "ValueError: unregistered extension code 5",
        ),
        (
            "b'\\x80\\x02\\x84\\xff\\xff\\xff\\xff.'",
            "UnpicklingError: EXT specifies code <= 0",
        ),
        (
            "b'\\x80\\x05\\x97.'",
            "UnpicklingError: pickle stream refers to out-of-band data but no *buffers* argument was given",
        ),
        (
            "b\"S'abc\\n.\"",
            "UnpicklingError: the STRING opcode argument must be quoted",
        ),
        (
            "b'T\\xff\\xff\\xff\\xff.'",
            "UnpicklingError: pickle data was truncated",
        ),
        (
            "b'\\x8b\\xff\\xff\\xff\\xff.'",
            "UnpicklingError: LONG pickle has negative byte count",
        ),
        ("b'Iabc\\n.'", "ValueError: could not convert string to int"),
        (
            "b'Fabc\\n.'",
            "ValueError: could not convert string to float: 'abc\\n'",
        ),
        ("b'(Nd.'", "UnpicklingError: odd number of items for DICT"),
        (
            "b'N}N(Nu.'",
            "UnpicklingError: odd number of items for SETITEMS",
        ),
        ("b']N(Na.'", "UnpicklingError: unexpected MARK found"),
        (
            "b'X\\x01\\x00\\x00\\x00\\xff.'",
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
        (
            "'text'",
            "TypeError: a bytes-like object is required, not 'str'",
        ),
    ];
    let lines: Vec<String> = cases
        .iter()
        .map(|(data, _)| format!("print(err(lambda: pickle.loads({data})))"))
        .collect();
    let out = run(&lines.join("\n"));
    let got: Vec<&str> = out.lines().collect();
    let want: Vec<&str> = cases.iter().map(|(_, w)| *w).collect();
    assert_eq!(got, want);
}

#[test]
fn out_of_band_buffers_are_counted() {
    let out = run(
        "print(err(lambda: pickle.loads(b'\\x80\\x05\\x97.', buffers=[])))\n\
        print(bytes(pickle.loads(b'\\x80\\x05\\x97.', buffers=[b'abc'])))\n\
        v = pickle.loads(b'\\x80\\x05\\x97\\x98.', buffers=[bytearray(b'xy')]); print(type(v).__name__, v.readonly, bytes(v))",
    );
    assert_eq!(
        out,
        "UnpicklingError: not enough out-of-band buffers\nb'abc'\nmemoryview True b'xy'\n"
    );
}

#[test]
fn unpicklable_objects_raise_pickling_errors() {
    let out = run(
        "print(err(lambda: pickle.dumps(lambda: 1)).split(' at 0x')[0])\n\
        class R:\n    def __reduce__(self): return 42\n\
        print(err(lambda: pickle.dumps(R())))\n\
        R.__reduce__ = lambda self: (1,)\n\
        print(err(lambda: pickle.dumps(R())))\n\
        R.__reduce__ = lambda self: (1, ())\n\
        print(err(lambda: pickle.dumps(R())))\n\
        R.__reduce__ = lambda self: (list, 1)\n\
        print(err(lambda: pickle.dumps(R())))\n\
        try:\n    pickle.dumps([0, R()])\nexcept pickle.PicklingError as e:\n    print(e.__notes__)\n\
        print(err(lambda: pickle.dumps(type('Anon', (), {}))))",
    );
    assert_eq!(
        out,
        "PicklingError: Can't pickle local object <function <lambda>.<locals>.<lambda>\n\
         PicklingError: __reduce__ must return a string or tuple, not int\n\
         PicklingError: tuple returned by __reduce__ must contain 2 through 6 elements\n\
         PicklingError: first item of the tuple returned by __reduce__ must be callable, not int\n\
         PicklingError: second item of the tuple returned by __reduce__ must be a tuple, not int\n\
         ['when serializing R object', 'when serializing list item 1']\n\
         PicklingError: Can't pickle <class '__main__.Anon'>: it's not found as __main__.Anon\n"
    );
}

#[test]
fn deep_nesting_is_a_recursion_error_not_a_crash() {
    let out = run("x = []\nfor _ in range(100000): x = [x]\n\
        print(err(lambda: pickle.dumps(x)))\n\
        print(pickle.loads(b'(' * 100000 + b'N.'))");
    assert_eq!(
        out,
        "RecursionError: maximum recursion depth exceeded while pickling an object\nNone\n"
    );
}

#[test]
fn shared_references_and_cycles_survive_a_round_trip() {
    let out = run(
        "a = [1]; d = {'self': None}; d['self'] = d; t = ([],); t[0].append(t)\n\
        for p in range(6):\n    x, y, dd, tt = pickle.loads(pickle.dumps([a, a, d, t], p))\n    print(p, x is y, dd['self'] is dd, tt[0][0] is tt)",
    );
    assert_eq!(
        out,
        (0..6)
            .map(|p| format!("{p} True True True\n"))
            .collect::<String>()
    );
}

#[test]
fn buffered_files_are_read_through_peek_and_left_after_each_pickle() {
    let out = run("import os, tempfile\n\
        path = os.path.join(tempfile.mkdtemp(), 'several.pickle')\n\
        objs = [list(range(p * 3000)) for p in range(6)] + ['x' * 200000]\n\
        ends = []\n\
        with open(path, 'wb') as f:\n    for p, o in enumerate(objs):\n        pickle.dump(o, f, min(p, 5)); ends.append(f.tell())\n    f.write(b'tail')\n\
        with open(path, 'rb') as f:\n    print(hasattr(f, 'peek'))\n    u = pickle.Unpickler(f)\n    for o, end in zip(objs, ends):\n        got = u.load()\n        assert got == o and f.tell() == end, (len(got), f.tell(), end)\n    print(f.read())\n\
        with open(path, 'rb') as f:\n    print(err(lambda: [pickle.load(f) for _ in range(8)]))");
    assert_eq!(out, "True\nb'tail'\nUnpicklingError: could not find MARK\n");
}

#[test]
fn pickle_buffers_go_in_band_or_out_of_band() {
    let out = run("data = bytearray(b'abcdef')\n\
        bufs = []\n\
        p = pickle.dumps([pickle.PickleBuffer(data), pickle.PickleBuffer(b'ro')], 5, buffer_callback=bufs.append)\n\
        print(p, len(bufs))\n\
        print(pickle.dumps([pickle.PickleBuffer(data), pickle.PickleBuffer(b'ro')], 5))\n\
        a, b = pickle.loads(p, buffers=bufs)\n\
        print(type(a).__name__, type(b).__name__, bytes(a), bytes(b), memoryview(b).readonly)\n\
        w = pickle.loads(b'\\x80\\x05\\x97\\x98.', buffers=[bytearray(b'w')]); print(type(w).__name__, w.readonly)\n\
        f = io.BytesIO(); q = pickle.Pickler(f, 5, buffer_callback=lambda b: False); q.dump(pickle.PickleBuffer(b'zz')); print(f.getvalue())\n\
        print(err(lambda: pickle.dumps(pickle.PickleBuffer(b'x'), 4)))\n\
        pb = pickle.PickleBuffer(b'x'); pb.release()\n\
        print(err(lambda: pickle.dumps(pb, 5)))\n\
        print(pickle.PickleBuffer(bytearray(b'xy')).raw().tobytes(), pickle.PickleBuffer.__module__)");
    // CPython 3.11's C message reads "can only pickled"; 3.14's pickle.py (the contract) reads
    // "can only be pickled".
    assert_eq!(
        out,
        "b'\\x80\\x05\\x95\\x08\\x00\\x00\\x00\\x00\\x00\\x00\\x00]\\x94(\\x97\\x97\\x98e.' 2\n\
         b'\\x80\\x05\\x95\\x1a\\x00\\x00\\x00\\x00\\x00\\x00\\x00]\\x94(\\x96\\x06\\x00\\x00\\x00\\x00\\x00\\x00\\x00abcdef\\x94C\\x02ro\\x94e.'\n\
         PickleBuffer PickleBuffer b'abcdef' b'ro' True\n\
         memoryview True\n\
         b'\\x80\\x05\\x97\\x98.'\n\
         PicklingError: PickleBuffer can only be pickled with protocol >= 5\n\
         ValueError: operation forbidden on released PickleBuffer object\n\
         b'xy' pickle\n"
    );
}

/// Checks only the C pickler makes (CPython 3.14's wording), and the type names CPython's
/// messages use (`tp_name`: `_thread.lock`, where RustPython's own reducer says `lock`).
/// Protocols 0-1 go through copyreg._reduce_ex, whose outcome for a lock depends on whether
/// the lock type is a heap type, which differs between CPython versions; not asserted here.
#[test]
fn c_pickler_checks_and_type_names() {
    let out = run("import threading\n\
        class R:\n    def __init__(self, r): self.r = r\n    def __reduce__(self): return self.r\n\
        print(err(lambda: pickle.dumps(R((list, (), None, 5)))))\n\
        print(err(lambda: pickle.dumps(R((dict, (), None, None, 5)))))\n\
        print(err(lambda: pickle.dumps(R((dict, (), None, None, iter([1]))))))\n\
        print(err(lambda: pickle.dumps(threading.Lock(), 2)))");
    assert_eq!(
        out,
        "PicklingError: fourth item of the tuple returned by __reduce__ must be an iterator, not int\n\
         PicklingError: fifth item of the tuple returned by __reduce__ must be an iterator, not int\n\
         TypeError: dict items iterator must return 2-tuples\n\
         TypeError: cannot pickle '_thread.lock' object\n"
    );
}

#[test]
fn local_classes_and_functions_are_refused_by_name() {
    let out = run(
        "def make():\n    class Local:\n        pass\n    def helper():\n        pass\n    return Local, helper, Local()\n\
        Local, helper, instance = make()\n\
        for obj in (Local, helper, instance):\n    print(err(lambda: pickle.dumps(obj, 4)).split(' at 0x')[0])",
    );
    assert_eq!(
        out,
        "PicklingError: Can't pickle local object <class '__main__.make.<locals>.Local'>\n\
         PicklingError: Can't pickle local object <function make.<locals>.helper\n\
         PicklingError: Can't pickle local object <class '__main__.make.<locals>.Local'>\n"
    );
}

/// stdlib-shims: Python 2's module names are the Python 3 modules themselves.
#[test]
fn cpickle_and_copy_reg_are_pickle_and_copyreg() {
    let out = run("import cPickle, copy_reg, copyreg\n\
        print(cPickle is pickle, copy_reg is copyreg, cPickle.Pickler is _pickle.Pickler)\n\
        class Point:\n    def __init__(self, x): self.x = x\n\
        copy_reg.pickle(Point, lambda p: (Point, (p.x * 2,)))\n\
        print(Point in copyreg.dispatch_table, cPickle.loads(cPickle.dumps(Point(4), 2)).x)");
    assert_eq!(out, "True True True\nTrue 8\n");
}

/// A class whose `__reduce__` returns what it is given (CPython's suite calls it REX).
const REX: &str = "import copyreg, sys, types\n\
    class REX:\n    def __init__(self, r): self.r = r\n    def __reduce__(self): return self.r\n";

per_protocol! {
    fn methods_of_builtin_types_pickle_as_in_cpython(proto: u8) {
        // Bound and unbound methods, slot wrappers, class and static methods of built-in types:
        // the same bytes as the pure-Python pickler (below protocol 4: from 4 it memoises the
        // one 'builtins' string RustPython's classes share, CPython's C pickler does not), and
        // the same method back.
        let out = run(&format!(
            "p = {proto}\n\
            cases = [('abcd'.index, ('c',)), (str.index, ('abcd', 'c')), ([1, 2].__len__, ()),\n\
                     (list.__len__, ([1, 2, 3],)), ({{1, 2}}.__contains__, (2,)),\n\
                     (set.__contains__, ({{1}}, 1)), (dict.fromkeys, ('ab',)),\n\
                     (bytearray.maketrans, (b'ab', b'xy')), (str.maketrans, ('a', 'b'))]\n\
            for method, args in cases:\n\
            \x20   data = pickle.dumps(method, p)\n\
            \x20   assert p >= 4 or data == pickle._dumps(method, p), (method, data)\n\
            \x20   assert pickle.loads(data)(*args) == method(*args), method\n\
            print(pickle.loads(pickle.dumps(list.__len__, p)) is list.__len__)\n\
            print(err(lambda: pickle.dumps(bytearray.__dict__['maketrans'], p)))\n\
            print(err(lambda: pickle.dumps(dict.__dict__['fromkeys'], p)))"
        ));
        assert_eq!(
            out,
            "True\nTypeError: cannot pickle 'staticmethod' object\n\
             TypeError: cannot pickle 'classmethod_descriptor' object\n"
        );
    }
}

#[test]
fn a_slot_wrapper_pickles_to_cpythons_bytes() {
    let out = run(
        "print(pickle.dumps(list.__len__, 2))\nprint(pickle.dumps(list.__len__, 4))\n\
        print(pickle.dumps(str.index, 4))",
    );
    assert_eq!(
        out,
        "b'\\x80\\x02c__builtin__\\ngetattr\\nq\\x00c__builtin__\\nlist\\nq\\x01X\\x07\\x00\\x00\\x00__len__q\\x02\\x86q\\x03Rq\\x04.'\n\
         b'\\x80\\x04\\x95:\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x08builtins\\x94\\x8c\\x07getattr\\x94\\x93\\x94\\x8c\\x08builtins\\x94\\x8c\\x04list\\x94\\x93\\x94\\x8c\\x07__len__\\x94\\x86\\x94R\\x94.'\n\
         b'\\x80\\x04\\x957\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x08builtins\\x94\\x8c\\x07getattr\\x94\\x93\\x94\\x8c\\x08builtins\\x94\\x8c\\x03str\\x94\\x93\\x94\\x8c\\x05index\\x94\\x86\\x94R\\x94.'\n"
    );
}

per_protocol! {
    fn reductions_the_c_pickler_refuses(proto: u8) {
        let out = run(&format!(
            "{REX}p = {proto}\n\
            print(err(lambda: pickle.dumps(REX((print, (), 'state', None, None, 42)), p)))\n\
            if p >= 2:\n\
            \x20   print(err(lambda: pickle.dumps(REX((copyreg.__newobj_ex__, (REX, 42, {{}}))), p)))\n\
            \x20   print(err(lambda: pickle.dumps(REX((copyreg.__newobj_ex__, (REX, (), []))), p)))\n\
            key = (__name__, 'REX')\n\
            for code in (object(), 0, -1, 2**31, 2**1000):\n\
            \x20   copyreg._extension_registry[key] = code\n\
            \x20   print(err(lambda: pickle.dumps(REX, p)))\n\
            \x20   del copyreg._extension_registry[key]"
        ));
        let mut expected =
            "PicklingError: sixth item of the tuple returned by __reduce__ must be callable, not int\n"
                .to_string();
        if proto >= 2 {
            expected += "PicklingError: second argument to __newobj_ex__() must be a tuple, not int\n\
                         PicklingError: third argument to __newobj_ex__() must be a dict, not list\n\
                         TypeError: 'object' object cannot be interpreted as an integer\n\
                         RuntimeError: extension code 0 is out of range\n\
                         RuntimeError: extension code -1 is out of range\n\
                         RuntimeError: extension code 2147483648 is out of range\n\
                         OverflowError: Python int too large to convert to C long\n";
        } else {
            // Extension codes are a protocol 2 feature: below it, REX is saved by name.
            expected += &"no error\n".repeat(5);
        }
        assert_eq!(out, expected);
    }
}

per_protocol! {
    fn global_names_glob_cannot_write_are_refused(proto: u8) {
        // Below protocol 3 GLOBAL is ASCII, then UTF-8 with no room for a lone surrogate; from
        // protocol 4 the names are strings, which keep it.
        let out = run(&format!(
            "{REX}p = {proto}\n\
            for name in ('nonascii\\xff', 'nonencodable\\udbff'):\n\
            \x20   obj = REX('test'); obj.__module__ = name\n\
            \x20   sys.modules[name] = types.SimpleNamespace(test=obj)\n\
            \x20   result = err(lambda: pickle.loads(pickle.dumps(obj, p)) is obj)\n\
            \x20   print(result if result.startswith('PicklingError') else 'round trip')"
        ));
        let expected = match proto {
            0..=2 => format!(
                "PicklingError: can't pickle module identifier 'nonascii\u{ff}' using pickle protocol {proto}\n\
                 PicklingError: can't pickle module identifier 'nonencodable\\udbff' using pickle protocol {proto}\n"
            ),
            3 => "round trip\n\
                  PicklingError: can't pickle module identifier 'nonencodable\\udbff' using pickle protocol 3\n"
                .to_string(),
            _ => "round trip\nround trip\n".to_string(),
        };
        assert_eq!(out, expected);
    }
}

#[test]
fn unpickler_names_and_memo_as_cpythons_c_unpickler_takes_them() {
    let out = run("u = pickle.Unpickler(io.BytesIO())\n\
        u4 = pickle.Unpickler(io.BytesIO(b'\\x80\\x04N.')); u4.load()\n\
        print(u4.find_class('builtins', 'str.upper') is str.upper)\n\
        print(err(lambda: u.find_class('builtins', 'str.upper')))\n\
        print(err(lambda: u.find_class('math', '')), '|', err(lambda: u.find_class('', 'log')))\n\
        for data in (b'c\\nlog\\n.', b'cmath\\n\\n.', b'\\x80\\x04cmath\\n\\n.', b'(i\\nlog\\n.'):\n\
        \x20   print(err(lambda: pickle.loads(data)))\n\
        print(err(lambda: pickle.loads(b\"S'\\\\'\\n.\")))\n\
        print(err(lambda: setattr(u, 'memo', object)))\n\
        print(err(lambda: setattr(u, 'memo', {-1: None})), '|', err(lambda: setattr(u, 'memo', {'a': None})))\n\
        u.memo = {1: 'one'}; print(u.memo.copy())\n\
        p = pickle.Pickler(io.BytesIO()); p.memo = {'ignored key': (0, 'x')}; print(list(p.memo.copy().values()))");
    assert_eq!(
        out,
        "True\n\
         AttributeError: module 'builtins' has no attribute 'str.upper'\n\
         AttributeError: module 'math' has no attribute '' | ValueError: Empty module name\n\
         UnpicklingError: pickle data was truncated\n\
         UnpicklingError: pickle data was truncated\n\
         UnpicklingError: pickle data was truncated\n\
         UnpicklingError: pickle data was truncated\n\
         ValueError: Trailing \\ in string\n\
         TypeError: 'memo' attribute must be an UnpicklerMemoProxy object or dict, not type\n\
         ValueError: memo key must be positive integers. | TypeError: memo key must be integers\n\
         {1: 'one'}\n\
         [(0, 'x')]\n"
    );
}

#[test]
fn a_find_class_override_sees_the_protocol_being_read() {
    let out = run("class U(pickle.Unpickler):\n\
        \x20   def find_class(self, module, name):\n\
        \x20       return super().find_class(module, name)\n\
        for data in (b'\\x80\\x04\\x8c\\x08builtins\\x8c\\tstr.upper\\x93.', b'cbuiltins\\nstr.upper\\n.'):\n\
        \x20   print(err(lambda: U(io.BytesIO(data)).load() is str.upper))");
    assert_eq!(
        out,
        "no error\nAttributeError: module 'builtins' has no attribute 'str.upper'\n"
    );
}

#[test]
fn files_whose_peek_is_not_implemented_are_read_without_it() {
    let out = run("class Unseekable(io.BytesIO):\n\
        \x20   def peek(self, *args): raise NotImplementedError\n\
        \x20   def seekable(self): return False\n\
        data = pickle.dumps([(i, str(i)) for i in range(300)], 4)\n\
        u = pickle.Unpickler(Unseekable(data * 3))\n\
        print([len(u.load()) for _ in range(3)], err(u.load))");
    assert_eq!(out, "[300, 300, 300] EOFError: Ran out of input\n");
}

per_protocol! {
    from 1: fn large_payloads_go_to_write_on_their_own(proto: u8) {
        // As CPython's C pickler: what comes before a payload of 64 KiB or more is written, then
        // the payload in a call of its own.
        let out = run(&format!(
            "p = {proto}\n\
            class Chunks:\n\
            \x20   def __init__(self): self.chunks = []\n\
            \x20   def write(self, b): self.chunks.append(bytes(b))\n\
            big = 'x' * 70000\n\
            for obj in ([1, big, 2], [1, big.encode(), 2] if p >= 3 else [big]):\n\
            \x20   f = Chunks(); pickle.dump(obj, f, p)\n\
            \x20   sizes = [len(c) for c in f.chunks]\n\
            \x20   print(70000 in sizes, b''.join(f.chunks) == pickle.dumps(obj, p))"
        ));
        assert_eq!(out, "True True\nTrue True\n");
    }
}

/// A load's objects do not trigger the cycle collector (it would find nothing among them):
/// the youngest generation's threshold is raised by what the load made until the next
/// collection, which still comes after the script's own allocations and frees its cycles.
#[test]
fn loads_keep_the_collector_out_of_their_way() {
    let out = run("import gc, weakref\n\
        base = gc.get_threshold()\n\
        blob = pickle.dumps([[i] for i in range(10000)], 4)\n\
        data = pickle.loads(blob)\n\
        print(gc.isenabled(), gc.get_threshold()[0] > base[0] + 9000, gc.get_threshold()[1:] == base[1:])\n\
        class C: pass\n\
        freed = []\n\
        c = C(); c.me = c; weakref.finalize(c, freed.append, 'cycle freed'); del c\n\
        junk = [[i] for i in range(base[0] + 100)]\n\
        print(freed, gc.get_threshold() == base)\n\
        small = pickle.loads(pickle.dumps([[1]], 4))\n\
        print(gc.get_threshold() == base)\n\
        print(err(lambda: pickle.loads(blob[:-20])), gc.isenabled())\n\
        gc.collect(); gc.set_threshold(500)\n\
        data = pickle.loads(blob)\n\
        junk = [[i] for i in range(20000)]\n\
        print(gc.get_threshold()[0])\n\
        gc.disable(); data = pickle.loads(blob); print(gc.isenabled(), gc.get_threshold()[0])");
    assert_eq!(
        out,
        "True True True\n\
         ['cycle freed'] True\n\
         True\n\
         UnpicklingError: pickle data was truncated True\n\
         500\n\
         False 500\n"
    );
}

/// What a class decides about its instances' reduction is kept per dump, and asked again when
/// the class changes during it: here a `__reduce__` run halfway through gives one class a
/// `__getstate__` and another a `__reduce__`, and the instances saved after it use them, with
/// the bytes CPython 3.11 writes.
#[test]
fn a_class_changed_during_a_dump_is_asked_again() {
    let out = run("class B:\n    pass\n\
        class A:\n    def __reduce__(self):\n        B.__getstate__ = lambda self: {'patched': True}\n        return (A, ())\n\
        class S:\n    __slots__ = ('v',)\n\
        class R:\n    def __reduce__(self):\n        S.__reduce__ = lambda self: (S, (), None, None, None)\n        return (R, ())\n\
        b1, b2 = B(), B()\n\
        b1.x, b2.x = 1, 2\n\
        s1, s2 = S(), S()\n\
        s1.v = s2.v = 'kept'\n\
        data = pickle.dumps([b1, A(), b2, s1, R(), s2], 4)\n\
        print(data)\n\
        out = pickle.loads(data)\n\
        print(out[0].__dict__, out[2].__dict__, getattr(out[3], 'v', None), getattr(out[5], 'v', None))");
    assert_eq!(
        out,
        "b'\\x80\\x04\\x95o\\x00\\x00\\x00\\x00\\x00\\x00\\x00]\\x94(\\x8c\\x08__main__\\x94\\x8c\\x01B\\x94\\x93\\x94)\\x81\\x94}\\x94\\x8c\\x01x\\x94K\\x01sbh\\x01\\x8c\\x01A\\x94\\x93\\x94)R\\x94h\\x03)\\x81\\x94}\\x94\\x8c\\x07patched\\x94\\x88sbh\\x01\\x8c\\x01S\\x94\\x93\\x94)\\x81\\x94N}\\x94\\x8c\\x01v\\x94\\x8c\\x04kept\\x94s\\x86\\x94bh\\x01\\x8c\\x01R\\x94\\x93\\x94)R\\x94h\\x0e)R\\x94e.'\n\
         {'x': 1} {'patched': True} kept None\n"
    );
}

#[test]
fn the_module_documents_itself_and_keeps_its_signatures() {
    // Brine is built without RustPython's docstring database (the `builtin-docs` feature), so
    // `_pickle`'s docstrings are its own; signatures come from the functions themselves.
    let out = run(r#"import inspect
for f in (pickle.dumps, pickle.dump, pickle.loads, pickle.load, pickle.Pickler,
          pickle.Pickler.dump, pickle.Pickler.clear_memo, pickle.Unpickler,
          pickle.Unpickler.load, pickle.Unpickler.find_class, pickle.PickleBuffer,
          pickle.PickleBuffer.raw, pickle.PickleBuffer.release):
    print(f.__qualname__, bool(f.__doc__) and f.__doc__.strip() == f.__doc__)
print(inspect.signature(pickle.dumps))"#);
    let names = [
        "dumps",
        "dump",
        "loads",
        "load",
        "Pickler",
        "Pickler.dump",
        "Pickler.clear_memo",
        "Unpickler",
        "Unpickler.load",
        "Unpickler.find_class",
        "PickleBuffer",
        "PickleBuffer.raw",
        "PickleBuffer.release",
    ];
    let documented: String = names.iter().map(|n| format!("{n} True\n")).collect();
    assert_eq!(
        out,
        format!("{documented}(obj, protocol=None, *, fix_imports=True, buffer_callback=None)\n")
    );
}

#[test]
fn each_dumps_starts_with_an_empty_memo_even_when_a_reduce_dumps_inside_it() {
    // dumps reuses its memo table from call to call: nothing of one call's memo may show in
    // the next, and a dumps run by a __reduce__ in the middle of another has its own.
    let out = run(
        "class Inner:\n    def __reduce__(self):\n        return (bytes, (pickle.dumps(['s', 's'], 2),))\n\
        s = 'shared'\n\
        a = pickle.dumps([s, s, Inner(), s], 2)\n\
        print(a == pickle.dumps([s, s, Inner(), s], 2))\n\
        print(a)",
    );
    assert_eq!(
        out,
        "True\nb'\\x80\\x02]q\\x00(X\\x06\\x00\\x00\\x00sharedq\\x01h\\x01c__builtin__\\nbytes\\nq\\x02\
         c_codecs\\nencode\\nq\\x03X\\x13\\x00\\x00\\x00\\xc2\\x80\\x02]q\\x00(X\\x01\\x00\\x00\\x00sq\\x01h\\x01e.q\\x04\
         X\\x06\\x00\\x00\\x00latin1q\\x05\\x86q\\x06Rq\\x07\\x85q\\x08Rq\\th\\x01e.'\n"
    );
}

#[test]
fn build_finds_setstate_wherever_getattr_does() {
    // On the class, on the instance (set by `__new__`, before BUILD), through `__getattr__`,
    // or nowhere (the state updates `__dict__`): as CPython 3.13 prints it.
    let out = run(
        "class OnClass:\n    def __setstate__(self, state): self.got = ('class', state)\n\
        class OnInstance:\n    def __new__(cls):\n        self = object.__new__(cls)\n        \
        self.__setstate__ = lambda state: setattr(self, 'got', ('instance', state))\n        \
        return self\n    def __reduce__(self): return (OnInstance, (), {'a': 1})\n\
        class ByGetattr:\n    def __getattr__(self, name):\n        if name == '__setstate__':\n            \
        return lambda state: setattr(self, 'got', ('getattr', state))\n        raise AttributeError(name)\n\
        class Plain:\n    pass\n\
        for cls in (OnClass, ByGetattr, Plain):\n    o = cls(); o.a = 1\n    \
        print(cls.__name__, sorted(pickle.loads(pickle.dumps(o, 2)).__dict__.items()))\n\
        o = pickle.loads(pickle.dumps(OnInstance(), 2))\n\
        print('OnInstance', o.got)",
    );
    assert_eq!(
        out,
        "OnClass [('got', ('class', {'a': 1}))]\n\
         ByGetattr [('got', ('getattr', {'a': 1}))]\n\
         Plain [('a', 1)]\n\
         OnInstance ('instance', {'a': 1})\n"
    );
}

#[test]
fn slot_state_is_set_as_setattr_sets_it() {
    // BUILD keeps each class's slot descriptors for the load: a class changed mid-load (here
    // by a reduce between two instances) and a class's own __setattr__ are still honoured.
    // As CPython 3.13 prints it.
    let out = run("log = []\n\
        class Slotted:\n    __slots__ = ('a', 'b')\n\
        class Guarded:\n    __slots__ = ('a',)\n    def __setattr__(self, name, value):\n        \
        log.append(('setattr', name, value))\n        object.__setattr__(self, name, value)\n\
        def swap():\n    \
        Slotted.a = property(lambda self: 'prop', lambda self, v: log.append(('prop', v)))\n    \
        return 'swapped'\n\
        class Swap:\n    def __reduce__(self): return (swap, ())\n\
        s1, s2, g = Slotted(), Slotted(), Guarded()\n\
        s1.a, s1.b, s2.a, s2.b = 1, 2, 3, 4\n\
        object.__setattr__(g, 'a', 5)\n\
        first, swapped, second, guarded = pickle.loads(pickle.dumps([s1, Swap(), s2, g], 2))\n\
        print(swapped, first.b, second.a, second.b, guarded.a)\n\
        print(log)");
    assert_eq!(
        out,
        "swapped 2 prop 4 5\n[('prop', 3), ('setattr', 'a', 5)]\n"
    );
}

#[test]
fn a_picklers_memo_holds_the_slot_state_it_made() {
    // pickle.dumps writes a __slots__ instance's (None, {slot: value}) state without making
    // it; a Pickler, whose memo Python code can read, memoises the state's dict and tuple as
    // CPython does, and both give the same bytes. As CPython 3.13 prints it.
    let out = run("import io\n\
        class S:\n    __slots__ = ('a', 'b')\n\
        s = S(); s.a = [1]; s.b = s.a\n\
        f = io.BytesIO(); p = pickle.Pickler(f, 4); p.dump(s)\n\
        print(sorted(type(o).__name__ for i, o in p.memo.copy().values()))\n\
        print(f.getvalue() == pickle.dumps(s, 4), len(pickle.dumps(s, 2)))");
    assert_eq!(
        out,
        "['S', 'dict', 'list', 'str', 'str', 'str', 'str', 'tuple', 'type']\nTrue 55\n"
    );
}

#[test]
fn a_state_dict_met_again_keeps_its_items() {
    // pickle.loads empties the state dicts only its memo still holds before freeing them; one
    // the pickle refers to again is part of the result and keeps its items, apart from the
    // instance's own __dict__ as in CPython. As CPython 3.13 prints it.
    let out = run("class P: pass\n\
        p = P(); p.a = 1; p.b = [2]\n\
        q, d = pickle.loads(pickle.dumps([p, p.__dict__], 4))\n\
        print(d, q.__dict__, d is q.__dict__, d['b'] is q.b)");
    assert_eq!(out, "{'a': 1, 'b': [2]} {'a': 1, 'b': [2]} False True\n");
}

#[test]
fn an_instances_dict_is_read_where_cpython_reads_it() {
    // The pickler reads an instance's __dict__ once for object.__reduce_ex__'s questions and
    // its state, and again after __getnewargs__ (Python code, which may replace it). The
    // instance's own __getstate__ and __reduce_ex__ are honoured. As CPython 3.13 prints it.
    let out = run("class N:\n    def __init__(self): self.a = 1\n    \
        def __getnewargs__(self):\n        self.__dict__ = {'z': 9}\n        return ()\n\
        print(pickle.loads(pickle.dumps(N(), 2)).__dict__)\n\
        class G: pass\n\
        g = G(); g.a = 1; g.__getstate__ = lambda: {'b': 2}\n\
        print(pickle.loads(pickle.dumps(g, 4)).__dict__)\n\
        class R: pass\n\
        r = R(); r.a = 1; r.__reduce_ex__ = lambda proto: (R, ())\n\
        print(vars(pickle.loads(pickle.dumps(r, 4))))");
    assert_eq!(out, "{'z': 9}\n{'b': 2}\n{}\n");
}

#[test]
fn a_file_may_change_the_list_being_pickled_when_a_payload_is_written() {
    // Small bytes in a list are saved while the list is borrowed; a payload of 64 KiB or more
    // goes to `write`, which is Python code, so it is saved with the list released: here
    // `write` appends to that list, and the item appended is pickled, as by CPython 3.13.
    let out = run("obj = [1, b'x' * 70000, 2]\n\
        class Grow:\n    def __init__(self): self.chunks = []\n    \
        def write(self, b):\n        self.chunks.append(bytes(b))\n        \
        if len(self.chunks) == 1: obj.append(3)\n\
        for p in (3, 4):\n    del obj[3:]\n    f = Grow(); pickle.dump(obj, f, p)\n    \
        loaded = pickle.loads(b''.join(f.chunks))\n    \
        print(p, [len(c) for c in f.chunks], loaded == [1, b'x' * 70000, 2, 3])");
    assert_eq!(out, "3 [13, 70000, 8] True\n4 [21, 70000, 16] True\n");
}

#[test]
fn a_failed_write_inside_a_slot_state_carries_the_picklers_notes() {
    // pickle.dump writes a __slots__ instance's state without making its dict and tuple; a
    // file whose write fails at any frame boundary inside it gets the notes a Pickler (which
    // makes them) gives: 24 positions of the boundary, four places it can fall.
    let out = run("class S:\n    __slots__ = ('a', 'b')\n\
        class Full:\n    def write(self, b): raise OSError('disk full')\n\
        def notes(dump):\n    try:\n        dump()\n    except OSError as e:\n        \
        return tuple(n.split(' item ')[0] for n in getattr(e, '__notes__', []))\n\
        kinds, same = set(), 0\n\
        for pad in range(24):\n    objs = []\n    for i in range(3000):\n        \
        s = S(); s.a = i; s.b = 'x' * (pad if i == 0 else 5); objs.append(s)\n    \
        one_shot = notes(lambda: pickle.dump(objs, Full(), 4))\n    \
        same += one_shot == notes(lambda: pickle.Pickler(Full(), 4).dump(objs))\n    \
        kinds.add(one_shot[:2])\n\
        print(same, len(kinds), ('when serializing tuple', 'when serializing S state') in kinds)");
    assert_eq!(out, "24 4 True\n");
}

/// `types.FunctionType` as cloudpickle rebuilds a function: None for the name takes the
/// code's, and the `__qualname__` is the code's `co_qualname`, as in CPython 3.13 (RustPython
/// refused None, and made the qualname the name).
#[test]
fn function_type_takes_none_for_the_name() {
    let code = "import types\n\
def f(x): return x\n\
class C:\n    def m(self): pass\n\
out = []\n\
for args in [(f.__code__, {}, None, None, None), (f.__code__, {}, 'g', None, None), (C.m.__code__, {}, None, (1,))]:\n    \
g = types.FunctionType(*args)\n    \
out.append((g.__name__, g.__qualname__, g.__defaults__))\n\
g = types.FunctionType(f.__code__, {}, name=None)\n\
out.append((g.__name__, g.__qualname__, g(5)))\n\
try:\n    types.FunctionType(f.__code__, {}, 1)\n\
except TypeError as e:\n    out.append(str(e))\n\
print(out)";
    assert_eq!(
        support::python(code),
        "[('f', 'f', None), ('g', 'f', None), ('m', 'C.m', (1,)), ('f', 'f', 5), 'arg 3 (name) must be None or string']\n"
    );
}
