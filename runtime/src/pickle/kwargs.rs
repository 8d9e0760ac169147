//! Keyword arguments for the calls a pickle describes (NEWOBJ_EX and its reduction below
//! protocol 4).

use rustpython_vm::builtins::{PyDict, PyStrRef};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// A `**kwargs` mapping as call keywords (string keys only, as Python requires).
pub(crate) fn kwargs_of(
    vm: &VirtualMachine,
    kwargs: &PyObjectRef,
) -> PyResult<rustpython_vm::function::KwArgs> {
    let Some(dict) = kwargs.downcast_ref::<PyDict>() else {
        return Err(vm.new_type_error(format!(
            "argument after ** must be a mapping, not {}",
            kwargs.class().name()
        )));
    };
    let mut pairs = Vec::with_capacity(dict.__len__());
    for (key, value) in dict.items_vec() {
        let key: PyStrRef = key
            .try_into_value(vm)
            .map_err(|_| vm.new_type_error("keywords must be strings"))?;
        pairs.push((key.as_wtf8().to_owned(), value));
    }
    Ok(pairs.into_iter().collect())
}
