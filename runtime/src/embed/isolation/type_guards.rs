//! Guards on the built-in types that reach outside the VM or past its safety: `_io.FileIO`
//! (every file `open` makes goes through it) and `code` (a code object made from bytes runs
//! bytecode no compiler checked). The types are shared by every runtime of the process, so
//! the guards are installed once and ask, each time, whether the interpreter running them
//! is isolated: there they refuse; everywhere else they do exactly what they did.
//!
//! They guard the type's slots, which every instantiation goes through however the type was
//! reached (`open`, `io.FileIO`, a `__subclasses__()` walk, a subclass), and the class-dict
//! entries that call the original functions directly (`FileIO.__init__(f, path)`,
//! `code.replace`).

use super::refusal;
use super::registry::is_isolated;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::function::{FuncArgs, ItemDoc, PyMethodFlags};
use rustpython_vm::{Py, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

type InitSlot = fn(&PyObject, FuncArgs, &VirtualMachine) -> PyResult<()>;
type NewSlot = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// The slots the guards stand in front of.
static FILEIO_INIT: OnceLock<InitSlot> = OnceLock::new();
static CODE_NEW: OnceLock<NewSlot> = OnceLock::new();

rustpython_common::static_cell! {
    /// The class-dict entries replaced, called for runtimes that are not isolated.
    static FILEIO_INIT_METHOD: PyObjectRef;
    static CODE_REPLACE: PyObjectRef;
    static CODE_DUNDER_REPLACE: PyObjectRef;
}

/// Installs the guards (once per process).
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    let fileio: PyTypeRef = vm
        .import("_io", 0)?
        .get_attr("FileIO", vm)?
        .downcast()
        .map_err(|_| vm.new_type_error("_io.FileIO is not a type"))?;
    let fileio = PyRef::leak(fileio);
    guard_fileio(vm, fileio);
    guard_code(vm, vm.ctx.types.code_type);
    let _ = INSTALLED.set(());
    Ok(())
}

fn guard_fileio(vm: &VirtualMachine, fileio: &'static Py<PyType>) {
    if let Some(init) = fileio.slots.init.load() {
        let _ = FILEIO_INIT.set(init);
        fileio.slots.init.store(Some(fileio_init as InitSlot));
    }
    replace_method(
        vm,
        fileio,
        "__init__",
        &FILEIO_INIT_METHOD,
        fileio_init_method,
    );
}

fn guard_code(vm: &VirtualMachine, code: &'static Py<PyType>) {
    if let Some(new) = code.slots.new.load() {
        let _ = CODE_NEW.set(new);
        code.slots.new.store(Some(code_new as NewSlot));
    }
    replace_method(vm, code, "replace", &CODE_REPLACE, code_replace);
    replace_method(
        vm,
        code,
        "__replace__",
        &CODE_DUNDER_REPLACE,
        code_dunder_replace,
    );
}

/// Puts `guard` in `cls.__dict__[name]`, keeping what was there in `original`.
fn replace_method(
    vm: &VirtualMachine,
    cls: &'static Py<PyType>,
    name: &'static str,
    original: &'static rustpython_common::static_cell::StaticCell<PyObjectRef>,
    guard: fn(PyObjectRef, FuncArgs, &VirtualMachine) -> PyResult,
) {
    let interned = vm.ctx.intern_str(name);
    let Some(existing) = cls.attributes.get(interned) else {
        return;
    };
    if original.set(existing).is_err() {
        return;
    }
    let method = vm
        .ctx
        .new_method_def(name, guard, PyMethodFlags::METHOD, ItemDoc::NONE)
        .build_method(cls, vm);
    cls.set_attr(interned, method.into());
}

/// Calls the class-dict entry a guard replaced, with the guarded object first.
fn call_original(
    original: &'static rustpython_common::static_cell::StaticCell<PyObjectRef>,
    zelf: PyObjectRef,
    mut args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let original = original
        .get()
        .ok_or_else(|| vm.new_runtime_error("a guarded method lost its original"))?;
    args.args.insert(0, zelf);
    original.call(args, vm)
}

fn fileio_init(zelf: &PyObject, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    if is_isolated(vm) {
        return Err(refusal(vm, "files cannot be opened"));
    }
    let init = FILEIO_INIT
        .get()
        .ok_or_else(|| vm.new_runtime_error("FileIO lost its initializer"))?;
    init(zelf, args, vm)
}

fn fileio_init_method(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "files cannot be opened"));
    }
    call_original(&FILEIO_INIT_METHOD, zelf, args, vm)
}

fn code_new(cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "code objects cannot be made from bytes"));
    }
    let new = CODE_NEW
        .get()
        .ok_or_else(|| vm.new_runtime_error("code lost its constructor"))?;
    new(cls, args, vm)
}

fn code_replace(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "code objects cannot be rewritten"));
    }
    call_original(&CODE_REPLACE, zelf, args, vm)
}

fn code_dunder_replace(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "code objects cannot be rewritten"));
    }
    call_original(&CODE_DUNDER_REPLACE, zelf, args, vm)
}
