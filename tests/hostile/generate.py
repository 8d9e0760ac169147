"""Writes the hostile corpus: small pickles that claim huge sizes, nest absurdly, or misuse
the stack, memo and frames. Every file must load to a clear error (or, where noted, a value)
without a panic, an abort, or memory beyond 64 MiB.

Run from this directory with any Python 3: `python3 generate.py`. No object in these pickles
names a global, so loading them runs no code.
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')

CASES = {}


def case(name, data):
    CASES[name] = data


# A huge length claim for every length-prefixed opcode, with almost no data behind it.
for name, op, fmt in [
    ('binstring', b'T', '<I'), ('short_binstring', b'U', '<B'), ('binbytes', b'B', '<I'),
    ('short_binbytes', b'C', '<B'), ('binbytes8', b'\x8e', '<Q'), ('bytearray8', b'\x96', '<Q'),
    ('binunicode', b'X', '<I'), ('short_binunicode', b'\x8c', '<B'), ('binunicode8', b'\x8d', '<Q'),
    ('long1', b'\x8a', '<B'), ('long4', b'\x8b', '<i'),
]:
    big = {'<B': 0xff, '<I': 0xffffffff, '<Q': 0x7fffffffffffffff, '<i': 0x7fffffff}[fmt]
    case(f'claim_{name}', b'\x80\x05' + op + struct.pack(fmt, big) + b'abc')
case('claim_frame', b'\x80\x04\x95' + struct.pack('<Q', 0x7fffffffffffffff) + b'N.')
case('claim_frame_max', b'\x80\x04\x95' + b'\xff' * 8 + b'N.')

# Memo indices far beyond anything written.
case('put_huge', b'Np99999999999999\n0.')
case('binput_sparse', b'N' + b''.join(b'r' + struct.pack('<I', 0xffff0000 + i) for i in range(1000)) + b'.')
case('long_binput_max', b'Nr\xff\xff\xff\xff0h\x00.')
case('get_huge', b'g99999999999999999999\n.')
case('long_binget_missing', b'j\xff\xff\xff\xff.')
case('memoize_empty_stack', b'\x80\x04\x94.')

# Depth: nested MARKs and nested containers, all far deeper than any real pickle.
case('marks_100000', b'(' * 100000 + b'N.')
case('lists_100000', b'\x80\x02' + b']' * 100000 + b'a' * 99999 + b'.')
case('tuples_100000', b'\x80\x02N' + b'\x85' * 100000 + b'.')
case('dicts_nested_20000', b'\x80\x02' + b'}K\x01' * 20000 + b'N' + b's' * 20000 + b'.')

# Stack misuse.
case('underflow_stop', b'.')
case('underflow_append', b'a.')
case('underflow_setitem', b']Ns.')
case('pop_mark_without_mark', b'1.')
case('appends_without_list', b'(Ne.')
case('tuple3_short', b'\x80\x02N\x87.')
case('reduce_non_callable', b'K\x01)R.')
case('build_on_int', b'K\x01}b.')
case('stack_global_ints', b'\x80\x04K\x01K\x02\x93.')

# Text that is not what the opcode requires.
case('utf8_invalid_start', b'X\x01\x00\x00\x00\xff.')
case('utf8_truncated', b'X\x02\x00\x00\x00\xe2\x82.')
case('utf8_overlong', b'X\x02\x00\x00\x00\xc0\x80.')
case('unicode_bad_escape', b'V\\u12\n.')
case('string_unquoted', b'Sabc\n.')
case('string_bad_escape', b"S'\\x1'\n.")
case('int_garbage', b'Iabc\n.')
case('float_garbage', b'F1.2.3\n.')
case('long_garbage', b'L12x3L\n.')

# Frames that lie.
case('frame_shorter_than_claimed', b'\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00N.')
case('frame_inside_frame', b'\x80\x04\x95\x0c\x00\x00\x00\x00\x00\x00\x00\x95\x01\x00\x00\x00\x00\x00\x00\x00N.')
case('proto_6', b'\x80\x06N.')
case('unknown_opcode', b'\x80\x04\xff.')
case('no_stop', b'\x80\x04N')
case('empty', b'')

# Memo expansion: each level references the previous one twice, so a naive deep copy or a
# printer that expands references would need 2**60 nodes; a graph needs 120.
bomb = bytearray(b'\x80\x02]q\x00')
for i in range(1, 61):
    bomb += b']' + b'r' + struct.pack('<I', i) + b'(j' + struct.pack('<I', i - 1) + b'j' + struct.pack('<I', i - 1) + b'e'
case('memo_expansion_bomb', bytes(bomb) + b'.')

# Many small allocations: a million empty lists appended to one list (each real, so the
# memory limit is what stops an untrusted load).
case('million_lists', b'\x80\x02](' + b']' * 1_000_000 + b'e.')


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for old in os.listdir(CORPUS):
        os.remove(os.path.join(CORPUS, old))
    for name, data in CASES.items():
        with open(os.path.join(CORPUS, name + '.pickle'), 'wb') as f:
            f.write(data)
    print(f'{len(CASES)} hostile pickles written to {CORPUS}')


if __name__ == '__main__':
    main()
