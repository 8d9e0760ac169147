"""Benchmark workloads, timed with whatever `pickle` the running interpreter has.

Run by bench/run.py under brine (our _pickle), brine with BRINE_PICKLE_IMPL=rustpython, and
CPython. Prints one JSON object: {"impl": ..., "results": {workload: {proto: {"dumps": ms,
"loads": ms}}}}, each figure the fastest of --repeat timed runs after one warm-up run (the
fastest is the run the machine disturbed least; on a shared 2-core machine medians of a few
runs wandered by 2x between rounds).
"""

import argparse
import datetime
import json
import os
import pickle
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_classes import Point, Session, SlotPoint  # noqa: E402


def records():
    rng = random.Random(1)
    return [{'id': i, 'name': f'user{i}', 'score': rng.random() * 100, 'active': i % 3 == 0,
             'tags': ['a' + str(i % 7), 'b' + str(i % 11)], 'parent': None, 'ratio': (i, i + 1)}
            for i in range(20000)]


def int_lists():
    return [list(range(i, i + 100)) for i in range(2000)]


def short_strings():
    return [f's{i}' for i in range(100000)]


def plain_instances():
    return [Point(i, -i, f'p{i}') for i in range(20000)]


def slot_instances():
    return [SlotPoint(i, -i, f'p{i}') for i in range(20000)]


def big_bytes():
    return [bytes([i]) * (1 << 20) for i in range(16)]


def small_bytes():
    # At protocols 0-2 each is a `_codecs.encode(text, 'latin1')` reduction.
    return [bytes((i + k) % 256 for k in range(8 + i % 33)) for i in range(20000)]


def binary_random():
    # Real binary data has every byte value: at protocols 0-2 a `_codecs.encode(text,
    # 'latin1')` reduction whose text is half non-ASCII.
    rng = random.Random(7)
    return [rng.randbytes(1 << 20) for _ in range(4)]


def binary_pattern():
    return [bytes(range(256)) * 4096 for _ in range(4)]


# Accented Latin, Greek, Cyrillic, CJK and emoji, in short and longer strings.
TEXT_POOL = ['café', 'naïve', 'Ωμέγα', 'привет', '東京都', '한국어', '🎈🎉', 'ёжик', 'Zürich',
             'façade', '数据', '✓ done', 'Ελλάδα', 'Ģirts', '日本語のテキスト']


def text_nonascii():
    rng = random.Random(11)
    short = [rng.choice(TEXT_POOL) + str(i) for i in range(20000)]
    long = [' '.join(rng.choice(TEXT_POOL) for _ in range(200)) for _ in range(200)]
    return short + long


def app_state():
    # Instances holding dicts, lists, datetimes, short and long strings, and shared references
    # (one settings dict and one tag list shared by every session).
    rng = random.Random(13)
    settings = {'theme': 'dark', 'locale': 'fr_FR', 'limits': [10, 100, 1000]}
    tags = ['draft', 'review', 'final']
    start = datetime.datetime(2026, 12, 7, 9, 30)
    sessions = []
    for i in range(500):
        documents = [{'id': i * 10 + d, 'title': f'Rapport n°{d} — {rng.choice(TEXT_POOL)}',
                      'body': rng.choice(TEXT_POOL) * 40, 'tags': tags,
                      'edited': start + datetime.timedelta(minutes=d)} for d in range(5)]
        events = [('open', start + datetime.timedelta(seconds=s), rng.random()) for s in range(10)]
        sessions.append(Session(f'user{i}', documents, events, settings))
    return sessions


def int_set():
    # 10,000 ints spread over a wide range, added in a random order: CPython writes them in
    # its hash table's order, which brine rebuilds (runtime/src/pickle/dump/set_order.rs).
    return set(random.Random(3).sample(range(10**9), 10000))


def nested_dicts():
    return [{'k': i, 'pair': (i, str(i)), 'items': [i, i + 1, [i + 2]], 'frozen': frozenset(range(i % 5)),
             'inner': {'a': (1, 2), 'b': [3, 4]}} for i in range(2000)]


