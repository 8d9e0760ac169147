"""Reading's pickling, tested with unittest alone (nothing to install):
`brine -m unittest discover -s examples/testing -p 'test_*unittest.py'`."""
import copy
import os
import pickle
import unittest

from reading import Reading, sample

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden')


def golden(name):
    with open(os.path.join(GOLDEN, name), 'rb') as f:
        return f.read()


class ReadingPickles(unittest.TestCase):
    def test_round_trip_at_every_protocol(self):
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=proto):
                r = sample()
                r.label()  # fills the cache, which must not travel
                loaded = pickle.loads(pickle.dumps(r, protocol=proto))
                self.assertEqual(loaded, r)
                self.assertIsNone(loaded._label)
                self.assertEqual(loaded.label(), 'Zürich-Nord: 21.5 °C')

    def test_bytes_are_cpythons(self):
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=proto):
                self.assertEqual(pickle.dumps(sample(), protocol=proto),
                                 golden(f'reading-p{proto}.pickle'))

    def test_cpythons_pickles_load(self):
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=proto):
                self.assertEqual(pickle.loads(golden(f'reading-p{proto}.pickle')), sample())

    def test_version_1_state_is_upgraded(self):
        old = pickle.loads(golden('reading-v1.pickle'))
        self.assertEqual((old.sensor, old.tags), ('Basel', []))
        self.assertAlmostEqual(old.celsius, 26.85)

    def test_copy_and_deepcopy(self):
        r = sample()
        shallow, deep = copy.copy(r), copy.deepcopy(r)
        self.assertEqual(shallow, r)
        self.assertIs(shallow.tags, r.tags)
        self.assertEqual(deep, r)
        self.assertIsNot(deep.tags, r.tags)


if __name__ == '__main__':
    unittest.main()
