"""What the golden corpora's generators and checkers share (tests/golden, tests/stdlib):
writing a case's pickle or CPython's refusal, and reading either back."""

import os
import pickle


def write_case(base, build, proto):
    """Writes `pickle.dumps(build(), proto)` to BASE.pickle and returns it, or, where the
    interpreter refuses, its exception to BASE.error and returns None."""
    try:
        data = pickle.dumps(build(), proto)
    except Exception as e:
        with open(base + '.error', 'w') as f:
            f.write(f'{type(e).__name__}: {e}\n')
        return None
    with open(base + '.pickle', 'wb') as f:
        f.write(data)
    return data


def raised(call):
    """The exception `call()` raises, as 'Type: message', or None."""
    try:
        call()
    except Exception as e:
        return f'{type(e).__name__}: {e}'
    return None


def first_difference(a, b):
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f'lengths {len(a)}/{len(b)}, first difference at byte {n}: {a[n:n + 12]!r} vs {b[n:n + 12]!r}'


def corpus_file(corpus, name, proto, suffix):
    """The bytes of CORPUS/pPROTO/NAME+SUFFIX, or None when there is no such file."""
    path = os.path.join(corpus, f'p{proto}', name + suffix)
    if not os.path.exists(path):
        return None
    with open(path, 'rb') as f:
        return f.read()
