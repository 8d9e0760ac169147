"""Brine's embedding support, frozen into the runtime (not a public module).

The modules a Rust host adds to a runtime are served by one meta path finder, so that they
import like any other module, are found again after ``del sys.modules[name]``, and stay
private to the runtime that registered them.
"""

import sys


class HostModules:
    """Finds and loads the host's modules: Python sources, compiled when the runtime was
    built, and native modules, made in Rust."""

    def __init__(self):
        self.sources = {}
        self.natives = {}

    def _names(self):
        return (*self.sources, *self.natives)

    def find_spec(self, name, path=None, target=None):
        if name not in self.sources and name not in self.natives:
            return None
        from importlib.machinery import ModuleSpec
        is_package = any(other.startswith(name + '.') for other in self._names())
        code = self.sources.get(name)
        origin = code.co_filename if code is not None else 'built-in'
        spec = ModuleSpec(name, self, origin=origin, is_package=is_package)
        if is_package:
            spec.submodule_search_locations = []
        return spec

    def create_module(self, spec):
        return self.natives.get(spec.name)

    def exec_module(self, module):
        code = self.sources.get(module.__spec__.name)
        if code is not None:
            exec(code, module.__dict__)


host_modules = HostModules()


def install():
    """Puts the finder first on sys.meta_path: the host's names win over the stdlib's."""
    sys.meta_path.insert(0, host_modules)


def has_importer(path):
    """Whether ``path`` is a directory or zip file that ``python PATH`` runs as a package
    (its ``__main__``), as CPython decides: an importer from ``sys.path_hooks``."""
    cache = sys.path_importer_cache
    if path in cache:
        return cache[path] is not None
    for hook in sys.path_hooks:
        try:
            importer = hook(path)
        except ImportError:
            continue
        cache.setdefault(path, importer)
        return True
    return False


def format_exception(exc):
    """The text the default sys.excepthook writes for ``exc`` (what ``brine FILE`` prints
    for an uncaught exception), without colour."""
    import io
    import traceback
    out = io.StringIO()
    traceback.print_exception(exc, limit=traceback.BUILTIN_EXCEPTION_LIMIT, file=out,
                              colorize=False)
    return out.getvalue()
