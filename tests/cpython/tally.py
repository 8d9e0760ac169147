"""What the CPython suite runners share: a unittest result that counts by class and keeps
the reasons of failures, skips and expected differences, and the report it prints."""

import unittest


def short_id(test):
    return f'{type(test).__name__}.{test._testMethodName}'


class Tally(unittest.TestResult):
    """Counts by class; keeps the reasons of failures, skips and expected differences."""

    def __init__(self, differences):
        super().__init__()
        self.differences = differences
        # TestResult keeps lists of its own (failures, errors, skipped): these are others.
        self.by_class = {}
        self.fail_reasons = []
        self.skip_reasons = []
        self.differed = []
        self.failed_once = set()

    def _count(self, test, kind):
        counts = self.by_class.setdefault(type(test).__name__,
                                          {'passed': 0, 'failed': 0, 'skipped': 0})
        counts[kind] += 1

    def addSuccess(self, test):
        super().addSuccess(test)
        if short_id(test) in self.differences:
            self._fail(test, 'listed as differing from 3.14, but it passes: unlist it')
        elif test.id() not in self.failed_once:
            self._count(test, 'passed')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail_with(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._fail_with(test, err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._fail_with(test, err)

    def _fail_with(self, test, err):
        reason = self.differences.get(short_id(test))
        if reason is not None:
            if test.id() not in self.failed_once:
                self.failed_once.add(test.id())
                self.differed.append((test.id(), reason))
                self._count(test, 'passed')
            return
        exc = err[1]
        self._fail(test, f'{type(exc).__name__}: {exc}'.splitlines()[0])

    def _fail(self, test, why):
        # A test whose subtests fail is counted once, as unittest's runner counts it.
        if test.id() in self.failed_once:
            return
        self.failed_once.add(test.id())
        self._count(test, 'failed')
        self.fail_reasons.append((test.id(), why))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._count(test, 'skipped')
        self.skip_reasons.append((test.id(), reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._count(test, 'passed')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._fail(test, 'unexpected success')


def report(tally):
    totals = {'passed': 0, 'failed': 0, 'skipped': 0}
    for name, counts in sorted(tally.by_class.items()):
        print(f"{name}: {counts['passed']} passed, {counts['failed']} failed, "
              f"{counts['skipped']} skipped")
        for kind in totals:
            totals[kind] += counts[kind]
    for test_id, why in tally.fail_reasons:
        print(f'FAIL {test_id}: {why}')
    for test_id, why in tally.skip_reasons:
        print(f'SKIP {test_id}: {why}')
    for test_id, why in tally.differed:
        print(f'DIFFERS {test_id}: {why}')
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
