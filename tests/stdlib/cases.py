"""Standard-library objects for the differential against CPython, built identically under
CPython (generate.py) and brine (check.py).

Every case is a zero-argument function returning a fresh object graph. As in tests/golden,
strings and bytes that appear twice are the same object because the builder reused them.
`CASES` maps a name to its builder; a name starts with its module.

Sets are written in the order CPython's hash table holds them; the `set_` cases pin that
order (small and large integers, negatives, colliding hashes, tables that grew while built,
batches of 1,000, floats, tuples, frozensets). Their elements are of the types whose hashes do
not depend on `PYTHONHASHSEED`, and they are built by adding elements in order (from a list,
or a display without colliding hashes): CPython's compiler turns a display of constants into
a frozenset constant copied into the set, which can order colliding elements otherwise.
"""

import _hashlib
import argparse
import array
import calendar
import collections
import csv
import datetime
import decimal
import fractions
import functools
import hashlib
import http
import io
import ipaddress
import itertools
import logging
import operator
import os
import pathlib
import random
import re
import select
import statistics
import string
import threading
import time
import types
import typing
import urllib.parse
import uuid
import zoneinfo

import stdlib_classes as sc

CASES = {}


def add(name, build):
    assert name not in CASES, name
    CASES[name] = build


def case(name):
    def register(build):
        add(name, build)
        return build
    return register


def fresh(text):
    """A new str object equal to `text`, not a shared constant."""
    return ''.join(list(text))


