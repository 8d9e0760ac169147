//! The `posix` an isolated runtime has: every function of RustPython's `posix` by name, each
//! refusing with PermissionError, except the few that compute without touching the host
//! (`fspath`, `strerror`, the wait-status macros, `urandom` for entropy); its constants and
//! its result types as they are; `environ` empty. `os` imports it as it would the real one,
//! so `os`, `os.path`, `pathlib`, `shutil`, `tempfile` and what needs them import, and
//! whatever reaches the host says so when called (`os.path.exists` is False: the `stat`
//! under it is refused with an OSError).

use super::natives::posix_def;
use super::refusing_function;
use rustpython_vm::builtins::{PyBytes, PyDict, PyFloat, PyInt, PyModule, PyStr, PyType};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};

/// The functions kept as they are: pure computations, entropy, and `register_at_fork`
/// (`random` registers a callback as it imports; with no fork, it is never called).
const KEPT: &[&str] = &[
    "register_at_fork",
    "fspath",
    "strerror",
    "urandom",
    "getrandom",
    "waitstatus_to_exitcode",
    "WCOREDUMP",
    "WEXITSTATUS",
    "WIFCONTINUED",
    "WIFEXITED",
    "WIFSIGNALED",
    "WIFSTOPPED",
    "WSTOPSIG",
    "WTERMSIG",
];

/// Makes the stub module.
pub(crate) fn make(vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    let def = posix_def().ok_or_else(|| vm.new_runtime_error("posix was never defined"))?;
    let stub = vm.ctx.new_dict();
    // The real module, made here only to read its constants and types, then dropped.
    let real = PyModule::from_def(def).into_ref(&vm.ctx);
    PyModule::__init_dict_from_def(vm, &real);
    real.__init_methods(vm)?;
    if let Some(exec) = def.slots.exec {
        exec(vm, &real)?;
    }
    for (name, value) in real.dict() {
        let name = name.str(vm)?;
        let name = name.as_wtf8().to_string();
        if let Some(kept) = keep(vm, &name, &value) {
            stub.set_item(name.as_str(), kept, vm)?;
        }
    }
    for method in def.methods {
        let function: PyObjectRef = if KEPT.contains(&method.name) {
            method.build_function(&vm.ctx).into()
        } else {
            refusing_function(vm, &format!("os.{}", method.name))
        };
        stub.set_item(method.name, function, vm)?;
    }
    // What `os` reads of it as it imports: nothing supported with descriptors or flags.
    for set in ["supports_dir_fd", "supports_fd", "supports_follow_symlinks"] {
        let empty = vm.ctx.types.set_type.as_object().call((), vm)?;
        stub.set_item(set, empty, vm)?;
    }
    stub.set_item("environ", vm.ctx.new_dict().into(), vm)?;
    stub.set_item("error", vm.ctx.exceptions.os_error.to_owned().into(), vm)?;
    // `from posix import *` takes what `__all__` names: everything public here.
    let public: Vec<PyObjectRef> = stub
        .keys_vec()
        .into_iter()
        .filter(|k| {
            k.str(vm)
                .is_ok_and(|s| !s.as_wtf8().to_string().starts_with("__"))
        })
        .collect();
    stub.set_item("__all__", vm.ctx.new_list(public).into(), vm)?;
    Ok(vm.new_module("posix", stub, None).into())
}

/// What of the real module's namespace the stub keeps: plain values (its constants), its
/// types, and tables of plain values; not its functions, nor anything holding them.
fn keep(vm: &VirtualMachine, name: &str, value: &PyObject) -> Option<PyObjectRef> {
    if name.starts_with("__") || name == "environ" {
        return None;
    }
    if is_plain(value) || value.downcast_ref::<PyType>().is_some() {
        return Some(value.to_owned());
    }
    let table = value.downcast_ref::<PyDict>()?;
    let plain = table.into_iter().all(|(k, v)| is_plain(&k) && is_plain(&v));
    plain.then(|| {
        let copy = vm.ctx.new_dict();
        for (k, v) in table {
            let _ = copy.set_item(&*k, v, vm);
        }
        copy.into()
    })
}

fn is_plain(value: &PyObject) -> bool {
    value.downcast_ref::<PyInt>().is_some()
        || value.downcast_ref::<PyStr>().is_some()
        || value.downcast_ref::<PyBytes>().is_some()
        || value.downcast_ref::<PyFloat>().is_some()
}
