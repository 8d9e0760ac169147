//! Installing a native method on one of RustPython's types.

use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::function::{IntoPyNativeFn, ItemDoc, PyMethodFlags};
use rustpython_vm::{Py, VirtualMachine};

/// `class` as `'static`, which a native method needs: RustPython's native types are the
/// process's, and live as long (one reference is kept for good, once per corrected type).
pub(super) fn leak(class: PyTypeRef) -> &'static Py<PyType> {
    Box::leak(Box::new(class))
}

/// Sets `name` in `class`'s dict to a method calling `f`.
pub(super) fn set_method<F, K>(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    name: &'static str,
    f: F,
) where
    F: IntoPyNativeFn<K>,
{
    let method = vm
        .ctx
        .new_method_def(name, f, PyMethodFlags::METHOD, ItemDoc::NONE)
        .build_method(class, vm);
    class.set_attr(vm.ctx.intern_str(name), method.into());
}
