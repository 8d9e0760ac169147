//! What a load makes of protocols 0-2's `bytes` (`_codecs.encode` reductions) and of
//! instances' state, where it takes shortcuts CPython's loads do not: each as CPython's.

use super::run;

/// Protocols 0-2 write bytes as `_codecs.encode(text, 'latin1')`; loads make them without the
/// call, and anything else (text past latin-1, another function) still goes through it. The
/// text a load remembers for the call (protocol 0's UNICODE, protocols 1-2's BINUNICODE)
/// stays whole when it is also used as text, or passed to a second call.
#[test]
fn latin1_reductions_of_bytes_load_as_the_call_would() {
    let out = run("every = bytes(range(256))\n\
        print(all(pickle.loads(pickle.dumps(every, p)) == every for p in (0, 1, 2)))\n\
        bad = b'\\x80\\x02c_codecs\\nencode\\nq\\x00X\\x02\\x00\\x00\\x00\\xc4\\x80X\\x06\\x00\\x00\\x00latin1\\x86R.'\n\
        print(err(lambda: pickle.loads(bad)))\n\
        other = b'\\x80\\x02c_codecs\\nencode\\nX\\x01\\x00\\x00\\x00aX\\x05\\x00\\x00\\x00utf-8\\x86R.'\n\
        print(pickle.loads(other))\n\
        class Seen(pickle.Unpickler):\n    calls = []\n    def find_class(self, m, n):\n        f = super().find_class(m, n)\n        return lambda *a: (Seen.calls.append(a), f(*a))[1]\n\
        print(Seen(io.BytesIO(pickle.dumps(b'hi', 2))).load(), Seen.calls)\n\
        t = '\\xe9\\\\' * 200\n\
        for text in (b'V' + t.encode('raw_unicode_escape') + b'\\n', b'X' + len(t.encode()).to_bytes(4, 'little') + t.encode()):\n    \
            twice = b'(c_codecs\\nencode\\n(' + text + b'p0\\nVlatin1\\np1\\ntRc_codecs\\nencode\\n(g0\\ng1\\ntRg0\\nl.'\n    \
            r = pickle.loads(twice)\n    \
            print([type(x).__name__ for x in r], r[0] == r[1] == t.encode('latin1'), r[2] == t)");
    assert_eq!(
        out,
        "True\n\
         UnicodeEncodeError: 'latin-1' codec can't encode character '\\u0100' in position 0: ordinal not in range(256)\n\
         b'a'\n\
         b'hi' [('hi', 'latin1')]\n\
         ['bytes', 'bytes', 'str'] True True\n\
         ['bytes', 'bytes', 'str'] True True\n"
    );
}

/// A one-shot load keeps only the memo entries the pickle reads back. Nothing of it shows: a
/// state dict the pickle also shares elsewhere stays a dict of its own, equal to the
/// instance's; an instance whose `__new__` set attributes gets the state added to them; an
/// `Unpickler`'s memo keeps every entry; indices MEMOIZE gives after unkept ones are right.
/// (Giving an instance its state dict as `__dict__` was tried, and refused by CPython's
/// suite: BUILD interns the keys, `test_attribute_name_interning`.)
#[test]
fn instances_states_and_the_memo_load_as_cpythons() {
    let out = run("class P:\n    def __init__(s): s.a = 1; s.b = [2]\n\
        class N(P):\n    def __new__(cls):\n        o = super().__new__(cls); o.early = 0; return o\n\
        for proto in range(6):\n    \
            x = P(); shared = pickle.loads(pickle.dumps([x, x.__dict__, x.b], proto))\n    \
            new = pickle.loads(pickle.dumps([N(), N()], proto))\n    \
            print(proto, shared[1] is shared[0].__dict__, shared[1] == shared[0].__dict__, shared[2] is shared[0].b,\n          \
            [sorted(vars(n)) for n in new])\n\
        data = pickle.dumps([P(), 'memo', P()], 4)\n\
        u = pickle.Unpickler(io.BytesIO(data)); u.load(); print(len(u.memo.copy()), len(pickle.loads(data)))\n\
        t = b'\\x80\\x04]\\x94(\\x8c\\x01a\\x94\\x8c\\x01b\\x94\\x8c\\x01c\\x94h\\x03h\\x02e.'\n\
        print(pickle.loads(t))");
    let rows: String = (0..6)
        .map(|p| format!("{p} False True True [['a', 'b', 'early'], ['a', 'b', 'early']]\n"))
        .collect();
    assert_eq!(out, format!("{rows}13 3\n['a', 'b', 'c', 'c', 'b']\n"));
}

