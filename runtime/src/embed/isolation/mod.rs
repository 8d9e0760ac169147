//! Isolated runtimes ([`Builder::isolated`](crate::Builder::isolated)): a script there cannot
//! read or write files, start processes or threads, open sockets, load native code, install
//! signal handlers or read the host's environment.
//!
//! Replacing `builtins.__import__` would not do it (`open` would still read files, and
//! `posix` and `_io` are loaded as the VM starts), so the isolation is built in layers, each
//! closing what the ones above leave open:
//!
//! 1. Before the interpreter starts ([`natives`]): the native modules that reach the host
//!    are taken out of it, and file-system imports are off (modules come from the frozen
//!    standard library and the host alone).
//! 2. Process-wide guards on the built-in types that reach out however they are reached
//!    ([`type_guards`]): `_io.FileIO` (what every `open` makes) and `code` (bytecode made
//!    from bytes would run unchecked).
//! 3. Once it has started ([`scrub`]): the functions of its own modules that reach out are
//!    refused, and `_imp.create_builtin` hands out those very modules again; `posix` is a
//!    stub that refuses ([`posix_stub`]); the standard streams are the host's.
//!
//! The escape suite (runtime/tests/embed/escapes.rs) attacks each layer.

mod natives;
mod posix_stub;
mod refused;
pub(crate) mod registry;
mod scrub;
mod type_guards;

pub(crate) use refused::{refusal, refusing_function};

use crate::per_interpreter;
use rustpython_vm::{PyObjectRef, PyResult, Settings, VirtualMachine};

/// The settings of an isolated interpreter: no importing from the file system.
pub(crate) fn configure(settings: &mut Settings) {
    settings.allow_external_library = false;
    settings.path_list.clear();
}

/// Done before the interpreter starts.
pub(crate) fn before_start(vm: &mut VirtualMachine) {
    natives::remove(vm);
}

/// Isolates the started interpreter of `vm`.
pub(crate) fn apply(vm: &VirtualMachine) -> PyResult<()> {
    registry::add(vm);
    type_guards::install(vm)?;
    let mut kept = scrub::refuse_functions(vm)?;
    scrub::frozen_objects_only(vm)?;
    let posix = posix_stub::make(vm)?;
    scrub::sys_modules(vm)?.set_item("posix", posix.clone(), vm)?;
    kept.push(("posix", posix.clone()));
    add_builtin_name(vm, "posix")?;
    // Made as the VM started, before its handlers could be refused: gone, and refused.
    scrub::forget_module(vm, "_signal")?;
    let mut refused: Vec<&'static str> = natives::REFUSED.iter().map(|(n, _)| *n).collect();
    refused.retain(|n| *n != "posix");
    refused.push("_signal");
    guard_builtin_creation(vm, kept, refused.clone())?;
    install_finder(vm, &refused, posix)?;
    empty_stdin(vm)
}

/// `sys.stdin` (and `sys.__stdin__`) reads nothing: the process's own is the host's.
fn empty_stdin(vm: &VirtualMachine) -> PyResult<()> {
    let empty = vm
        .import("_io", 0)?
        .get_attr("StringIO", vm)?
        .call((), vm)?;
    vm.sys_module.set_attr("stdin", empty.clone(), vm)?;
    vm.sys_module.set_attr("__stdin__", empty, vm)
}

/// `name` stays in `sys.builtin_module_names` (`os` looks for `posix` there).
fn add_builtin_name(vm: &VirtualMachine, name: &str) -> PyResult<()> {
    let names = vm.sys_module.get_attr("builtin_module_names", vm)?;
    let mut names: Vec<PyObjectRef> = names.try_to_value(vm)?;
    let text = |n: &PyObjectRef| {
        n.str(vm)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if !names.iter().any(|n| text(n) == name) {
        names.push(vm.ctx.new_str(name).into());
        names.sort_by_key(text);
        vm.sys_module
            .set_attr("builtin_module_names", vm.ctx.new_tuple(names), vm)?;
    }
    Ok(())
}

/// `_imp.create_builtin`, which makes a built-in module when `sys.modules` lacks it: the
/// modules isolated here are handed out again rather than made anew with their
/// originals, and the refused ones are not made.
fn guard_builtin_creation(
    vm: &VirtualMachine,
    kept: Vec<(&'static str, PyObjectRef)>,
    refused: Vec<&'static str>,
) -> PyResult<()> {
    let imp = vm.import("_imp", 0)?;
    per_interpreter::keep(vm, CREATE_BUILTIN, imp.get_attr("create_builtin", vm)?);
    per_interpreter::keep(vm, BUILTINS_KEPT, BuiltinCreation { kept, refused });
    let guarded = vm.new_function("create_builtin", create_builtin);
    imp.set_attr("create_builtin", guarded, vm)
}

/// Where `_imp`'s own `create_builtin` is kept, and what [`create_builtin`] hands out or
/// refuses instead (per_interpreter.rs).
const CREATE_BUILTIN: &str = "_imp.create_builtin";
const BUILTINS_KEPT: &str = "isolation.builtin_creation";

struct BuiltinCreation {
    kept: Vec<(&'static str, PyObjectRef)>,
    refused: Vec<&'static str>,
}

fn create_builtin(spec: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let name = spec
        .get_attr("name", vm)?
        .str(vm)?
        .to_string_lossy()
        .into_owned();
    if let Some(creation) = per_interpreter::get::<BuiltinCreation>(vm, BUILTINS_KEPT) {
        if creation.refused.contains(&name.as_str()) {
            let msg = format!("import of '{name}' is refused: this runtime is isolated");
            return Err(vm.new_import_error(msg, vm.ctx.new_str(name)));
        }
        if let Some((_, module)) = creation.kept.iter().find(|(n, _)| *n == name) {
            scrub::sys_modules(vm)?.set_item(name.as_str(), module.clone(), vm)?;
            return Ok(module.clone());
        }
    }
    per_interpreter::original(vm, CREATE_BUILTIN)?.call((spec,), vm)
}

/// The finder that says why a refused module cannot be imported, and serves the `posix`
/// stub again should a script drop it from `sys.modules`.
fn install_finder(vm: &VirtualMachine, refused: &[&str], posix: PyObjectRef) -> PyResult<()> {
    let shim = vm.import("_brine_isolation", 0)?;
    let names: Vec<PyObjectRef> = refused.iter().map(|n| vm.ctx.new_str(*n).into()).collect();
    let stand_ins = vm.ctx.new_dict();
    stand_ins.set_item("posix", posix, vm)?;
    let finder = vm.call_method(
        &shim,
        "IsolatedModules",
        (vm.ctx.new_list(names), stand_ins),
    )?;
    let meta_path = vm.sys_module.get_attr("meta_path", vm)?;
    vm.call_method(&meta_path, "insert", (0, finder))?;
    scrub::forget_module(vm, "_brine_isolation")?;
    Ok(())
}
