"""Writes golden/reading-pN.pickle: CPython's pickles of reading.sample() at every protocol,
and golden/reading-v1.pickle, a version-1 state as an older release wrote it. Run once with
CPython (3.13 made the committed files); the tests compare brine's bytes with these."""
import os
import pickle
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import reading

for proto in range(pickle.HIGHEST_PROTOCOL + 1):
    with open(os.path.join(here, 'golden', f'reading-p{proto}.pickle'), 'wb') as f:
        f.write(pickle.dumps(reading.sample(), protocol=proto))

old = reading.Reading.__new__(reading.Reading)
old.__dict__.update(sensor='Basel', kelvin=300.0)
reading.Reading.__getstate__, saved = (lambda self: dict(self.__dict__, version=1)), reading.Reading.__getstate__
with open(os.path.join(here, 'golden', 'reading-v1.pickle'), 'wb') as f:
    f.write(pickle.dumps(old, protocol=2))
reading.Reading.__getstate__ = saved
