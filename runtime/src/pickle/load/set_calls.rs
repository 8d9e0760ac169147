//! Protocols 0-2 have no opcodes for sets: CPython writes a `set` or a `frozenset` as a call of
//! the type on a list of its items (`c__builtin__\nfrozenset\n]...\x85R`). A load makes such a
//! set from the list's items without the call (the type's arguments bound, an iterator made
//! and walked), when the call could show nothing more: the type is exactly `set` or
//! `frozenset`, the list is exact, and every item hashes without running Python code.

use rustpython_vm::builtins::{
    PyBytes, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyStr, PyTuple,
};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};

/// What `func(*args)` makes when it is such a call; `None` when it is not.
pub(super) fn set_from_list(
    vm: &VirtualMachine,
    func: &PyObject,
    args: &PyTuple,
) -> PyResult<Option<PyObjectRef>> {
    let frozen = func.is(vm.ctx.types.frozenset_type);
    if !frozen && !func.is(vm.ctx.types.set_type) {
        return Ok(None);
    }
    let [list] = args.as_slice() else {
        return Ok(None);
    };
    let Some(list) = list.downcast_ref_if_exact::<PyList>(vm) else {
        return Ok(None);
    };
    let items = {
        let items = list.borrow_vec();
        if !items.iter().all(|item| hashes_natively(vm, item)) {
            return Ok(None);
        }
        items.to_vec()
    };
    if !frozen {
        let set = PySet::default().into_ref(&vm.ctx);
        for item in items {
            set.add(item, vm)?;
        }
        return Ok(Some(set.into()));
    }
    // As the VM's `frozenset(...)`: an empty one is its singleton.
    if items.is_empty() {
        return Ok(Some(vm.ctx.empty_frozenset.clone().into()));
    }
    Ok(Some(
        PyFrozenSet::from_iter(vm, items)?.into_ref(&vm.ctx).into(),
    ))
}

/// `item` is of a built-in type whose hash and equality run no Python code: the order in
/// which a set asks them cannot show.
fn hashes_natively(vm: &VirtualMachine, item: &PyObject) -> bool {
    item.downcast_ref_if_exact::<PyInt>(vm).is_some()
        || item.downcast_ref_if_exact::<PyStr>(vm).is_some()
        || item.downcast_ref_if_exact::<PyBytes>(vm).is_some()
        || item.downcast_ref_if_exact::<PyFloat>(vm).is_some()
        || item.class().is(vm.ctx.types.bool_type)
        || vm.is_none(item)
}
