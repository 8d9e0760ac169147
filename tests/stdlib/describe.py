"""A canonical text for an object graph, the same under CPython and brine for equal graphs:
types, values, attributes, exception notes, and which nodes are shared.

Each object is described by what a user can observe through public attributes, not by its
`__reduce__` (which is what is under test) and not by `repr` where the two interpreters'
reprs may legitimately differ. A node met a second time is written as `@n`, n being the order
in which it was first met; set elements are sorted by their description.
"""

import array
import collections
import datetime
import decimal
import enum
import fractions
import functools
import io
import ipaddress
import logging
import math
import operator
import os
import pathlib
import random
import re
import statistics
import time
import types
import uuid
import zoneinfo

ATOMS = (type(None), bool, int, str, bytes, complex, range, slice,
         type(NotImplemented), type(...))
BY_NAME = (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
           types.ModuleType)
STAT_EXTRA = ('st_atime', 'st_mtime', 'st_ctime', 'st_atime_ns', 'st_mtime_ns', 'st_ctime_ns',
              'st_blksize', 'st_blocks', 'st_rdev')
SIGNALS = ('Clamped', 'DivisionByZero', 'Inexact', 'InvalidOperation', 'Overflow', 'Rounded',
           'Subnormal', 'Underflow', 'FloatOperation')


def type_name(obj):
    cls = type(obj)
    return f'{cls.__module__}.{cls.__qualname__}'


def describe(root):
    return _Describer().node(root)


def loaded(data):
    """What `pickle.loads(data)` makes, described, or the error it raises."""
    import pickle
    try:
        obj = pickle.loads(data)
    except Exception as e:
        return f'error: {type(e).__name__}: {e}'
    return describe(obj)


class _Describer:
    def __init__(self):
        self.seen = {}

    def node(self, obj):
        if isinstance(obj, float):
            return 'nan' if math.isnan(obj) else repr(obj)
        if isinstance(obj, enum.Enum):
            return f'{type_name(obj)}:{obj.name}:{obj.value!r}'
        if isinstance(obj, ATOMS) and type(obj) in ATOMS:
            return repr(obj)
        if isinstance(obj, BY_NAME):
            return f'global:{getattr(obj, "__module__", "?")}.{getattr(obj, "__qualname__", obj)}'
        key = id(obj)
        if key in self.seen:
            return f'@{self.seen[key]}'
        self.seen[key] = len(self.seen)
        return f'{type_name(obj)}{self.body(obj)}'

    def nodes(self, items):
        return '[' + ', '.join(self.node(x) for x in items) + ']'

    def attributes(self, obj):
        """An object's __dict__ and slot values."""
        parts = []
        # An empty instance dict is not data: RustPython gives a __dict__ to some objects
        # (defaultdict) that have none in CPython.
        if getattr(obj, '__dict__', None) and not isinstance(obj, type):
            parts.append('dict=' + self.mapping(vars(obj)))
        for cls in type(obj).__mro__:
            for name in cls.__dict__.get('__slots__', ()):
                if name not in ('__dict__', '__weakref__'):
                    parts.append(f'{name}=' + (self.node(getattr(obj, name)) if hasattr(obj, name) else '<unset>'))
        return ' '.join(parts)

    def mapping(self, mapping):
        return '{' + ', '.join(f'{self.node(k)}: {self.node(v)}' for k, v in mapping.items()) + '}'

    def body(self, obj):
        if type(obj).__module__ == 'typing' or isinstance(obj, types.GenericAlias):
            return f'({obj!r})'
        for kind, describe in DESCRIBERS:
            if isinstance(obj, kind):
                return describe(self, obj)
        return f'<{self.attributes(obj)}>'


def _sequence(d, obj):
    text = d.nodes(obj)
    extra = d.attributes(obj) if type(obj) not in (list, tuple) else ''
    return f'{text}<{extra}>' if extra else text


def _dict(d, obj):
    text = d.mapping(obj)
    if isinstance(obj, collections.defaultdict):
        text = f'factory={d.node(obj.default_factory)} {text}'
    extra = d.attributes(obj) if type(obj) is not dict else ''
    return f'{text}<{extra}>' if extra else text


def _set(d, obj):
    return '{' + ', '.join(sorted(_Describer().node(x) for x in obj)) + '}'


