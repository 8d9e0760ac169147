//! The escape suite: every route out of an isolated runtime that we know of, tried. Each
//! attempt must end in an exception that says the runtime is isolated (or, where Python
//! itself swallows the refusal, in nothing read), and the host must go on.

use brine::{Error, Output, Runtime};

/// A fresh isolated runtime whose output the test reads.
fn isolated() -> Runtime {
    Runtime::builder()
        .isolated()
        .stdout(Output::Capture)
        .stderr(Output::Capture)
        .build()
        .expect("an isolated runtime builds")
}

/// How an attempt must be refused: the exception's type.
struct Attempt {
    route: &'static str,
    code: &'static str,
    refused_with: &'static str,
}

const fn attempt(route: &'static str, refused_with: &'static str, code: &'static str) -> Attempt {
    Attempt {
        route,
        code,
        refused_with,
    }
}

/// Attempts that leave the runtime as it was, so they can share one.
const ATTEMPTS: &[Attempt] = &[
    // Files.
    attempt(
        "open for reading",
        "PermissionError",
        "open('/etc/passwd').read()",
    ),
    attempt(
        "open for writing",
        "PermissionError",
        "open('/tmp/brine-escape', 'w').write('x')",
    ),
    attempt(
        "open a descriptor",
        "PermissionError",
        "open(1, 'w').write('x')",
    ),
    attempt(
        "io.FileIO",
        "PermissionError",
        "import io\nio.FileIO('/etc/passwd')",
    ),
    attempt(
        "io.open",
        "PermissionError",
        "import io\nio.open('/etc/passwd')",
    ),
    attempt(
        "_io.open_code",
        "PermissionError",
        "import _io\n_io.open_code('/etc/passwd')",
    ),
    attempt(
        "_pyio.open",
        "PermissionError",
        "import _pyio\n_pyio.open('/etc/passwd')",
    ),
    attempt(
        "os.open",
        "PermissionError",
        "import os\nos.open('/etc/passwd', os.O_RDONLY if hasattr(os, 'O_RDONLY') else 0)",
    ),
    attempt(
        "os.listdir",
        "PermissionError",
        "import os\nos.listdir('/')",
    ),
    attempt(
        "os.remove",
        "PermissionError",
        "import os\nos.remove('/tmp/brine-escape')",
    ),
    attempt(
        "pathlib",
        "PermissionError",
        "import pathlib\npathlib.Path('/etc/passwd').read_text()",
    ),
    attempt(
        "codecs.open",
        "PermissionError",
        "import codecs\ncodecs.open('/etc/passwd').read()",
    ),
    attempt(
        "shutil.copy",
        "PermissionError",
        "import shutil\nshutil.copy('/etc/passwd', '/tmp/brine-escape')",
    ),
    attempt(
        "tempfile",
        "PermissionError",
        "import tempfile\ntempfile.mkstemp()",
    ),
    attempt(
        "FileIO through a __subclasses__() walk",
        "PermissionError",
        "raw = [c for c in object.__subclasses__() if c.__name__ == '_IOBase'][0]\n\
         fileio = [c for b in raw.__subclasses__() for c in b.__subclasses__() if c.__name__ == 'FileIO'][0]\n\
         fileio('/etc/passwd')",
    ),
    attempt(
        "FileIO.__init__ on a bare instance",
        "PermissionError",
        "import io\nf = io.FileIO.__new__(io.FileIO)\nio.FileIO.__init__(f, '/etc/passwd')",
    ),
    attempt(
        "a subclass of FileIO",
        "PermissionError",
        "import io\nclass F(io.FileIO):\n    pass\nF('/etc/passwd')",
    ),
    attempt(
        "the loader of a file's module",
        "PermissionError",
        "import importlib.machinery\nimportlib.machinery.SourceFileLoader('m', '/etc/passwd').get_data('/etc/passwd')",
    ),
    attempt(
        "runpy.run_path",
        "PermissionError",
        "import runpy\nrunpy.run_path('/etc/passwd')",
    ),
    // Processes and threads.
    attempt("os.system", "PermissionError", "import os\nos.system('id')"),
    attempt("os.fork", "PermissionError", "import os\nos.fork()"),
    attempt(
        "os.execv",
        "PermissionError",
        "import os\nos.execv('/bin/sh', ['sh'])",
    ),
    attempt(
        "os.posix_spawn",
        "PermissionError",
        "import os\nos.posix_spawn('/bin/sh', ['sh'], {})",
    ),
    attempt("os.kill", "PermissionError", "import os\nos.kill(1, 0)"),
    attempt("os._exit", "PermissionError", "import os\nos._exit(0)"),
    attempt(
        "subprocess",
        "ModuleNotFoundError",
        "import subprocess\nsubprocess.run(['id'])",
    ),
    attempt(
        "threading.Thread",
        "PermissionError",
        "import threading\nthreading.Thread(target=print).start()",
    ),
    attempt(
        "_thread.start_new_thread",
        "PermissionError",
        "import _thread\n_thread.start_new_thread(print, ())",
    ),
    // The network.
    attempt("socket", "ModuleNotFoundError", "import socket"),
    attempt("_socket", "ModuleNotFoundError", "import _socket"),
    attempt(
        "urllib",
        "ModuleNotFoundError",
        "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/')",
    ),
    attempt("ssl", "ModuleNotFoundError", "import ssl"),
    // Native code.
    attempt("ctypes", "ModuleNotFoundError", "import ctypes"),
    attempt("_ctypes", "ModuleNotFoundError", "import _ctypes"),
    attempt("mmap", "ModuleNotFoundError", "import mmap"),
    attempt(
        "_imp.create_dynamic",
        "PermissionError",
        "import _imp, importlib.machinery\n\
         _imp.create_dynamic(importlib.machinery.ModuleSpec('evil', None, origin='/tmp/evil.so'))",
    ),
    attempt(
        "bytecode through marshal",
        "PermissionError",
        "import marshal\nmarshal.loads(marshal.dumps(compile('1', '', 'eval')))",
    ),
    attempt(
        "bytecode through code.replace",
        "PermissionError",
        "(lambda: 0).__code__.replace(co_code=b'\\x00' * 8)",
    ),
    attempt(
        "bytecode through the code type",
        "PermissionError",
        "import types\nc = (lambda: 0).__code__\ntypes.CodeType(*[getattr(c, 'co_' + n) for n in ()])",
    ),
    attempt(
        "bytecode through _imp.get_frozen_object",
        "PermissionError",
        "import _imp, marshal\n_imp.get_frozen_object('x', b'\\xe3' + b'\\x00' * 40)",
    ),
    // Signals.
    attempt(
        "signal.signal",
        "ModuleNotFoundError",
        "import signal\nsignal.signal(2, print)",
    ),
    attempt("_signal", "ModuleNotFoundError", "import _signal"),
    attempt(
        "faulthandler",
        "ModuleNotFoundError",
        "import faulthandler\nfaulthandler.enable()",
    ),
    // The host's environment and identity.
    attempt("os.getcwd", "PermissionError", "import os\nos.getcwd()"),
    attempt("os.getpid", "PermissionError", "import os\nos.getpid()"),
    attempt("pwd", "ModuleNotFoundError", "import pwd"),
    attempt("input", "PermissionError", "input()"),
    // Other ways in.
    attempt(
        "posix through sys.modules",
        "PermissionError",
        "import sys\nsys.modules['posix'].system('id')",
    ),
    attempt(
        "os's globals through a class it defines",
        "PermissionError",
        "import os\n\
         def walk(cls, seen):\n    for sub in type.__subclasses__(cls):\n        if sub not in seen:\n            seen.add(sub)\n            walk(sub, seen)\n    return seen\n\
         f = [v for c in walk(object, set()) if c.__module__ == 'os'\n\
              for v in vars(c).values() if hasattr(v, '__globals__')][0]\n\
         f.__globals__['system']('id')",
    ),
    attempt(
        "the builtins of a function's globals",
        "PermissionError",
        "(lambda: 0).__globals__['__builtins__'].open('/etc/passwd')",
    ),
    attempt(
        "importlib.import_module",
        "ModuleNotFoundError",
        "import importlib\nimportlib.import_module('_socket')",
    ),
    attempt(
        "_imp.create_builtin with a spec of its own",
        "ImportError",
        "import _imp, importlib.machinery\n\
         _imp.create_builtin(importlib.machinery.ModuleSpec('_socket', importlib.machinery.BuiltinImporter))",
    ),
    attempt(
        "gc.get_objects",
        "PermissionError",
        "import gc\ngc.get_objects()",
    ),
    attempt(
        "gc.get_referents",
        "PermissionError",
        "import gc\ngc.get_referents(open)",
    ),
    attempt(
        "sys.settrace",
        "PermissionError",
        "import sys\nsys.settrace(lambda *a: None)",
    ),
    // Other host threads' running frames, read as they change: a crash in RustPython 0.6.
    attempt(
        "sys._current_frames",
        "PermissionError",
        "import sys\nsys._current_frames()",
    ),
    // Waits no interrupt could end.
    attempt(
        "a lock acquired twice",
        "RuntimeError",
        "import threading\nlock = threading.Lock()\nlock.acquire()\nlock.acquire()",
    ),
    attempt(
        "a lock held across a with",
        "RuntimeError",
        "import _thread\nlock = _thread.allocate_lock()\nlock.acquire()\nwith lock:\n    pass",
    ),
    attempt(
        "an empty queue",
        "RuntimeError",
        "import queue\nqueue.Queue().get()",
    ),
    // Pickles that name what is refused.
    attempt(
        "a pickle calling os.system",
        "PermissionError",
        "import pickle\npickle.loads(b\"cos\\nsystem\\n(S'id'\\ntR.\")",
    ),
    attempt(
        "a pickle calling posix.system at protocol 4",
        "PermissionError",
        "import pickle\npickle.loads(b'\\x80\\x04\\x8c\\x05posix\\x8c\\x06system\\x93\\x8c\\x02id\\x85R.')",
    ),
    attempt(
        "a pickle calling open",
        "PermissionError",
        "import pickle\npickle.loads(b\"cbuiltins\\nopen\\n(S'/etc/passwd'\\ntR.\")",
    ),
    attempt(
        "a Python 2 pickle calling eval",
        "PermissionError",
        "import pickle\npickle.loads(b\"c__builtin__\\neval\\n(S'open(\\\"/etc/passwd\\\").read()'\\ntR.\")",
    ),
    attempt(
        "a pickle naming os.system through pathlib",
        "PermissionError",
        "import pickle\npickle.loads(b'\\x80\\x04\\x8c\\x07pathlib\\x8c\\tos.system\\x93\\x8c\\x02id\\x85R.')",
    ),
    attempt(
        "a pickle calling subprocess",
        "ModuleNotFoundError",
        "import pickle\npickle.loads(b\"csubprocess\\ncheck_output\\n(S'id'\\ntR.\")",
    ),
    attempt(
        "a pickle calling os._exit",
        "PermissionError",
        "import pickle\npickle.loads(b\"cos\\n_exit\\n(I0\\ntR.\")",
    ),
    attempt(
        "find_class resolving by hand",
        "PermissionError",
        "import io, pickle\n\
         class U(pickle.Unpickler):\n    def find_class(self, module, name):\n        return getattr(__import__(module), name)\n\
         U(io.BytesIO(b\"cposix\\nsystem\\n(S'id'\\ntR.\")).load()",
    ),
];

