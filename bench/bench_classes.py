"""Classes whose instances the benchmark pickles; a module of their own so that every
interpreter under test imports them by the same qualified name."""


class Point:
    """A plain class: instances pickle through object.__reduce_ex__ and a __dict__ state."""

    def __init__(self, x, y, label):
        self.x = x
        self.y = y
        self.label = label


class SlotPoint:
    """A __slots__ class: instances pickle with (None, slot-state) as their state."""

    __slots__ = ('x', 'y', 'label')

    def __init__(self, x, y, label):
        self.x = x
        self.y = y
        self.label = label


class Session:
    """An application's state: a user, their open documents and recent events."""

    def __init__(self, user, documents, events, settings):
        self.user = user
        self.documents = documents
        self.events = events
        self.settings = settings
