//! The native modules an isolated runtime does without: each reaches the host's files,
//! processes, network, native code, signals, environment or process-wide state, and none
//! is needed by the pure standard library a script uses. They are taken out of the
//! interpreter before it starts, so nothing in it (not `_imp.create_builtin`, not native
//! code importing them by name) can make them; importing one raises ImportError saying the
//! runtime is isolated.

use rustpython_vm::VirtualMachine;
use rustpython_vm::builtins::PyModuleDef;
use rustpython_vm::common::rc::PyRc;
use std::sync::OnceLock;

/// The modules taken out, with what each would give a script.
pub(crate) const REFUSED: &[(&str, &str)] = &[
    (
        "posix",
        "files, processes, the environment (os is served by a stub instead)",
    ),
    ("_posixsubprocess", "starting processes"),
    ("_posixshmem", "shared memory"),
    ("_socket", "the network"),
    ("_ssl", "the network"),
    ("select", "waiting on descriptors"),
    ("mmap", "mapping files"),
    ("fcntl", "descriptor control"),
    ("termios", "the terminal"),
    ("resource", "the process's resource limits"),
    ("grp", "the host's group database"),
    ("pwd", "the host's user database"),
    ("syslog", "the host's system log"),
    ("_ctypes", "native code"),
    ("_multiprocessing", "processes and semaphores"),
    ("_sqlite3", "database files"),
    ("faulthandler", "signal handlers and descriptors"),
    ("_locale", "the process-wide locale"),
    ("_interpreters", "interpreters without this one's isolation"),
    (
        "_interpchannels",
        "interpreters without this one's isolation",
    ),
    ("_interpqueues", "interpreters without this one's isolation"),
    ("_remote_debugging", "other processes' memory"),
    ("_testinternalcapi", "the VM's internals"),
    ("readline", "the terminal"),
];

/// The definition of `posix`, kept for what the stub takes from it (the names of its
/// functions, and the few that compute without reaching the host). The same for every
/// interpreter.
static POSIX: OnceLock<&'static PyModuleDef> = OnceLock::new();

/// Takes the refused modules out of `vm`'s interpreter; called before it starts.
pub(crate) fn remove(vm: &mut VirtualMachine) {
    let state = PyRc::get_mut(&mut vm.state).expect("no other references during init");
    if let Some(posix) = state.module_defs.get("posix") {
        let _ = POSIX.set(posix);
    }
    for (name, _) in REFUSED {
        state.module_defs.remove(name);
    }
}

/// `posix` as RustPython defines it (after one isolated runtime has been made).
pub(crate) fn posix_def() -> Option<&'static PyModuleDef> {
    POSIX.get().copied()
}
