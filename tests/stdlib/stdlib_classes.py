"""Classes the standard-library cases need (enums, dataclasses, named tuples, exception
subclasses); imported by CPython (generate.py) and brine (check.py) under this same module name,
so that pickles name them identically."""

import collections
import dataclasses
import enum
import functools
import typing


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Level(enum.IntEnum):
    LOW = 10
    HIGH = 20


class Perm(enum.Flag):
    R = 4
    W = 2
    X = 1


class Mode(enum.IntFlag):
    A = 1
    B = 2


class Suit(enum.StrEnum):
    HEARTS = enum.auto()
    SPADES = enum.auto()


Point = collections.namedtuple('Point', 'x y')


class Version(typing.NamedTuple):
    major: int
    minor: int = 0


@dataclasses.dataclass
class Item:
    name: str
    price: float
    tags: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class FrozenPoint:
    x: int
    y: int


@dataclasses.dataclass(slots=True)
class SlotRecord:
    key: str
    value: object = None


@dataclasses.dataclass(frozen=True, slots=True)
class FrozenSlotRecord:
    key: str
    value: object = None


@functools.total_ordering
class Ranked:
    def __init__(self, rank):
        self.rank = rank

    def __eq__(self, other):
        return self.rank == other.rank

    def __lt__(self, other):
        return self.rank < other.rank


class AppError(Exception):
    """An exception subclass whose constructor takes other arguments than it stores."""

    def __init__(self, code, detail):
        super().__init__(f'{code}: {detail}')
        self.code = code
        self.detail = detail


def by_length(a, b):
    return len(a) - len(b)


def add(a, b):
    return a + b
