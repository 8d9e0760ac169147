//! Finalizing an interpreter as `python` does at exit, without importing `threading` to do it.
//!
//! CPython joins the program's threads at exit only when `threading` was imported (its
//! `wait_for_thread_shutdown` looks the module up in `sys.modules`); a thread started with
//! `_thread` alone is never waited for. RustPython 0.6's `Interpreter::finalize` imports
//! `threading` to call its `_shutdown`, which costs 1.3 to 4 ms at every exit of a program
//! that never used it. Where the program did not import it, a stand-in is put in
//! `sys.modules` first: its `_shutdown` does nothing (there is no thread to join) and takes
//! the stand-in out again, so an `atexit` function importing `threading` gets the real
//! module; any other attribute asked of it before then (a replaced `sys.stdout` whose
//! `flush` uses `threading`, say) takes it out as well and answers from the real module.

use super::leftovers::Leftovers;
use rustpython_vm::builtins::PyStrRef;
use rustpython_vm::{Interpreter, PyObjectRef, PyResult, VirtualMachine};

/// The module name the stand-in takes.
const THREADING: &str = "threading";
/// Marks the stand-in in its own namespace, so that only it is ever taken out.
const STAND_IN_MARK: &str = "__brine_exit_stand_in__";

/// What happens to the process after finalizing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Then {
    /// It exits: what the interpreter leaves behind goes with it.
    Exit,
    /// It goes on: what the interpreter would leave behind is freed (leftovers.rs).
    GoOn,
}

/// Finalizes `interpreter` (flush the streams, join threads, run `atexit` functions, clear
/// the modules) and returns its exit status: 120 when a standard stream cannot be flushed.
pub(crate) fn finalize(interpreter: Interpreter, then: Then) -> u32 {
    let leftovers = interpreter.enter(|vm| {
        if let Err(err) = stand_in_for_threading(vm) {
            vm.run_unraisable(
                err,
                Some("Exception ignored before finalizing".to_owned()),
                vm.ctx.none(),
            );
        }
        (then == Then::GoOn).then(|| Leftovers::prepare(vm))
    });
    let status = interpreter.finalize(None);
    if let Some(leftovers) = leftovers {
        leftovers.release();
    }
    status
}

/// Puts the stand-in in `sys.modules` unless `threading` is there already.
fn stand_in_for_threading(vm: &VirtualMachine) -> PyResult<()> {
    let modules = vm.sys_module.get_attr("modules", vm)?;
    if modules.get_item(THREADING, vm).is_ok() {
        return Ok(());
    }
    let namespace = vm.ctx.new_dict();
    namespace.set_item(STAND_IN_MARK, vm.ctx.true_value.clone().into(), vm)?;
    namespace.set_item(
        "_shutdown",
        vm.new_function("_shutdown", take_out_stand_in).into(),
        vm,
    )?;
    namespace.set_item(
        "__getattr__",
        vm.new_function("__getattr__", real_attribute).into(),
        vm,
    )?;
    let module = vm.new_module(THREADING, namespace, None);
    modules.set_item(THREADING, module.into(), vm)
}

/// Takes the stand-in out of `sys.modules`, if it is still there.
fn take_out_stand_in(vm: &VirtualMachine) -> PyResult<()> {
    let modules = vm.sys_module.get_attr("modules", vm)?;
    let Ok(current) = modules.get_item(THREADING, vm) else {
        return Ok(());
    };
    if current.get_attr(STAND_IN_MARK, vm).is_ok() {
        modules.del_item(THREADING, vm)?;
    }
    Ok(())
}

/// Any attribute of the stand-in but `_shutdown`: the real module's, imported now.
fn real_attribute(name: PyStrRef, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
    take_out_stand_in(vm)?;
    let threading = vm.import(THREADING, 0)?;
    threading.get_attr(&name, vm)
}
