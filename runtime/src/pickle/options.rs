//! Argument checks shared by `dump`, `dumps` and `Pickler`.

use pickle_core::encoder::{DEFAULT_PROTOCOL, HIGHEST_PROTOCOL};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// The protocol to use: the default for `None`, the highest for a negative number.
pub(crate) fn resolve_protocol(vm: &VirtualMachine, protocol: Option<PyObjectRef>) -> PyResult<u8> {
    let Some(protocol) = protocol.filter(|p| !vm.is_none(p)) else {
        return Ok(DEFAULT_PROTOCOL);
    };
    let value = protocol.try_index(vm)?;
    let value = num_traits::ToPrimitive::to_i64(value.as_bigint()).unwrap_or(i64::MAX);
    if value < 0 {
        return Ok(HIGHEST_PROTOCOL);
    }
    if value > i64::from(HIGHEST_PROTOCOL) {
        return Err(vm.new_value_error(format!("pickle protocol must be <= {HIGHEST_PROTOCOL}")));
    }
    Ok(value as u8)
}

/// `buffer_callback`, which only protocol 5 accepts.
pub(crate) fn resolve_buffer_callback(
    vm: &VirtualMachine,
    callback: Option<PyObjectRef>,
    proto: u8,
) -> PyResult<Option<PyObjectRef>> {
    let callback = callback.filter(|c| !vm.is_none(c));
    if callback.is_some() && proto < 5 {
        return Err(vm.new_value_error("buffer_callback needs protocol >= 5"));
    }
    Ok(callback)
}

/// `file.write`, or CPython's TypeError when there is none.
pub(crate) fn file_write(vm: &VirtualMachine, file: &PyObjectRef) -> PyResult<PyObjectRef> {
    file.as_object().get_attr("write", vm).map_err(|e| {
        if e.fast_isinstance(vm.ctx.exceptions.attribute_error) {
            vm.new_type_error("file must have a 'write' attribute")
        } else {
            e
        }
    })
}
