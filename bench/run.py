"""Side-by-side pickle benchmarks: brine's _pickle, RustPython's own _pickle (the same brine
binary with BRINE_PICKLE_IMPL=rustpython), and CPython's C _pickle when `python3` is present.

    brine bench/run.py [--brine PATH] [--python python3[,python3.13]] [--rounds 3] [--repeat 5]
                       [--protocols 2,4,5] [--only W1,W2] [--baseline PATH]
                       [--markdown BENCHMARKS.md]

`--no-rustpython` leaves RustPython's own _pickle out. `--python` may name several CPythons,
comma-separated: each gets a column, and `fastest` is the faster of them cell by cell. `--baseline PATH` adds another brine binary (an earlier build) to the same rounds, as the
column `baseline`: the ratio brine/baseline is what a change costs or saves.

Each round runs bench/workloads.py once per configuration, in turn, so that a noisy moment of
the machine hits all of them; a cell is the fastest over rounds of each run's fastest time (the least disturbed).
Ratios are brine's time over the reference's (below 1.0: brine is faster).
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from markdown_section import replace_section  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = os.path.join(HERE, 'workloads.py')


def run_once(command, env_extra, args):
    env = dict(os.environ, **env_extra)
    cmd = command + [WORKLOADS, '--repeat', str(args.repeat), '--protocols', args.protocols]
    if args.only:
        cmd += ['--only', args.only]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)['results']


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float('nan')


def collect(configs, args):
    rounds = {name: [] for name in configs}
    for _ in range(args.rounds):
        for name, (command, env) in configs.items():
            rounds[name].append(run_once(command, env, args))
    table = {}
    for name, runs in rounds.items():
        for workload in runs[0]:
            for proto in runs[0][workload]:
                for op in ('dumps', 'loads'):
                    table[(name, workload, proto, op)] = min(r[workload][proto][op] for r in runs)
    return table, list(rounds['brine'][0]), list(next(iter(rounds['brine'][0].values())))


def report(table, workloads, protocols, names):
    lines = []
    header = ['workload', 'proto', 'op'] + [f'{n} ms' for n in names] + [f'brine/{n}' for n in names[1:]]
    lines.append('| ' + ' | '.join(header) + ' |')
    lines.append('|' + '---|' * len(header))
    ratios = {n: {} for n in names[1:]}
    for workload in workloads:
        for proto in protocols:
            for op in ('dumps', 'loads'):
                cells = [table[(n, workload, proto, op)] for n in names]
                row = [workload, proto, op] + [f'{c:.2f}' for c in cells]
                for n, c in zip(names[1:], cells[1:]):
                    ratio = cells[0] / c
                    ratios[n][(workload, proto, op)] = ratio
                    row.append(f'{ratio:.2f}')
                lines.append('| ' + ' | '.join(row) + ' |')
    return lines, ratios


def summary(ratios, protocols):
    lines = []
    for ref, cells in ratios.items():
        for group in (('4', '5'), tuple(protocols)):
            chosen = [r for (w, p, op), r in cells.items() if p in group]
            if not chosen:
                continue
            worst = max(cells.items(), key=lambda kv: kv[1] if kv[0][1] in group else 0)
            by_op = ', '.join(f'{op} {geomean([r for (w, p, o), r in cells.items() if p in group and o == op]):.2f}'
                              for op in ('dumps', 'loads'))
            lines.append(f'- brine/{ref}, protocols {",".join(group)}: geometric mean {geomean(chosen):.2f} '
                         f'({by_op}), worst {worst[1]:.2f} ({" ".join(worst[0])})')
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--brine', default=sys.executable)
    parser.add_argument('--python', default='python3')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--protocols', default='2,4,5')
    parser.add_argument('--only', default='')
    parser.add_argument('--markdown', default='')
    parser.add_argument('--baseline', default='')
    parser.add_argument('--no-rustpython', action='store_true',
                        help="leave out RustPython's own _pickle (for comparing two brine builds)")
    args = parser.parse_args()

    configs = {'brine': ([args.brine], {'BRINE_PICKLE_IMPL': 'brine'})}
    if not args.no_rustpython:
        configs['rustpython'] = ([args.brine], {'BRINE_PICKLE_IMPL': 'rustpython'})
    if args.baseline:
        configs['baseline'] = ([args.baseline], {'BRINE_PICKLE_IMPL': 'brine'})
    pythons = cpythons(args.python)
    for name, python in pythons.items():
        configs[name] = ([python], {})
    table, workloads, protocols = collect(configs, args)
    names = list(configs)
    if len(pythons) > 1:
        # The reference the bounds are stated against: per cell, the faster CPython.
        for (name, workload, proto, op) in list(table):
            if name == 'brine':
                table[('fastest', workload, proto, op)] = min(
                    table[(p, workload, proto, op)] for p in pythons)
        names.append('fastest')
    lines, ratios = report(table, workloads, protocols, names)
    totals = summary(ratios, protocols)
    print('\n'.join(lines + [''] + totals))
    if args.markdown:
        write_markdown(args, lines, totals, pythons)


def cpythons(spec):
    """The CPythons named by `--python` (comma-separated), each under its version: `cpython`
    alone when there is one, `cpython3.11`, `cpython3.13`... when there are more."""
    found = [shutil.which(os.path.expanduser(p)) for p in spec.split(',') if p]
    found = [p for p in found if p]
    if len(found) == 1:
        return {'cpython': found[0]}
    named = {}
    for python in found:
        version = subprocess.run([python, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
                                 capture_output=True, text=True, check=True).stdout.strip()
        named[f'cpython{version}'] = python
    return named


def write_markdown(args, lines, totals, pythons):
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine()) \
        if os.path.exists('/proc/cpuinfo') else platform.machine()
    version = ' and '.join(subprocess.run([p, '--version'], capture_output=True, text=True).stdout.strip()
                           for p in pythons.values()) or 'absent'
    text = [
        '## The VM\'s pickle: brine against RustPython\'s _pickle and CPython', '',
        f'Measured {datetime.date.today().isoformat()} on {cpu}, {os.cpu_count()} cores; {version} as the CPython reference{"s" if len(pythons) > 1 else ""}.',
        f'Command: `brine bench/run.py --python {args.python} --rounds {args.rounds} --repeat {args.repeat} --protocols {args.protocols}` '
        '(release build). Times are milliseconds for one run of the workload (see bench/workloads.py); each cell is '
        'the fastest over rounds of per-run fastest times, the configurations interleaved round by round. '
        'Ratios are brine over the reference: below 1.0 means brine is faster.', '',
        '### Summary', '', *totals, '', '### All cells', '', *lines,
    ]
    replace_section(args.markdown, 'vm', '\n'.join(text))


if __name__ == '__main__':
    main()
