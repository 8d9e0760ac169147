"""Runs one of CPython's test modules for pickle's neighbours (test_copy, test_copyreg,
test_pickletools, test_picklebuffer, test_shelve) under the running interpreter, and reports it
as run_suite.py does.

    brine tests/cpython/run_module.py MODULE SUITE_VERSION

The `test` package must be importable (runtime/tests/cpython_suite.rs puts a CPython's on
PYTHONPATH; no file of it is copied into this repository).
"""

import sys
import unittest

from tally import Tally, report

MODULE = sys.argv[1]
SUITE_VERSION = sys.argv[2]

# Skips under brine that CPython does not make, by `Class.test`, with what the test needs.
# runtime/tests/cpython_suite.rs checks that every such skip is listed here.
VM_SKIPS = {
    'PickleBufferTest.test_ndarray_2d': "_testbuffer, CPython's C module of test buffers",
    'PickleBufferTest.test_raw_ndarray': "_testbuffer, CPython's C module of test buffers",
    'PickleBufferTest.test_raw_non_contiguous': "_testbuffer, CPython's C module of test buffers",
}

# Tests whose expectations differ between the suite's CPython and 3.14, the contract (the
# VM's standard library is 3.14's): brine follows 3.14. A listed test that passes is a
# failure, so the list cannot go stale.
PICKLETOOLS_3_14 = {
    'DisTests.test_no_mark':
        "3.14's pickletools.dis raises for a missing MARK without writing "
        "'no MARK exists on stack' on the opcode's line",
    'DisTests.test_put_redefined':
        "3.14's pickletools.dis lets PUT store a memo key again (the unpickler does)",
}
EXPECTED_DIFFERENCES = {
    ('test_pickletools', '3.13'): PICKLETOOLS_3_14,
}


def main():
    from test import support
    support.verbose = 0  # as under regrtest: no chatter about modules it cannot import
    module = __import__(f'test.{MODULE}', fromlist=['_'])
    suite = unittest.TestLoader().loadTestsFromModule(module)
    # The differences are brine's (it follows 3.14); CPython runs its own suite as it is.
    on_cpython = sys.implementation.name == 'cpython'
    differences = EXPECTED_DIFFERENCES.get((MODULE, SUITE_VERSION), {})
    tally = Tally({} if on_cpython else differences)
    suite.run(tally)
    report(tally)


main()
