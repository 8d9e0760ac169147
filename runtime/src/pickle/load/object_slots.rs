//! Whether a class left object's own attribute access in place: its slot compared with
//! object's by address, as the VM itself tells object's look-up from a class's own. BUILD's
//! shortcuts (`__setstate__` found in the instance dict, slot state set through the
//! descriptors) hold only for such classes.

use rustpython_vm::builtins::PyType;
use rustpython_vm::{Py, VirtualMachine};

/// `cls` looks attributes up as `object` does (no `__getattribute__` or `__getattr__`).
pub(crate) fn gets_as_object(vm: &VirtualMachine, cls: &Py<PyType>) -> bool {
    let object = vm.ctx.types.object_type.slots.getattro.load();
    cls.slots.getattro.load().map(|f| f as usize) == object.map(|f| f as usize)
}

/// `cls` sets attributes as `object` does (no `__setattr__`).
pub(crate) fn sets_as_object(vm: &VirtualMachine, cls: &Py<PyType>) -> bool {
    let object = vm.ctx.types.object_type.slots.setattro.load();
    cls.slots.setattro.load().map(|f| f as usize) == object.map(|f| f as usize)
}
