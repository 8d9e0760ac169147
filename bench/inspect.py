"""brine-pickle inspect beside picklescan and fickling: what each catches in the container
corpus (tests/containers) and how long each takes on a 1 GiB PyTorch-shaped checkpoint.

    python3 bench/inspect.py [--brine-pickle target/release/brine-pickle] [--rounds 3]
                             [--markdown BENCHMARKS.md]

picklescan and fickling are installed with pip into a temporary directory (never a
dependency of the project); they run under the python3 that runs this script. A file counts
as caught when a scanner does not call it safe: it reports a dangerous global, refuses it
(fickling's exit status 1), or fails to read it (which leaves the user without a verdict,
not with a false "safe").
"""

import argparse
import datetime
import io
import os
import pickle
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, 'tests', 'containers')
sys.path.insert(0, HERE)
from markdown_section import replace_section  # noqa: E402


def install_scanners(target):
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--target', target,
                    'picklescan', 'fickling'], check=True)


def judge_brine(tool, path, env):
    code = subprocess.run([tool, 'inspect', '--profile', 'torch', path], capture_output=True).returncode
    return {0: 'safe', 1: 'unsafe'}.get(code, 'error')


def judge_picklescan(path, env):
    out = subprocess.run([sys.executable, '-m', 'picklescan', '-p', path], capture_output=True, text=True, env=env)
    text = out.stdout + out.stderr
    infected = re.search(r'Infected files: (\d+)', text)
    if 'ERROR' in text or infected is None:
        return 'error'
    return 'unsafe' if int(infected.group(1)) > 0 else 'safe'


def judge_fickling(path, env, scanners):
    tool = os.path.join(scanners, 'bin', 'fickling')
    # fickling writes safety_results.json into its working directory: keep it out of the tree.
    code = subprocess.run([sys.executable, tool, '--check-safety', os.path.abspath(path)], capture_output=True,
                          env=env, cwd=scanners).returncode
    return {0: 'safe', 1: 'unsafe'}.get(code, 'error')


def corpus_cases():
    for line in open(os.path.join(CORPUS, 'expected.txt')):
        name, _, torch_verdict, _ = line.rstrip('\n').split(' ', 3)
        yield name, torch_verdict


def big_checkpoint(path):
    """A PyTorch-shaped zip of 1 GiB: archive/data.pkl naming 8 float32 tensors of 4096 x 8192,
    then their 8 storages of 128 MiB (each record the size its persistent id says)."""
    sys.path.insert(0, CORPUS)
    import generate  # noqa: E402  the corpus generator's tensor writer
    numel = 4096 * 8192
    entries = b''.join(b'X' + struct.pack('<I', len(name)) + name + generate.tensor(str(i), numel, (4096, 8192), (8192, 1))
                       for i, name in enumerate(f'layer{i}.weight'.encode() for i in range(8)))
    chunk = os.urandom(1 << 20)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo('archive/data.pkl', date_time=(1980, 1, 1, 0, 0, 0)), b'\x80\x02}(' + entries + b'u.')
        for i in range(8):
            with z.open(zipfile.ZipInfo(f'archive/data/{i}', date_time=(1980, 1, 1, 0, 0, 0)), 'w',
                        force_zip64=True) as f:
                for _ in range(128):
                    f.write(chunk)


def small_pickles(directory, count=1000):
    """`count` small pickles of the shapes caches and queues hold (dicts of floats, lists of
    records, strings with accents), at protocols 2 to 5; one in a hundred calls os.system."""
    os.makedirs(directory, exist_ok=True)
    sys.path.insert(0, CORPUS)
    import generate  # noqa: E402  the corpus generator's payload
    for i in range(count):
        if i % 100 == 99:
            data = generate.payload
        else:
            value = {'id': i, 'name': f'élément {i} 名前', 'weights': [i / 7.0] * (i % 50),
                     'tags': ('a', 'b', str(i)), 'nested': [{'k': j} for j in range(i % 10)]}
            data = pickle.dumps(value, protocol=2 + i % 4)
        with open(os.path.join(directory, f'{i:04d}.pkl'), 'wb') as f:
            f.write(data)


