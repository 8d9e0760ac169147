"""`compile()` of a syntax tree whose str constants hold lone surrogates (not a public module;
runtime/src/embed/tree_constants.rs sends trees here).

RustPython hands a tree's str constants to its compiler as Rust strings, and a lone surrogate
(`'\\ud800'`, which a source writes as an escape) comes out as U+FFFD: pytest, which compiles
every test module from its rewritten tree, silently changed such test data. Here each such
constant is replaced by a marker while the tree is compiled, and the marker by the original
string in what the compiler returns: the code object's constants, or the tree itself.
"""
import ast
import types

# A noncharacter, which no text carries: a tree holding it anywhere is compiled as it is.
MARK = '\U0010fffe'


def compile(original, source, args, kwargs):
    originals = []
    changed = []
    for node in ast.walk(source):
        if type(node) is not ast.Constant:
            continue
        value = node.value
        if _holds(value, _has_mark):
            return original(source, *args, **kwargs)
        if _holds(value, _has_surrogate):
            changed.append((node, value))
            node.value = _marked(value, originals)
    if not changed:
        return original(source, *args, **kwargs)
    try:
        made = original(source, *args, **kwargs)
    finally:
        for node, value in changed:
            node.value = value
    if isinstance(made, types.CodeType):
        return _restored_code(made, originals)
    if isinstance(made, ast.AST):
        for node in ast.walk(made):
            if type(node) is ast.Constant:
                node.value = _restored(node.value, originals)
    return made


def _holds(value, test):
    """Whether a constant (a str, or a tuple or frozenset of constants) has a str that passes
    `test`."""
    if type(value) is str:
        return test(value)
    if type(value) in (tuple, frozenset):
        return any(_holds(item, test) for item in value)
    return False


def _has_mark(text):
    return MARK in text


def _has_surrogate(text):
    if text.isascii():
        return False
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return True
    return False


def _marked(value, originals):
    if type(value) is str:
        if not _has_surrogate(value):
            return value
        originals.append(value)
        return f'{MARK}{len(originals) - 1}{MARK}'
    return type(value)(_marked(item, originals) for item in value)


def _restored(value, originals):
    if type(value) is str:
        if MARK not in value:
            return value
        parts = value.split(MARK)
        for k in range(1, len(parts), 2):
            parts[k] = originals[int(parts[k])]
        return ''.join(parts)
    if type(value) in (tuple, frozenset):
        return type(value)(_restored(item, originals) for item in value)
    if isinstance(value, types.CodeType):
        return _restored_code(value, originals)
    return value


def _restored_code(code, originals):
    return code.replace(co_consts=tuple(_restored(c, originals) for c in code.co_consts))
