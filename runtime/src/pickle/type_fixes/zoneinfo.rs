//! `zoneinfo.ZoneInfo.__reduce__` as CPython's C `zoneinfo_reduce`: `(ZoneInfo._unpickle,
//! (key, 1))`, the cache flag an int. RustPython's gives a bool, so its pickles said `True`
//! (`I01` below protocol 2, NEWTRUE from 2) where CPython's say `1`.

use rustpython_vm::builtins::{PyBool, PyModule, PyTuple, PyTypeRef};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own `ZoneInfo.__reduce__`.
static ORIGINAL: OnceLock<PyObjectRef> = OnceLock::new();

pub(super) fn correct(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let class: PyTypeRef = module.get_attr("ZoneInfo", vm)?.try_into_value(vm)?;
    let Some(original) = class.attributes.get(vm.ctx.intern_str("__reduce__")) else {
        return Ok(());
    };
    if ORIGINAL.set(original).is_err() {
        return Ok(()); // Corrected already: the type is the process's.
    }
    super::methods::set_method(vm, super::methods::leak(class), "__reduce__", reduce);
    Ok(())
}

fn reduce(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let original = ORIGINAL.get().expect("set before the method is installed");
    let reduced = original.call((zelf,), vm)?;
    let Some((constructor, args)) = pair(&reduced) else {
        return Ok(reduced);
    };
    let Some((key, from_cache)) = pair(&args) else {
        return Ok(reduced);
    };
    if from_cache.downcast_ref::<PyBool>().is_none() {
        return Ok(reduced);
    }
    let flag = vm.ctx.new_int(u8::from(from_cache.is(&vm.ctx.true_value)));
    Ok(vm
        .new_tuple((constructor, vm.new_tuple((key, flag))))
        .into())
}

/// The two items of a 2-tuple.
fn pair(obj: &PyObjectRef) -> Option<(PyObjectRef, PyObjectRef)> {
    match obj.downcast_ref::<PyTuple>()?.as_slice() {
        [first, second] => Some((first.clone(), second.clone())),
        _ => None,
    }
}