def peak_rss_mib(command):
    """The peak resident size of one run of `command`, as GNU time reports it (a child forked
    from this process would count this process's pages too, up to its exec)."""
    out = subprocess.run(['/usr/bin/time', '-f', '%M'] + command, capture_output=True, text=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


FICKLING_DIRECTORY = """
import os, sys, fickling
unsafe = 0
for name in sorted(os.listdir(sys.argv[1])):
    try:
        if not fickling.is_likely_safe(os.path.join(sys.argv[1], name)):
            unsafe += 1
    except Exception:
        unsafe += 1
print(unsafe)
"""


def timed(fn, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--brine-pickle', default=os.path.join(ROOT, 'target', 'release', 'brine-pickle'))
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--markdown', default='')
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='brine-inspect-bench-')
    scanners = os.path.join(work, 'scanners')
    install_scanners(scanners)
    env = dict(os.environ, PYTHONPATH=scanners)
    judges = {
        'brine-pickle inspect --profile torch': lambda p: judge_brine(args.brine_pickle, p, env),
        'picklescan': lambda p: judge_picklescan(p, env),
        'fickling --check-safety': lambda p: judge_fickling(p, env, scanners),
    }
    cases = list(corpus_cases())
    results = {name: {} for name in judges}
    for tool, judge in judges.items():
        for name, _ in cases:
            results[tool][name] = judge(os.path.join(CORPUS, 'corpus', name))
    dangerous = [n for n, v in cases if v != 'safe']
    benign = [n for n, v in cases if v == 'safe']
    lines = ['| scanner | caught (of %d not safe) | missed | benign called safe (of %d) | 1 GiB checkpoint ms |'
             % (len(dangerous), len(benign)), '|---|---:|---|---:|---:|']
    checkpoint = os.path.join(work, 'big.pt')
    big_checkpoint(checkpoint)
    with open(checkpoint, 'rb') as f:
        while f.read(1 << 24):
            pass  # into the page cache, for every scanner alike
    for tool, judge in judges.items():
        caught = [n for n in dangerous if results[tool][n] != 'safe']
        missed = [n for n in dangerous if results[tool][n] == 'safe']
        fine = [n for n in benign if results[tool][n] == 'safe']
        ms = timed(lambda: judge(checkpoint), args.rounds)
        lines.append(f'| {tool} | {len(caught)} | {", ".join(missed) or "-"} | {len(fine)} | {ms:.0f} |')
    rss = peak_rss_mib([args.brine_pickle, 'inspect', '--profile', 'torch', checkpoint])
    lines += ['', f'brine-pickle\'s peak resident size on the checkpoint: {rss:.1f} MiB.', '']
    small = os.path.join(work, 'small')
    small_pickles(small)
    directory_runs = {
        'brine-pickle inspect DIR (2 threads)': [args.brine_pickle, 'inspect', small],
        'brine-pickle inspect --jobs 1 DIR': [args.brine_pickle, 'inspect', '--jobs', '1', small],
        'picklescan -p DIR': [sys.executable, '-m', 'picklescan', '-p', small],
        'fickling.is_likely_safe per file, one process': [sys.executable, '-c', FICKLING_DIRECTORY, small],
    }
    lines += ['| directory of 1,000 small pickles | ms | files/s |', '|---|---:|---:|']
    for label, command in directory_runs.items():
        ms = timed(lambda: subprocess.run(command, capture_output=True, env=env), args.rounds)
        lines.append(f'| {label} | {ms:.0f} | {1000 / ms * 1000:.0f} |')
    detail = ['| file | expected (torch profile) | ' + ' | '.join(judges) + ' |', '|---|---|' + '---|' * len(judges)]
    for name, verdict in cases:
        detail.append(f'| {name} | {verdict} | ' + ' | '.join(results[t][name] for t in judges) + ' |')
    print('\n'.join(lines + [''] + detail))
    if args.markdown:
        versions = subprocess.run([sys.executable, '-m', 'pip', 'list', '--path', scanners], capture_output=True,
                                  text=True).stdout
        found = dict(re.findall(r'^(picklescan|fickling)\s+(\S+)', versions, re.M))
        text = ['## Inspecting model files: brine-pickle against picklescan and fickling', '',
                f'Measured {datetime.date.today().isoformat()}, {os.cpu_count()} cores; picklescan '
                f'{found.get("picklescan", "?")}, fickling {found.get("fickling", "?")} under {sys.version.split()[0]}. '
                f'Command: `python3 bench/inspect.py --rounds {args.rounds}` (release build). The corpus is '
                'tests/containers (a file per published bypass family and container trick, and benign model files); '
                'a scanner catches a file when it does not call it safe. The checkpoint is a PyTorch-shaped zip of '
                '1 GiB (a state dict naming 8 tensors of 4096 x 8192 float32, their 8 stored storages of 128 MiB), in '
                'the page cache, median of the rounds; its peak resident size is GNU time\'s for one run. The directory holds 1,000 '
                'small pickles at protocols 2-5 (dicts of floats, records, non-ASCII strings; ten call os.system), '
                'each scanner run once over it per round.', '', *lines, '', *detail]
        replace_section(args.markdown, 'inspect', '\n'.join(text))


if __name__ == '__main__':
    main()
