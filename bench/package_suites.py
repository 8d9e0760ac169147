"""Packages' own test suites under brine and under CPython, side by side (issue 30): pytest's
small dependencies iniconfig and pluggy, and cloudpickle, whose suite pickles functions,
classes and closures by value; then `pytest examples/testing`, timed from start to result
under each. Each interpreter gets a venv with pytest (and hypothesis) from the package index,
and runs the suites from their sources with no install (the sources on PYTHONPATH).

    python3 bench/package_suites.py --brine target/release/brine --python python3.13 \\
        [--cloudpickle DIR] [--rounds 5]

Needs the network (PyPI; cloudpickle's tests are not in its sdist: give a checkout of
github.com/cloudpipe/cloudpickle with --cloudpickle, or the suite is left out). Writes the
"Packages' own test suites" section of BENCHMARKS.md.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
WORK = os.path.join(TOP, 'target', 'package-suites')
HYPOTHESIS = 'hypothesis<6.156'
# Each suite: (name, sdist to download or None, where its sources are, its tests, pytest args).
SUITES = [
    ('iniconfig', 'iniconfig==2.3.1', 'src', 'testing', []),
    ('pluggy', 'pluggy==1.7.0', 'src', 'testing', []),
    ('cloudpickle', None, '.', 'tests', ['-p', 'no:cacheprovider']),
]


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def venv(name, python):
    env = os.path.join(WORK, name)
    shutil.rmtree(env, ignore_errors=True)
    done = run([python, '-m', 'venv', env])
    if done.returncode:
        sys.exit(f'{name}: venv failed\n{done.stderr}')
    pip = run([os.path.join(env, 'bin', 'pip'), 'install', '-q', 'pytest', HYPOTHESIS])
    if pip.returncode:
        sys.exit(f'{name}: pip failed\n{pip.stdout}{pip.stderr}')
    python = os.path.join(env, 'bin', 'python')
    # The psutil stand-in goes into site-packages: cloudpickle's workers get a PYTHONPATH of
    # their own.
    purelib = run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'])
    shutil.copy(os.path.join(HERE, 'suites', 'psutil.py'), purelib.stdout.strip())
    return python


def sources(cloudpickle):
    """Each suite's source directory, downloaded and unpacked into WORK."""
    found = {}
    for name, requirement, _, _, _ in SUITES:
        if requirement is None:
            if cloudpickle:
                found[name] = os.path.abspath(cloudpickle)
            continue
        into = os.path.join(WORK, 'sdists')
        done = run([sys.executable, '-m', 'pip', 'download', '-q', '--no-binary', ':all:',
                    '--no-deps', '-d', into, requirement])
        if done.returncode:
            sys.exit(f'{requirement}: download failed\n{done.stderr}')
        version = requirement.split('==')[1]
        archive = os.path.join(into, f'{name}-{version}.tar.gz')
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter='data')
        found[name] = os.path.join(into, f'{name}-{version}')
    return found


def counts(output):
    """pytest's closing counts, as a dict: {'passed': 210, 'failed': 2, ...}."""
    last = output.strip().splitlines()[-1] if output.strip() else ''
    return {kind: int(n) for n, kind in re.findall(r'(\d+) (\w+)', last)}


def suite(python, name, root, src, tests, args):
    env = dict(os.environ, PYTHONPATH=os.path.join(root, src), PYTHONHASHSEED='0')
    done = run([python, '-m', 'pytest', '-q', '-p', 'no:randomly', *args, tests],
               cwd=root, env=env)
    failed = sorted(set(re.findall(r'^(?:FAILED|ERROR) (\S+)', done.stdout, re.M)))
    return counts(done.stdout), failed


def timed(python, rounds):
    example = os.path.join(TOP, 'examples', 'testing')
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        done = run([python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', example], cwd=WORK)
        times.append(time.perf_counter() - started)
        if done.returncode:
            sys.exit(f'pytest on examples/testing failed under {python}\n{done.stdout}')
    return statistics.median(times)


def show(count):
    order = ['passed', 'failed', 'errors', 'error', 'skipped', 'xfailed', 'xpassed']
    return ', '.join(f'{count[k]} {k}' for k in order if k in count) or 'nothing ran'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--brine', default=os.path.join(TOP, 'target', 'release', 'brine'))
    parser.add_argument('--python', default='python3.13')
    parser.add_argument('--cloudpickle')
    parser.add_argument('--rounds', type=int, default=5)
    options = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    found = sources(options.cloudpickle)
    pythons = {'brine': venv('brine-env', options.brine),
               'CPython': venv('cpython-env', options.python)}
    version = run([pythons['CPython'], '-c', 'import sys; print(sys.version.split()[0])']).stdout.strip()
    lines = ['| suite | brine | CPython ' + version + ' |', '|---|---|---|']
    notes = []
    for name, _, src, tests, args in SUITES:
        if name not in found:
            continue
        results = {who: suite(py, name, found[name], src, tests, args) for who, py in pythons.items()}
        lines.append(f'| {name} | {show(results["brine"][0])} | {show(results["CPython"][0])} |')
        only_brine = sorted(set(results['brine'][1]) - set(results['CPython'][1]))
        if only_brine:
            notes.append(f'{name}, failing under brine only: ' + ', '.join(f'`{t}`' for t in only_brine))
    seconds = {who: timed(py, options.rounds) for who, py in pythons.items()}
    ratio = seconds['brine'] / seconds['CPython']
    section = [
        '## Packages\' own test suites under brine',
        '',
        f'Measured {time.strftime("%Y-%m-%d")} with `python3 bench/package_suites.py` (release brine, '
        f'CPython {version}; each suite from its sources, pytest from the package index in a venv of each).',
        '',
        *lines,
        '',
        *[f'- {n}' for n in notes],
        '' if notes else '',
        f'`python -m pytest -q examples/testing` (14 tests, hypothesis among them), start to result, '
        f'median of {options.rounds}: brine {seconds["brine"]:.2f} s, CPython {seconds["CPython"]:.2f} s '
        f'({ratio:.2f}x).',
    ]
    text = '\n'.join(line for line in section) + '\n'
    print(text)
    subprocess.run([options.brine, os.path.join(HERE, 'markdown_section.py'),
                    os.path.join(TOP, 'BENCHMARKS.md'), 'package_suites'], input=text, text=True,
                   check=True)


if __name__ == '__main__':
    main()
