"""Runs one of the chapter's interactive sessions as a doctest, under brine.

    brine run_session.py SESSION.txt [CODE.py ...]
    brine run_session.py --transcript SESSION.txt [CODE.py ...]

The CODE files (the chapter's code blocks) run first, in the `__main__` module, as the chapter
has them run before the session: pickle finds their classes there by name. `pickle` is imported
first, as the chapter's sessions assume. Prints doctest's report and a last line
`N passed, M failed`.

With --transcript, the session's statements run as the interactive interpreter runs them and
print what it would print, with stdout flushed after each, so that output written by child
processes (os.system) lands in order; the caller compares stdout with the session's text.

One representation detail is normalised in doctest mode, and only this one: the chapter writes
`pickle.UnpicklingError` in tracebacks, while CPython (and brine, which matches it) print the
exception class's module, `_pickle.UnpicklingError`.
"""

import doctest
import sys


class ChapterChecker(doctest.OutputChecker):
    def check_output(self, want, got, optionflags):
        got = got.replace('_pickle.UnpicklingError', 'pickle.UnpicklingError')
        return super().check_output(want, got, optionflags)


def run_transcript(text, namespace):
    """Each `>>>` statement (with its `...` lines) compiled in 'single' mode, as the REPL does."""
    examples = doctest.DocTestParser().get_examples(text)
    for example in examples:
        exec(compile(example.source, '<session>', 'single'), namespace)
        sys.stdout.flush()


def main():
    transcript = sys.argv[1] == '--transcript'
    args = sys.argv[2:] if transcript else sys.argv[1:]
    session_path, code_paths = args[0], args[1:]
    namespace = sys.modules['__main__'].__dict__
    exec('import pickle', namespace)
    for path in code_paths:
        with open(path) as f:
            exec(compile(f.read(), path, 'exec'), namespace)
    with open(session_path) as f:
        text = f.read()
    if transcript:
        return run_transcript(text, namespace)
    test = doctest.DocTestParser().get_doctest(text, namespace, session_path, session_path, 0)
    runner = doctest.DocTestRunner(checker=ChapterChecker(), verbose=False)
    runner.run(test)
    results = runner.summarize(verbose=False)
    print(f'{results.attempted - results.failed} passed, {results.failed} failed')


if __name__ == '__main__':
    main()
