"""Brine's isolated runtimes, frozen into the runtime (not a public module).

An isolated runtime does without the native modules that reach the host; they are gone
from the interpreter before it starts. This finder, first on sys.meta_path, makes
importing one say why, instead of only that it is not there, and serves the stand-ins the
runtime has for some (``posix``) when they are imported again.
"""


class IsolatedModules:
    """Refuses the modules an isolated runtime does not have; serves its stand-ins."""

    def __init__(self, refused, stand_ins):
        self.refused = frozenset(refused)
        self.stand_ins = dict(stand_ins)

    def find_spec(self, name, path=None, target=None):
        if name in self.refused:
            raise ModuleNotFoundError(
                f"import of {name!r} is refused: this runtime is isolated", name=name)
        if name in self.stand_ins:
            from importlib.machinery import ModuleSpec
            return ModuleSpec(name, self, origin='built-in')
        return None

    def create_module(self, spec):
        return self.stand_ins[spec.name]

    def exec_module(self, module):
        pass
