"""Writes the container corpus: small files shaped like model files and archives, each with
the verdicts `brine-pickle inspect` must give it (expected.txt: file, verdict with the
default allow-list, verdict with `--profile torch`, the parts it must report,
comma-separated). Some are benign, some hide a payload where a scanner that
reads only the obvious place would miss it.

Run from this directory with any Python 3: `python3 generate.py`. Nothing here imports
torch or numpy: their globals are written by name from stand-in modules, and zip entries
carry a fixed date so the bytes do not change between runs.
"""

import bz2
import gzip
import io
import lzma
import os
import pickle
import struct
import sys
import tarfile
import types
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')
CASES = []


def case(name, data, verdict, parts, torch=None):
    """A file, its verdict under the default allow-list and under `--profile torch` (the
    same unless given), and the parts it must report."""
    CASES.append((name, data, verdict, torch or verdict, parts))


def stand_in(module, name):
    """A function that pickles as `module.name` without that module being installed."""
    mod = sys.modules.setdefault(module, types.ModuleType(module))
    def function(*args):
        pass
    function.__module__, function.__qualname__, function.__name__ = module, name, name
    setattr(mod, name, function)
    return function


rebuild_tensor = stand_in('torch._utils', '_rebuild_tensor_v2')
float_storage = stand_in('torch', 'FloatStorage')


class TensorPickler(pickle.Pickler):
    """Writes storages as PyTorch does: persistent ids ('storage', type, key, location, n)."""

    def persistent_id(self, obj):
        if isinstance(obj, tuple) and obj and obj[0] == 'storage':
            return obj
        return None


def state_dict_pickle():
    out = io.BytesIO()
    tensors = {
        'layer.weight': (rebuild_tensor, (('storage', float_storage, '0', 'cpu', 4), 0, (2, 2), (2, 1), False, {})),
        'layer.bias': (rebuild_tensor, (('storage', float_storage, '1', 'cpu', 2), 0, (2,), (1,), False, {})),
    }

    class Reduced:
        def __init__(self, func, args):
            self.func, self.args = func, args

        def __reduce__(self):
            return self.func, self.args

    TensorPickler(out, 2).dump({k: Reduced(*v) for k, v in tensors.items()})
    return out.getvalue()


def zip_bytes(members, prefix=b'', compression=zipfile.ZIP_STORED):
    out = io.BytesIO()
    out.write(prefix)
    with zipfile.ZipFile(out, 'w', compression) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return out.getvalue()


payload = b"cos\nsystem\n(S'echo owned'\ntR."
floats = struct.pack('<6f', 1, 2, 3, 4, 5, 6)

# A real-shaped PyTorch checkpoint: data.pkl names tensors, storages are raw bytes. Its
# globals are torch's, which the default allow-list does not allow (a torch profile will).
torch_zip = [('archive/data.pkl', state_dict_pickle()), ('archive/data/0', floats[:16]),
             ('archive/data/1', floats[16:]), ('archive/version', b'3\n')]
case('torch_state_dict.pt', zip_bytes(torch_zip), 'unsafe', ['archive/data.pkl'], torch='safe')

# The payload in a member whose name no scanner looks at.
case('payload_in_weights_member.pt', zip_bytes(torch_zip[1:] + [('archive/data.pkl', pickle.dumps({'w': 1}, 2)),
                                                                 ('archive/weights.bin', payload)]),
     'unsafe', ['archive/data.pkl', 'archive/weights.bin'])

# A pickle with a zip appended: pickle.load runs the front, zipfile reads the back.
case('pickle_then_zip.bin', zip_bytes([('archive/data.pkl', pickle.dumps([1.0, 2.0], 2))], prefix=payload),
     'unsafe', ['pickle 1', 'archive/data.pkl'])

# A member whose local header names another file than the directory does.
mismatch = bytearray(zip_bytes([('archive/data.pkl', pickle.dumps({'a': 1}, 2))]))
at = mismatch.index(b'archive/data.pkl')
mismatch[at:at + 7] = b'ARCHIVE'
case('name_mismatch.zip', bytes(mismatch), 'malformed', ['archive/data.pkl'])

