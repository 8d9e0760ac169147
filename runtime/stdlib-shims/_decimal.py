"""CPython's name for its C decimal module, here the pure-Python one under that name.

CPython's `decimal` is `_decimal`'s, and the functions it defines in C say so: pickles name
`_decimal.getcontext`, `_decimal.setcontext` and `_decimal.localcontext`, which would not
load without a module of this name. `decimal` imports from here as it imports from CPython's
`_decimal`, so its classes and functions are the pure-Python ones either way, and the three
functions name this module, as CPython's do.
"""

from _pydecimal import *  # noqa: F401,F403
from _pydecimal import __version__, __libmpdec_version__  # noqa: F401
from _pydecimal import getcontext, localcontext, setcontext

for _function in (getcontext, localcontext, setcontext):
    _function.__module__ = __name__
del _function
