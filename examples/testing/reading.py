"""A class whose pickling the tests beside it check: a sensor reading that keeps a cache it
does not pickle, and a version number its state carries so that old pickles still load."""


class Reading:
    VERSION = 2

    def __init__(self, sensor, celsius, tags=()):
        self.sensor = sensor
        self.celsius = celsius
        self.tags = list(tags)
        self._label = None  # computed on demand, never pickled

    def label(self):
        if self._label is None:
            self._label = f'{self.sensor}: {self.celsius:.1f} °C'
        return self._label

    def __getstate__(self):
        state = self.__dict__.copy()
        del state['_label']
        state['version'] = self.VERSION
        return state

    def __setstate__(self, state):
        state = dict(state)
        if state.pop('version', 1) < 2:
            # Version 1 stored kelvin.
            state['celsius'] = state.pop('kelvin') - 273.15
            state.setdefault('tags', [])
        self.__dict__.update(state)
        self._label = None

    def __eq__(self, other):
        if not isinstance(other, Reading):
            return NotImplemented
        return (self.sensor, self.celsius, self.tags) == (other.sensor, other.celsius, other.tags)

    def __repr__(self):
        return f'Reading({self.sensor!r}, {self.celsius!r}, {self.tags!r})'


def sample():
    """The reading the golden pickles hold."""
    return Reading('Zürich-Nord', 21.5, ['roof', 'north'])
