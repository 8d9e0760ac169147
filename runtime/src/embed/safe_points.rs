//! Stopping a run at its safe points: every jump and every Python function start, watched
//! through a `sys.monitoring` tool of the runtime's.
//!
//! Two kinds of run need it:
//!
//! - Runs on a thread other than the runtime's home. They execute in a thread VM of its
//!   own, which has no signal channel, so the main VM's way of stopping a run cannot reach
//!   them; a run that can be stopped (the runtime has a time limit or a live
//!   [`InterruptHandle`](crate::InterruptHandle), or the run a limit of its own) is watched
//!   from its start.
//! - Runs past their grace (see [`interrupt`](super::interrupt)) that go on swallowing the
//!   exception. Raising at every instruction would trap an exception handler's own cleanup
//!   in a loop (the cleanup is its own handler), so from then on they raise where CPython
//!   checks for signals: on jumps (every loop iteration) and function starts (every
//!   recursion).
//!
//! A monitoring callback, unlike a trace function, stays installed after it raises. The
//! import system's own code is let be. The tool is released when the run ends; what the
//! watching costs is in BENCHMARKS.md.

use super::interrupt::{Interrupts, Run, interrupted, is_import_machinery};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Callable;
use rustpython_vm::{PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};
use std::sync::Weak;

/// The `sys.monitoring` tool ids tried, in order: the ones CPython leaves unassigned.
const TOOL_IDS: [u8; 2] = [4, 3];

/// The events watched.
const EVENTS: [&str; 2] = ["JUMP", "PY_START"];

/// A monitoring tool watching a run; [`stop`](Self::stop) releases it.
pub(crate) struct SafePoints {
    tool: u8,
}

/// Starts watching `run` in `vm` with `monitoring` (the runtime's `sys.monitoring`). `None`
/// when the script itself holds every free tool id.
pub(crate) fn watch(
    vm: &VirtualMachine,
    monitoring: &PyObject,
    interrupts: Weak<Interrupts>,
    run: Run,
) -> Option<SafePoints> {
    let events = monitoring.get_attr("events", vm).ok()?;
    let events: Vec<PyObjectRef> = EVENTS
        .iter()
        .map(|e| events.get_attr(*e, vm))
        .collect::<PyResult<_>>()
        .ok()?;
    let check: PyObjectRef = RunCheck { interrupts, run }
        .into_ref_with_type(vm, RunCheck::make_static_type())
        .ok()?
        .into();
    for tool in TOOL_IDS {
        if vm
            .call_method(monitoring, "use_tool_id", (tool, "brine"))
            .is_err()
        {
            continue;
        }
        let points = SafePoints { tool };
        if points.arm(vm, monitoring, &events, &check).is_ok() {
            return Some(points);
        }
        points.stop(vm, monitoring);
    }
    None
}

impl SafePoints {
    fn arm(
        &self,
        vm: &VirtualMachine,
        monitoring: &PyObject,
        events: &[PyObjectRef],
        check: &PyObjectRef,
    ) -> PyResult<()> {
        let mut mask: PyObjectRef = vm.ctx.new_int(0).into();
        for event in events {
            vm.call_method(
                monitoring,
                "register_callback",
                (self.tool, event.clone(), check.clone()),
            )?;
            mask = vm._or(&mask, event)?;
        }
        vm.call_method(monitoring, "set_events", (self.tool, mask))?;
        Ok(())
    }

    /// Releases the tool: its events, its callbacks and its id.
    pub(crate) fn stop(self, vm: &VirtualMachine, monitoring: &PyObject) {
        let _ = vm.call_method(monitoring, "set_events", (self.tool, 0));
        if let Ok(events) = monitoring.get_attr("events", vm) {
            for event in EVENTS {
                if let Ok(event) = events.get_attr(event, vm) {
                    let _ = vm.call_method(
                        monitoring,
                        "register_callback",
                        (self.tool, event, vm.ctx.none()),
                    );
                }
            }
        }
        let _ = vm.call_method(monitoring, "free_tool_id", (self.tool,));
    }
}

/// The callback: raises while the run it watches must stop.
#[pyclass(module = "brine", name = "RunCheck")]
#[derive(PyPayload)]
struct RunCheck {
    interrupts: Weak<Interrupts>,
    run: Run,
}

impl std::fmt::Debug for RunCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<brine run check {}>", self.run.number)
    }
}

#[pyclass(with(Callable))]
impl RunCheck {}

impl Callable for RunCheck {
    type Args = FuncArgs;

    /// Called with the code object first.
    fn call(zelf: &rustpython_vm::Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let Some(interrupts) = zelf.interrupts.upgrade() else {
            return Ok(vm.ctx.none());
        };
        if !interrupts.pending(zelf.run) {
            return Ok(vm.ctx.none());
        }
        let in_import = args
            .args
            .first()
            .is_some_and(|code| is_import_machinery(vm, code));
        if !in_import && interrupts.must_raise(zelf.run) {
            return Err(interrupted(vm));
        }
        Ok(vm.ctx.none())
    }
}
