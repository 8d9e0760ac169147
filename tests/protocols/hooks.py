"""Pickler and Unpickler hooks, our _pickle against the VM's pure-Python pickle (CPython 3.14's
semantics): `brine hooks.py PROTO` runs every scenario with both implementations and prints
`ok NAME` when bytes, loaded results and exceptions agree, `MISMATCH NAME: ...` otherwise.

A scenario is a function of (Pickler, Unpickler, proto) returning something printable; it is
called once with pickle.Pickler/pickle.Unpickler (ours) and once with pickle._Pickler/
pickle._Unpickler, and the two results are compared.
"""

import copyreg
import io
import os
import pickle
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'golden'))
import golden_classes as g  # noqa: E402

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


def dump_with(pickler):
    f = io.BytesIO()
    pickler(f).dump
    return f


def outcome(call):
    """The result, or the exception's type, message (object addresses removed) and notes."""
    try:
        return ('value', call())
    except Exception as e:
        message = re.sub(r' at 0x[0-9a-f]+', '', str(e))
        return ('error', f'{type(e).__name__}: {message}', getattr(e, '__notes__', None))


@scenario
def persistent_id_method(P, U, proto):
    class MyP(P):
        def persistent_id(self, obj):
            return f'pid-{obj.a}' if isinstance(obj, g.Plain) else None

    class MyU(U):
        def persistent_load(self, pid):
            return ('loaded', pid)

    f = io.BytesIO()
    MyP(f, proto).dump([g.Plain(1, 2), 'x', g.Plain(3, 4)])
    f.seek(0)
    return f.getvalue(), MyU(f).load()


@scenario
def persistent_id_attribute(P, U, proto):
    f = io.BytesIO()
    p = P(f, proto)
    p.persistent_id = lambda obj: 'seven' if obj == 7 else None
    p.dump([6, 7, 8])
    f.seek(0)
    u = U(f)
    u.persistent_load = lambda pid: pid.upper()
    return f.getvalue(), u.load()


@scenario
def persistent_id_can_be_falsy_but_not_none(P, U, proto):
    class MyP(P):
        def persistent_id(self, obj):
            return 0 if obj == 'zero' else None

    f = io.BytesIO()
    MyP(f, proto).dump(['zero', 'one'])
    return f.getvalue()


@scenario
def persistent_id_sees_what_bytes_reduce_to(P, U, proto):
    # At protocols 0-2 a bytes is `_codecs.encode(text, 'latin1')`: persistent_id is asked
    # about the function, the arguments' tuple and the text too, which a pickler without
    # the hook never makes.
    seen = []

    class MyP(P):
        def persistent_id(self, obj):
            seen.append(obj if isinstance(obj, (str, bytes, tuple)) else type(obj).__name__)
            return 'swapped' if obj == 'latin1' else None

    class MyU(U):
        def persistent_load(self, pid):
            return 'latin-1'

    f = io.BytesIO()
    MyP(f, proto).dump([bytes(range(250, 256)) * 50, b'\xff\\\n'])
    f.seek(0)
    return f.getvalue(), seen, MyU(f).load()


@scenario
def dispatch_table_instance_attribute(P, U, proto):
    f = io.BytesIO()
    p = P(f, proto)
    p.dispatch_table = {g.Plain: lambda obj: (g.Plain, (obj.b, obj.a))}
    p.dump([g.Plain(1, 2), g.Plain(3, 4)])
    loaded = pickle.loads(f.getvalue())
    return f.getvalue(), [(x.a, x.b) for x in loaded]


@scenario
def dispatch_table_class_attribute(P, U, proto):
    class MyP(P):
        dispatch_table = copyreg.dispatch_table.copy()
        dispatch_table[g.Plain] = lambda obj: (g.ReduceTwo, (obj.a,))

    f = io.BytesIO()
    MyP(f, proto).dump(g.Plain(5, 6))
    return f.getvalue(), pickle.loads(f.getvalue()).n


@scenario
def reducer_override(P, U, proto):
    class MyP(P):
        def reducer_override(self, obj):
            if isinstance(obj, g.Plain):
                return (g.ReduceTwo, (obj.a * 100,))
            if obj is g.Empty:
                return (type, (g.Empty.__name__, (), {}))
            return NotImplemented

    # One builtins global only: which 'builtins' strings are the same object differs between
    # RustPython's pure-Python path and CPython's (cases.py: NAME_IDENTITY).
    f = io.BytesIO()
    MyP(f, proto).dump([g.Plain(1, 2), 3, 'text', g.Empty, g.Color])
    return f.getvalue()


