"""Writes the files pickle-core's serde-pickle comparison reads (bench/serde_pickle.sh).

The records workload of bench/workloads.py and a list of 2,000,000 short strings, each
pickled at protocols 2 to 5 by the running interpreter's pickle (brine's, whose output is
CPython's byte for byte; CPython gives the same files).
"""

import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads import records  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    workloads = {'records': records(), 'strings': [f's{i}' for i in range(2_000_000)]}
    for name, data in workloads.items():
        for proto in (2, 3, 4, 5):
            with open(os.path.join(out, f'{name}_p{proto}.pickle'), 'wb') as f:
                pickle.dump(data, f, proto)


if __name__ == '__main__':
    main()
