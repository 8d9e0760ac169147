"""Checks brine against the standard-library corpus; run by the Rust tests as
`brine check.py MODE PROTO`.

Modes:
  dumps   `pickle.dumps(case, proto)` is CPython's bytes, or raises CPython's exception type
          and message; for a cell `contract.DIFFERS` lists (3.14, the contract, differs from
          the CPython that made the corpus) it is what the list expects of 3.14, or else the
          VM's pure-Python pickler's bytes.
  loads   `pickle.loads` of CPython's bytes makes what CPython made of them (describe.py), and
          `copy.deepcopy` of what it made is described the same; cells `contract.DIFFERS`
          lists for loads are checked against the case itself.

Prints `checked N`, the cells that matched 3.13 (`identical N`), the known differences still
open (`open N`, contract.OPEN), and one `FAIL name: why` line per failure.
"""

import copy
import os
import pickle
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..'))
import cases  # noqa: E402
import contract  # noqa: E402
import describe  # noqa: E402
from corpus_files import first_difference, raised  # noqa: E402
from corpus_files import corpus_file as read_corpus  # noqa: E402


def corpus_file(name, proto, suffix):
    return read_corpus(os.path.join(HERE, 'corpus'), name, proto, suffix)


def check_dumps(name, build, proto):
    """None when brine writes CPython's bytes (or raises its error), else why not."""
    if contract.differs(name, proto, 'dumps'):
        ours = raised(lambda: pickle.dumps(build(), proto)) or pickle.dumps(build(), proto)
        theirs = (contract.expected_dumps(name, proto)
                  or raised(lambda: pickle._dumps(build(), proto)) or pickle._dumps(build(), proto))
        if ours != theirs:
            return f'(3.14 by contract) expected {theirs!r:.200}, got {ours!r:.200}'
        golden = corpus_file(name, proto, '.pickle') or corpus_file(name, proto, '.error').decode().strip()
        return 'listed in contract.DIFFERS but gives 3.13\'s result' if ours == golden else None
    error = corpus_file(name, proto, '.error')
    if error is not None:
        got = raised(lambda: pickle.dumps(build(), proto))
        want = error.decode().strip()
        return None if got == want else f'expected {want!r}, got {got!r}'
    ours = pickle.dumps(build(), proto)
    golden = corpus_file(name, proto, '.pickle')
    return None if ours == golden else first_difference(ours, golden)


def check_loads(name, build, proto):
    """None when brine loads CPython's bytes to what CPython loaded, else why not."""
    data = corpus_file(name, proto, '.pickle')
    if data is None:
        return None
    ours = describe.loaded(data)
    by_contract = contract.differs(name, proto, 'loads')
    if by_contract:
        want = describe.describe(build())
    else:
        want = corpus_file(name, proto, '.loaded').decode().rstrip('\n')
    if ours != want:
        return f'loaded {ours[:300]!r}\n    CPython {want[:300]!r}'
    if ours.startswith('error:') or by_contract:
        return None
    copied = describe.describe(copy.deepcopy(pickle.loads(data)))
    return None if copied == ours else f'deepcopy gives {copied[:300]!r}'


CHECKS = {'dumps': check_dumps, 'loads': check_loads}


def tz_database_missing():
    """Whether the system has no time-zone database, which the zoneinfo cases read."""
    import zoneinfo
    try:
        zoneinfo.ZoneInfo('Europe/Paris')
    except zoneinfo.ZoneInfoNotFoundError:
        return True
    return False


def main():
    mode, proto = sys.argv[1], int(sys.argv[2])
    warnings.simplefilter('ignore', DeprecationWarning)
    check = CHECKS[mode]
    checked = identical = still_open = 0
    needs_tz = tz_database_missing()
    for name, build in cases.CASES.items():
        if needs_tz and name in cases.NEEDS_TZ_DATABASE:
            print(f'skipped {name}: no time-zone database on this machine')
            continue
        try:
            why = check(name, build, proto)
        except Exception as e:  # a failure to report, not to stop on
            why = f'{type(e).__name__}: {e}'
        checked += 1
        if contract.is_open(name, proto, mode):
            still_open += why is not None
            if why is None:
                print(f'FAIL {name}: listed in contract.OPEN but matches CPython; take it out')
            continue
        identical += why is None and not contract.differs(name, proto, mode)
        if why:
            print(f'FAIL {name}: {why}')
    print(f'checked {checked}')
    print(f'identical {identical}')
    print(f'open {still_open}')


if __name__ == '__main__':
    main()