#[test]
fn no_attempt_escapes_an_isolated_runtime() {
    let rt = isolated();
    let mut escaped = Vec::new();
    for attempt in ATTEMPTS {
        let wrapped = format!("def attempt():\n{}\nattempt()", indent(attempt.code));
        match rt.run(&wrapped) {
            Err(Error::Python(err))
                if err.type_name() == attempt.refused_with
                    && err.message().contains("this runtime is isolated") => {}
            other => escaped.push(format!("{}: {other:?}", attempt.route)),
        }
    }
    assert!(ATTEMPTS.len() >= 30);
    assert!(
        escaped.is_empty(),
        "{} of {}:\n{}",
        escaped.len(),
        ATTEMPTS.len(),
        escaped.join("\n")
    );
    assert!(!std::path::Path::new("/tmp/brine-escape").exists());
}

fn indent(code: &str) -> String {
    code.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Attempts that change the runtime (its modules, its finders), each in a fresh one.
const ATTEMPTS_ALONE: &[Attempt] = &[
    attempt(
        "a fresh _io",
        "PermissionError",
        "import sys\ndel sys.modules['_io']\nimport _io\n_io.FileIO('/etc/passwd')",
    ),
    attempt(
        "a fresh os and posix",
        "PermissionError",
        "import sys\nfor name in ('os', 'posix', 'posixpath'):\n    sys.modules.pop(name, None)\nimport os\nos.system('id')",
    ),
    attempt(
        "a fresh gc",
        "PermissionError",
        "import sys\nsys.modules.pop('gc', None)\nimport gc\ngc.get_objects()",
    ),
    attempt(
        "a fresh _imp",
        "ImportError",
        "import sys, importlib.machinery\nsys.modules.pop('_imp', None)\nimport _imp\n\
         _imp.create_builtin(importlib.machinery.ModuleSpec('_socket', None))",
    ),
    attempt(
        "a fresh _thread",
        "PermissionError",
        "import sys\nsys.modules.pop('_thread', None)\nimport _thread\n_thread.start_new_thread(print, ())",
    ),
    attempt(
        "a replaced __import__",
        "PermissionError",
        "import builtins\nbuiltins.__import__ = lambda *a, **k: None\nopen('/etc/passwd')",
    ),
];

/// A wait with a timeout still times out, and a free lock is taken as ever.
#[test]
fn locks_work_and_time_out() {
    let rt = isolated();
    let outcome: (bool, bool, bool) = rt
        .eval(
            "(lambda l, r: (l.acquire(), l.acquire(timeout=0.01), r.acquire() and r.acquire()))\
             (__import__('threading').Lock(), __import__('threading').RLock())",
        )
        .unwrap();
    assert_eq!(outcome, (true, false, true));
}

#[test]
fn no_attempt_that_rebuilds_modules_escapes() {
    let mut escaped = Vec::new();
    for attempt in ATTEMPTS_ALONE {
        let rt = isolated();
        match rt.run(attempt.code) {
            Err(Error::Python(err))
                if err.type_name() == attempt.refused_with
                    && err.message().contains("this runtime is isolated") => {}
            other => escaped.push(format!("{}: {other:?}", attempt.route)),
        }
    }
    assert!(escaped.is_empty(), "{}", escaped.join("\n"));
    // With the finder that explains refusals gone, a refused module is still not there.
    let rt = isolated();
    let Err(Error::Python(err)) = rt.run("import sys\nsys.meta_path.clear()\nimport _socket")
    else {
        panic!("_socket imported");
    };
    assert_eq!(err.type_name(), "ModuleNotFoundError");
}

/// The host survives what would end a process, and its runtime goes on.
#[test]
fn the_host_and_the_runtime_survive_every_attempt() {
    let rt = isolated();
    for code in [
        "import os\nos._exit(3)",
        "import os\nos.abort()",
        "import os\nos.kill(0, 9)",
        "import sys\nsys.exit(4)",
    ] {
        assert!(rt.run(code).is_err(), "{code}");
    }
    rt.run("import sys\nprint(repr(sys.stdin.read()))\nprint('still here', file=sys.stderr)")
        .unwrap();
    assert_eq!(rt.take_stdout(), "''\n");
    assert_eq!(rt.take_stderr(), "still here\n");
    assert_eq!(
        rt.eval::<Vec<String>>("sorted(__import__('os').environ)")
            .unwrap(),
        Vec::<String>::new()
    );
}

/// `atexit` functions run when the last handle goes, after the host has let go of the
/// runtime: they are still isolated then, and still limited (what brine keeps per runtime
/// is forgotten only after finalizing). Run in a child process (this binary again), whose
/// output the test reads: the runtime's own buffers and host functions are gone by then.
#[test]
fn atexit_functions_run_isolated_and_limited() {
    const CHILD: &str = "BRINE_ATEXIT_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let rt = Runtime::builder()
            .isolated()
            .pickle_limits(brine::pickle_core::decoder::Limits {
                max_memory: 1 << 20,
                ..brine::pickle_core::decoder::Limits::UNTRUSTED
            })
            .build()
            .unwrap();
        rt.run(
            "import atexit, pickle\n\
             big = pickle.dumps(b'x' * (2 << 20))\n\
             def at_exit():\n\
             \x20   try:\n\
             \x20       open('/etc/passwd').read()\n\
             \x20       print('at exit: opened')\n\
             \x20   except PermissionError as e:\n\
             \x20       print('at exit:', e)\n\
             \x20   try:\n\
             \x20       pickle.loads(big)\n\
             \x20       print('at exit: loaded')\n\
             \x20   except MemoryError as e:\n\
             \x20       print('at exit:', e)\n\
             atexit.register(at_exit)\n",
        )
        .unwrap();
        drop(rt);
        return;
    }
    let test = "escapes::atexit_functions_run_isolated_and_limited";
    let output = crate::child_process(test, CHILD, "1").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let seen: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("at exit:"))
        .collect();
    assert_eq!(
        seen,
        [
            "at exit: files cannot be opened: this runtime is isolated",
            "at exit: unpickling exceeded the memory limit",
        ]
    );
}