/// An instance's dict state written as EMPTY_DICT, SETITEMS, BUILD goes straight to its
/// `__dict__` where no one else can see the dict (`build_state.rs`). Each case as CPython
/// 3.13 prints it: attributes `__new__` set keep their places and take the state's values, a
/// `__getattr__` is asked for `__setstate__` once, an instance's own `__setstate__` gets the
/// dict, a key given twice keeps the last value, a key that is no str goes in as it is, and
/// the names are interned.
#[test]
fn dict_states_load_into_instances_as_cpythons() {
    let out = run(DICT_STATES);
    assert_eq!(out, DICT_STATES_UNDER_CPYTHON);
}

const DICT_STATES: &str = r#"import sys
class P:
    def __init__(s): s.a = 1; s.b = [2]
class N(P):
    def __new__(cls):
        o = super().__new__(cls); o.early = 0; o.a = -1; return o
class G(P):
    looked = []
    def __getattr__(s, name):
        G.looked.append(name); raise AttributeError(name)
seen = []
class S(P):
    def __new__(cls):
        o = super().__new__(cls); o.__setstate__ = lambda st: seen.append(sorted(st.items())); return o
    def __getstate__(s):
        return {k: v for k, v in vars(s).items() if k != '__setstate__'}
for proto in range(6):
    n, g, s = pickle.loads(pickle.dumps([N(), G(), S()], proto))
    print(proto, list(vars(n).items()), vars(g), G.looked, seen, list(vars(s)))
    G.looked.clear(); seen.clear()
dup = b'\x80\x02c__main__\nP\nq\x00)\x81q\x01}q\x02(X\x01\x00\x00\x00aK\x01X\x01\x00\x00\x00aK\x02X\x01\x00\x00\x00bK\x03ub.'
print(vars(pickle.loads(dup)))
odd = b'\x80\x02c__main__\nP\nq\x00)\x81q\x01}q\x02(K\x01X\x01\x00\x00\x00xX\x01\x00\x00\x00aK\x02ub.'
print(vars(pickle.loads(odd)))
name = 'zq_' + str(12345) + '_attribute'
o = P(); setattr(o, name, 5)
back = pickle.loads(pickle.dumps([o, o], 4))
print([k for k in vars(back[0]) if sys.intern(k) is not k], back[0] is back[1])
o = pickle.loads(pickle.dumps([P(), {}, P(), {}, {}], 4))
o[1]['z'] = 1
print(o[1], o[3], vars(o[0]), vars(o[2]), o[3] is o[4], any(d is vars(x) for d in o[1::2] for x in o[0:3:2]))
"#;

const DICT_STATES_UNDER_CPYTHON: &str = "0 [('early', 0), ('a', 1), ('b', [2])] {'a': 1, 'b': [2]} ['__slots__', '__setstate__'] [] ['a', 'b']\n\
1 [('early', 0), ('a', 1), ('b', [2])] {'a': 1, 'b': [2]} ['__slots__', '__setstate__'] [] ['a', 'b']\n\
2 [('early', 0), ('a', 1), ('b', [2])] {'a': 1, 'b': [2]} ['__setstate__'] [[('a', 1), ('b', [2])]] ['__setstate__']\n\
3 [('early', 0), ('a', 1), ('b', [2])] {'a': 1, 'b': [2]} ['__setstate__'] [[('a', 1), ('b', [2])]] ['__setstate__']\n\
4 [('early', 0), ('a', 1), ('b', [2])] {'a': 1, 'b': [2]} ['__setstate__'] [[('a', 1), ('b', [2])]] ['__setstate__']\n\
5 [('early', 0), ('a', 1), ('b', [2])] {'a': 1, 'b': [2]} ['__setstate__'] [[('a', 1), ('b', [2])]] ['__setstate__']\n\
{'a': 2, 'b': 3}\n\
{1: 'x', 'a': 2}\n\
[] True\n\
{'z': 1} {} {'a': 1, 'b': [2]} {'a': 1, 'b': [2]} False False\n\
";

/// The same for a `__slots__` instance's state, written as NONE, EMPTY_DICT, SETITEMS,
/// TUPLE2, its memo opcode, BUILD (protocols 2-5; 0-1 cannot pickle such classes): as CPython
/// 3.13 prints it, with a class holding both slots and a `__dict__`, a property given a key
/// twice (its setter runs once), a slot name made at run time, memo entries after the state's
/// tuple read back, and a pickle that reads the state's tuple back.
#[test]
fn slot_states_load_into_instances_as_cpythons() {
    let out = run(SLOT_STATES);
    assert_eq!(out, SLOT_STATES_UNDER_CPYTHON);
}

