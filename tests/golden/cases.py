"""Object graphs for the golden corpus, built identically under CPython and brine.

Every case is a zero-argument function returning a fresh graph. Identity is always explicit:
a value that appears twice is the same object because the builder reused it, never because an
interpreter happened to intern it. Strings and bytes of two or more characters are made with
`fresh`/`fresh_bytes` (new objects in both interpreters); empty and one-character values, which
CPython turns into shared singletons, appear at most once per graph unless shared on purpose.
Sets hold small non-negative integers inserted in ascending order: CPython then iterates them
in that same order, as RustPython's insertion-ordered sets do.

`DIFFERS_FROM_CPYTHON_311` names the cases whose bytes follow CPython 3.14 (the contract) rather
than 3.11 (the CPython that generated the corpus), with the reason; for those, the VM's own
pure-Python 3.14 pickler is the reference.

`PURE_PYTHON_DIFFERS` names the cases where the C pickler's batching differs from pure-Python
`pickle._Pickler`; for those the second oracle is not expected to agree.
"""

import collections
import datetime
import decimal
import functools
import random

CASES = {}


def case(name):
    def register(build):
        assert name not in CASES, name
        CASES[name] = build
        return build
    return register


def add(name, build):
    assert name not in CASES, name
    CASES[name] = build


def fresh(text):
    """A new str object equal to `text`, not a shared constant."""
    return ''.join(list(text))


def fresh_bytes(data):
    """A new bytes object equal to `data`."""
    return bytes(bytearray(data))


# Integers: both sides of every opcode width boundary, and far beyond.
INT_VALUES = {
    'zero': 0, 'one': 1, 'minus_one': -1, 'u8_max': 255, 'u8_over': 256, 'u16_max': 65535,
    'u16_over': 65536, 'i32_max': 2**31 - 1, 'i32_over': 2**31, 'i32_min': -2**31,
    'i32_under': -2**31 - 1, 'u32_max': 2**32 - 1, 'u32_over': 2**32, 'i64_max': 2**63 - 1,
    'i64_over': 2**63, 'i64_min': -2**63, 'i64_under': -2**63 - 1, 'u64_over': 2**64,
    'minus_128': -128, 'minus_129': -129, 'pow2_39_neg': -2**39, 'pow2_40': 2**40,
    'long1_max': 2**(8 * 255 - 1) - 1, 'long4_min': 2**(8 * 255 - 1),
    'long1_min_neg': -2**(8 * 255 - 1), 'long4_neg': -2**(8 * 255 - 1) - 1,
    'huge': 7**5000, 'huge_neg': -(3**9000), 'big_mixed': 0x1234567890ABCDEF1234567890ABCDEF,
}
for label, value in INT_VALUES.items():
    add(f'int_{label}', lambda value=value: value)
for bits in (7, 8, 15, 16, 23, 24, 31, 32, 47, 48, 63, 64, 65, 127, 128, 129, 1000, 2040, 2041):
    add(f'int_pow2_{bits}_minus1', lambda bits=bits: 2**bits - 1)
    add(f'int_neg_pow2_{bits}', lambda bits=bits: -2**bits)

FLOAT_VALUES = {
    'zero': 0.0, 'neg_zero': -0.0, 'one': 1.0, 'tenth': 0.1, 'third': 1 / 3, 'big': 1e16,
    'just_under_big': 1e15, 'small': 1.5e-5, 'pos_inf': float('inf'), 'neg_inf': float('-inf'),
    'nan': float('nan'), 'max': 1.7976931348623157e308, 'min_normal': 2.2250738585072014e-308,
    'subnormal': 5e-324, 'subnormal_big': 2.225073858507201e-308, 'neg_pi': -3.141592653589793,
    'int_like': 123456789.0, 'exp_edge': 0.0001, 'exp_edge_under': 0.00001, 'e22': 1e22,
}
for label, value in FLOAT_VALUES.items():
    add(f'float_{label}', lambda value=value: value)

add('none', lambda: None)
add('true', lambda: True)
add('false', lambda: False)
add('bools_and_none', lambda: [True, False, None, True])


