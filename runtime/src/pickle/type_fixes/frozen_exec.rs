//! Pure-Python standard-library modules corrected right after they are first executed
//! (`_brine_stdlib_fixes`, a frozen shim, holds the corrections: these classes are written in
//! Python here, in C in CPython).
//!
//! The frozen importer's `exec_module` is wrapped per interpreter: after RustPython's, a
//! module named in [`CORRECTED`] is handed to the shim. Only those imports load the shim, so
//! a script that imports none of them pays a name comparison per frozen import.

use crate::per_interpreter;
use rustpython_vm::builtins::PyStaticMethod;
use rustpython_vm::{AsObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};

/// The modules `_brine_stdlib_fixes.CORRECTIONS` corrects, by spec name.
const CORRECTED: &[&str] = &["_pydecimal", "collections", "ensurepip", "ssl"];

/// Wraps the frozen importer's `exec_module`, and corrects the listed modules the interpreter
/// already imported.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let importer = vm
        .import("_frozen_importlib", 0)?
        .get_attr("FrozenImporter", vm)?;
    let original = importer.get_attr("exec_module", vm)?;
    per_interpreter::keep(vm, ORIGINAL, original);
    let wrapper = vm.new_function("exec_module", exec_module);
    let wrapper = PyStaticMethod::new(wrapper.into()).into_ref(&vm.ctx);
    importer.set_attr("exec_module", wrapper, vm)?;
    let modules = vm.sys_module.get_attr("modules", vm)?;
    for name in CORRECTED {
        if let Ok(module) = modules.get_item(*name, vm) {
            correct_if_listed(&module, vm)?;
        }
    }
    Ok(())
}

/// Where the frozen importer's own `exec_module` is kept (per_interpreter.rs).
const ORIGINAL: &str = "FrozenImporter.exec_module";

/// The wrapper: the original, then the correction.
fn exec_module(module: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    per_interpreter::original(vm, ORIGINAL)?.call((module.clone(),), vm)?;
    correct_if_listed(&module, vm)
}

fn correct_if_listed(module: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let name = module.get_attr("__spec__", vm)?.get_attr("name", vm)?;
    let listed = name
        .downcast_ref::<rustpython_vm::builtins::PyStr>()
        .and_then(|name| name.to_str())
        .is_some_and(|name| CORRECTED.contains(&name));
    if !listed {
        return Ok(());
    }
    let fixes = vm.import("_brine_stdlib_fixes", 0)?;
    vm.call_method(fixes.as_object(), "correct", (module.clone(),))?;
    Ok(())
}
