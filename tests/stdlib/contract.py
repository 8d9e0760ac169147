"""Where brine follows CPython 3.14 (the contract: the VM's standard library is 3.14's) and so
differs from the CPython 3.13 that made the corpus. README's "Standard-library objects" lists
the same cells with the same reasons.

`DIFFERS` maps a case to (protocols, modes, reason); modes are 'dumps' and/or 'loads'.
"""

ALL = range(6)

DIFFERS = {
}


def differs(name, proto, mode):
    entry = DIFFERS.get(name)
    return entry is not None and proto in entry[0] and mode in entry[1]
