"""Startup time and memory: `brine -c "import pickle"` and `brine -c pass` beside CPython.

    brine bench/startup.py [--brine PATH] [--python python3 ...] [--rounds 30] [--markdown BENCHMARKS.md]
                           [--baseline OTHER_BRINE --baseline-label TEXT]

Each round starts every command once, in turn, so that a noisy moment hits all of them; a
cell is the median (and the fastest) wall time over rounds, and the median over five runs of
the peak resident size each process reads of itself (VmHWM) as its last statement. Then one `brine -c pass` reports where its resident
memory is at exit, mapping by mapping (/proc/self/smaps): the binary's code and read-only
data, and the heap.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from markdown_section import replace_section  # noqa: E402

# Run inside `brine -c`: resident KiB of the binary's code, its read-only data, the anonymous
# mappings (the heap) and everything else.
BREAKDOWN = r"""
import os, re
exe = os.path.realpath('/proc/self/exe')
parts = {'code': 0, 'read-only data': 0, 'heap (anonymous)': 0, 'other': 0}
kind = 'other'
for line in open('/proc/self/smaps'):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
        fields = line.split()
        path = fields[5] if len(fields) > 5 else ''
        if path == exe:
            kind = 'code' if 'x' in fields[1] else 'read-only data' if 'w' not in fields[1] else 'other'
        elif not path:
            kind = 'heap (anonymous)'
        else:
            kind = 'other'
    elif line.startswith('Rss:'):
        parts[kind] += int(line.split()[1])
print(';'.join(f'{k}={v}' for k, v in parts.items()))
"""


# Appended to a `-c` program: the process's own peak resident size. The kernel's ru_maxrss
# for a child counts the parent's pages it was forked with, so the child reads its VmHWM.
PEAK = "\nprint(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"


def run(command):
    """Wall time (ms) of one run of `command`."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def peak(command):
    """Peak resident size (MiB) of `command` (a `-c` program), read by the process at its end."""
    out = subprocess.run(command[:-1] + [command[-1] + PEAK], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def measure(commands, rounds):
    times = {name: [] for name in commands}
    peaks = {name: [] for name in commands}
    for round_ in range(rounds):
        for name, command in commands.items():
            times[name].append(run(command))
            if round_ < 5:
                peaks[name].append(peak(command))
    return times, peaks


def breakdown(brine):
    out = subprocess.run([brine, '-c', BREAKDOWN], capture_output=True, text=True, check=True).stdout
    return [(k, int(v) / 1024) for k, v in (item.split('=') for item in out.strip().split(';'))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--brine', default=sys.executable)
    parser.add_argument('--python', nargs='*', default=['python3'])
    parser.add_argument('--rounds', type=int, default=30)
    parser.add_argument('--markdown', default='')
    # Another brine binary (a build of an earlier commit, say) measured in the same rounds.
    parser.add_argument('--baseline', default='')
    parser.add_argument('--baseline-label', default='baseline')
    args = parser.parse_args()

    commands = {'brine -c "import pickle"': [args.brine, '-c', 'import pickle'],
                'brine -c pass': [args.brine, '-c', 'pass']}
    if args.baseline:
        commands[f'brine -c "import pickle" ({args.baseline_label})'] = [args.baseline, '-c', 'import pickle']
        commands[f'brine -c pass ({args.baseline_label})'] = [args.baseline, '-c', 'pass']
    versions = {}
    for python in args.python:
        path = shutil.which(python)
        if not path:
            continue
        version = subprocess.run([path, '--version'], capture_output=True, text=True).stdout.split()[-1]
        versions[python] = version
        commands[f'{python} -c "import pickle" ({version})'] = [path, '-c', 'import pickle']
        commands[f'{python} -c pass ({version})'] = [path, '-c', 'pass']
    times, peaks = measure(commands, args.rounds)
    reference = next((n for n in commands if n.startswith(args.python[0]) and 'import' in n), None)
    lines = ['| command | median ms | fastest ms | ratio to ' + (reference or '-') + ' | peak resident MiB |',
             '|---|---:|---:|---:|---:|']
    for name in commands:
        ratio = median(times[name]) / median(times[reference]) if reference else float('nan')
        lines.append(f'| `{name}` | {median(times[name]):.1f} | {min(times[name]):.1f} | {ratio:.2f} | '
                     f'{median(peaks[name]):.1f} |')
    parts = breakdown(args.brine)
    lines += ['', '| resident at exit of `brine -c pass` | MiB |', '|---|---:|']
    lines += [f'| {k} | {v:.1f} |' for k, v in parts]
    lines.append(f'| total | {sum(v for _, v in parts):.1f} |')
    print('\n'.join(lines))
    if args.markdown:
        text = ['## Startup and memory', '',
                f'Measured {datetime.date.today().isoformat()}, {os.cpu_count()} cores. Command: '
                f'`brine bench/startup.py --rounds {args.rounds} --python {" ".join(args.python)}'
                f'{" --baseline BRINE --baseline-label " + repr(args.baseline_label) if args.baseline else ""}` '
                '(release build): every command once per round, in turn; wall time of the whole process; '
                'peak resident size as each process reads it of itself (VmHWM) at its end, median of five.', '', *lines]
        replace_section(args.markdown, 'startup', '\n'.join(text))


if __name__ == '__main__':
    main()
