"""Replaces one harness's section of BENCHMARKS.md, keeping the others.

Each harness owns the text between `<!-- begin NAME -->` and `<!-- end NAME -->`; a section
not yet in the file is appended. Used by bench/run.py, and by bench/serde_pickle.sh as
`brine bench/markdown_section.py FILE NAME < text`.
"""

import os
import sys


def replace_section(path, name, body):
    begin, end = f'<!-- begin {name} -->', f'<!-- end {name} -->'
    text = open(path).read() if os.path.exists(path) else '# Benchmarks\n'
    section = f'{begin}\n{body.rstrip()}\n{end}'
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip() + '\n\n' + section + '\n'
    with open(path, 'w') as f:
        f.write(text)


if __name__ == '__main__':
    replace_section(sys.argv[1], sys.argv[2], sys.stdin.read())
