//! The `_pickle` entry points of the embedding API: `dumps` and `loads` called from Rust,
//! with no Python-level call in between.

use super::dump::save::{Hooks, PicklerState, Walker};
use super::load::one_shot::loads as decode;
use super::load::vm_builder::{LoadError, LoadOptions, VmBuilder};
use pickle_core::value::Pickle;
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};

/// Makes the binding's classes exist. The walk and the builder check objects against them
/// (a `PickleBuffer` is saved as itself); importing `_pickle` makes them too, but a host
/// may dump before any script imports it, or run RustPython's `_pickle` for benchmarks.
pub(crate) fn init_types() {
    use rustpython_vm::class::PyClassImpl;
    let _made = [
        super::buffer::PyPickleBuffer::make_static_type(),
        super::dump::pickler::PyPickler::make_static_type(),
        super::load::unpickler::PyUnpickler::make_static_type(),
        super::memo::PicklerMemoProxy::make_static_type(),
        super::memo::UnpicklerMemoProxy::make_static_type(),
    ];
}

/// `pickle.dumps(obj, protocol)` (the protocol already checked).
pub(crate) fn dumps(vm: &VirtualMachine, obj: &PyObject, protocol: u8) -> PyResult<Vec<u8>> {
    PicklerState::one_shot(protocol, true, |state| {
        Walker::new(vm, state, Hooks::default(), None).dump(obj)
    })
}

/// `pickle.loads(data)` with `options`; a malformed pickle is pickle-core's error, not yet a
/// Python exception.
pub(crate) fn loads(
    vm: &VirtualMachine,
    data: &[u8],
    options: &LoadOptions,
) -> Result<PyObjectRef, LoadError> {
    let mut builder = VmBuilder::new(vm, options, Default::default());
    decode(data, &mut builder, &super::limits::of(vm))
}

/// The pickle-core graph of `obj`: node for node what `value::from_slice` reads from the
/// bytes `dumps(obj, 5)` writes, built without them for plain data.
pub(crate) fn to_value(vm: &VirtualMachine, obj: &PyObject) -> PyResult<Pickle> {
    super::dump::to_graph::to_graph(vm, obj)
}
