"""Runs one part of CPython's own pickle test suite (test.test_pickle with
test.pickletester) under the running interpreter, and reports it.

    brine tests/cpython/run_suite.py native|pure SUITE_VERSION

The `test` package must be importable (runtime/tests/cpython_suite.rs puts a CPython's on
PYTHONPATH; no file of it is copied into this repository). SUITE_VERSION ("3.13") is the
version of the CPython the suite came from. "native" is what exercises the C `_pickle`
(brine's, under brine): the classes whose names start with C, plus DumpPickle_CLoadPickle,
InMemoryPickleTests and SizeofTests. "pure" is the Py* classes, which run pickle.py.

Prints a line per class (`Class: P passed, F failed, S skipped`), a `FAIL id: why` and a
`SKIP id: why` line for each failure and skip, `DIFFERS id: why` for each expected
difference seen, then the last line `N passed, M failed, K skipped`.
"""

import sys
import unittest

from tally import Tally, report

PART = sys.argv[1]
SUITE_VERSION = sys.argv[2]
NATIVE_EXTRA = {'DumpPickle_CLoadPickle', 'InMemoryPickleTests', 'SizeofTests'}

# Tests of behaviour that test.support runs only on CPython (@cpython_only) but that say
# nothing about CPython's internals brine could not share: run here all the same, and
# counted like any other test.
RUN_DESPITE_CPYTHON_ONLY = {
    'test_custom_pickler_dispatch_table_memleak':
        'a Pickler with a dispatch_table is freed once unreferenced (weakref)',
    'test_pickler_reference_cycle': 'a Pickler whose hooks refer back to it is collected',
    'test_unpickler_reference_cycle': 'likewise an Unpickler',
    'test_reducer_override_no_reference_cycle':
        'reducer_override leaves no cycle keeping the pickled object alive',
    'test_bad_ext_code': "copyreg's registry holding codes add_extension would refuse",
    'test_bad_ext_inverted_registry': 'the inverted registry holding bad keys',
}

# Skips under brine that CPython does not make, by `Class.test` (or `Class` for a whole
# class), with the VM feature the test needs. runtime/tests/cpython_suite.rs checks that
# every such skip is listed here.
VM_SKIPS = {
    'SizeofTests': "CPython's object layout: it checks Pickler.__sizeof__ and "
                   "Unpickler.__sizeof__ against the C structs' sizes (@cpython_only)",
}

# Tests whose expectations differ between the suite's CPython and 3.14, the contract (the
# VM's standard library is 3.14's): brine follows 3.14. A listed test that passes is a
# failure, so the list cannot go stale.
BEFORE_3_13 = {
    'CompatPickleTests.test_exceptions':
        "PythonFinalizationError, a builtin since 3.13, is expected in Python 2's exceptions "
        "module by suites that predate it; 3.14's _compat_pickle rightly leaves it out",
}
EXPECTED_DIFFERENCES = {'3.11': BEFORE_3_13, '3.12': BEFORE_3_13}


def in_part(name):
    if PART == 'pure':
        return name.startswith('Py')
    return name.startswith('C') or name in NATIVE_EXTRA


def unskip_cpython_only(cls):
    """Puts back the undecorated bodies of RUN_DESPITE_CPYTHON_ONLY's tests (off CPython,
    unittest.skip wraps them)."""
    if sys.implementation.name == 'cpython':
        return
    for name in RUN_DESPITE_CPYTHON_ONLY:
        method = getattr(cls, name, None)
        body = getattr(method, '__wrapped__', None)
        if body is not None and getattr(method, '__unittest_skip__', False):
            setattr(cls, name, body)


def main():
    from test import support, test_pickle
    support.verbose = 0  # as under regrtest: no chatter about modules it cannot import
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in sorted(dir(test_pickle)):
        cls = getattr(test_pickle, name)
        if isinstance(cls, type) and issubclass(cls, unittest.TestCase) and in_part(name):
            unskip_cpython_only(cls)
            suite.addTests(loader.loadTestsFromTestCase(cls))
    # The differences are brine's (it follows 3.14); CPython runs its own suite as it is.
    on_cpython = sys.implementation.name == 'cpython'
    tally = Tally({} if on_cpython else EXPECTED_DIFFERENCES.get(SUITE_VERSION, {}))
    suite.run(tally)
    report(tally)


main()
