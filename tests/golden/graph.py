"""Structural comparison of two object graphs, including which parts are shared."""

import collections
import decimal
import functools
import math
import types

ATOMS = (type(None), bool, int, complex, range, slice, type(NotImplemented), type(...))
BY_IDENTITY = (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
SEQUENCES = (list, tuple, collections.deque)
MAPPINGS = (dict,)


def _same_float(x, y):
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1, x) == math.copysign(1, y)


def _children(x, y):
    """Pairs to compare next, or a string saying why x and y already differ."""
    if isinstance(x, SEQUENCES):
        if len(x) != len(y):
            return f'lengths {len(x)} and {len(y)}'
        return list(zip(x, y))
    if isinstance(x, MAPPINGS):
        if len(x) != len(y):
            return f'sizes {len(x)} and {len(y)}'
        pairs = []
        for (kx, vx), (ky, vy) in zip(x.items(), y.items()):
            pairs += [(kx, ky), (vx, vy)]
        return pairs
    if isinstance(x, (set, frozenset)):
        if sorted(x) != sorted(y):
            return f'elements {sorted(x)!r} and {sorted(y)!r}'
        return []
    if isinstance(x, decimal.Decimal):
        return None if x.compare_total(y) == 0 else f'{x!r} != {y!r}'
    if isinstance(x, functools.partial):
        return [(x.func, y.func), (x.args, y.args), (x.keywords, y.keywords)]
    if x == y:
        return None
    return _instance_children(x, y)


def _slot_values(obj):
    names = [n for cls in type(obj).__mro__ for n in cls.__dict__.get('__slots__', ())
             if n not in ('__dict__', '__weakref__')]
    return [getattr(obj, n, '<unset>') for n in names]


def _instance_children(x, y):
    """Instances of the same class: their __dict__ and slot values, as pairs to compare."""
    if not hasattr(x, '__dict__') and not _slot_values(x):
        return f'{x!r} != {y!r}'
    pairs = []
    if hasattr(x, '__dict__'):
        pairs.append((dict(vars(x)), dict(vars(y))))
    pairs += list(zip(_slot_values(x), _slot_values(y)))
    return pairs


def difference(a, b):
    """None when a and b are the same graph (same types, values and sharing), else why not."""
    seen = {}
    seen_back = {}
    stack = [(a, b, 'root')]
    while stack:
        x, y, where = stack.pop()
        if type(x) is not type(y):
            return f'{where}: types {type(x).__name__} and {type(y).__name__}'
        if isinstance(x, float):
            if not _same_float(x, y):
                return f'{where}: floats {x!r} and {y!r}'
            continue
        if isinstance(x, ATOMS):
            if x != y:
                return f'{where}: {x!r} != {y!r}'
            continue
        if isinstance(x, BY_IDENTITY):
            if x is not y:
                return f'{where}: {x!r} is not {y!r}'
            continue
        small = isinstance(x, (str, bytes)) and len(x) <= 1
        if not small:
            if id(x) in seen or id(y) in seen_back:
                if seen.get(id(x)) != id(y) or seen_back.get(id(y)) != id(x):
                    return f'{where}: shared differently ({type(x).__name__})'
                continue
            seen[id(x)] = id(y)
            seen_back[id(y)] = id(x)
        if isinstance(x, (str, bytes, bytearray)):
            if x != y:
                return f'{where}: {x[:40]!r} != {y[:40]!r}'
            continue
        children = _children(x, y)
        if isinstance(children, str):
            return f'{where}: {children}'
        if children is None:
            continue
        for i, (cx, cy) in enumerate(children):
            stack.append((cx, cy, f'{where}/{i}'))
    return None
