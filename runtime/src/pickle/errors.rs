//! The pickle exceptions, and conversions from `pickle-core` errors to Python exceptions.

use pickle_core::{ErrorKind, PickleError, PyExcKind};
use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::{AsObject, VirtualMachine};

pub(crate) use exceptions::{pickling_error, unpickling_error};

#[rustpython_vm::pymodule(sub, name = "_pickle")]
pub(crate) mod exceptions {
    use rustpython_vm::VirtualMachine;
    use rustpython_vm::builtins::PyTypeRef;

    #[pyattr(name = "PickleError", once)]
    pub(crate) fn pickle_error(vm: &VirtualMachine) -> PyTypeRef {
        let base = vm.ctx.exceptions.exception_type.to_owned();
        vm.ctx
            .new_exception_type("_pickle", "PickleError", Some(vec![base]))
    }

    #[pyattr(name = "PicklingError", once)]
    pub(crate) fn pickling_error(vm: &VirtualMachine) -> PyTypeRef {
        vm.ctx
            .new_exception_type("_pickle", "PicklingError", Some(vec![pickle_error(vm)]))
    }

    #[pyattr(name = "UnpicklingError", once)]
    pub(crate) fn unpickling_error(vm: &VirtualMachine) -> PyTypeRef {
        vm.ctx
            .new_exception_type("_pickle", "UnpicklingError", Some(vec![pickle_error(vm)]))
    }
}

/// CPython's message (with its line break) for PERSID/BINPERSID without `persistent_load`.
pub(crate) const NO_PERSISTENT_LOAD: &str = "A load persistent id instruction was encountered,\nbut no persistent_load function was specified.";

/// A `PicklingError` with `msg`.
pub(crate) fn new_pickling_error(
    vm: &VirtualMachine,
    msg: impl Into<String>,
) -> PyBaseExceptionRef {
    vm.new_exception_msg(pickling_error(vm), msg.into().into())
}

/// An `UnpicklingError` with `msg`.
pub(crate) fn new_unpickling_error(
    vm: &VirtualMachine,
    msg: impl Into<String>,
) -> PyBaseExceptionRef {
    vm.new_exception_msg(unpickling_error(vm), msg.into().into())
}

/// The Python exception CPython raises for a `pickle-core` error, with CPython's message.
pub(crate) fn from_core(vm: &VirtualMachine, err: &PickleError) -> PyBaseExceptionRef {
    if let ErrorKind::Undecodable {
        codec,
        data,
        start,
        end,
        reason,
    } = err.kind.as_ref()
    {
        let (encoding, object, reason) = (
            vm.ctx.new_str(*codec),
            vm.ctx.new_bytes(data.clone()),
            vm.ctx.new_str(*reason),
        );
        return vm.new_unicode_decode_error(encoding, object, *start, *end, reason);
    }
    let msg = err.to_string();
    match err.exc_kind() {
        PyExcKind::Unpickling => new_unpickling_error(vm, msg),
        PyExcKind::Pickling => new_pickling_error(vm, msg),
        PyExcKind::Eof => vm.new_exception_msg(vm.ctx.exceptions.eof_error.to_owned(), msg.into()),
        PyExcKind::Value => vm.new_value_error(msg),
        PyExcKind::Overflow => vm.new_overflow_error(msg),
        PyExcKind::Memory => vm.new_memory_error(msg),
        PyExcKind::Recursion => vm.new_recursion_error(msg),
        PyExcKind::Type => vm.new_type_error(msg),
        PyExcKind::UnicodeDecode => vm.new_exception_msg(
            vm.ctx.exceptions.unicode_decode_error.to_owned(),
            msg.into(),
        ),
    }
}

/// Adds `note` to `exc` (as `BaseException.add_note`), returning the exception.
pub(crate) fn with_note(
    vm: &VirtualMachine,
    exc: PyBaseExceptionRef,
    note: String,
) -> PyBaseExceptionRef {
    // add_note only fails when __notes__ was replaced by a non-list; the original error matters more.
    let _ = exc.add_note(vm.ctx.new_str(note), vm);
    exc
}

/// `_T(obj)` of pickle.py: the type's qualified name, with its module unless builtin/main.
pub(crate) fn type_name(vm: &VirtualMachine, obj: &rustpython_vm::PyObject) -> String {
    let cls = obj.class();
    let qualname = cls
        .as_object()
        .get_attr("__qualname__", vm)
        .ok()
        .and_then(|q| q.str(vm).ok())
        .map(|q| q.to_string_lossy().into_owned())
        .unwrap_or_else(|| cls.name().to_string());
    let module = cls
        .as_object()
        .get_attr("__module__", vm)
        .ok()
        .and_then(|m| m.str(vm).ok());
    match module {
        Some(m) if !matches!(m.to_string_lossy().as_ref(), "builtins" | "__main__") => {
            format!("{}.{qualname}", m.to_string_lossy())
        }
        _ => qualname,
    }
}
