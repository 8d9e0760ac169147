//! Dotted paths to objects, as `Runtime::call` and `Runtime::import` take them.

use crate::pickle::names::get_dotted;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyStr};
use rustpython_vm::{AsObject, PyResult, VirtualMachine};

/// `importlib.import_module(name)`: the module itself, not its top-level package.
pub(crate) fn import_module(vm: &VirtualMachine, name: &str) -> PyResult {
    let name = vm.ctx.new_str(name);
    vm.import(&name, 0)?;
    vm.sys_module.get_attr("modules", vm)?.get_item(&*name, vm)
}

/// The object at a dotted path: the longest importable module prefix, then attributes; a
/// first part that is no module is a name of `__main__` or a builtin (`str.format`,
/// `Counter.bump`).
pub(crate) fn resolve(vm: &VirtualMachine, path: &str) -> PyResult {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() == 1 {
        return resolve_bare(vm, path);
    }
    for split in (1..parts.len()).rev() {
        let module_name = parts[..split].join(".");
        match import_module(vm, &module_name) {
            Ok(module) => return get_dotted(vm, module, &parts[split..]),
            Err(e) if is_missing_module(vm, &e, &module_name) && split > 1 => continue,
            Err(e) if is_missing_module(vm, &e, &module_name) => {
                // Not a module: a name, if there is one; else the module error stands.
                return match resolve_bare(vm, parts[0]) {
                    Ok(first) => get_dotted(vm, first, &parts[1..]),
                    Err(_) => Err(e),
                };
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns at split 1")
}

/// Whether `err` says that module `name`, or a package it is in, does not exist (not a
/// module that one of them imports).
fn is_missing_module(vm: &VirtualMachine, err: &PyBaseExceptionRef, name: &str) -> bool {
    err.fast_isinstance(vm.ctx.exceptions.module_not_found_error)
        && err
            .as_object()
            .get_attr("name", vm)
            .ok()
            .and_then(|n| n.downcast::<PyStr>().ok())
            .is_some_and(|missing| {
                let missing = missing.to_string_lossy();
                name == missing || name.starts_with(&format!("{missing}."))
            })
}

/// A name with no module: `__main__`'s, else a builtin.
fn resolve_bare(vm: &VirtualMachine, name: &str) -> PyResult {
    let main = import_module(vm, "__main__")?;
    if let Some(found) = vm.get_attribute_opt(&main, &vm.ctx.new_str(name))? {
        return Ok(found);
    }
    vm.builtins
        .as_object()
        .get_attr(&vm.ctx.new_str(name), vm)
        .map_err(|_| {
            vm.new_name_error(
                format!("name '{name}' is not defined"),
                vm.ctx.new_str(name),
            )
        })
}
