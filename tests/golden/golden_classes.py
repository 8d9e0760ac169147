"""Classes for the class-based golden cases; imported by both CPython (generate.py) and brine
(check.py) under this same module name, so pickles name them identically."""

import collections
import copyreg
import dataclasses
import enum


class Plain:
    def __init__(self, a, b):
        self.a = a
        self.b = b


class Empty:
    """No instance attributes: the state is None and no BUILD is written."""


class WithClassAttr:
    kind = 'class level'


class Slotted:
    __slots__ = ('x', 'y')

    def __init__(self, x, y=None):
        self.x = x
        if y is not None:
            self.y = y


class SlottedAndDict(Slotted):
    """A subclass without __slots__: instances have both a __dict__ and slots."""


class WideSlotted:
    """1,500 slots: a slot state of more than 1,000 pairs is written in batches."""
    __slots__ = tuple(f's{i}' for i in range(1500))

    def __init__(self, count, skip=None):
        for i in range(count):
            if i != skip:
                setattr(self, f's{i}', i)


class MangledSlots:
    __slots__ = ('__hidden', 'shown')

    def __init__(self):
        self.__hidden = 1
        self.shown = 2


class GetSetState:
    def __init__(self, value):
        self.value = value
        self.cache = 'not pickled'

    def __getstate__(self):
        return {'value': self.value}

    def __setstate__(self, state):
        self.value = state['value']
        self.cache = 'rebuilt'


class FalsyState:
    def __init__(self):
        self.x = 1

    def __getstate__(self):
        return 0

    def __setstate__(self, state):
        self.x = 'restored'


class NewArgs:
    def __new__(cls, a, b):
        self = super().__new__(cls)
        self.a, self.b = a, b
        return self

    def __getnewargs__(self):
        return (self.a, self.b)


class NewArgsEx:
    def __new__(cls, a, *, b):
        self = super().__new__(cls)
        self.a, self.b = a, b
        return self

    def __getnewargs_ex__(self):
        return (self.a,), {'b': self.b}


class ReduceTwo:
    def __init__(self, n):
        self.n = n

    def __reduce__(self):
        return (ReduceTwo, (self.n,))


class ReduceFull:
    """A 6-tuple reduce: state, list items, dict items and a state setter."""

    def __init__(self):
        self.items = []
        self.mapping = {}
        self.state = None

    def append(self, item):
        self.items.append(item)

    def extend(self, items):
        self.items.extend(items)

    def __setitem__(self, key, value):
        self.mapping[key] = value

    def __reduce__(self):
        return (ReduceFull, (), self.state, iter(self.items), iter(self.mapping.items()), set_full_state)


def set_full_state(obj, state):
    obj.state = state


class ReduceExPreferred:
    def __reduce_ex__(self, protocol):
        return (ReduceExPreferred, (), {'protocol_seen': protocol})

    def __reduce__(self):
        raise AssertionError('__reduce_ex__ must be preferred')


SINGLETON_NAME = 'THE_SINGLETON'


class Singleton:
    def __reduce__(self):
        return SINGLETON_NAME


THE_SINGLETON = Singleton()


class Registered:
    """Pickled through copyreg.pickle(), i.e. copyreg.dispatch_table."""

    def __init__(self, v):
        self.v = v


def reduce_registered(obj):
    return (Registered, (obj.v * 10,))


copyreg.pickle(Registered, reduce_registered)


class Outer:
    class Inner:
        def __init__(self, v):
            self.v = v


class MyList(list):
    pass


class MyListAttr(list):
    def __init__(self, *args):
        super().__init__(*args)
        self.note = 'list attr'


class MyDict(dict):
    pass


class MyDictAttr(dict):
    def __init__(self, *args):
        super().__init__(*args)
        self.note = 'dict attr'


class MyTuple(tuple):
    pass


class MyStr(str):
    pass


class MyInt(int):
    pass


class MyBytes(bytes):
    pass


class MySet(set):
    pass


Pair = collections.namedtuple('Pair', 'left right')


@dataclasses.dataclass
class Record:
    name: str
    score: float
    tags: list


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Flags(enum.IntFlag):
    READ = 1
    WRITE = 2
