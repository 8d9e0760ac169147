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
import re
import statistics
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
    """A PyTorch-shaped zip: archive/data.pkl naming tensors, then 8 storages of 128 MiB."""
    sys.path.insert(0, CORPUS)
    import generate  # noqa: E402  the corpus generator's state dict
    chunk = os.urandom(1 << 20)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo('archive/data.pkl', date_time=(1980, 1, 1, 0, 0, 0)), generate.state_dict_pickle())
        for i in range(8):
            with z.open(zipfile.ZipInfo(f'archive/data/{i}', date_time=(1980, 1, 1, 0, 0, 0)), 'w',
                        force_zip64=True) as f:
                for _ in range(128):
                    f.write(chunk)


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
                '1 GiB (a state dict naming two tensors, 8 stored storages of 128 MiB), in the page cache, median '
                'of the rounds.', '', *lines, '', *detail]
        replace_section(args.markdown, 'inspect', '\n'.join(text))


if __name__ == '__main__':
    main()
