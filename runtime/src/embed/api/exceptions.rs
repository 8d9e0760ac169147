//! Python exceptions as [`Error`]s and back: what a script raises reaches the host as an
//! error, and what a host function returns as an error is raised in the script.

use super::error::{Error, PythonError};
use super::object::Object;
use crate::embed::api::shared::Shared;
use crate::pickle::errors::from_core;
use num_traits::ToPrimitive;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt, PyStrRef, PyType};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Arc;

/// The error for an exception raised in the VM.
pub(crate) fn from_exception(
    vm: &VirtualMachine,
    exc: PyBaseExceptionRef,
    shared: &Arc<Shared>,
) -> Error {
    if exc.fast_isinstance(vm.ctx.exceptions.system_exit) {
        return exit_error(vm, &exc);
    }
    let type_name = qualified_name(vm, exc.class());
    let message = exc
        .as_object()
        .str(vm)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "<exception str() failed>".to_string());
    let exception = Object::new(exc.into(), shared.clone());
    Error::Python(PythonError::new(type_name, message, Some(exception)))
}

/// `SystemExit`'s status as `python` computes it when the exception ends the program.
fn exit_error(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> Error {
    let code = exc
        .as_object()
        .get_attr("code", vm)
        .unwrap_or_else(|_| vm.ctx.none());
    if vm.is_none(&code) {
        return Error::Exit {
            code: 0,
            message: None,
        };
    }
    if let Some(int) = code.downcast_ref::<PyInt>() {
        // As CPython: the low 32 bits of the status, -1 for an int beyond them.
        let value = int.as_bigint();
        let code = value
            .to_i32()
            .or_else(|| value.to_u32().map(|v| v as i32))
            .unwrap_or(-1);
        return Error::Exit {
            code,
            message: None,
        };
    }
    let message = code
        .str(vm)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Error::Exit {
        code: 1,
        message: Some(message),
    }
}

/// `module.qualname` of a class, or the qualname alone for builtins.
pub(crate) fn qualified_name(vm: &VirtualMachine, cls: &rustpython_vm::Py<PyType>) -> String {
    let attr = |name: &'static str| {
        cls.as_object()
            .get_attr(name, vm)
            .ok()
            .and_then(|v| v.downcast::<rustpython_vm::builtins::PyStr>().ok())
            .map(|s| s.to_string_lossy().into_owned())
    };
    let qualname = attr("__qualname__").unwrap_or_else(|| cls.name().to_string());
    match attr("__module__") {
        Some(module) if module != "builtins" => format!("{module}.{qualname}"),
        _ => qualname,
    }
}

/// The traceback text the default `sys.excepthook` writes for `exc` (the one `brine FILE`
/// prints for an uncaught exception), or RustPython's own rendering when the `traceback`
/// module cannot be used.
pub(crate) fn format_exception(vm: &VirtualMachine, exc: &PyObject) -> PyResult<String> {
    let formatted = vm
        .import("_brine_embed", 0)
        .and_then(|embed| vm.call_method(&embed, "format_exception", (exc.to_owned(),)))
        .and_then(|text| text.try_into_value::<PyStrRef>(vm));
    if let Ok(text) = formatted {
        return Ok(text.to_string_lossy().into_owned());
    }
    let exc: PyBaseExceptionRef = exc
        .to_owned()
        .downcast()
        .map_err(|_| vm.new_type_error("exceptions must derive from BaseException"))?;
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = vm.write_exception(&mut text, &exc);
    Ok(text)
}

/// The exception a host function of the runtime `shared` raises for the error it returned.
pub(crate) fn to_exception(
    vm: &VirtualMachine,
    err: Error,
    shared: &Arc<Shared>,
) -> PyBaseExceptionRef {
    match err {
        Error::Python(err) => python_error_to_exception(vm, err, shared),
        Error::Conversion { .. } | Error::Serde { .. } => vm.new_type_error(err.to_string()),
        Error::Exit { code, message } => {
            let arg: PyObjectRef = match message {
                Some(message) => vm.ctx.new_str(message).into(),
                None => vm.ctx.new_int(code).into(),
            };
            vm.new_exception(vm.ctx.exceptions.system_exit.to_owned(), vec![arg])
        }
        Error::Pickle(err) => from_core(vm, &err),
        Error::Forbidden { .. } => crate::pickle::errors::new_unpickling_error(vm, err.to_string()),
        Error::Build(msg) => vm.new_runtime_error(msg),
        // Another runtime's run was stopped (this runtime's own stops never get here: a
        // nested call sees the Python exception).
        Error::Interrupted => crate::embed::limits::interrupt::interrupted(vm),
        Error::Timeout { .. } => vm.new_exception_msg(
            vm.ctx.exceptions.timeout_error.to_owned(),
            err.to_string().into(),
        ),
        Error::OutOfFuel { .. } => crate::embed::limits::fuel::out_of_fuel(vm),
        Error::MemoryLimit { .. } => vm.new_exception_msg(
            vm.ctx.exceptions.memory_error.to_owned(),
            err.to_string().into(),
        ),
    }
}

/// The exception object of a Python error raised in this runtime, or a new one of its
/// builtin type (for an error a host made, or one from another runtime, whose objects
/// stay there).
fn python_error_to_exception(
    vm: &VirtualMachine,
    err: PythonError,
    shared: &Arc<Shared>,
) -> PyBaseExceptionRef {
    let message = err.message().to_string();
    let type_name = err.type_name().to_string();
    if let Some(exc) = err
        .into_exception()
        .and_then(|obj| obj.into_raw_in(shared).ok())
        .and_then(|obj| {
            obj.downcast::<rustpython_vm::builtins::PyBaseException>()
                .ok()
        })
    {
        return exc;
    }
    let cls = vm
        .builtins
        .as_object()
        .get_attr(&vm.ctx.new_str(type_name.as_str()), vm)
        .ok()
        .and_then(|cls| cls.downcast::<PyType>().ok())
        .filter(|cls| cls.fast_issubclass(vm.ctx.exceptions.base_exception_type));
    match cls {
        Some(cls) => vm.new_exception_msg(cls, message.into()),
        None => vm.new_runtime_error(format!("{type_name}: {message}")),
    }
}