const SLOT_STATES: &str = r#"import sys
class SP:
    __slots__ = ('x', 'y', 'label')
    def __init__(s, x, y, label): s.x, s.y, s.label = x, y, label
class Both:
    __slots__ = ('x', '__dict__')
    def __init__(s): s.x = 1; s.extra = 2
log = []
class Prop:
    __slots__ = ('s', '_p')
    @property
    def p(s): return s._p
    @p.setter
    def p(s, v): log.append(v); s._p = v
for proto in range(2, 6):
    a, b, c = pickle.loads(pickle.dumps([SP(1, -1, 'a'), SP(2, -2, 'b'), Both()], proto))
    print(proto, (a.x, a.y, a.label), (b.x, b.y, b.label), c.x, vars(c))
dup = b'\x80\x02c__main__\nProp\nq\x00)\x81q\x01N}q\x02(X\x01\x00\x00\x00pK\x01X\x01\x00\x00\x00pK\x02X\x01\x00\x00\x00sK\x03u\x86b.'
o = pickle.loads(dup)
print(log, o.s, o.p)
name = 'zq_' + str(9) + '_slot'
Dyn = type('Dyn', (), {'__slots__': (name,), '__module__': '__main__'})
globals()['Dyn'] = Dyn
d = Dyn(); setattr(d, name, 4)
e = pickle.loads(pickle.dumps(d, 4))
print(getattr(e, name))
for proto in range(2, 6):
    s = [7]
    r = pickle.loads(pickle.dumps([SP(1, -1, 'a'), s, SP(2, -2, 'b'), s], proto))
    print(proto, r[1] is r[3], r[1], (r[2].x, r[2].label))
data = pickle.dumps([SP(1, -1, 'a'), 0], 2)
i = data.index(b'\x86q')
kept = data[:-2] + b'h' + data[i + 2:i + 3] + data[-2:]
r = pickle.loads(kept)
print(r[1], r[2], r[0].label)
"#;

const SLOT_STATES_UNDER_CPYTHON: &str = "2 (1, -1, 'a') (2, -2, 'b') 1 {'extra': 2}\n\
3 (1, -1, 'a') (2, -2, 'b') 1 {'extra': 2}\n\
4 (1, -1, 'a') (2, -2, 'b') 1 {'extra': 2}\n\
5 (1, -1, 'a') (2, -2, 'b') 1 {'extra': 2}\n\
[2] 3 2\n\
4\n\
2 True [7] (2, 'b')\n\
3 True [7] (2, 'b')\n\
4 True [7] (2, 'b')\n\
5 True [7] (2, 'b')\n\
0 (None, {'x': 1, 'y': -1, 'label': 'a'}) a\n\
";

/// What a load remembers of a class (whether it defines `__setstate__`, whether it has
/// `__abstractmethods__`) follows the class when a load changes it: a `__setstate__` set on
/// the class or a base mid-load, then deleted; `__abstractmethods__` set before a load and
/// mid-load. As CPython 3.13 prints it.
#[test]
fn classes_changed_mid_load_are_seen_as_cpython_sees_them() {
    let out = run(CLASS_CHANGES);
    assert_eq!(out, CLASS_CHANGES_UNDER_CPYTHON);
}

const CLASS_CHANGES: &str = r#"import abc
class C:
    def __init__(s, v): s.v = v
def install():
    C.__setstate__ = lambda s, st: s.__dict__.update(st, seen=True)
    return 'installed'
def remove():
    del C.__setstate__
    return 'removed'
class Hook:
    def __init__(s, f): s.f = f
    def __reduce__(s): return (s.f, ())
for proto in range(2, 6):
    data = pickle.dumps([C(1), Hook(install), C(2), C(3), Hook(remove), C(4)], proto)
    print(proto, [vars(o) if isinstance(o, C) else o for o in pickle.loads(data)])
class Base:
    pass
def bless():
    Base.__setstate__ = lambda s, st: s.__dict__.update(st, blessed=True)
    return 'blessed'
class D(Base):
    def __init__(s, v): s.v = v
data = pickle.dumps([D(1), Hook(bless), D(2)], 4)
print([vars(o) if isinstance(o, D) else o for o in pickle.loads(data)])
del Base.__setstate__
class A(abc.ABC):
    @abc.abstractmethod
    def m(s): ...
class Impl(A):
    def m(s): return 1
i = Impl(); i.x = 1
data = pickle.dumps(i, 4)
print(vars(pickle.loads(data)))
Impl.m = None
Impl.__abstractmethods__ = frozenset({'m'})
try:
    pickle.loads(data)
except TypeError as e:
    print('TypeError', 'Impl' in str(e), 'abstract' in str(e))
