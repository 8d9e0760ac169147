"""Writes the standard-library corpus: for every case and protocol 0-5, CPython's
`pickle.dumps` (`corpus/pN/NAME.pickle`, or `NAME.error` with the exception's type and message
where CPython refuses) and what CPython's `pickle.loads` makes of those bytes, described by
describe.py, or the error it raises (`NAME.loaded`).

Run with CPython 3.13 or newer (the contract is 3.14; 3.13 is the closest the project's
machines have), from anywhere: `python3.13 tests/stdlib/generate.py`. It pins
`PYTHONHASHSEED=0` (restarting itself if needed) so that the corpus cannot depend on this
process's string hashes. Needs the system's time-zone database for the zoneinfo cases.
"""

import os
import pickle
import shutil
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')


def main():
    if sys.implementation.name != 'cpython' or sys.version_info < (3, 13):
        raise SystemExit('generate.py must run under CPython 3.13 or newer')
    if os.environ.get('PYTHONHASHSEED') != '0':
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, 'PYTHONHASHSEED': '0'})
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.join(HERE, '..'))
    import cases
    import describe
    from corpus_files import write_case
    warnings.simplefilter('ignore', DeprecationWarning)  # itertools, 'u' arrays
    shutil.rmtree(CORPUS, ignore_errors=True)
    for proto in range(6):
        os.makedirs(os.path.join(CORPUS, f'p{proto}'))
    for name, build in cases.CASES.items():
        for proto in range(6):
            base = os.path.join(CORPUS, f'p{proto}', name)
            data = write_case(base, build, proto)
            if data is not None:
                with open(base + '.loaded', 'w') as f:
                    f.write(describe.loaded(data) + '\n')
    with open(os.path.join(CORPUS, 'VERSION'), 'w') as f:
        f.write(f'CPython {sys.version.split()[0]}, PYTHONHASHSEED=0\n')
    print(f'{len(cases.CASES)} cases written with CPython {sys.version.split()[0]}')


if __name__ == '__main__':
    main()