def _exception(d, exc):
    parts = [f'args={d.node(exc.args)}', f'attrs={d.mapping(vars(exc))}',
             f'cause={d.node(exc.__cause__)}', f'context={d.node(exc.__context__)}',
             f'suppress={exc.__suppress_context__}']
    for name in ('errno', 'strerror', 'filename', 'filename2', 'name', 'path', 'obj', 'value',
                 'code', 'msg', 'lineno', 'offset', 'text', 'end_lineno', 'end_offset',
                 'encoding', 'object', 'start', 'end', 'reason', 'message', 'exceptions'):
        if hasattr(exc, name) and name not in vars(exc):
            parts.append(f'{name}={d.node(getattr(exc, name))}')
    return '(' + ' '.join(parts) + ')'


def _struct_time(d, st):
    return f'({tuple(st)!r} zone={st.tm_zone!r} gmtoff={st.tm_gmtoff!r})'


def _stat_result(d, st):
    extra = {name: getattr(st, name, '<missing>') for name in STAT_EXTRA}
    return f'({tuple(st)!r} {extra!r})'


def _datetime(d, obj):
    tz = getattr(obj, 'tzinfo', None)
    fold = getattr(obj, 'fold', 0)
    return f'({obj.isoformat()} fold={fold} tz={d.node(tz)})'


def _timezone(d, tz):
    return f'({tz.utcoffset(None)!r} {tz.tzname(None)!r})'


def _zoneinfo(d, tz):
    return f'({tz.key!r})'


def _decimal(d, value):
    return f'({str(value)!r} {value.as_tuple()!r})'


def _context(d, ctx):
    flags = sorted(name for name in SIGNALS if ctx.flags.get(getattr(decimal, name)))
    traps = sorted(name for name in SIGNALS if ctx.traps.get(getattr(decimal, name)))
    return (f'(prec={ctx.prec} rounding={ctx.rounding} Emin={ctx.Emin} Emax={ctx.Emax} '
            f'capitals={ctx.capitals} clamp={ctx.clamp} flags={flags} traps={traps})')


def _partial(d, p):
    return f'(func={d.node(p.func)} args={d.node(p.args)} keywords={d.mapping(p.keywords)} <{d.attributes(p)}>)'


def _pattern(d, p):
    return f'({p.pattern!r} flags={p.flags})'


def _array(d, a):
    return f'({a.typecode!r} {a.tolist()!r})'


def _deque(d, q):
    return f'({d.nodes(q)} maxlen={q.maxlen})'


def _random(d, r):
    return f'({r.getstate()!r})'


def _normal_dist(d, n):
    return f'({n.mean!r} {n.stdev!r})'


def _by_str(d, obj):
    return f'({str(obj)!r})'


def _uuid(d, u):
    return f'({str(u)!r} {u.is_safe.name})'


def _fraction(d, f):
    return f'({f.numerator}/{f.denominator})'


def _userstring(d, s):
    return f'({s.data!r} <{d.attributes(s)}>)'


def _by_repr(d, obj):
    return f'({obj!r})'


def _logger(d, logger):
    return f'({logger.name!r})'


def _bytesio(d, buffer):
    return f'({buffer.getvalue()!r} at={buffer.tell()} <{d.attributes(buffer)}>)'


DESCRIBERS = [
    (BaseException, _exception),
    (time.struct_time, _struct_time),
    (os.stat_result, _stat_result),
    (tuple, _sequence),
    (list, _sequence),
    (dict, _dict),
    ((set, frozenset), _set),
    ((bytearray,), lambda d, b: f'({bytes(b)!r})'),
    ((datetime.datetime, datetime.date, datetime.time), _datetime),
    (datetime.timedelta, _by_repr),
    (zoneinfo.ZoneInfo, _zoneinfo),
    (datetime.timezone, _timezone),
    (decimal.Decimal, _decimal),
    (decimal.Context, _context),
    (fractions.Fraction, _fraction),
    (functools.partial, _partial),
    (re.Pattern, _pattern),
    (array.array, _array),
    (collections.deque, _deque),
    (random.Random, _random),
    (statistics.NormalDist, _normal_dist),
    (uuid.UUID, _uuid),
    (pathlib.PurePath, _by_str),
    ((ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network,
      ipaddress.IPv6Network, ipaddress.IPv4Interface, ipaddress.IPv6Interface), _by_str),
    (collections.UserString, _userstring),
    ((operator.attrgetter, operator.itemgetter, operator.methodcaller), _by_repr),
    (logging.Logger, _logger),
    ((io.BytesIO, io.StringIO), _bytesio),
]