# datetime: every type, every kind of tzinfo, the edges.
UTC = datetime.timezone.utc
IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30), 'IST')
MINUS = datetime.timezone(datetime.timedelta(hours=-3, minutes=-15))
add('datetime_date', lambda: datetime.date(2024, 2, 29))
add('datetime_date_min', lambda: datetime.date.min)
add('datetime_time', lambda: datetime.time(13, 45, 30, 123456))
add('datetime_time_tz', lambda: datetime.time(1, 2, 3, tzinfo=IST))
add('datetime_time_fold', lambda: datetime.time(1, 30, fold=1))
add('datetime_naive', lambda: datetime.datetime(2024, 2, 29, 13, 45, 30, 123456))
add('datetime_utc', lambda: datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))
add('datetime_fixed_offset', lambda: datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=IST))
add('datetime_negative_offset', lambda: datetime.datetime(2001, 9, 9, 1, 46, 40, tzinfo=MINUS))
add('datetime_fold', lambda: datetime.datetime(2021, 11, 7, 1, 30, fold=1))
add('datetime_max', lambda: datetime.datetime.max)
add('datetime_timedelta', lambda: datetime.timedelta(days=-3, seconds=7, microseconds=11))
add('datetime_timedelta_max', lambda: datetime.timedelta.max)
add('datetime_timezone_utc', lambda: UTC)
add('datetime_timezone_named', lambda: IST)
add('datetime_timezone_unnamed', lambda: MINUS)
add('datetime_zoneinfo', lambda: datetime.datetime(2024, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')))

# zoneinfo (these, and datetime_zoneinfo, read the system's time-zone database)
NEEDS_TZ_DATABASE = ('datetime_zoneinfo', 'zoneinfo_utc', 'zoneinfo_paris', 'zoneinfo_two_zones')
add('zoneinfo_utc', lambda: zoneinfo.ZoneInfo('UTC'))
add('zoneinfo_paris', lambda: zoneinfo.ZoneInfo('Europe/Paris'))
add('zoneinfo_two_zones', lambda: [zoneinfo.ZoneInfo('America/New_York'), zoneinfo.ZoneInfo('Asia/Tokyo')])

# decimal: values, specials, contexts.
for label, text in {'plain': '1.10', 'negative_zero': '-0', 'nan': 'NaN', 'snan': '-sNaN7',
                    'infinity': '-Infinity', 'big_exponent': '1E+999999', 'long': '3.' + '14159' * 20}.items():
    add(f'decimal_{label}', lambda text=text: decimal.Decimal(text))
add('decimal_context_default', lambda: decimal.Context())
add('decimal_context_custom', lambda: decimal.Context(
    prec=12, rounding=decimal.ROUND_DOWN, Emin=-99, Emax=99, capitals=0, clamp=1,
    flags=[decimal.Inexact, decimal.Rounded], traps=[decimal.DivisionByZero, decimal.Overflow]))
add('decimal_tuple', lambda: decimal.Decimal('-1.25').as_tuple())

# fractions
add('fractions_simple', lambda: fractions.Fraction(3, 4))
add('fractions_negative', lambda: fractions.Fraction(-1, 3))
add('fractions_big', lambda: fractions.Fraction(10**30, 7))
add('fractions_in_list', lambda: [fractions.Fraction(1, 2), fractions.Fraction(5)])

# collections
add('collections_ordereddict', lambda: collections.OrderedDict([(fresh('b'), 1), (fresh('a'), 2)]))
add('collections_defaultdict_list', lambda: collections.defaultdict(list, {fresh('k'): [1, 2]}))
add('collections_defaultdict_int', lambda: collections.defaultdict(int))
add('collections_defaultdict_nested', lambda: collections.defaultdict(
    functools.partial(collections.defaultdict, int), {1: collections.defaultdict(int, {2: 3})}))
add('collections_counter', lambda: collections.Counter(fresh('abracadabra')))
add('collections_deque', lambda: collections.deque([1, 2, 3]))
add('collections_deque_maxlen', lambda: collections.deque([1, 2], maxlen=5))
add('collections_chainmap', lambda: collections.ChainMap({fresh('a'): 1}, {fresh('b'): 2}))
add('collections_userdict', lambda: collections.UserDict({fresh('a'): 1}))
add('collections_userlist', lambda: collections.UserList([1, 2]))
add('collections_userstring', lambda: collections.UserString(fresh('hello')))
add('collections_namedtuple', lambda: sc.Point(1, 2))
add('collections_typed_namedtuple', lambda: sc.Version(3, 11))

# enum, and the standard library's own enums
add('enum_enum', lambda: sc.Color.RED)
add('enum_intenum', lambda: sc.Level.HIGH)
add('enum_flag_combined', lambda: sc.Perm.R | sc.Perm.W)
add('enum_flag_empty', lambda: sc.Perm(0))
add('enum_intflag', lambda: sc.Mode.A | sc.Mode.B)
add('enum_strenum', lambda: sc.Suit.HEARTS)
add('enum_members_list', lambda: [sc.Color.RED, sc.Color.GREEN, sc.Color.RED])
add('enum_http_status', lambda: http.HTTPStatus.NOT_FOUND)
add('enum_regex_flag', lambda: re.IGNORECASE | re.MULTILINE)
add('enum_calendar_month', lambda: calendar.Month.MARCH)
add('enum_safe_uuid', lambda: uuid.SafeUUID.safe)

# uuid
add('uuid_plain', lambda: uuid.UUID('12345678-1234-5678-1234-567812345678'))
add('uuid_safe', lambda: uuid.UUID(int=0x1234, is_safe=uuid.SafeUUID.safe))
add('uuid_unsafe', lambda: uuid.UUID(int=2**127 + 5, is_safe=uuid.SafeUUID.unsafe))

# pathlib
add('pathlib_pure_posix', lambda: pathlib.PurePosixPath('/usr/lib/x'))
add('pathlib_pure_windows', lambda: pathlib.PureWindowsPath('C:/Users/x'))
add('pathlib_posix', lambda: pathlib.PosixPath('/tmp/data.pkl'))
add('pathlib_relative', lambda: pathlib.Path('rel/dir'))

# ipaddress
add('ipaddress_v4', lambda: ipaddress.IPv4Address('192.168.0.1'))
add('ipaddress_v6', lambda: ipaddress.IPv6Address('2001:db8::1'))
add('ipaddress_v4_network', lambda: ipaddress.IPv4Network('10.0.0.0/8'))
add('ipaddress_v6_network', lambda: ipaddress.IPv6Network('2001:db8::/32'))
add('ipaddress_v4_interface', lambda: ipaddress.IPv4Interface('192.168.1.5/24'))
add('ipaddress_v6_interface', lambda: ipaddress.IPv6Interface('fe80::1/64'))

# re
add('re_plain', lambda: re.compile(fresh(r'\d+')))
add('re_flags', lambda: re.compile(fresh('a.b'), re.I | re.S))
add('re_bytes', lambda: re.compile(b'\x00+'))
add('re_verbose', lambda: re.compile(fresh('(?x) a  b  # c')))
add('re_match_refused', lambda: re.match('a', 'a'))

# array: every typecode ('u' is deprecated and 'w' new in 3.13: both kept).
ARRAY_VALUES = {
    'b': [-128, -1, 0, 2, 127], 'B': [0, 1, 255], 'h': [-32768, -2, 300], 'H': [0, 65535],
    'i': [-2**31, -3, 2**31 - 1], 'I': [0, 2**32 - 1], 'l': [-2**63, 5, 2**63 - 1],
    'L': [0, 2**64 - 1], 'q': [-2**63, -7, 2**63 - 1], 'Q': [0, 2**64 - 1],
    'f': [0.5, -1.25, float('inf')], 'd': [0.1, -0.0, 1e300], 'w': 'a\u20ac\U0001f600',
}
for code, values in ARRAY_VALUES.items():
    add(f'array_{code}', lambda code=code, values=values: array.array(code, values))
add('array_empty', lambda: array.array('i'))
add('array_shared', lambda: (lambda a: [a, a])(array.array('d', [1.0])))

# functools
add('functools_partial', lambda: functools.partial(sc.add, 1))
add('functools_partial_keywords', lambda: functools.partial(sc.add, b=fresh('kw')))


@case('functools_partial_with_dict')
def _():
    p = functools.partial(sc.add, 1, 2)
    p.note = fresh('attached')
    return p


add('functools_partial_of_partial', lambda: functools.partial(functools.partial(sc.add, 1)))
add('functools_reduce_function', lambda: functools.reduce)
add('functools_cmp_to_key_refused', lambda: functools.cmp_to_key(sc.by_length))
add('functools_total_ordering', lambda: [sc.Ranked(1), sc.Ranked(2)])

# operator
add('operator_attrgetter', lambda: operator.attrgetter('real'))
add('operator_attrgetter_many', lambda: operator.attrgetter('a', 'b.c'))
add('operator_itemgetter', lambda: operator.itemgetter(1))
add('operator_itemgetter_many', lambda: operator.itemgetter(1, fresh('k')))
add('operator_methodcaller', lambda: operator.methodcaller('split', fresh(',')))
add('operator_methodcaller_kwargs', lambda: operator.methodcaller('replace', fresh('a'), fresh('b'), count=1))
add('operator_function', lambda: operator.add)

# types
add('types_simplenamespace', lambda: types.SimpleNamespace(x=1, y=[2, 3]))
add('types_mappingproxy_refused', lambda: types.MappingProxyType({}))
add('types_function_type', lambda: types.FunctionType)

# typing and generic aliases
add('typing_list_alias', lambda: typing.List[int])
add('typing_union', lambda: typing.Union[int, str])
add('typing_generic_alias', lambda: list[int])
add('typing_optional', lambda: typing.Optional[float])

# dataclasses
add('dataclasses_plain', lambda: sc.Item(fresh('pen'), 1.5, [fresh('office')]))
add('dataclasses_frozen', lambda: sc.FrozenPoint(1, 2))
add('dataclasses_slots', lambda: sc.SlotRecord(fresh('k'), [1]))
add('dataclasses_frozen_slots', lambda: sc.FrozenSlotRecord(fresh('k'), 2))


# Exceptions: arguments, notes, causes, extra attributes, OSError's errno mapping, groups.
def with_notes(exc, *notes):
    for note in notes:
        exc.add_note(fresh(note))
    return exc


add('exception_value_error', lambda: ValueError(fresh('bad value')))
add('exception_key_error', lambda: KeyError(fresh('missing')))
add('exception_no_args', lambda: RuntimeError())
add('exception_notes', lambda: with_notes(ValueError(fresh('bad')), 'first note', 'second note'))


@case('exception_cause_and_context')
def _():
    exc = RuntimeError(fresh('outer'))
    exc.__cause__ = KeyError(fresh('inner'))
    exc.__context__ = exc.__cause__
    return exc


@case('exception_extra_attributes')
def _():
    exc = ValueError(fresh('with attributes'))
    exc.code = 42
    exc.detail = [fresh('x')]
    return exc


add('exception_custom_init', lambda: sc.AppError(404, fresh('not here')))
add('exception_oserror_errno', lambda: OSError(2, fresh('No such file or directory'), fresh('f.txt')))
add('exception_oserror_two_files', lambda: OSError(17, fresh('File exists'), fresh('a'), None, fresh('b')))
add('exception_oserror_plain', lambda: OSError(fresh('plain')))
add('exception_permission_error', lambda: PermissionError(13, fresh('Permission denied')))
add('exception_timeout_error', lambda: TimeoutError(fresh('timed out')))
add('exception_attribute_error', lambda: AttributeError(fresh('no x'), name=fresh('x'), obj=None))
add('exception_name_error', lambda: NameError(fresh('no n'), name=fresh('n')))
add('exception_import_error', lambda: ImportError(fresh('no mod'), name=fresh('mod'), path=fresh('/p')))
add('exception_module_not_found', lambda: ModuleNotFoundError(fresh('no m'), name=fresh('m')))
add('exception_stop_iteration', lambda: StopIteration(42))
add('exception_system_exit', lambda: SystemExit(3))
add('exception_keyboard_interrupt', lambda: KeyboardInterrupt())
add('exception_unicode_decode', lambda: UnicodeDecodeError('utf-8', b'\xff', 0, 1, fresh('invalid start byte')))
add('exception_unicode_encode', lambda: UnicodeEncodeError('ascii', fresh('\xe9'), 0, 1, fresh('out of range')))
add('exception_syntax_error', lambda: SyntaxError(fresh('bad'), (fresh('f.py'), 1, 2, fresh('x y'), 1, 4)))
add('exception_group', lambda: ExceptionGroup(fresh('many'), [ValueError(1), TypeError(2)]))
add('exception_base_group', lambda: BaseExceptionGroup(fresh('base'), [KeyboardInterrupt()]))
add('exception_group_nested', lambda: ExceptionGroup(fresh('outer'), [
    ExceptionGroup(fresh('inner'), [KeyError(1)]), with_notes(ValueError(2), 'noted')]))

# time and os structure sequences
add('time_struct_time', lambda: time.struct_time((2024, 1, 2, 3, 4, 5, 1, 2, 0)))
add('time_struct_time_zone', lambda: time.struct_time((2024, 7, 1, 12, 0, 0, 0, 183, 1, fresh('CEST'), 7200)))
add('time_gmtime', lambda: time.gmtime(0))
STAT_FIELDS = (33188, 1234, 2049, 1, 1000, 1000, 4096, 1700000000, 1700000001, 1700000002)
STAT_EXTRA = {'st_atime': 1700000000.25, 'st_mtime': 1700000001.5, 'st_ctime': 1700000002.75,
              'st_atime_ns': 1700000000250000000, 'st_mtime_ns': 1700000001500000000,
              'st_ctime_ns': 1700000002750000000, 'st_blksize': 4096, 'st_blocks': 8, 'st_rdev': 0}
add('os_stat_result', lambda: os.stat_result(STAT_FIELDS, STAT_EXTRA))
add('os_stat_result_plain', lambda: os.stat_result(STAT_FIELDS))
add('os_terminal_size', lambda: os.terminal_size((80, 24)))

# random, statistics, argparse, string, urllib, calendar, logging, io
add('random_state', lambda: random.Random(12345))
add('statistics_normaldist', lambda: statistics.NormalDist(1.5, 0.25))
add('argparse_namespace', lambda: argparse.Namespace(verbose=True, files=[fresh('a.txt')]))
add('string_template', lambda: string.Template(fresh('$who likes $what')))
add('urllib_split_result', lambda: urllib.parse.urlsplit(fresh('https://user@example.com:8080/p/a?q=1#frag')))
add('urllib_parse_result', lambda: urllib.parse.urlparse(fresh('http://example.org/path;params?x=y')))
add('calendar_text_calendar', lambda: calendar.TextCalendar(6))
add('logging_logger', lambda: logging.getLogger('brine.stdlib.test'))


@case('io_bytesio')
def _():
    buffer = io.BytesIO(b'abcdef')
    buffer.seek(2)
    return buffer


add('io_stringio', lambda: io.StringIO(fresh('line one\nline two\n')))

# Refused by CPython, with its error.
add('threading_lock_refused', lambda: threading.Lock())
add('hashlib_refused', lambda: hashlib.sha256(b'data'))
add('hashlib_xof_refused', lambda: hashlib.shake_128(b'data'))
add('hmac_refused', lambda: _hashlib.hmac_new(b'key', b'data', 'sha256'))
add('csv_reader_refused', lambda: csv.reader(['a,b']))
add('csv_writer_refused', lambda: csv.writer(io.StringIO()))
add('select_poll_refused', lambda: select.poll())
add('itertools_count', lambda: itertools.count(5))
add('generator_refused', lambda: (x for x in range(3)))

# Built-in types users pickle beside the standard library's.
add('builtins_range', lambda: range(1, 10, 2))
add('builtins_slice', lambda: slice(1, None, 3))
add('builtins_complex', lambda: complex(1.5, -2))
add('builtins_singletons', lambda: [NotImplemented, Ellipsis, None])
add('builtins_types', lambda: [int, type(None), type(NotImplemented), type(...)])
add('builtins_memoryview_refused', lambda: memoryview(b'ab'))


# Sets and frozensets, in CPython's hash-table order.
def scrambled(values):
    """`values` in a fixed order that is neither ascending nor hash order."""
    return sorted(values, key=lambda v: (v * 7919) % 10007)


add('set_small_ints', lambda: {5, 3, 1, 33, 65})
add('set_negative_ints', lambda: set([-1, -2, -8, 7, -100, 3]))
add('set_colliding_hashes', lambda: set([8, 16, 0, 24, 1, 40, 9]))
add('set_grew_while_built', lambda: set(scrambled(range(40))))
add('set_deletions', lambda: (lambda s: (s.difference_update(range(0, 30, 3)), s)[1])(set(scrambled(range(30)))))
add('set_batches', lambda: set(scrambled(range(2500))))
add('set_exactly_1000', lambda: set(scrambled(range(1000))))
add('set_big_ints', lambda: {2**64, 2**61 - 1, 2**61, -1, -2, 2**100, -(2**70)})
add('set_floats', lambda: {0.5, 1.5, -2.25, 1e300, float('inf'), 3.0, 0.1})
add('set_mixed', lambda: {None, True, 2.5, (1, 2), frozenset({3, 4}), 1j, 7})
add('set_tuples', lambda: {(1, 2), (2, 1), (0,), (), (1, (2, 3))})
add('frozenset_small_ints', lambda: frozenset({5, 3, 1, 33, 65}))
add('frozenset_batches', lambda: frozenset(scrambled(range(1200))))
add('frozenset_nested', lambda: frozenset({frozenset({1, 2}), frozenset({9}), frozenset()}))
add('set_in_dict', lambda: {1: {300, 200, 100}, 2: frozenset({-5, 5})})
# Ints spread over a wide range collide in the table's windows and jumps, as real ids do.
add('set_wide_random_ints', lambda: set(random.Random(3).sample(range(-10**12, 10**12), 3000)))
add('set_shared_twice', lambda: (lambda s: [s, s, frozenset(scrambled(range(50))), set(range(3, 9))])(set(scrambled(range(-20, 20)))))


# Shared and recursive graphs mixing the above.
@case('graph_shared_datetimes')
def _():
    when = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    return [when, when, {fresh('at'): when}, collections.deque([when])]


@case('graph_recursive_namespace')
def _():
    holder = []
    ns = types.SimpleNamespace(items=holder)
    holder.append(ns)
    return ns


@case('graph_recursive_ordereddict')
def _():
    d = collections.OrderedDict()
    d[fresh('self')] = d
    return d


@case('graph_recursive_defaultdict')
def _():
    d = collections.defaultdict(list)
    d[fresh('me')] = [d]
    return d


@case('graph_recursive_deque')
def _():
    d = collections.deque([1])
    d.append(d)
    return d


@case('graph_partial_cycle')
def _():
    box = []
    p = functools.partial(sc.add, box)
    box.append(p)
    return p


@case('graph_mixed_record')
def _():
    tags = [fresh('a'), fresh('b')]
    return {
        fresh('id'): uuid.UUID('12345678-1234-5678-1234-567812345678'),
        fresh('price'): decimal.Decimal('9.99'),
        fresh('ratio'): fractions.Fraction(2, 3),
        fresh('when'): datetime.date(2024, 5, 17),
        fresh('tags'): tags,
        fresh('again'): tags,
        fresh('host'): ipaddress.IPv4Address('10.1.2.3'),
        fresh('item'): sc.Item(fresh('cup'), 2.0, tags),
        fresh('color'): sc.Color.GREEN,
        fresh('ids'): {3, 1, 2},
    }


@case('graph_exception_holding_objects')
def _():
    exc = ValueError(fresh('failed'))
    exc.add_note(fresh('while saving'))
    exc.context = {fresh('when'): datetime.date(2024, 1, 1), fresh('id'): uuid.UUID(int=7)}
    return [exc, exc, exc.context]


# Globals from one module that CPython implements partly in C: each C type's module name is
# its own string there (written again, not fetched from the memo), while the module's Python
# classes and functions share the module's `__name__`.
add('graph_collections_mix', lambda: [collections.OrderedDict(), collections.deque(), collections.defaultdict(int),
                                      collections.Counter(), collections.UserList(), sc.Point(1, 2)])
add('graph_datetime_mix', lambda: [datetime.date(2024, 1, 1), datetime.time(1), datetime.datetime(2024, 1, 1),
                                   datetime.timedelta(1), UTC, IST])
add('graph_decimal_mix', lambda: [decimal.Decimal('1.5'), decimal.Context(traps=[decimal.Overflow]),
                                  decimal.InvalidOperation, decimal.getcontext, decimal.Decimal])
add('graph_functools_operator_mix', lambda: [functools.partial(sc.add, 1), functools.reduce, functools.wraps,
                                             operator.attrgetter('a'), operator.itemgetter(0), operator.add,
                                             operator.methodcaller('f')])
add('graph_exceptions_mix', lambda: [ValueError(1), ExceptionGroup(fresh('g'), [KeyError(2)]),
                                     BaseExceptionGroup(fresh('b'), [SystemExit(1)]), sc.AppError(1, fresh('x'))])
add('graph_types_mix', lambda: [types.SimpleNamespace(a=1), list[int], types.SimpleNamespace, types.GenericAlias,
                                io.BytesIO(b'x'), io.StringIO(fresh('y')), re.compile(fresh('z'))])