# An .npz of numeric arrays: .npy members are a header and raw numbers, no pickle.
npy = b'\x93NUMPY\x01\x00' + struct.pack('<H', 54) + b"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }".ljust(54) + floats
case('numeric_arrays.npz', zip_bytes([('a.npy', npy), ('b.npy', npy)]), 'safe', [])



def npy_file(descr, data):
    """An .npy as numpy.save writes it: version 1.0, the header padded to 64 bytes."""
    header = "{'descr': %s, 'fortran_order': False, 'shape': (1,), }" % descr
    header = header + ' ' * (-(10 + len(header) + 1) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode('latin-1') + data


class Payload:
    def __reduce__(self):
        return os.system, ('echo owned',)


# numpy.save of an object array writes a pickle after the header; numpy.load unpickles it
# with allow_pickle=True. A numeric array's bytes are never unpickled, whatever they spell.
object_npy = npy_file("'|O'", pickle.dumps([Payload()], 3))
numeric_npy = npy_file("'<f4'", payload)
case('object_array_payload.npy', object_npy, 'unsafe', ['array (object array)'])
case('numeric_array.npy', numeric_npy, 'safe', [])
case('object_array_in.npz', zip_bytes([('a.npy', numeric_npy), ('b.npy', object_npy)]), 'unsafe',
     ['b.npy (object array)'])

# Deflated members are inflated before they are inspected: np.savez_compressed writes them,
# and any zip tool can.
case('deflated_payload.zip', zip_bytes([('data.pkl', pickle.dumps({'a': 1}, 2)), ('extra.bin', payload)],
                                       compression=zipfile.ZIP_DEFLATED),
     'unsafe', ['data.pkl', 'extra.bin'])
case('bzip2_member.zip', zip_bytes([('archive/data.pkl', payload)], compression=zipfile.ZIP_BZIP2), 'unsafe',
     ['archive/data.pkl'])
case('object_array_in_compressed.npz', zip_bytes([('b.npy', object_npy)], compression=zipfile.ZIP_DEFLATED),
     'unsafe', ['b.npy (object array)'])

# A member whose declared size reaches into the next one: zipfile (3.12 on) refuses it.
overlap = bytearray(zip_bytes([('a.pkl', pickle.dumps(1, 2)), ('b.pkl', pickle.dumps(2, 2))]))
directory = overlap.index(b'PK\x01\x02')
overlap[directory + 20:directory + 24] = struct.pack('<I', 60)
case('overlapping_members.zip', bytes(overlap), 'malformed', ['a.pkl', 'b.pkl'])

# A deflated member that declares more than the inspector inflates (a zip bomb's shape).
bomb = bytearray(zip_bytes([('big.pkl', pickle.dumps(b'x' * 1000, 2))], compression=zipfile.ZIP_DEFLATED))
directory = bomb.index(b'PK\x01\x02')
bomb[directory + 24:directory + 28] = struct.pack('<I', 0xfffffff0)
case('declares_4_gib.zip', bytes(bomb), 'malformed', [])

# A pickle that hands another pickle to pickle.loads: the loader unpickles it in turn.
inner = b'\x80\x02' + payload
case('nested_loads.pkl', b'\x80\x02cpickle\nloads\nC' + bytes([len(inner)]) + inner + b'\x85R.', 'unsafe',
     ['pickle 1', 'pickle 1 > pickle.loads argument'])

def tar_bytes(members, format):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w', format=format) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


# PyTorch's legacy tar checkpoints: sys_info, pickle, then storages and tensors, each a
# pickle followed by raw data. The payload in the storages file, after its first pickle.
storages = pickle.dumps(1, 2) + b'\x80\x02' + payload + floats
legacy_tar = [('sys_info', pickle.dumps({'protocol_version': 1001}, 2)), ('pickle', pickle.dumps({'w': 1}, 2)),
              ('storages', storages), ('tensors', pickle.dumps(0, 2))]
case('legacy_tar_checkpoint.tar', tar_bytes(legacy_tar, tarfile.GNU_FORMAT), 'unsafe',
     ['sys_info', 'pickle', 'storages', 'storages #2', 'tensors'])
# A name too long for the header: GNU writes it in an 'L' record, PAX in a 'path' record.
long_name = 'models/' + 'very_long_directory_name/' * 5 + 'weights.pkl'
for format, label in ((tarfile.GNU_FORMAT, 'gnu'), (tarfile.PAX_FORMAT, 'pax')):
    case(f'long_name_{label}.tar', tar_bytes([(long_name, payload)], format), 'unsafe', [long_name])

# Compressed around the pickle: gzip (a .gz file, joblib's compress='gzip') and zlib
# (joblib's default compressor), and a gzipped tar.
case('payload.pkl.gz', gzip.compress(payload, mtime=0), 'unsafe', ['pickle 1'])
case('joblib_zlib.pkl', zlib.compress(pickle.dumps({'weights': [1.0, 2.0]}, 4)), 'safe', ['pickle 1'])
case('payload.pkl.bz2', bz2.compress(payload), 'unsafe', ['pickle 1'])
# zstd (joblib's zstd compressor, .zst files): the payload in one raw block, as the zstandard
# package writes a frame this small (written out by hand: Python 3.11 has no zstd module).
# Frame: magic, a descriptor for a single segment with a one-byte content size, the size,
# then one raw block whose 3-byte header is (size << 3) | last.
case('payload.pkl.zst', b'\x28\xb5\x2f\xfd\x20' + bytes([len(payload)]) + ((len(payload) << 3) | 1).to_bytes(3, 'little')
     + payload, 'unsafe', ['pickle 1'])
case('joblib_xz.pkl', lzma.compress(pickle.dumps({'weights': [1.0, 2.0]}, 4)), 'safe', ['pickle 1'])
case('legacy_checkpoint.tar.gz', gzip.compress(tar_bytes(legacy_tar, tarfile.GNU_FORMAT), mtime=0), 'unsafe',
     ['sys_info', 'pickle', 'storages', 'storages #2', 'tensors'])

# A TorchScript archive (torch.jit.save): its constants are plain, but torch.jit.load runs
# the code/ members. Unsafe under both profiles.
torchscript = [('model/data.pkl', pickle.dumps({'w': 1}, 2)), ('model/constants.pkl', pickle.dumps((), 2)),
               ('model/code/__torch__.py', b'def forward(self, x):\n    return x\n'), ('model/version', b'3\n')]
case('torchscript_model.pt', zip_bytes(torchscript), 'unsafe', ['model/data.pkl', 'model/constants.pkl'])

# joblib: each NumPy array is a NumpyArrayWrapper whose BUILD is followed, outside the pickle,
# by the array's bytes (after a padding length and padding) or, for an array of objects, by a
# pickle of it. These bytes were written by joblib 1.6.0 with numpy 2.4.6 (not needed to run
# this script): joblib.dump({'a': np.arange(4.0), 'b': np.zeros((2, 3), dtype='<i4')}),
# joblib.dump({'o': np.array([Payload(), 1], dtype=object)}) with Payload reducing to
# os.system('echo owned'), and joblib.dump({'a': np.arange(4.0)}, compress=3) (zlib).
JOBLIB_ARRAYS = bytes.fromhex(
    '800495d8000000000000007d94288c0161948c136a6f626c69622e6e756d70795f7069636b6c65948c114e756d707941'
    '72726179577261707065729493942981947d94288c08737562636c617373948c056e756d7079948c076e646172726179'
    '9493948c057368617065944b0485948c056f72646572948c0143948c0564747970659468088c0564747970659493948c'
    '02663894898887945294284b038c013c944e4e4e4affffffff4affffffff4b007494628c0a616c6c6f775f6d6d617094'
    '888c1b6e756d70795f61727261795f616c69676e6d656e745f6279746573944b1075620cffffffffffffffffffffffff'
    '0000000000000000000000000000f03f00000000000000400000000000000840954b000000000000008c016294680429'
    '81947d94286807680a680b4b024b038694680d680e680f68118c02693494898887945294284b0368154e4e4e4affffff'
    'ff4affffffff4b0074946268178868184b1075620bffffffffffffffffffffff00000000000000000000000000000000'
    '0000000000000000752e')
JOBLIB_OBJECT_PAYLOAD = bytes.fromhex(
    '800495d7000000000000007d948c016f948c136a6f626c69622e6e756d70795f7069636b6c65948c114e756d70794172'
    '726179577261707065729493942981947d94288c08737562636c617373948c056e756d7079948c076e64617272617994'
    '93948c057368617065944b0285948c056f72646572948c0143948c0564747970659468088c0564747970659493948c02'
    '4f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f7494628c0a616c6c6f775f6d6d61709489'
    '8c1b6e756d70795f61727261795f616c69676e6d656e745f6279746573944b107562800595b0000000000000008c166e'
    '756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c'
    '076e6461727261799493944b0085944301629487945294284b014b02859468038c0564747970659493948c024f389489'
    '8887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d94288c05706f736978948c0673797374'
    '656d9493948c0a6563686f206f776e656494859452944b01657494622e732e')
JOBLIB_COMPRESSED = bytes.fromhex(
    '785e6b60997a9d01026aa7f430264ee911ceca4fcac94cd2cb2bcd2da88c2fc84ccece499dd223e807e23a1615255686'
    '17251614a4164d993c45b3714aed148d1e8ee2d2a4e49cc4e2e2293dac605d537ad8f35212416a818a7a588b33120b52'
    'a778b3b402d9f9452940ad3d8cce40764a4925503c8303c602aa654ab398d2d9d13e25688a8637730fa3cd143f3f3faf'
    'ff400026bc194aa624f57025e6e4e497c7e7e626164ce9e89186b8136c5b7c624e667a5e6e6a5e497c5265496af1146f'
    '81d2245e904e3880fa154a7db087321c20348743b11e004b0b6c8f')
# numpy's and joblib's globals are not in either profile: the benign dumps are unsafe too, but
# read to their end (not malformed), and the payload inside the object array is found.
case('joblib_arrays.pkl', JOBLIB_ARRAYS, 'unsafe', ['pickle 1'])
case('joblib_object_array_payload.pkl', JOBLIB_OBJECT_PAYLOAD, 'unsafe', ['pickle 1'])
case('joblib_compressed.pkl.z', JOBLIB_COMPRESSED, 'unsafe', ['pickle 1'])

# Published scanner bypasses, one file per family; every one is unsafe under both profiles.
def global_call(module, name, arg=b"S'id'\n"):
    """Protocol 0: module.name(arg)."""
    return b'c' + module.encode() + b'\n' + name.encode() + b'\n(' + arg + b'tR.'


def short(text):
    return b'\x8c' + bytes([len(text)]) + text.encode()


# Deny-lists that miss a module: each of these runs code.
for module, name in [('pip', 'main'), ('pkgutil', 'resolve_name'), ('timeit', 'timeit'),
                     ('asyncio.unix_events', '_UnixSubprocessTransport._start'), ('runpy', '_run_code'),
                     ('code', 'InteractiveInterpreter.runsource'), ('idlelib.pyshell', 'ModifiedInterpreter.runcode')]:
    case(f'denylist_gap_{module}.{name}.pkl', global_call(module, name), 'unsafe', ['pickle 1'])
# Dotted-name traversal: at protocol 4, STACK_GLOBAL's name walks attributes from the module.
case('dotted_traversal.pkl', b'\x80\x04' + short('pathlib') + short('os.system') + b'\x93' + short('id') + b'\x85R.',
     'unsafe', ['pickle 1'])
# _compat_pickle renames below protocol 3: urllib2.urlopen is urllib.request.urlopen.
case('compat_rename.pkl', b'\x80\x02' + global_call('urllib2', 'urlopen', b"S'http://x'\n"), 'unsafe', ['pickle 1'])
# The callable memoised, then fetched from the memo and called where no GLOBAL is near.
case('memo_indirection.pkl', b'\x80\x02cos\nsystem\nq\x000N(h\x00S\'id\'\ntR.', 'unsafe', ['pickle 1'])
# A parse error after the payload: the loader has called os.system by then.
case('error_after_payload.pkl', b'\x80\x02' + payload[:-1] + b'\xff\xff', 'unsafe', ['pickle 1'])
# An opcode no protocol has, after the payload.
case('unknown_opcode_after_payload.pkl', b'\x80\x02' + payload[:-1] + b'\xb0.', 'unsafe', ['pickle 1'])
# Zip tricks: the encrypted flag on a stored member (zipfile refuses it without a password;
# a reader that ignores the flag gets the payload), and a bad CRC (zipfile notices only at the
# member's end, after the loader has run it).
encrypted = bytearray(zip_bytes([('archive/data.pkl', payload)]))
for sig in (b'PK\x03\x04', b'PK\x01\x02'):
    at = encrypted.index(sig) + (6 if sig == b'PK\x03\x04' else 8)
    encrypted[at] |= 1
case('encrypted_flag.zip', bytes(encrypted), 'unsafe', ['archive/data.pkl'])
bad_crc = bytearray(zip_bytes([('archive/data.pkl', payload)]))
at = bad_crc.index(b'PK\x01\x02') + 16
bad_crc[at] ^= 0xff
case('bad_crc.zip', bytes(bad_crc), 'unsafe', ['archive/data.pkl'])
# An unexpected extension on a pickle: names do not matter.
case('model.safetensors', payload, 'unsafe', ['pickle 1'])

# PyTorch's legacy stream: pickles in a row (magic number, protocol, system info, data),
# then raw storage bytes. The benign one, and one whose data pickle calls os.system.
legacy = [pickle.dumps(0x1950a86a20f9469cfc6c, 2), pickle.dumps(1001, 2),
          pickle.dumps({'protocol_version': 1001, 'little_endian': True}, 2)]
case('legacy_stream.pt', b''.join(legacy + [pickle.dumps({'w': [1, 2]}, 2)]) + floats, 'safe',
     ['pickle 1', 'pickle 2', 'pickle 3', 'pickle 4'])
case('legacy_stream_payload.pt', b''.join(legacy + [b'\x80\x02' + payload]) + floats, 'unsafe',
     ['pickle 1', 'pickle 2', 'pickle 3', 'pickle 4'])


# Families from 2025-2026: loaders that read the same bytes differently, and archives that
# hide a pickle from a scanner reading only the obvious layer. Each is dangerous under some
# reader; a benign twin is given where the shape alone could be mistaken for a payload.

def torch_save_zip(records, archive='archive'):
    """A zip laid out as torch.save lays it out (PyTorch's caffe2/serialize/inline_container.cc,
    PyTorchStreamWriter over miniz in zip64 mode): records stored under ARCHIVE/, each one's data
    aligned to 64 bytes by an 'FB' extra field in its local header only (the central directory
    has none); general purpose bit 3, the local header's CRC and sizes zero and a data
    descriptor after the data with 8-byte sizes; then the directory, a zip64 end record, its
    locator, and the end record."""
    out, directory = bytearray(), bytearray()
    for name, data in records:
        full = f'{archive}/{name}'.encode()
        offset = len(out)
        pad = -(offset + 30 + len(full) + 4) % 64
        extra = b'FB' + struct.pack('<H', pad) + b'Z' * pad
        crc = zlib.crc32(data)
        out += struct.pack('<4sHHHHHIIIHH', b'PK\x03\x04', 0, 8, 0, 0, 0x21, 0, 0, 0, len(full), len(extra))
        out += full + extra + data
        out += struct.pack('<4sIQQ', b'PK\x07\x08', crc, len(data), len(data))
        directory += struct.pack('<4sHHHHHHIIIHHHHHII', b'PK\x01\x02', 0x031e, 0, 8, 0, 0, 0x21, crc,
                                 len(data), len(data), len(full), 0, 0, 0, 0, 0, offset) + full
    start = len(out)
    out += directory
    zip64_end = len(out)
    count = len(records)
    out += struct.pack('<4sQHHIIQQQQ', b'PK\x06\x06', 44, 0x031e, 45, 0, 0, count, count, len(directory), start)
    out += struct.pack('<4sIQI', b'PK\x06\x07', 0, zip64_end, 1)
    out += struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, count, count, len(directory), start, 0)
    data = bytes(out)
    # zipfile reads it, every record whole.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None and [i.filename for i in z.infolist()] == [f'{archive}/{n}' for n, _ in records]
    return data


