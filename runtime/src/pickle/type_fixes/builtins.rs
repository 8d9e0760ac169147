//! Corrections to the built-in types, made when the interpreter is built:
//!
//! - slot wrappers (`list.__len__`) have CPython's `__reduce__`, `(getattr, (cls, name))`;
//! - the static methods of built-in types (`str.maketrans`, `bytes.maketrans`,
//!   `bytearray.maketrans`) sit in their class dicts as `staticmethod` objects, as in
//!   CPython, rather than as functions already bound to the class: so that pickling the
//!   descriptor itself is refused while the method pickles by `getattr`;
//! - `memoryview` has no `__reduce__` or `__reduce_ex__` of its own, as in CPython, so that
//!   `object`'s refuse it with CPython's errors ("cannot pickle memoryview objects" from
//!   protocol 2) rather than RustPython's one message;
//! - exceptions' state (exceptions.rs);
//! - `types.FunctionType` takes None for the name (function_new.rs).
//!
//! The types are shared by every interpreter of the process, so this is done once.

use rustpython_vm::builtins::{PyStaticMethod, PyStrInterned, PyType};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::sync::Once;

static APPLIED: Once = Once::new();

/// Applies the corrections (once per process).
pub(crate) fn apply(vm: &VirtualMachine) {
    APPLIED.call_once(|| {
        add_slot_wrapper_reduce(vm);
        let types = &vm.ctx.types;
        for cls in [types.str_type, types.bytes_type, types.bytearray_type] {
            keep_static_method(vm, cls, "maketrans");
        }
        for name in ["__reduce__", "__reduce_ex__"] {
            remove_own_method(types.memoryview_type, vm.ctx.intern_str(name));
        }
        super::exceptions::correct(vm);
        super::function_new::correct(vm);
        super::code_lines::correct(vm);
    });
}

/// CPython's `wrapperdescr_reduce`.
fn slot_wrapper_reduce(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let getattr = vm.builtins.as_object().get_attr("getattr", vm)?;
    let args = vm.ctx.new_tuple(vec![
        zelf.get_attr("__objclass__", vm)?,
        zelf.get_attr("__name__", vm)?,
    ]);
    Ok(vm.ctx.new_tuple(vec![getattr, args.into()]).into())
}

fn add_slot_wrapper_reduce(vm: &VirtualMachine) {
    let cls = vm.ctx.types.wrapper_descriptor_type;
    super::methods::set_method(vm, cls, "__reduce__", slot_wrapper_reduce);
}

/// Wraps `cls.__dict__[name]` in a `staticmethod` unless it is one already.
fn keep_static_method(vm: &VirtualMachine, cls: &'static Py<PyType>, name: &'static str) {
    let name = vm.ctx.intern_str(name);
    let Some(function) = cls.attributes.get(name) else {
        return;
    };
    if function.downcast_ref::<PyStaticMethod>().is_some() {
        return;
    }
    let descriptor = PyStaticMethod::new(function).into_ref(&vm.ctx);
    cls.set_attr(name, descriptor.into());
}

/// Takes `name` out of `cls`'s own dict, so that lookups reach its bases.
fn remove_own_method(cls: &'static Py<PyType>, name: &'static PyStrInterned) {
    // Caches of the type's lookups are dropped first, as `set_attr` does.
    cls.modified();
    cls.attributes.remove(name);
}
