"""Checks brine against the golden corpus; run by the Rust tests as `brine check.py MODE PROTO`.

Modes:
  dumps   `pickle.dumps(case, proto)` equals CPython's bytes (or, for the cases listed in
          `DIFFERS_FROM_CPYTHON_311`, the VM's pure-Python 3.14 pickler's bytes), and so does
          `pickle.dump` to a file (frames streamed as they fill).
  loads   `pickle.loads(golden)` is the same graph (values, types and sharing) as the VM's
          pure-Python `pickle._loads(golden)` and, unless `ROUND_TRIP_CHANGES` says the class
          changes on a round trip, as the case itself; so
          is `pickle.load` from a buffered file (read through `peek`), which it leaves just after
          the pickle; dumping the loaded graph again gives the golden bytes back.
  oracle  `_pickle.dumps` equals the VM's pure-Python `pickle._dumps`, except where
          `PURE_PYTHON_DIFFERS` says the C pickler's batching differs.

Prints `checked N` and one `FAIL name: why` line per failure.
"""

import io
import os
import pickle
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..'))
import cases  # noqa: E402
import graph  # noqa: E402
from corpus_files import corpus_file, first_difference, raised  # noqa: E402


def golden_error(name, proto):
    """CPython's exception for this case and protocol, or None when it pickles."""
    error = corpus_file(os.path.join(HERE, 'corpus'), name, proto, '.error')
    return None if error is None else error.decode().strip()


def golden(name, proto):
    return corpus_file(os.path.join(HERE, 'corpus'), name, proto, '.pickle')


def differs_from_311(name, proto):
    entry = cases.DIFFERS_FROM_CPYTHON_311.get(name)
    return entry is not None and proto in entry[0]


def check_dumps(name, build, proto):
    expected_error = golden_error(name, proto)
    if expected_error is not None:
        if differs_from_311(name, proto):
            expected_error = raised(lambda: pickle._dumps(build(), proto))
        got = raised(lambda: pickle.dumps(build(), proto))
        return None if got == expected_error else f'expected {expected_error!r}, got {got!r}'
    ours = pickle.dumps(build(), proto)
    if differs_from_311(name, proto):
        if ours == golden(name, proto):
            return 'listed in DIFFERS_FROM_CPYTHON_311 but equals the 3.11 bytes; remove it from the list'
        want = pickle._dumps(build(), proto)
    else:
        want = golden(name, proto)
    if ours != want:
        return first_difference(ours, want)
    streamed = io.BytesIO()
    pickle.dump(build(), streamed, proto)
    return None if streamed.getvalue() == ours else 'dump to a file: ' + first_difference(streamed.getvalue(), ours)


def check_loads(name, build, proto):
    if golden_error(name, proto) is not None:
        return None
    data = golden(name, proto)
    loaded = pickle.loads(data)
    why = graph.difference(pickle._loads(data), loaded)
    if why:
        return 'differs from the pure-Python unpickler: ' + why
    if name not in cases.ROUND_TRIP_CHANGES:
        why = graph.difference(build(), loaded)
        if why:
            return why
    buffered = io.BufferedReader(io.BytesIO(data + b'after'))
    why = graph.difference(loaded, pickle.load(buffered))
    if why or buffered.read() != b'after':
        return 'load from a buffered file: ' + (why or 'left at the wrong position')
    if differs_from_311(name, proto) or name in cases.ROUND_TRIP_CHANGES:
        return None
    again = pickle.dumps(loaded, proto)
    return None if again == data else 'dumping the loaded graph again: ' + first_difference(again, data)


def check_oracle(name, build, proto):
    entry = cases.PURE_PYTHON_DIFFERS.get(name)
    if golden_error(name, proto) is not None:
        ours, theirs = raised(lambda: pickle.dumps(build(), proto)), raised(lambda: pickle._dumps(build(), proto))
        return None if ours == theirs else f'errors differ: {ours!r} vs {theirs!r}'
    ours, theirs = pickle.dumps(build(), proto), pickle._dumps(build(), proto)
    if entry is not None and proto in entry[0]:
        return None if ours != theirs else 'listed in PURE_PYTHON_DIFFERS but agrees; remove it from the list'
    return None if ours == theirs else first_difference(ours, theirs)


CHECKS = {'dumps': check_dumps, 'loads': check_loads, 'oracle': check_oracle}


def main():
    mode, proto = sys.argv[1], int(sys.argv[2])
    check = CHECKS[mode]
    checked = 0
    for name, build in cases.CASES.items():
        try:
            why = check(name, build, proto)
        except Exception as e:  # a failure to report, not to stop on
            why = f'{type(e).__name__}: {e}'
        checked += 1
        if why:
            print(f'FAIL {name}: {why}')
    print(f'checked {checked}')


if __name__ == '__main__':
    main()