@scenario
def reduce_with_state_setter(P, U, proto):
    f = io.BytesIO()
    obj = g.ReduceFull()
    obj.items.extend([1, 2, 3])
    obj.mapping['k'] = 'v'
    obj.state = ('custom', 'state')
    P(f, proto).dump(obj)
    f.seek(0)
    loaded = U(f).load()
    return f.getvalue(), loaded.items, loaded.mapping, loaded.state


@scenario
def extension_registry(P, U, proto):
    registrations = [('golden_classes', 'Plain', 7), ('golden_classes', 'Empty', 300), ('golden_classes', 'Slotted', 70000)]
    for module, name, code in registrations:
        copyreg.add_extension(module, name, code)
    try:
        f = io.BytesIO()
        P(f, proto).dump([g.Plain, g.Empty, g.Slotted, g.Plain])
        f.seek(0)
        copyreg.clear_extension_cache()
        return f.getvalue(), U(f).load() == [g.Plain, g.Empty, g.Slotted, g.Plain]
    finally:
        for module, name, code in registrations:
            copyreg.remove_extension(module, name, code)


@scenario
def find_class_sees_every_global(P, U, proto):
    seen = []

    class MyU(U):
        def find_class(self, module, name):
            seen.append((module, name))
            return super().find_class(module, name)

    f = io.BytesIO()
    P(f, proto).dump([g.Plain(1, 2), len, g.Color.RED])
    f.seek(0)
    loaded = MyU(f).load()
    return seen, loaded[1] is len, loaded[2] is g.Color.RED


@scenario
def find_class_for_inst_and_obj(P, U, proto):
    seen = []

    class MyU(U):
        def find_class(self, module, name):
            seen.append((module, name))
            return super().find_class(module, name)

    inst = b'(igolden_classes\nPlain\n(dS\'a\'\nI1\nsS\'b\'\nI2\nsb.'
    obj = b'(cgolden_classes\nEmpty\no.'
    a = MyU(io.BytesIO(inst)).load()
    b = MyU(io.BytesIO(obj)).load()
    return seen, type(a).__name__, (a.a, a.b), type(b).__name__


@scenario
def find_class_can_forbid(P, U, proto):
    class Strict(U):
        def find_class(self, module, name):
            raise pickle.UnpicklingError(f'global {module}.{name} is forbidden')

    f = io.BytesIO()
    P(f, proto).dump([1, len])
    f.seek(0)
    return outcome(lambda: Strict(f).load())


@scenario
def memo_survives_between_dumps(P, U, proto):
    f = io.BytesIO()
    p = P(f, proto)
    shared = ['shared']
    p.dump(shared)
    p.dump([shared, shared])
    f.seek(0)
    u = U(f)
    first, second = u.load(), u.load()
    return f.getvalue(), second[0] is first, second[1] is first


@scenario
def bad_reduce_values(P, U, proto):
    results = []
    # (Non-iterator 4th/5th items are checked only by the C pickler; pickle_api.rs tests those.)
    for value in [42, (1,), (1, ()), (list, 1), (list, (), 5, None, None, None, None)]:
        class R:
            def __reduce__(self, value=value):
                return value
        results.append(outcome(lambda: P(io.BytesIO(), proto).dump([R()])))
    return results


@scenario
def unpicklable_objects(P, U, proto):
    # (A lock's message names its type as CPython does, '_thread.lock', where RustPython's own
    # reducer says 'lock'; pickle_api.rs tests that one.)
    return [outcome(lambda obj=obj: P(io.BytesIO(), proto).dump(obj)) for obj in [lambda: 0, (i for i in []), g.Outer.Inner]]


def main():
    proto = int(sys.argv[1])
    for name, fn in SCENARIOS.items():
        ours = outcome(lambda: fn(pickle.Pickler, pickle.Unpickler, proto))
        theirs = outcome(lambda: fn(pickle._Pickler, pickle._Unpickler, proto))
        if ours == theirs:
            print(f'ok {name}')
        else:
            print(f'MISMATCH {name}: ours {ours!r}\n    pure-Python {theirs!r}')


if __name__ == '__main__':
    main()
