"""The memory attack suite's report (runtime/tests/embed/memory_attacks.rs, one line per
attack on stdin) as a markdown table, for bench/memory_limit.sh."""

import re
import sys

LINE = re.compile(r"attack (.+?): (stopped at the limit|MemoryError) in (\S+); "
                  r"peak (\d+) MiB over (\d+) MiB before, limit (\d+) MiB, over by (\S+) MiB; "
                  r"next run (.+?) (ok|FAILED)$")


def row(match):
    name, how, took, peak, before, _limit, over, next_run, _ok = match.groups()
    next_run = 'works' if next_run == 'Ok(42)' else next_run
    return f'| {name} | {how} | {took} | {int(peak) - int(before)} | {over} | {next_run} |'


def main():
    print('| attack | ended by | after | peak above the start, MiB | past the limit, MiB | next run |')
    print('| --- | --- | ---: | ---: | ---: | --- |')
    for line in sys.stdin:
        match = LINE.match(line.strip())
        if match:
            print(row(match))


if __name__ == '__main__':
    main()