# Shapes of pyperformance's pickle benchmarks (DESIGN.md), written here.
def pyperformance_dict():
    return {
        'ads_flags': 0, 'age': 18, 'bulletin_count': 0, 'comment_count': 0, 'country': 'BR',
        'encrypted_id': 'G9urXXAJwjE', 'favorite_artists': ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
        'first_additional_id': 2**40, 'first_name': '', 'gender': 'm', 'id': 7345, 'last_name': '',
        'last_seen': datetime.date(2011, 6, 4), 'location': 'somewhere', 'login': 'a_login',
        'longitude': 0, 'mail': 'x@y.z', 'music_style': 'rock', 'name': '', 'photo_count': 0,
        'privacy': 0, 'relationship_status': 1, 'ruby': 9, 'score': 1000, 'sex': 'm',
        'status': 4, 'subscribed': 1, 'theme': 0, 'timezone': -3, 'type': 1, 'user_agent': 'ua',
        'verified': 1, 'zip': 4,
    }


def pyperformance_tuple():
    return ([265867233, 265868503, 265252341, 265243910, 265879514, 266219766, 266021701,
             265843726, 265592821, 265246784, 265853180, 45526486, 265463699, 265848143,
             265863062, 265392591, 265877490, 265823665, 265828884, 265753032], 60)


def pyperformance_dict_group():
    rng = random.Random(5)
    base = pyperformance_dict()
    return [{key: str(rng.random() * sys.maxsize) for key in base} for _ in range(3)]


def pyperformance_list():
    return [[list(range(10)), list(range(10))] for _ in range(10)]


def pyperformance_micro_dict():
    return {k: dict.fromkeys(range(10)) for k in range(100)}


def pyperformance_mix():
    return [pyperformance_dict(), pyperformance_tuple(), pyperformance_dict_group()]


# name: (build, passes): each timed run dumps (or loads) every object `passes` times. The
# pyperformance shapes run 20 units of their own pass counts (20 passes over DICT, TUPLE and
# DICT_GROUP; 10 LISTs; 5 MICRO_DICTs) so that one timed run is long enough to measure.
WORKLOADS = {
    'records': (lambda: [records()], 1),
    'int_lists': (lambda: [int_lists()], 1),
    'short_strings': (lambda: [short_strings()], 1),
    'plain_instances': (lambda: [plain_instances()], 1),
    'slot_instances': (lambda: [slot_instances()], 1),
    'big_bytes': (lambda: [big_bytes()], 1),
    'small_bytes': (lambda: [small_bytes()], 1),
    'nested_dicts': (lambda: [nested_dicts()], 1),
    'binary_random': (lambda: [binary_random()], 1),
    'binary_pattern': (lambda: [binary_pattern()], 1),
    'text_nonascii': (lambda: [text_nonascii()], 1),
    'app_state': (lambda: [app_state()], 1),
    'int_set': (lambda: [int_set()], 20),
    'pyperf_pickle': (pyperformance_mix, 400),
    'pyperf_pickle_list': (lambda: [pyperformance_list()], 400),
    'pyperf_pickle_dict': (lambda: [pyperformance_micro_dict()], 100),
}


def timed(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def measure(objects, passes, proto, repeat):
    dumps, loads = pickle.dumps, pickle.loads
    blobs = [dumps(obj, proto) for obj in objects]

    def dump_all():
        for _ in range(passes):
            for obj in objects:
                dumps(obj, proto)

    def load_all():
        for _ in range(passes):
            for blob in blobs:
                loads(blob)

    return {'dumps': timed(dump_all, repeat), 'loads': timed(load_all, repeat), 'bytes': sum(map(len, blobs))}


def implementation():
    import _pickle
    if getattr(_pickle, '_implementation', None) == 'brine':
        return 'brine'
    return 'rustpython' if sys.implementation.name == 'rustpython' else sys.implementation.name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--protocols', default='2,4,5')
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--only', default='')
    args = parser.parse_args()
    protocols = [int(p) for p in args.protocols.split(',')]
    names = [n for n in WORKLOADS if not args.only or n in args.only.split(',')]
    results = {}
    for name in names:
        build, passes = WORKLOADS[name]
        objects = build()
        results[name] = {str(p): measure(objects, passes, p, args.repeat) for p in protocols}
    print(json.dumps({'impl': implementation(), 'results': results}))


if __name__ == '__main__':
    main()
