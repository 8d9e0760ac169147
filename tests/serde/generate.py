"""Writes the golden files pickle-core's serde tests compare against (pickle-core/tests/serde.rs).

    python3 tests/serde/generate.py

Each case is the Python value equivalent to a Rust value of the test, pickled by CPython's
C pickler at every protocol 0-5 into tests/serde/<case>_p<N>.pickle. "Equivalent" includes
object identity, on which the pickler's memo depends: like a Rust value's, every string,
tuple, list and dict is a fresh object (fresh() below), except what Python shares anyway -
dict keys and enum variant names written as literals (interned identifiers), and the
one-object strings and bytes (empty, one character below U+0100, one byte).
"""

import math
import os
import pickle
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def fresh(text):
    """A new str object equal to `text` (the shared one for one-object strings)."""
    return text.encode('utf-8').decode('utf-8')


def records(count):
    """The Rust test's `records(count)`: bench/workloads.py's shape, scores exact in binary."""
    return [{'id': i, 'name': f'user{i}', 'score': i / 4, 'active': i % 3 == 0,
             'tags': [fresh('a' + str(i % 7)), fresh('b' + str(i % 11))], 'parent': None,
             'ratio': (i, i + 1)} for i in range(count)]


def scalars():
    return {'flag': True, 'small': -5, 'byte': 255, 'word': 65535, 'int32': -2**31,
            'int64': -2**63, 'uint64': 2**64 - 1, 'int128': -2**127, 'uint128': 2**128 - 1,
            'big': -(2**200) + 1, 'half': 1.5, 'single': float.fromhex('0x1.99999ap-4'),
            'nan': math.nan, 'inf': math.inf, 'ninf': -math.inf, 'negzero': -0.0,
            'letter': 'é', 'snowman': '☃', 'empty': '', 'text': fresh('héllo wörld ☃ 𝄞'),
            'none': None, 'some': 3, 'unit': None}


def data_bytes():
    return {'data': bytes([0, 255, 97, 98, 99]), 'empty': b'', 'one': bytes([120]),
            'again': bytes([120]), 'ints': [1, 2, 3], 'big': bytes(range(256)) * 2}


def enums():
    return ['Unit', {'Newtype': 5}, {'Tuple': (1, fresh('ab'))}, {'Struct': {'x': 1, 'y': 2}},
            'Unit', {'Newtype': -1}]


def collections_case():
    return {'one_item': [fresh('only')], 'thousand': list(range(1000)),
            'two_thousand_one': list(range(2001)), 'empty_list': [], 'empty_tuple': (),
            'single': (7,), 'triple': (1, 2, 3), 'quad': (1, 2, 3, 4),
            'nested': ([1, [2, [3]]], (fresh('x'), ())),
            'int_keys': {1: fresh('one'), 2: fresh('two')},
            'tuple_keys': {(1, 2): fresh('pair'), (3, 4): fresh('other')},
            'one_entry': {fresh('k'): 1},
            'thousand_entries': {i: i for i in range(1000)}}


def instances():
    return {'point': point(1, 2), 'points': [point(i, -i) for i in range(3)], 'empty': empty()}


class Point:
    pass


class Empty:
    pass


def point(x, y):
    p = Point.__new__(Point)
    p.x = x
    p.y = y
    return p


def empty():
    return Empty.__new__(Empty)


def register_classes():
    """Point and Empty as `geometry.Point` and `geometry.Empty`, where pickle looks them up."""
    module = types.ModuleType('geometry')
    for cls in (Point, Empty):
        cls.__module__ = 'geometry'
        setattr(module, cls.__name__, cls)
    sys.modules['geometry'] = module


class Stored:
    """Stands for an object kept outside the pickle; the pickle holds its id."""

    def __init__(self, pid):
        self.pid = pid


class PidPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, Stored) else None


def persistent(protocol):
    if protocol == 0:
        return (Stored(fresh('storage0')), 5)
    return (Stored((fresh('storage'), 0)), 5)


CASES = {
    'records': lambda proto: records(1200),
    'scalars': lambda proto: scalars(),
    'bytes': lambda proto: data_bytes(),
    'enums': lambda proto: enums(),
    'collections': lambda proto: collections_case(),
    'instances': lambda proto: instances(),
    'persistent': persistent,
}


def main():
    register_classes()
    for name, make in CASES.items():
        for proto in range(6):
            path = os.path.join(HERE, f'{name}_p{proto}.pickle')
            with open(path, 'wb') as f:
                PidPickler(f, proto).dump(make(proto))


if __name__ == '__main__':
    main()