def torch_records(data_pkl, extra=()):
    """torch.save's records, in its order: data.pkl, byteorder, the storages, version, the
    serialization id."""
    return ([('data.pkl', data_pkl), ('byteorder', b'little'), ('data/0', floats[:16]), ('data/1', floats[16:])]
            + list(extra) + [('version', b'3\n'), ('.data/serialization_id', b'0' * 40)])


case('torch_save_layout.pt', torch_save_zip(torch_records(state_dict_pickle())), 'unsafe', ['archive/data.pkl'],
     torch='safe')
case('torch_save_layout_payload.pt', torch_save_zip(torch_records(b'\x80\x02' + payload)), 'unsafe',
     ['archive/data.pkl'])

# Frame straddling (python/cpython#154848; trailofbits/fickling#317): FRAME(3) holds
# SHORT_BINUNICODE's length 2 and one byte. pickle.loads reads the string across the frame's
# end ('xa'), then SHORT_BINBYTES swallows what follows; pickle.load(file) (and torch.load,
# which reads data.pkl through a file object) takes the string whole from after the frame
# ('aC') and runs os.system. CPython 3.11 and 3.13.0 do both; the pure-Python unpickler, and
# the C one from 3.13.15 and 3.14.7, refuse the straddle.
straddle_tail = b'cos\nsystem\n(' + b'\x8c\x0aecho owned' + b'tR00N.'
straddle = (b'\x80\x04\x95' + (3).to_bytes(8, 'little') + b'\x8c\x02x' + b'aC' + straddle_tail
            + b'#' * (100 - len(straddle_tail)) + b'00N.')
