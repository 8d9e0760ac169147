//! Name resolution both directions share: attribute paths for dotted names, and
//! `_compat_pickle`'s tables between Python 2 and Python 3 names.

use crate::pickle::lookups::Lookups;
use rustpython_vm::builtins::{PyDict, PyStrRef};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// `getattr` along a dotted path.
pub(crate) fn get_dotted(
    vm: &VirtualMachine,
    mut obj: PyObjectRef,
    path: &[&str],
) -> PyResult<PyObjectRef> {
    for part in path {
        obj = obj.get_attr(&vm.ctx.new_str(*part), vm)?;
    }
    Ok(obj)
}

/// `(module, name)` through one direction of `_compat_pickle`: the pair table first, then the
/// module table; unchanged when neither has them.
pub(crate) fn map_names(
    vm: &VirtualMachine,
    lookups: &mut Lookups,
    pairs: &'static str,
    modules: &'static str,
    module: PyStrRef,
    name: PyStrRef,
) -> PyResult<(PyStrRef, PyStrRef)> {
    let key = vm
        .ctx
        .new_tuple(vec![module.clone().into(), name.clone().into()]);
    let pairs = lookups.compat_attr(vm, pairs)?;
    if let Some(pair) = pairs
        .downcast_ref::<PyDict>()
        .map(|d| d.get_item_opt(key.as_object(), vm))
        .transpose()?
        .flatten()
    {
        return str_pair(vm, &pair);
    }
    let modules = lookups.compat_attr(vm, modules)?;
    if let Some(m) = modules
        .downcast_ref::<PyDict>()
        .map(|d| d.get_item_opt(&*module, vm))
        .transpose()?
        .flatten()
    {
        return Ok((m.try_into_value(vm)?, name));
    }
    Ok((module, name))
}

/// A 2-tuple of strings, as the `_compat_pickle` and copyreg tables hold.
pub(crate) fn str_pair(vm: &VirtualMachine, pair: &PyObject) -> PyResult<(PyStrRef, PyStrRef)> {
    match pair
        .downcast_ref::<rustpython_vm::builtins::PyTuple>()
        .map(|t| t.as_slice())
    {
        Some([a, b]) => Ok((a.clone().try_into_value(vm)?, b.clone().try_into_value(vm)?)),
        _ => Err(vm.new_type_error("expected a 2-tuple of strings")),
    }
}
