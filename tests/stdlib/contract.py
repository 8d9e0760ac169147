"""Where brine follows CPython 3.14 (the contract: the VM's standard library is 3.14's) and so
differs from the CPython 3.13 that made the corpus. README's "Standard-library objects" lists
the same cells with the same reasons.

`DIFFERS` maps a case to (protocols, modes, reason[, expected]); modes are 'dumps' and/or
'loads'. Dumps are checked against `expected` (protocol -> what 3.14's C pickler raises), or
else against the VM's pure-Python 3.14 pickler; loads against the case itself.
"""

ALL = range(6)

PATHLIB = "3.14 defines pathlib's classes in `pathlib` itself; 3.13 in `pathlib._local`"
DIFFERS = {
    'pathlib_pure_posix': (ALL, ('dumps', 'loads'), PATHLIB),
    'pathlib_pure_windows': (ALL, ('dumps', 'loads'), PATHLIB),
    'pathlib_posix': (ALL, ('dumps', 'loads'), PATHLIB),
    'pathlib_relative': (ALL, ('dumps', 'loads'), PATHLIB),
    'itertools_count': (ALL, ('dumps', 'loads'),
                        "3.14's itertools objects no longer pickle or copy (3.13 pickles them, deprecated)",
                        {**{p: "TypeError: cannot pickle 'count' object" for p in (0, 1)},
                         **{p: "TypeError: cannot pickle 'itertools.count' object" for p in range(2, 6)}}),
    'typing_union': (ALL, ('loads',), "3.14's `Union[int, str]` is `int | str`, an instance of typing.Union"),
    'typing_optional': (ALL, ('loads',), "3.14's `Optional[float]` is `float | None`, an instance of typing.Union"),
    'types_function_type': (ALL, ('dumps',),
                            "3.14's message for a global that is not found: \"it's not found as builtins.function\""),
    'functools_cmp_to_key_refused': ((0, 1), ('dumps',),
                                     "3.14's message for a global that is not found: \"it's not found as "
                                     "functools.KeyWrapper\""),
}


# Not by contract: differences brine still has, each with its reason. The check expects them
# to differ, so that a fix must also take its entry out.
OPEN = {}


def is_open(name, proto, mode):
    entry = OPEN.get(name)
    return entry is not None and proto in entry[0] and mode in entry[1]


def differs(name, proto, mode):
    entry = DIFFERS.get(name)
    return entry is not None and proto in entry[0] and mode in entry[1]


def expected_dumps(name, proto):
    """What 3.14 gives for this listed cell, when it is not the pure-Python pickler's."""
    entry = DIFFERS[name]
    return entry[3].get(proto) if len(entry) > 3 else None
