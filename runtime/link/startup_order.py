"""Writes the order in which the linker lays out brine's code: the functions a fresh start runs.

    python3 runtime/link/startup_order.py target/release/brine > runtime/link/startup-order.txt

Runs `brine -c pass`, `brine -c "import pickle"` and a small pickle round trip under
callgrind (valgrind), and lists every function of the binary they execute, in the order each
is first seen, by its symbol name. runtime/build.rs hands the list to the linker for release
builds, which puts those functions side by side at the start of the code: about 4.6 MB of
the 20 MB, which a start otherwise touches in some 220 different 64 KiB stretches (the kernel
maps 64 KiB around each page fault), 14 MiB of resident code instead of 5.

Names that no longer exist (a function renamed or changed) are skipped by the linker, so a
stale list only lays out less; rerun this after changes to what starting up runs.
"""

import os
import re
import subprocess
import sys
import tempfile

ROUND_TRIP = r"""
import pickle, io
class Point:
    def __init__(self):
        self.a = 1
        self.b = [1, 2.0, 'x', b'y', None, True]
data = [Point() for _ in range(10)] + [{'k': (1, 2)}, {1}, frozenset(), bytearray(b'z'), 2**70]
for proto in range(6):
    pickle.loads(pickle.dumps(data, proto))
    f = io.BytesIO()
    pickle.dump(data, f, proto)
    f.seek(0)
    pickle.load(f)
"""

PROGRAMS = [["-c", "pass"], ["-c", "import pickle"], ["-c", ROUND_TRIP]]

FUNCTION_LINE = re.compile(r"c?fn=\(\d+\) (.+)")


def executed(brine, args):
    """Symbol names of the functions `brine args` runs, in the order first seen."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={out}", brine]
            + args,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(out) as profile:
            return [m.group(1) for m in map(FUNCTION_LINE.match, profile) if m]


def code_symbols(brine):
    """The names of the functions defined in the binary's code."""
    listing = subprocess.run(
        ["nm", "--defined-only", brine], check=True, capture_output=True, text=True
    ).stdout
    return {parts[2] for parts in map(str.split, listing.splitlines()) if len(parts) == 3 and parts[1] in "tTwW"}


def main():
    brine = sys.argv[1]
    defined = code_symbols(brine)
    seen = set()
    for args in PROGRAMS:
        for name in executed(brine, args):
            if name in defined and name not in seen:
                seen.add(name)
                print(name)


if __name__ == "__main__":
    main()
