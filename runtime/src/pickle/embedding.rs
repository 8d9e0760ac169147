//! The `_pickle` entry points of the embedding API: `dumps` and `loads` called from Rust,
//! with no Python-level call in between.

use super::dump::save::{Hooks, PicklerState, Walker};
use super::load::vm_builder::{LoadError, LoadOptions, VmBuilder};
use pickle_core::decoder::{Limits, loads as decode};
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};

/// `pickle.dumps(obj, protocol)` (the protocol already checked).
pub(crate) fn dumps(vm: &VirtualMachine, obj: &PyObject, protocol: u8) -> PyResult<Vec<u8>> {
    let mut state = PicklerState::new(protocol, true);
    Walker::new(vm, &mut state, Hooks::default(), None).dump(obj)
}

/// `pickle.loads(data)` with `options`; a malformed pickle is pickle-core's error, not yet a
/// Python exception.
pub(crate) fn loads(
    vm: &VirtualMachine,
    data: &[u8],
    options: &LoadOptions,
) -> Result<PyObjectRef, LoadError> {
    let mut builder = VmBuilder::new(vm, options, Default::default());
    decode(data, &mut builder, &Limits::default())
}