case('frame_straddle.pkl', straddle, 'unsafe', ['pickle 1'])
case('frame_straddle_in_torch_zip.pt', torch_save_zip(torch_records(straddle)), 'unsafe', ['archive/data.pkl'])

# Archives inside archives (protectai/modelscan#106, promptfoo/modelaudit#1095 and #942): a zip
# in a checkpoint's member, and a gzip of a pickle in a tar member; a benign zip in a member.
inner_zip = zip_bytes([('data.pkl', payload)])
case('zip_in_checkpoint_member.pt', torch_save_zip(torch_records(state_dict_pickle(), [('extra/model.zip', inner_zip)])),
     'unsafe', ['archive/data.pkl', 'archive/extra/model.zip > data.pkl'])
case('gzip_in_tar_member.tar', tar_bytes([('weights.pkl.gz', gzip.compress(payload, mtime=0))], tarfile.GNU_FORMAT),
     'unsafe', ['weights.pkl.gz > pickle 1'])
case('benign_zip_in_zip.zip', zip_bytes([('inner.zip', zip_bytes([('data.pkl', pickle.dumps([1, 2], 2))]))]),
     'safe', ['inner.zip > data.pkl'])

# Names listed twice: zipfile (and so numpy.load, joblib) opens the last entry of a name; a
# scanner that reads the first sees the benign copy.
case('duplicate_member_names.zip', zip_bytes([('data.pkl', pickle.dumps({'w': 1}, 2)), ('data.pkl', payload)]),
     'unsafe', ['data.pkl', 'data.pkl'])
