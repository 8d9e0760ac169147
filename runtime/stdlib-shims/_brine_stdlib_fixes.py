"""Corrections to RustPython's pure-Python standard library, where CPython's C modules pickle
otherwise or where brine's build lacks what the module expects (not a public module).

runtime/src/pickle/type_fixes/frozen_exec.rs runs `correct(module)` right after one of the
modules named in `CORRECTIONS` is first executed, so that `pickle.py`, `copy` and `copyreg`
see the corrected behaviour as brine's pickler does.
"""


def correct(module):
    CORRECTIONS[module.__spec__.name](module)


# The order in which CPython's C decimal lists a context's signals (its signal_map).
_SIGNAL_ORDER = ('InvalidOperation', 'FloatOperation', 'DivisionByZero', 'Overflow',
                 'Underflow', 'Subnormal', 'Inexact', 'Rounded', 'Clamped')


def _pydecimal(module):
    """`Context.__reduce__` lists the set flags and traps in CPython's C order, not the pure
    module's dict order."""
    signals = [getattr(module, name) for name in _SIGNAL_ORDER]

    def __reduce__(self):
        flags = [sig for sig in signals if self.flags.get(sig)]
        traps = [sig for sig in signals if self.traps.get(sig)]
        return (self.__class__,
                (self.prec, self.rounding, self.Emin, self.Emax,
                 self.capitals, self.clamp, flags, traps))
    __reduce__.__qualname__ = 'Context.__reduce__'
    module.Context.__reduce__ = __reduce__


def _collections(module):
    """`UserString.__getnewargs__` returns `(self.data[:],)`: in CPython a full slice of a
    str is the str itself, so the pickle refers to `data` once; RustPython's slice is a copy."""
    def __getnewargs__(self):
        data = self.data
        return (data if type(data) is str else data[:],)
    __getnewargs__.__qualname__ = 'UserString.__getnewargs__'
    module.UserString.__getnewargs__ = __getnewargs__


def _ensurepip(module):
    """The frozen standard library has no files beside its modules, so `ensurepip` finds no
    bundled pip wheel there; the `brine` binary carries the same wheel (`_brine_bundled`),
    written here to a temporary directory when it is asked for. A distribution's own wheel
    directory (`WHEEL_PKG_DIR`) still comes first, as in CPython."""
    import contextlib
    import pathlib
    import tempfile
    own = module._get_pip_whl_path_ctx

    @contextlib.contextmanager
    def bundled():
        import _brine_bundled
        with tempfile.TemporaryDirectory() as tmpdir:
            path = pathlib.Path(tmpdir) / f'pip-{module._PIP_VERSION}-py3-none-any.whl'
            path.write_bytes(_brine_bundled.pip_wheel())
            yield path

    def _get_pip_whl_path_ctx():
        if module._find_wheel_pkg_dir_pip() is not None:
            return own()
        try:
            import _brine_bundled
        except ImportError:
            return own()
        return bundled()
    module._get_pip_whl_path_ctx = _get_pip_whl_path_ctx


def _ssl(module):
    """`SSLContext.set_default_verify_paths` (which `load_default_certs` and so
    `create_default_context` call) as OpenSSL's: the file `SSL_CERT_FILE` names, else the
    system's store, and the directory `SSL_CERT_DIR` names, else the system's. RustPython's
    read `SSL_CERT_FILE` into its roots without the record `load_verify_locations` keeps, so a
    self-signed server certificate named there was refused (pip with `SSL_CERT_FILE` pointing
    at a private index's certificate), and it dropped the system's directory beside it."""
    import os
    native = module.SSLContext.set_default_verify_paths

    def set_default_verify_paths(self):
        cafile = os.environ.get('SSL_CERT_FILE')
        if not cafile or not os.path.isfile(cafile):
            return native(self)
        try:
            self.load_verify_locations(cafile=cafile)
        except (OSError, ValueError):
            return native(self)
        capath = os.environ.get('SSL_CERT_DIR') or module.get_default_verify_paths().openssl_capath
        if capath and os.path.isdir(capath):
            try:
                self.load_verify_locations(capath=capath)
            except (OSError, ValueError):
                pass
    set_default_verify_paths.__qualname__ = 'SSLContext.set_default_verify_paths'
    module.SSLContext.set_default_verify_paths = set_default_verify_paths


CORRECTIONS = {
    '_pydecimal': _pydecimal,
    'collections': _collections,
    'ensurepip': _ensurepip,
    'ssl': _ssl,
}
