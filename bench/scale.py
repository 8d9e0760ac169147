"""How loads and dumps scale with the size of the data: the records workload (bench/workloads.py)
at 10k, 40k, 160k and 640k records, time per record for brine and CPython side by side.

    brine bench/scale.py [--python python3] [--repeat 3] [--protocol 4] [--markdown BENCHMARKS.md]

Each size is timed in a fresh process per interpreter, the two interleaved size by size; a
cell is the fastest of --repeat timed runs after one warm-up (the run the machine disturbed
least).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from markdown_section import replace_section  # noqa: E402

SIZES = (10_000, 40_000, 160_000, 640_000)

# Run in the measured interpreter: prints {"dumps": us_per_record, "loads": us_per_record}.
MEASURE = """
import json, pickle, random, sys, time
n, proto, repeat = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(1)
data = [{'id': i, 'name': f'user{i}', 'score': rng.random() * 100, 'active': i % 3 == 0,
         'tags': ['a' + str(i % 7), 'b' + str(i % 11)], 'parent': None, 'ratio': (i, i + 1)}
        for i in range(n)]
def timed(fn):
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) / n * 1e6
blob = pickle.dumps(data, proto)
print(json.dumps({'dumps': timed(lambda: pickle.dumps(data, proto)),
                  'loads': timed(lambda: pickle.loads(blob))}))
"""


def measure(command, n, args):
    out = subprocess.run(command + ['-c', MEASURE, str(n), str(args.protocol), str(args.repeat)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--brine', default=sys.executable)
    parser.add_argument('--python', default='python3')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--protocol', type=int, default=4)
    parser.add_argument('--markdown', default='')
    args = parser.parse_args()
    rows = []
    for n in SIZES:
        brine = measure([args.brine], n, args)
        cpython = measure([args.python], n, args)
        rows.append((n, brine, cpython))
    lines = ['| records | brine dumps us/rec | cpython dumps us/rec | brine loads us/rec | '
             'cpython loads us/rec | loads brine/cpython |', '|---:|---:|---:|---:|---:|---:|']
    for n, b, c in rows:
        lines.append(f"| {n:,} | {b['dumps']:.3f} | {c['dumps']:.3f} | {b['loads']:.3f} | "
                     f"{c['loads']:.3f} | {b['loads'] / c['loads']:.2f} |")
    growth = [f"{name}: brine x{rows[-1][1][op] / rows[0][1][op]:.2f}, cpython x{rows[-1][2][op] / rows[0][2][op]:.2f}"
              for name, op in (('dumps', 'dumps'), ('loads', 'loads'))]
    print('\n'.join(lines))
    print('per-record time from 10k to 640k records: ' + '; '.join(growth))
    if args.markdown:
        version = subprocess.run([args.python, '--version'], capture_output=True, text=True).stdout.strip()
        text = ['## Scale: time per record as the data grows', '',
                f'Measured {datetime.date.today().isoformat()}, {os.cpu_count()} cores, {version} as the '
                f'reference. Command: `brine bench/scale.py --repeat {args.repeat} --protocol {args.protocol}` '
                '(release build): the records workload, a fresh process per size and interpreter, the fastest '
                'of the timed runs, in microseconds per record.', '', *lines, '',
                'Per-record time from the smallest to the largest size: ' + '; '.join(growth) + '.']
        replace_section(args.markdown, 'scale', '\n'.join(text))


if __name__ == '__main__':
    main()
