"""What RustPython's `threading` feature costs, timed in one interpreter: run by
bench/threading_cost.sh under RustPython 0.6.0's own binary built with and without it.

Prints one JSON object, {name: fastest milliseconds}, each the fastest of --repeat runs.
"""

import json
import pickle
import sys
import time


class Point:
    def __init__(self, x, y, name):
        self.x, self.y, self.name = x, y, name


def records():
    return [{'id': i, 'name': f'user{i}', 'score': i * 0.5, 'active': i % 3 == 0,
             'tags': ['a' + str(i % 7), 'b' + str(i % 11)], 'parent': None, 'ratio': (i, i + 1)}
            for i in range(20000)]


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def cases():
    recs = records()
    ints = [list(range(i, i + 100)) for i in range(2000)]
    strings = [f's{i}' for i in range(100000)]
    points = [Point(i, -i, f'p{i}') for i in range(20000)]
    blobs = {name: pickle.dumps(obj, 4) for name, obj in
             [('records', recs), ('int lists', ints), ('short strings', strings), ('instances', points)]}
    out = {
        'build 20,000 records': records,
        'build 20,000 instances': lambda: [Point(i, -i, f'p{i}') for i in range(20000)],
        'fib(25)': lambda: fib(25),
        'dumps of records': lambda: pickle.dumps(recs, 4),
    }
    for name, blob in blobs.items():
        out[f'loads of {name}'] = lambda blob=blob: pickle.loads(blob)
    return out


def main():
    repeat = int(sys.argv[sys.argv.index('--repeat') + 1]) if '--repeat' in sys.argv else 15
    results = {}
    for name, fn in cases().items():
        fn()
        best = float('inf')
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        results[name] = best * 1000
    print(json.dumps(results))


if __name__ == '__main__':
    main()
