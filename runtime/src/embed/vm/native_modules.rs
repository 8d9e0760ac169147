//! Native modules made for their types alone, outside any runtime's `sys.modules`: the
//! corrections and hooks applied to the types need them to exist.

use rustpython_vm::builtins::PyModule;
use rustpython_vm::{PyPayload, PyRef, PyResult, VirtualMachine};

/// A module made from RustPython's definition of the native module `name`, for its types
/// (no runtime's `sys.modules` gains it); `None` when the VM has no such module.
pub(crate) fn made_module(vm: &VirtualMachine, name: &str) -> PyResult<Option<PyRef<PyModule>>> {
    let Some(def) = vm.state.module_defs.get(name).copied() else {
        return Ok(None);
    };
    let module = PyModule::from_def(def).into_ref(&vm.ctx);
    PyModule::__init_dict_from_def(vm, &module);
    module.__init_methods(vm)?;
    if let Some(exec) = def.slots.exec {
        exec(vm, &module)?;
    }
    Ok(Some(module))
}