# Two archives in a row (promptfoo/modelaudit#1546: concatenated archives, overlaid end
# records): zipfile reads the last, a reader walking local headers from the front the first.
case('concatenated_archives.zip', zip_bytes([('data.pkl', pickle.dumps({'w': 1}, 2))], prefix=inner_zip),
     'unsafe', ['data.pkl', f'archive ending at byte {len(inner_zip) - 22} > data.pkl'])

# A compressed stream that breaks after the payload: a streaming pickle.load(gzip.open(f)) has
# run it before the bad data is reached.
broken = gzip.compress(payload + bytes(range(256)) * 512, mtime=0)
case('gzip_broken_after_payload.pkl.gz', broken[:len(broken) // 2], 'unsafe', ['pickle 1'])

# STACK_GLOBAL with names from the old string opcodes (protectai/modelscan#338 lists the
# type confusions): Python 3's loader decodes STRING to str (encoding='ASCII' by default).
case('stack_global_from_string_opcodes.pkl', b"\x80\x04S'os'\nS'system'\n\x93S'echo owned'\n\x85R.", 'unsafe',
     ['pickle 1'])


# What torch.load(..., weights_only=True) refuses beyond its allow-list: the torch profile
# judges these unsafe, each with a finding naming the rule (the default profile already does:
# torch's globals are not in it). A TorchScript archive is recognised by constants.pkl alone,
# as torch.load recognises it (CVE-2025-32434 was its hand-over to torch.jit.load); SETITEM(S)
# on a tensor (pytorch/pytorch#170085) and BUILD on one; a view past its storage's end; a
# storage record whose size is not the persistent id's element count times the element size
# (pytorch/pytorch#170085).
def tensor(key, numel, shape, strides, offset=0):
    """`torch._utils._rebuild_tensor_v2(storage, offset, shape, strides, False, {})` at
    protocol 2, the storage a persistent id ('storage', torch.FloatStorage, KEY, 'cpu', NUMEL)."""
    ints = lambda values: b'(' + b''.join(b'J' + struct.pack('<i', v) for v in values) + b't'
    pid = b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX" + struct.pack('<I', len(key)) + key.encode() + \
        b'X\x03\x00\x00\x00cpuJ' + struct.pack('<i', numel) + b'tQ'
    return (b'ctorch._utils\n_rebuild_tensor_v2\n(' + pid + b'J' + struct.pack('<i', offset) + ints(shape)
            + ints(strides) + b'\x89}tR')


def state_dict_with(body):
    """`{'w': TENSOR...}` at protocol 2, `body` building the tensor (and what follows it)."""
    return b'\x80\x02}X\x01\x00\x00\x00w' + body + b's.'


case('torchscript_constants_only.pt', zip_bytes([('model/constants.pkl', pickle.dumps((1,), 2)),
                                                 ('model/data.pkl', pickle.dumps({'w': 1}, 2))]),
     'unsafe', ['model/constants.pkl', 'model/data.pkl'])
case('torch_setitem_on_tensor.pt', zip_bytes([('archive/data.pkl', state_dict_with(
    tensor('0', 4, (4,), (1,)) + b'X\x01\x00\x00\x00aK\x01s')), ('archive/data/0', floats[:16])]),
     'unsafe', ['archive/data.pkl'])
case('torch_build_on_tensor.pt', zip_bytes([('archive/data.pkl', state_dict_with(
    tensor('0', 4, (4,), (1,)) + b'}X\x01\x00\x00\x00aK\x01sb')), ('archive/data/0', floats[:16])]),
     'unsafe', ['archive/data.pkl'])
case('torch_view_past_storage.pt', zip_bytes([('archive/data.pkl', state_dict_with(tensor('0', 4, (4, 4), (4, 1)))),
                                              ('archive/data/0', floats[:16])]),
     'unsafe', ['archive/data.pkl'])
case('torch_storage_record_short.pt', zip_bytes([('archive/data.pkl', state_dict_with(tensor('0', 4, (4,), (1,)))),
                                                 ('archive/data/0', floats[:8])]),
     'unsafe', ['archive/data.pkl'])
case('torch_one_tensor.pt', zip_bytes([('archive/data.pkl', state_dict_with(tensor('0', 4, (2, 2), (2, 1)))),
                                       ('archive/data/0', floats[:16])]),
     'unsafe', ['archive/data.pkl'], torch='safe')


# Tar members tarfile hands out that a reader of regular files alone misses: sparse files
# (GNU tar --sparse writes them: the old GNU type S with its map in the header, and the PAX
# 1.0 format with its map at the start of the data), a type tarfile does not know (which it
# reads as a regular file), and a member right after a symbolic link whose size field is not
# zero (tarfile skips no data after a link; a reader that skips its size lands past the member).
def tar_header(name, size, typeflag, patch=()):
    """A GNU-format header of `typeflag`, with `patch`'s (offset, bytes) written in before the
    checksum is computed."""
    info = tarfile.TarInfo(name)
    info.size, info.type, info.mtime = size, tarfile.REGTYPE, 0
    block = bytearray(info.tobuf(tarfile.GNU_FORMAT))
    block[156:157] = typeflag
    for at, raw in patch:
        block[at:at + len(raw)] = raw
    block[148:156] = b' ' * 8
    block[148:155] = b'%06o\0' % sum(block)
    return bytes(block)


def blocks(data):
    return data + bytes(-len(data) % 512)


def octal(value, width=12):
    return b'%0*o\0' % (width - 1, value)


def sparse_tar(real_size, chunks, data, pax_10=False):
    """A tar of one sparse file `w.pkl` of `real_size` bytes whose `chunks` ((offset, size)
    pairs) hold `data`, in the old GNU format or the PAX 1.0 one."""
    if pax_10:
        records = b''.join(pax_record(k, v) for k, v in [('GNU.sparse.major', '1'), ('GNU.sparse.minor', '0'),
                                                          ('GNU.sparse.name', 'w.pkl'),
                                                          ('GNU.sparse.realsize', str(real_size))])
        sparse_map = blocks(b'%d\n' % len(chunks) + b''.join(b'%d\n%d\n' % c for c in chunks))
        body = sparse_map + data
        out = tar_header('././@PaxHeader', len(records), b'x') + blocks(records)
        out += tar_header('GNUSparseFile.0/w.pkl', len(body), b'0') + blocks(body)
    else:
        entries = b''.join(octal(o) + octal(n) for o, n in chunks)
        out = tar_header('w.pkl', len(data), b'S', [(386, entries), (483, octal(real_size))]) + blocks(data)
    archive = out + bytes(1024)
    with tarfile.open(fileobj=io.BytesIO(archive)) as t:
        member = t.getmembers()[0]
        assert member.name == 'w.pkl' and member.size == real_size, (member.name, member.size)
        assert t.extractfile(member).read(len(payload)) == data[:len(payload)]
    return archive


def pax_record(key, value):
    text = f' {key}={value}\n'.encode()
    size = len(text) + len(str(len(text)))
    size += len(str(size)) - len(str(len(text)))
    return str(size).encode() + text


case('sparse_gnu_payload.tar', sparse_tar(1 << 20, [(0, 4096), (1 << 20, 0)], payload + bytes(4096 - len(payload))),
     'unsafe', ['w.pkl'])
case('sparse_pax10_payload.tar', sparse_tar(1 << 20, [(0, 4096), (1 << 20, 0)], payload + bytes(4096 - len(payload)),
                                            pax_10=True), 'unsafe', ['w.pkl'])
benign = pickle.dumps({'w': [1.0] * 10}, 4)
case('sparse_gnu_benign.tar', sparse_tar(1 << 20, [(0, 512), (1 << 19, 1)], blocks(benign) + b'x'), 'safe', ['w.pkl'])
unknown_type = tar_header('data.pkl', len(payload), b'Z') + blocks(payload) + bytes(1024)
with tarfile.open(fileobj=io.BytesIO(unknown_type)) as t:
    assert t.extractfile('data.pkl').read() == payload
case('unknown_type_member.tar', unknown_type, 'unsafe', ['data.pkl'])
after_link = (tar_header('link', 1024, b'2') + tar_header('data.pkl', len(payload), b'0') + blocks(payload)
              + bytes(1024))
with tarfile.open(fileobj=io.BytesIO(after_link)) as t:
    assert t.getnames() == ['link', 'data.pkl'] and t.extractfile('data.pkl').read() == payload
case('member_after_sized_link.tar', after_link, 'unsafe', ['data.pkl'])


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for old in os.listdir(CORPUS):
        os.remove(os.path.join(CORPUS, old))
    lines = []
    for name, data, verdict, torch, parts in CASES:
        with open(os.path.join(CORPUS, name), 'wb') as f:
            f.write(data)
        lines.append(f'{name} {verdict} {torch} {",".join(parts) or "-"}')
    with open(os.path.join(HERE, 'expected.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
