"""One line of text for a loaded value: types, values, and instances with their __dict__,
the same under CPython 3 and brine (no addresses)."""


def describe(value, seen=None):
    seen = set() if seen is None else seen
    if id(value) in seen:
        return '<cycle>'
    if isinstance(value, (list, tuple, dict, set, frozenset)) or hasattr(value, '__dict__'):
        seen = seen | {id(value)}
    if type(value) is list:
        return '[' + ', '.join(describe(v, seen) for v in value) + ']'
    if type(value) is tuple:
        return '(' + ', '.join(describe(v, seen) for v in value) + ',)'
    if type(value) is dict:
        return '{' + ', '.join(f'{describe(k, seen)}: {describe(v, seen)}' for k, v in value.items()) + '}'
    if type(value) in (set, frozenset):
        return f'{type(value).__name__}(' + ', '.join(sorted(describe(v, seen) for v in value)) + ')'
    if isinstance(value, BaseException):
        return f'{type(value).__name__}{value.args!r}'
    if type(value).__module__ == 'py2_classes' or type(value).__name__ == 'UserDict':
        return f'{type(value).__module__}.{type(value).__name__}{describe(vars(value), seen)}'
    return f'{type(value).__name__}:{value!r}'
