"""Loads every case with brine's pickle and compares with expected.txt (CPython 3's outcomes);
run by the Rust tests as `brine check.py`. Prints `checked N` and a `FAIL` line per mismatch.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cases import CASES  # noqa: E402
from generate import outcome  # noqa: E402


def main():
    expected = {}
    with open(os.path.join(HERE, 'expected.txt')) as f:
        for line in f:
            if not line.startswith('#'):
                name, _, rest = line.rstrip('\n').partition(': ')
                expected[name] = rest
    checked = 0
    for name, _, data, kwargs in CASES:
        got = outcome(data, kwargs)
        if got != expected.get(name):
            print(f'FAIL {name}: brine {got!r}, CPython {expected.get(name)!r}')
        checked += 1
    print(f'checked {checked}')


if __name__ == '__main__':
    main()
