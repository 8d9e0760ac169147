"""Classes the Python 2 fixtures name (module `py2_classes`), importable by CPython 3 and brine.

In Python 2, `OldStyle` and `WithInitArgs` were old-style classes, which the pickler wrote
with INST (protocol 0) or OBJ (protocols 1 and 2); `NewStyle` derived from object, which
protocols 0 and 1 wrote through copy_reg._reconstructor.
"""


class OldStyle:
    pass


class WithInitArgs:
    """An old-style class whose pickles carry `__getinitargs__()`'s arguments: unpickling
    calls `__init__` with them."""

    def __init__(self, a, b):
        self.a = a
        self.b = b
        self.initialised = True

    def __getinitargs__(self):
        return (self.a, self.b)


class NewStyle(object):
    pass
