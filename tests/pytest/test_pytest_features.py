"""pytest's features as a user's suite meets them, run under brine by
runtime/tests/packages.rs: fixtures with teardown, parametrize, tmp_path, capsys,
pytest.raises, assertion rewriting, and hypothesis's shrinking and example database. The tests
named `test_fails_on_purpose_*` fail on purpose: the runner checks pytest's report of them."""
import pickle
import sys

import pytest
from hypothesis import given, strategies as st

EVENTS = []


@pytest.fixture
def opened():
    EVENTS.append('set up')
    yield {'answer': 42}
    EVENTS.append('torn down')


def test_a_fixture_gives_its_value(opened):
    assert opened == {'answer': 42} and EVENTS == ['set up']


def test_a_fixture_is_torn_down_after_its_test():
    assert EVENTS == ['set up', 'torn down']


@pytest.mark.parametrize('proto', range(pickle.HIGHEST_PROTOCOL + 1), ids=lambda p: f'p{p}')
def test_parametrize(proto):
    assert pickle.loads(pickle.dumps({1: 'é€😀'}, proto)) == {1: 'é€😀'}


def test_tmp_path(tmp_path):
    path = tmp_path / 'data.pickle'
    path.write_bytes(pickle.dumps([1, 2], 5))
    assert pickle.loads(path.read_bytes()) == [1, 2]


def test_capsys(capsys):
    print('to stdout')
    print('to stderr', file=sys.stderr)
    assert capsys.readouterr() == ('to stdout\n', 'to stderr\n')


def test_raises():
    with pytest.raises(pickle.UnpicklingError, match='truncated'):
        pickle.loads(b'\x80\x05K')


def test_fails_on_purpose_comparing_lists():
    assert [1, 2, 3] == [1, 2, 4]


@given(st.integers())
def test_fails_on_purpose_shrinking(n):
    assert n < 1000