del Impl.__abstractmethods__
Impl.__abstractmethods__ = frozenset()
print(vars(pickle.loads(data)))
def make_abstract():
    Impl.__abstractmethods__ = frozenset({'m'})
    return 'abstract'
data = pickle.dumps([i, Hook(make_abstract), Impl()], 4)
try:
    pickle.loads(data)
except TypeError as e:
    print('TypeError mid-load', 'Impl' in str(e))
"#;

const CLASS_CHANGES_UNDER_CPYTHON: &str = "2 [{'v': 1}, 'installed', {'v': 2, 'seen': True}, {'v': 3, 'seen': True}, 'removed', {'v': 4}]\n\
3 [{'v': 1}, 'installed', {'v': 2, 'seen': True}, {'v': 3, 'seen': True}, 'removed', {'v': 4}]\n\
4 [{'v': 1}, 'installed', {'v': 2, 'seen': True}, {'v': 3, 'seen': True}, 'removed', {'v': 4}]\n\
5 [{'v': 1}, 'installed', {'v': 2, 'seen': True}, {'v': 3, 'seen': True}, 'removed', {'v': 4}]\n\
[{'v': 1}, 'blessed', {'v': 2, 'blessed': True}]\n\
{'x': 1}\n\
TypeError True True\n\
{'x': 1}\n\
TypeError mid-load True\n\
";

/// Protocols 0-2's sets, calls of `set` or `frozenset` on a list (made without the call where
/// the items hash natively): the types, the items, memo sharing, the `__hash__` calls of
/// items that have one, and the error for an unhashable item, as CPython 3.13 prints them
/// but for that error's text, which is 3.14's.
#[test]
fn sets_written_as_calls_load_as_the_calls_would() {
    let out = run(SET_CALLS);
    assert_eq!(out, SET_CALLS_UNDER_CPYTHON);
}

const SET_CALLS: &str = r#"class H:
    order = []
    def __init__(s, v): s.v = v
    def __hash__(s): H.order.append(s.v); return hash(s.v)
    def __eq__(s, o): return isinstance(o, H) and s.v == o.v
    def __repr__(s): return f'H({s.v})'
class S(set): pass
class F(frozenset): pass
for proto in (0, 1, 2):
    data = [set(range(5)), frozenset({'a', 'b', 1.5, None, True, b'x'}), frozenset(range(3)), S({1, 2}), F({3}),
            {(1, 2), (3, 4)}, set(), frozenset({-7, 2**70})]
    back = pickle.loads(pickle.dumps(data, proto))
    print(proto, back == data, [type(x).__name__ for x in back], sorted(back[0]), sorted(map(str, back[1])))
    shared = frozenset({1, 2})
    back = pickle.loads(pickle.dumps([shared, shared], proto))
    print(back[0] is back[1], back[0])
    H.order.clear()
    back = pickle.loads(pickle.dumps({H(3), H(1), H(2)}, proto))
    print(sorted(h.v for h in back), len(H.order))
    for bad in (b'\x80\x02c__builtin__\nfrozenset\n]]a\x85R.', b'\x80\x02c__builtin__\nset\n]K\x01a]a\x86R.'):
        try:
            print(pickle.loads(bad))
        except Exception as e:
            print(type(e).__name__, e)
"#;

const SET_CALLS_UNDER_CPYTHON: &str = "0 True ['set', 'frozenset', 'frozenset', 'S', 'F', 'set', 'set', 'frozenset'] [0, 1, 2, 3, 4] ['1.5', 'None', 'True', 'a', 'b', \"b'x'\"]\n\
True frozenset({1, 2})\n\
[1, 2, 3] 6\n\
TypeError cannot use 'list' as a set element (unhashable type: 'list')\n\
UnpicklingError unpickling stack underflow\n\
1 True ['set', 'frozenset', 'frozenset', 'S', 'F', 'set', 'set', 'frozenset'] [0, 1, 2, 3, 4] ['1.5', 'None', 'True', 'a', 'b', \"b'x'\"]\n\
True frozenset({1, 2})\n\
[1, 2, 3] 6\n\
TypeError cannot use 'list' as a set element (unhashable type: 'list')\n\
UnpicklingError unpickling stack underflow\n\
2 True ['set', 'frozenset', 'frozenset', 'S', 'F', 'set', 'set', 'frozenset'] [0, 1, 2, 3, 4] ['1.5', 'None', 'True', 'a', 'b', \"b'x'\"]\n\
True frozenset({1, 2})\n\
[1, 2, 3] 6\n\
TypeError cannot use 'list' as a set element (unhashable type: 'list')\n\
UnpicklingError unpickling stack underflow\n\
";
