"""Writes the golden corpus: CPython's `pickle.dumps` of every case, protocols 0-5 (or, where
CPython raises, `NAME.error` with the exception's type and message).

Run with CPython from this directory: `python3 generate.py`. It checks first that each graph's
identities are explicit (see cases.py) and that set iteration order is ascending, so that the
corpus cannot encode an accident of this interpreter.
"""

import os
import pickle
import platform
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import cases  # noqa: E402
from corpus_files import write_case  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')


def check_identities(name, root):
    """Fails when a graph holds equal empty/one-character str or bytes as distinct objects,
    or a set whose iteration order is not ascending."""
    small = {}
    stack, seen = [root], set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, (str, bytes)) and len(x) <= 1:
            key = (type(x), x)
            if small.setdefault(key, id(x)) != id(x):
                raise SystemExit(f'{name}: distinct objects equal to {x!r}; share one on purpose')
        elif isinstance(x, (set, frozenset)):
            if list(x) != sorted(x):
                raise SystemExit(f'{name}: set iteration order is not ascending')
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())


def main():
    if sys.implementation.name != 'cpython':
        raise SystemExit('generate.py must run under CPython')
    shutil.rmtree(CORPUS, ignore_errors=True)
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        os.makedirs(os.path.join(CORPUS, f'p{proto}'))
    for name, build in cases.CASES.items():
        check_identities(name, build())
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            # Where CPython refuses, the corpus records the exception instead.
            write_case(os.path.join(CORPUS, f'p{proto}', name), build, proto)
    with open(os.path.join(CORPUS, 'GENERATED_BY'), 'w') as f:
        f.write(f'{platform.python_implementation()} {platform.python_version()}\n')
        f.write(f'{len(cases.CASES)} cases x protocols 0-{pickle.HIGHEST_PROTOCOL}\n')
    print(f'{len(cases.CASES)} cases written to {CORPUS}')


if __name__ == '__main__':
    main()
