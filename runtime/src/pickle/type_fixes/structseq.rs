//! Struct sequences (`time.struct_time`, `os.stat_result`, `os.terminal_size`, ...) reduce as
//! CPython's `structseq_reduce`: `(type, (visible_fields, {hidden_name: value}))`, the dict
//! present even when empty. RustPython's wrote every field into one tuple, which CPython
//! refuses for `struct_time` ("takes an at most 11-sequence") and which is not CPython's bytes.

use rustpython_vm::builtins::{
    PyGetSet, PyMemberDescriptor, PyModule, PyStr, PyTuple, PyType, PyTypeRef,
};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::{Mutex, PoisonError};

/// The modules whose struct sequences are corrected (each once: the types are the process's).
static CORRECTED_MODULES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Gives every struct sequence type of `module` CPython's `__reduce__`.
pub(super) fn correct(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let name = module
        .name
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    let mut corrected = CORRECTED_MODULES
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if corrected.contains(&name) {
        return Ok(());
    }
    corrected.push(name);
    for (_, value) in &module.dict() {
        let Ok(class) = value.downcast::<PyType>() else {
            continue;
        };
        if !is_struct_sequence(&class, vm) {
            continue;
        }
        super::methods::set_method(vm, super::methods::leak(class), "__reduce__", reduce);
    }
    Ok(())
}

fn is_struct_sequence(class: &PyTypeRef, vm: &VirtualMachine) -> bool {
    class.fast_issubclass(vm.ctx.types.tuple_type)
        && class
            .attributes
            .contains(vm.ctx.intern_str("n_sequence_fields"))
}

fn reduce(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let class = zelf.class().to_owned();
    let items = zelf
        .downcast_ref::<PyTuple>()
        .map(|t| t.as_slice().to_vec())
        .unwrap_or_default();
    let visible: usize = class
        .as_object()
        .get_attr("n_sequence_fields", vm)?
        .try_into_value(vm)?;
    let visible = visible.min(items.len());
    let hidden = vm.ctx.new_dict();
    for (name, value) in hidden_field_names(&class, vm)?
        .into_iter()
        .zip(&items[visible..])
    {
        hidden.set_item(&*name, value.clone(), vm)?;
    }
    let fields = vm.ctx.new_tuple(items[..visible].to_vec());
    Ok(vm.new_tuple((class, vm.new_tuple((fields, hidden)))).into())
}

/// The names of the fields past the visible ones, in their order: the member descriptors of
/// the class that `__match_args__` (the visible named fields) does not list, and getters
/// brine added after them (stat_result.rs).
fn hidden_field_names(
    class: &Py<PyType>,
    vm: &VirtualMachine,
) -> PyResult<Vec<rustpython_vm::builtins::PyStrRef>> {
    let match_args = class.as_object().get_attr("__match_args__", vm)?;
    let visible: Vec<String> = match_args
        .downcast_ref::<PyTuple>()
        .map(|t| {
            t.as_slice()
                .iter()
                .filter_map(|n| {
                    n.downcast_ref::<PyStr>()
                        .map(|s| s.to_string_lossy().into_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let names = class
        .attributes
        .entries()
        .into_iter()
        .filter(|(_, value)| {
            value.downcast_ref::<PyMemberDescriptor>().is_some()
                || value.downcast_ref::<PyGetSet>().is_some()
        })
        .filter_map(|(name, _)| name.downcast::<PyStr>().ok())
        .filter(|name| !visible.iter().any(|v| v.as_str() == name.to_string_lossy()))
        .collect();
    Ok(names)
}
