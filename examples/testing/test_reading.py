"""Reading's pickling, tested with pytest and hypothesis (installed with pip into a venv, see
README): `python -m pytest examples/testing`."""
import copy
import os
import pickle

import pytest
from hypothesis import given, strategies as st

from reading import Reading, sample

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden')
PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


@pytest.mark.parametrize('proto', PROTOCOLS)
def test_bytes_are_cpythons(proto):
    with open(os.path.join(GOLDEN, f'reading-p{proto}.pickle'), 'rb') as f:
        expected = f.read()
    assert pickle.dumps(sample(), protocol=proto) == expected
    assert pickle.loads(expected) == sample()


@pytest.mark.parametrize('make_copy', [copy.copy, copy.deepcopy])
def test_copies_drop_the_cache(make_copy):
    r = sample()
    r.label()
    assert make_copy(r) == r and make_copy(r)._label is None


@given(sensor=st.text(), celsius=st.floats(allow_nan=False),
       tags=st.lists(st.text(max_size=5), max_size=4),
       proto=st.sampled_from(PROTOCOLS))
def test_any_reading_round_trips(sensor, celsius, tags, proto):
    r = Reading(sensor, celsius, tags)
    assert pickle.loads(pickle.dumps(r, protocol=proto)) == r