# Strings: empty, one char, around the opcode length boundaries, non-ASCII and surrogates.
def text_of(length, unit='ab'):
    return fresh((unit * (length // len(unit) + 1))[:length])


add('str_empty', lambda: '')
add('str_one', lambda: 'q')
for length in (2, 254, 255, 256, 257, 1000, 65535, 65536, 65537, 100000):
    add(f'str_len_{length}', lambda length=length: text_of(length))
STR_VALUES = {
    'latin1': 'caf\xe9 na\xefve', 'bmp': 'euro \u20ac and \u4e2d\u6587', 'astral': 'smile \U0001f600!',
    'controls': 'tab\tnl\ncr\rnul\x00sub\x1a', 'backslash': 'back\\slash \\u0041',
    'lone_high': 'a\ud800b', 'lone_low': 'a\udfffb', 'quote_mix': 'it\'s "quoted"',
    'all_latin1': ''.join(chr(i) for i in range(256)), 'newline_only_pair': '\n\n',
    'del_and_high': '\x7f\x80\xff', 'nbsp': 'a\xa0b', 'long_unicode': '\u0416' * 300,
    'long_astral': '\U00010348' * 70, 'mixed_scripts': 'abc\u03b1\u05d0\u0915\U0001d11e',
}
for label, value in STR_VALUES.items():
    add(f'str_{label}', lambda value=value: fresh(value))

add('bytes_empty', lambda: b'')
add('bytes_one', lambda: b'z')
for length in (2, 255, 256, 257, 65535, 65536, 65537, 100000):
    add(f'bytes_len_{length}', lambda length=length: fresh_bytes(bytes(range(256)) * (length // 256) + bytes(range(length % 256))))
add('bytes_all_values', lambda: fresh_bytes(bytes(range(256))))
add('bytes_high', lambda: fresh_bytes(b'\x80\xff\xfe'))
add('bytes_newlines', lambda: fresh_bytes(b'a\nb\r\n'))
add('bytes_nul', lambda: fresh_bytes(b'\x00\x00\x00'))
# Binary data as it really is: every byte value, in no order (at protocols 0-2, text that is
# half non-ASCII, with the escaped five scattered through it at protocol 0).
for length in (31, 32, 33, 4097, 100000):
    add(f'bytes_random_{length}', lambda length=length: random.Random(length).randbytes(length))
add('bytes_escaped_only', lambda: fresh_bytes(b'\\\n\r\x00\x1a' * 40 + b'\\u0041\\\\u0042'))
add('bytearray_empty', lambda: bytearray())
add('bytearray_small', lambda: bytearray(b'hello'))
add('bytearray_one', lambda: bytearray(b'x'))
add('bytearray_256', lambda: bytearray(range(256)))
add('bytearray_big', lambda: bytearray(b'\x01\x02') * 40000)


# Tuples of every small length, nested, shared and recursive through a list.
for length in range(0, 8):
    add(f'tuple_len_{length}', lambda length=length: tuple(range(10, 10 + length)))
add('tuple_nested', lambda: ((1, 2), (3, (4, (5,)))))
add('tuple_of_empty', lambda: ((), ((),), [()]))
add('tuple_long', lambda: tuple(range(2500)))


@case('tuple_shared_element')
def _():
    inner = (fresh('ab'), 2)
    return (inner, inner, [inner])


@case('tuple_recursive_via_list')
def _():
    lst = []
    t = (lst, 1)
    lst.append(t)
    return t


@case('tuple_recursive_via_list_len4')
def _():
    lst = []
    t = (lst, 1, 2, 3)
    lst.append(t)
    return t


@case('tuple_recursive_via_dict')
def _():
    d = {}
    t = (1, d)
    d[1] = t
    return [t, d]


@case('tuple_recursive_len1')
def _():
    lst = []
    t = (lst,)
    lst.append(t)
    return t


# Lists and dicts around the batch size of 1000.
for length in (0, 1, 2, 3, 999, 1000, 1001, 1999, 2000, 2001, 3500):
    add(f'list_len_{length}', lambda length=length: list(range(length)))
    add(f'dict_len_{length}', lambda length=length: {i: -i for i in range(length)})
add('list_nested', lambda: [[1, [2, [3, [4]]]], []])
add('list_of_strs', lambda: [fresh(f'item{i}') for i in range(50)])
add('dict_str_keys', lambda: {fresh(f'key{i}'): i for i in range(30)})
add('dict_mixed_keys', lambda: {1: fresh('one'), 2.5: None, (1, 2): fresh('tup'), fresh('s'): [1], None: 0, True: 1})
add('dict_nested', lambda: {fresh('a'): {fresh('b'): {fresh('c'): []}}})
add('dict_of_lists', lambda: {i: list(range(i)) for i in range(12)})


@case('list_self')
def _():
    lst = [1]
    lst.append(lst)
    return lst


@case('list_shared_twice')
def _():
    inner = [fresh('xy')]
    return [inner, inner, inner]


@case('dict_self')
def _():
    d = {fresh('k'): 1}
    d[fresh('me')] = d
    return d


@case('dict_shared_values')
def _():
    v = [1, 2]
    return {1: v, 2: v, 3: (v,)}


@case('mutual_lists')
def _():
    a, b = [], []
    a.append(b)
    b.append(a)
    return [a, b]


@case('shared_str_many')
def _():
    s = fresh('shared')
    return [s, s, (s, s), {s: s}]


@case('shared_bytes_many')
def _():
    b = fresh_bytes(b'shared')
    return [b, b, (b, b)]


@case('shared_bytes_random')
def _():
    # The text and arguments' tuple of each `_codecs.encode` take memo indices at protocols
    # 0-2 before the bytes object does: the indices after them must match.
    b = random.Random(5).randbytes(300)
    return [b, fresh_bytes(b'\xff\x80' * 200), b, (b, fresh('after'))]


@case('shared_empty_str')
def _():
    return ['', ('', ''), {'': ''}]


@case('shared_float_and_int')
def _():
    f = 1.5
    big = 2**70
    return [f, f, big, big]


@case('deep_nesting_200')
def _():
    x = []
    for _ in range(200):
        x = [x]
    return x


@case('deep_dict_nesting_100')
def _():
    x = {}
    for i in range(100):
        x = {i: x}
    return x


# Sets and frozensets (see the module docstring for why their elements are small ints).
for length in (0, 1, 2, 5, 999, 1000, 1001, 2000, 2500):
    add(f'set_len_{length}', lambda length=length: set(range(length)))
    add(f'frozenset_len_{length}', lambda length=length: frozenset(range(length)))
add('set_in_list', lambda: [set(range(3)), frozenset(range(4))])


@case('frozenset_shared')
def _():
    fs = frozenset(range(3))
    return [fs, fs, {1: fs}]


@case('set_of_frozenset_member_shared')
def _():
    t = (1, 2)
    return [t, frozenset(range(2)), t]


# Data crossing the 64 KiB frame size.
add('frames_many_small_strs', lambda: [fresh(f'string number {i}') for i in range(5000)])
add('frames_many_ints', lambda: list(range(100000, 118000)))
add('frames_mixed_large', lambda: [fresh_bytes(b'x' * 70000), fresh('tail'), fresh_bytes(b'y' * 10), text_of(70000)])
add('frames_big_then_small', lambda: [text_of(65536), 1, text_of(65535), 2])
add('frames_dict_of_bytes', lambda: {i: fresh_bytes(bytes([i % 256]) * 3000) for i in range(40)})
add('frames_exact_target', lambda: [fresh_bytes(b'a' * 65533), 5])
add('frames_nested_big', lambda: [[text_of(30000), [text_of(40000)]], text_of(3)])
add('frames_floats', lambda: [i / 7 for i in range(10000)])


# Built-in singletons, types and functions by name, and the generic reduce path.
BUILTINS = {
    'range': lambda: range(3, 30, 4), 'range_empty': lambda: range(0), 'range_big': lambda: range(2**70),
    'slice': lambda: slice(1, 10, 2), 'slice_none': lambda: slice(None), 'complex': lambda: complex(1.5, -2),
    'complex_zero': lambda: complex(0, 0), 'not_implemented': lambda: NotImplemented, 'ellipsis': lambda: ...,
    'type_none': lambda: type(None), 'type_not_implemented': lambda: type(NotImplemented),
    'type_ellipsis': lambda: type(...), 'type_int': lambda: int, 'type_str': lambda: str,
    'type_bytes': lambda: bytes, 'type_list': lambda: list, 'type_dict': lambda: dict,
    'type_object': lambda: object, 'type_type': lambda: type, 'type_exception': lambda: ValueError,
    'builtin_len': lambda: len, 'builtin_getattr': lambda: getattr, 'builtin_print': lambda: print,
    'class_ordered_dict': lambda: collections.OrderedDict, 'class_date': lambda: datetime.date,
    'function_reduce': lambda: functools.reduce, 'types_list': lambda: [int, str, int, len, len],
}
for label, build in BUILTINS.items():
    add(f'builtin_{label}', build)

OBJECTS = {
    'date': lambda: datetime.date(2024, 2, 29), 'time': lambda: datetime.time(12, 30, 15, 500),
    'datetime': lambda: datetime.datetime(1999, 12, 31, 23, 59, 59, 999999),
    'timedelta': lambda: datetime.timedelta(days=3, seconds=7, microseconds=11),
    'datetime_utc': lambda: datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
    'decimal': lambda: decimal.Decimal('3.14159'), 'decimal_neg': lambda: decimal.Decimal('-1e-30'),
    'decimal_nan': lambda: decimal.Decimal('NaN'), 'ordered_dict': lambda: collections.OrderedDict([(1, 2), (3, 4)]),
    'ordered_dict_empty': lambda: collections.OrderedDict(), 'deque': lambda: collections.deque([1, 2, 3]),
    'deque_maxlen': lambda: collections.deque([1, 2], maxlen=5), 'counter': lambda: collections.Counter({fresh('ab'): 2}),
    'default_dict': lambda: collections.defaultdict(list, {1: [2]}), 'partial': lambda: functools.partial(max, 1),
}
for label, build in OBJECTS.items():
    add(f'object_{label}', build)


@case('object_shared_dates')
def _():
    d = datetime.date(2001, 1, 1)
    return [d, d, datetime.date(2001, 1, 1)]


@case('object_deque_self')
def _():
    q = collections.deque([1])
    q.append(q)
    return q


# Mixed realistic records.
@case('records_mixed')
def _():
    return [{fresh('id'): i, fresh('name'): fresh(f'user{i}'), fresh('score'): i * 1.25,
             fresh('tags'): [fresh('red'), fresh('blue')], fresh('active'): i % 2 == 0, fresh('parent'): None}
            for i in range(60)]


@case('records_shared_keys')
def _():
    keys = [fresh('alpha'), fresh('beta'), fresh('gamma')]
    return [dict(zip(keys, (i, -i, str(i) * 2))) for i in range(100)]


@case('nested_everything')
def _():
    shared = [fresh('shared list')]
    return {fresh('tuple'): (1, 2.5, shared), fresh('list'): [shared, {fresh('inner'): shared}],
            fresh('set'): set(range(4)), fresh('frozen'): frozenset(range(2)), fresh('bytes'): fresh_bytes(b'raw'),
            fresh('bytearray'): bytearray(b'mutable'), fresh('big'): 2**100, fresh('neg'): -(2**65)}


for n in range(1, 21):
    add(f'int_list_varied_{n}', lambda n=n: [n * k * 1009 - 500 for k in range(n * 7)])
for n in range(1, 11):
    add(f'str_dict_varied_{n}', lambda n=n: {fresh(f'k{n}_{j}'): fresh('v' * (n + j + 2)) for j in range(n * 3)})
for n in range(1, 11):
    add(f'tuple_tree_{n}', lambda n=n: functools.reduce(lambda acc, k: (acc, k, (k,)), range(n), ()))

# Functions saved by a nested qualified name. Below protocol 4, CPython 3.14 writes
# getattr(getattr(<top-level GLOBAL>, ...)) without memoising the top level; 3.11 saved the
# parent object itself (memoised) and applied getattr once.
add('nested_name_counter_method', lambda: collections.Counter.most_common)
add('nested_name_twice', lambda: [collections.Counter.most_common, collections.Counter.elements, collections.Counter])


def _more_cases():
    for n in range(1, 41):
        add(f'mixed_list_{n}', lambda n=n: [k if k % 3 else fresh(f'm{k}') if k % 2 else k / 3 for k in range(n * 5)])
    for n in range(1, 21):
        add(f'float_list_{n}', lambda n=n: [(-1) ** k * k / (n + 0.5) for k in range(n * 4)])
    for n in range(1, 21):
        add(f'unicode_len_{n * 13}', lambda n=n: fresh(('\u00e9\u4e2d\U0001f40d' * n)[: n * 13 // 2 + 2]))
    for n in range(1, 21):
        add(f'bytes_len_varied_{n * 17}', lambda n=n: fresh_bytes(bytes((k * 7) % 256 for k in range(n * 17))))
    for n in range(3, 13):
        add(f'set_varied_{n * 11}', lambda n=n: set(range(n * 11)))
    for n in range(1, 21):
        add(f'nested_combo_{n}', lambda n=n: {k: (fresh(f'v{k}'), [k, (k, k + 1)], {fresh(f'n{k}'): k}) for k in range(n)})


_more_cases()

# Class-based graphs: the object protocols (golden_classes.py).
def _class_cases():
    import golden_classes as g

    class_cases = {
        'plain': lambda: g.Plain(1, fresh('two')),
        'plain_nested_values': lambda: g.Plain([1, 2], {fresh('k'): (3, 4)}),
        'empty_instance': lambda: g.Empty(),
        'class_attr_only': lambda: g.WithClassAttr(),
        'slotted_full': lambda: g.Slotted(1, 2),
        'slotted_partial': lambda: g.Slotted(1),
        'slotted_and_dict': lambda: _with_attr(g.SlottedAndDict(1, 2), 'extra', 3),
        'mangled_slots': lambda: g.MangledSlots(),
        'getstate_setstate': lambda: g.GetSetState(41),
        'falsy_state': lambda: g.FalsyState(),
        'getnewargs': lambda: g.NewArgs(1, fresh('bee')),
        'getnewargs_ex': lambda: g.NewArgsEx(1, b=2),
        'reduce_two': lambda: g.ReduceTwo(7),
        'reduce_full': lambda: _full(g),
        'reduce_ex_preferred': lambda: g.ReduceExPreferred(),
        'reduce_string': lambda: g.THE_SINGLETON,
        'copyreg_registered': lambda: g.Registered(4),
        'nested_class_instance': lambda: g.Outer.Inner(5),
        'nested_class_itself': lambda: g.Outer.Inner,
        'list_subclass': lambda: g.MyList([1, 2, 3]),
        'list_subclass_attr': lambda: g.MyListAttr([1, 2]),
        'list_subclass_1001': lambda: g.MyList(range(1001)),
        'dict_subclass': lambda: g.MyDict({1: 2}),
        'dict_subclass_attr': lambda: g.MyDictAttr({fresh('k'): 1}),
        'tuple_subclass': lambda: g.MyTuple((1, 2)),
        'str_subclass': lambda: g.MyStr(fresh('text')),
        'int_subclass': lambda: g.MyInt(12345),
        'bytes_subclass': lambda: g.MyBytes(fresh_bytes(b'raw bytes')),
        'set_subclass': lambda: g.MySet(range(3)),
        'tuple_subclass_attr': lambda: _with_attr(g.MyTuple((1, 2)), 'note', fresh('tuple attr')),
        'str_subclass_attr': lambda: _with_attr(g.MyStr(fresh('text')), 'note', 7),
        'int_subclass_attr': lambda: _with_attr(g.MyInt(2**70), 'note', [1]),
        'bytes_subclass_attr': lambda: _with_attr(g.MyBytes(fresh_bytes(b'raw bytes')), 'note', 1.5),
        'set_subclass_attr': lambda: _with_attr(g.MySet(range(3)), 'note', fresh('set attr')),
        'namedtuple': lambda: g.Pair(1, fresh('right')),
        'dataclass': lambda: g.Record(fresh('rec'), 2.5, [fresh('t1')]),
        'enum_member': lambda: g.Color.GREEN,
        'enum_members_shared': lambda: [g.Color.RED, g.Color.RED, g.Color.GREEN],
        'int_flag': lambda: g.Flags.READ,
        'instances_shared': lambda: _shared_instances(g),
        'instance_cycle': lambda: _cycle(g),
        'many_instances': lambda: [g.Plain(i, -i) for i in range(300)],
        'many_slotted': lambda: [g.Slotted(i, i + 1) for i in range(300)],
        'slotted_sharing': lambda: _slotted_sharing(g),
        'wide_slotted': lambda: g.WideSlotted(1500, skip=7),
        'wide_slotted_1000': lambda: g.WideSlotted(1000),
    }
    for label, build in class_cases.items():
        add(f'class_{label}', build)


def _with_attr(obj, name, value):
    setattr(obj, name, value)
    return obj


def _full(g):
    obj = g.ReduceFull()
    obj.items.extend([1, fresh('two')])
    obj.mapping[fresh('key')] = 3
    obj.state = fresh('state')
    return obj


def _shared_instances(g):
    p = g.Plain(1, 2)
    return [p, p, {fresh('again'): p}]


def _slotted_sharing(g):
    shared = [fresh('value')]
    a = g.Slotted(shared, shared)
    b = g.Slotted(a)
    b.y = b
    return [a, b, shared]


def _cycle(g):
    p = g.Plain(None, None)
    p.a = p
    p.b = [p]
    return p


_class_cases()

ALL_PROTOCOLS = {0, 1, 2, 3, 4, 5}
BELOW_4 = {0, 1, 2, 3}
# Cases whose objects change on a round trip by design; loads compares them with the VM's
# pure-Python unpickler only.
ROUND_TRIP_CHANGES = {
    'class_getstate_setstate': '__setstate__ rebuilds the cache attribute',
    'class_falsy_state': 'a falsy __getstate__ writes no BUILD, so __setstate__ never runs',
    'class_reduce_ex_preferred': 'the state records the protocol __reduce_ex__ was called with',
    'class_copyreg_registered': 'the registered reducer scales the value',
}
NESTED_NAMES = ("CPython 3.14 writes nested names below protocol 4 as getattr chains from the top-level "
                "GLOBAL, unmemoised; 3.11 memoised the parent")
DIFFERS_FROM_CPYTHON_311 = {
    'nested_name_counter_method': (BELOW_4, NESTED_NAMES),
    'nested_name_twice': (BELOW_4, NESTED_NAMES),
    'class_nested_class_instance': (BELOW_4, NESTED_NAMES),
    'class_nested_class_itself': (BELOW_4, NESTED_NAMES),
    # Protocols 2-3 write functools.partial(NewArgsEx.__new__, ...), a nested name.
    'class_getnewargs_ex': ({2, 3}, NESTED_NAMES),
}

LIST_BATCH = "C's exact-list path gives a lone last item its own MARK..APPENDS; pickle.py writes APPEND"
DICT_BATCH_END = "C's exact-dict loop ends a 1000*k-pair dict with an empty MARK SETITEMS; pickle.py does not"
DICT_BATCH = "C's exact-dict path gives a lone last pair MARK..SETITEMS; pickle.py writes SETITEM"
SET_BATCH_END = "C's set loop ends a 1000*k-item set with an empty MARK ADDITEMS; pickle.py does not"
SET_AS_LIST = "below protocol 4 a set reduces to set(list), and that exact list is batched the C way"
NAME_IDENTITY = ("RustPython builds a builtin type's __module__ anew on each access, so the VM's pickle.py "
                 "misses the memo hits CPython's interned 'builtins' gives; _pickle models CPython's identities")

RUSTPYTHON_REDUCERS = ("RustPython's own reducers for bytes and set subclasses differ from CPython's, and the "
                       "VM's pickle.py calls them; _pickle computes CPython's object.__reduce_ex__ natively")

PURE_PYTHON_DIFFERS = {
    'class_bytes_subclass': (ALL_PROTOCOLS, RUSTPYTHON_REDUCERS),
    'class_set_subclass': (ALL_PROTOCOLS, RUSTPYTHON_REDUCERS),
    'class_bytes_subclass_attr': (ALL_PROTOCOLS, RUSTPYTHON_REDUCERS),
    'class_list_subclass_1001': ({1}, LIST_BATCH),
    'list_len_1001': ({1, 2, 3, 4, 5}, LIST_BATCH),
    'list_len_2001': ({1, 2, 3, 4, 5}, LIST_BATCH),
    'dict_len_1000': ({1, 2, 3, 4, 5}, DICT_BATCH_END),
    'dict_len_2000': ({1, 2, 3, 4, 5}, DICT_BATCH_END),
    'class_wide_slotted_1000': ({2, 3, 4, 5}, DICT_BATCH_END),
    'dict_len_1001': ({1, 2, 3, 4, 5}, DICT_BATCH),
    'dict_len_2001': ({1, 2, 3, 4, 5}, DICT_BATCH),
    'set_len_1000': ({4, 5}, SET_BATCH_END),
    'set_len_2000': ({4, 5}, SET_BATCH_END),
    'set_len_1001': ({1, 2, 3}, SET_AS_LIST),
    'frozenset_len_1001': ({1, 2, 3}, SET_AS_LIST),
    'builtin_type_not_implemented': ({4, 5}, NAME_IDENTITY),
    'builtin_type_ellipsis': ({4, 5}, NAME_IDENTITY),
    'builtin_types_list': ({4, 5}, NAME_IDENTITY),
}
