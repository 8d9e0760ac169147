//! Exceptions' state as CPython's `BaseException.__setstate__` and `AttributeError`'s
//! `__getstate__`/`__reduce__` handle it.
//!
//! - RustPython's `BaseException.__setstate__` skipped every key starting with `__`, so an
//!   exception's `__notes__` were lost on load (and in `copy.copy`); CPython sets every key
//!   as an attribute.
//! - CPython's `AttributeError` state holds its `args` beside `name` (and the instance dict);
//!   RustPython's left `args` out.

use super::methods::set_method;
use rustpython_vm::builtins::{PyDict, PyDictRef, PyStr};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own `AttributeError.__getstate__` (it knows whether `name` was ever set).
static ATTRIBUTE_ERROR_GETSTATE: OnceLock<PyObjectRef> = OnceLock::new();

/// Installs the corrected methods (the exception types are the process's: called once).
pub(super) fn correct(vm: &VirtualMachine) {
    let exceptions = &vm.ctx.exceptions;
    set_method(
        vm,
        exceptions.base_exception_type,
        "__setstate__",
        base_exception_setstate,
    );
    let attribute_error = exceptions.attribute_error;
    if let Some(getstate) = attribute_error
        .attributes
        .get(vm.ctx.intern_str("__getstate__"))
    {
        let _ = ATTRIBUTE_ERROR_GETSTATE.set(getstate);
        set_method(
            vm,
            attribute_error,
            "__getstate__",
            attribute_error_getstate,
        );
        set_method(vm, attribute_error, "__reduce__", attribute_error_reduce);
    }
}

/// CPython's `BaseException.__setstate__`: every key of the state, set as an attribute.
fn base_exception_setstate(
    zelf: PyObjectRef,
    state: PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<()> {
    if vm.is_none(&state) {
        return Ok(());
    }
    let state: PyDictRef = state
        .downcast::<PyDict>()
        .map_err(|_| vm.new_type_error("state is not a dictionary"))?;
    // Copied first: a setter may change the dict.
    for (key, value) in state.into_iter().collect::<Vec<_>>() {
        let Some(name) = key.downcast_ref::<PyStr>() else {
            let found = key.class().name().to_string();
            return Err(vm.new_type_error(format!("attribute name must be string, not '{found}'")));
        };
        zelf.set_attr(name, value, vm)?;
    }
    Ok(())
}

/// CPython's `AttributeError.__getstate__`: the instance dict, `name` if it was set, and
/// `args` (never `obj`, which is often not picklable).
fn attribute_error_getstate(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let original = ATTRIBUTE_ERROR_GETSTATE
        .get()
        .expect("set before the method is installed");
    let state = original.call((zelf.clone(),), vm)?;
    let args = zelf.get_attr("args", vm)?;
    state.set_item("args", args, vm)?;
    Ok(state)
}

/// CPython's `AttributeError.__reduce__`: `(type, args, state)`.
fn attribute_error_reduce(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let state = attribute_error_getstate(zelf.clone(), vm)?;
    let args = zelf.get_attr("args", vm)?;
    Ok(vm.new_tuple((zelf.class().to_owned(), args, state)).into())
}
