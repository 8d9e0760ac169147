"""Writes expected.txt: CPython 3's `pickle.loads` of every case (run with `python3 generate.py`).

One line per case: `name: description` of the value, or `name: !Type: message` when loads
raises.
"""

import os
import pickle
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cases import CASES  # noqa: E402
from describe import describe  # noqa: E402


def outcome(data, kwargs):
    try:
        return describe(pickle.loads(data, **kwargs))
    except Exception as e:
        return f'!{type(e).__name__}: {e}'


def main():
    with open(os.path.join(HERE, 'expected.txt'), 'w') as f:
        f.write(f'# CPython {sys.version.split()[0]}: pickle.loads of each case in cases.py\n')
        for name, _, data, kwargs in CASES:
            f.write(f'{name}: {outcome(data, kwargs)}\n')


if __name__ == '__main__':
    main()
