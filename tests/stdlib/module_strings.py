"""Writes runtime/src/pickle/dump/module_strings.txt: which classes and functions of CPython's
standard library carry a `__module__` string that is not the interned module name.

From protocol 4 a global's module name is written as a string and memoised by identity, so a
second global of the same module reuses the first one's string only if the two `__module__`
strings are one object. For a class or function written in Python they are (both are the
module's `__name__`, which the import system interns); for a type CPython makes in C they are
often not: `array.array` has its own `'array'`, `decimal.Decimal` and `decimal.Context` share
one, each of decimal's signals has its own, and `ExceptionGroup` has its own `'builtins'`
(the static built-in types share the interned one, the builtins module's functions its
`__name__`, which is not interned). RustPython interns every module name, so brine's pickler
reads this table to write CPython's bytes.

Each line is `module qualname group`: objects of one module with the same group share one
string object; the interned module name (every object not listed) is group 0.

Run with CPython 3.13 or newer: `python3.13 tests/stdlib/module_strings.py`.
"""

import collections
import importlib
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'runtime', 'src', 'pickle', 'dump', 'module_strings.txt')
SKIP = {'antigravity', 'this', 'idlelib', 'tkinter', 'turtle', 'turtledemo', 'test', 'lib2to3',
        'ensurepip', 'venv', 'pydoc_data', '__main__', '_frozen_importlib',
        '_frozen_importlib_external'}
KINDS = (type, types.BuiltinFunctionType, types.FunctionType)


def named_objects():
    """Every class and function a standard-library module holds under its own name."""
    for name in sorted(sys.stdlib_module_names | {'builtins'}):
        if name in SKIP or name.startswith('_test'):
            continue
        try:
            # An interned name, as an import statement gives: the module's __name__ is this string.
            module = importlib.import_module(sys.intern(name))
        except Exception:
            continue
        for attr in sorted(dir(module)):
            obj = getattr(module, attr, None)
            if isinstance(obj, KINDS) and getattr(obj, '__module__', None) == name:
                yield name, obj


def main():
    if sys.implementation.name != 'cpython' or sys.version_info < (3, 13):
        raise SystemExit('module_strings.py must run under CPython 3.13 or newer')
    groups = collections.defaultdict(dict)  # module -> {id of its string: group}
    lines = set()
    for name, obj in named_objects():
        module_string = obj.__module__
        if module_string is sys.intern(name):
            continue
        if obj.__module__ is not module_string:
            raise SystemExit(f'{name}.{obj.__qualname__}: a new string at every access')
        ids = groups[name]
        group = ids.setdefault(id(module_string), len(ids) + 1)
        lines.add(f'{name} {obj.__qualname__} {group}')
    with open(OUT, 'w') as f:
        f.write(f'# Made by tests/stdlib/module_strings.py with CPython {sys.version.split()[0]}.\n')
        f.write('# module qualname group: one group, one __module__ string object.\n')
        f.writelines(line + '\n' for line in sorted(lines))
    print(f'{len(lines)} entries in {len(groups)} modules')


if __name__ == '__main__':
    main()
