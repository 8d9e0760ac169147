//! Interrupts for runs on threads other than the runtime's home.
//!
//! Such a run executes in a thread VM of its own, which has no signal channel, so the main
//! VM's way of stopping a run cannot reach it. Instead, while a run that can be stopped (the
//! runtime has a time limit, a live [`InterruptHandle`](crate::InterruptHandle), or the run
//! has a limit of its own) executes there, a `sys.monitoring` tool of the runtime's watches
//! every jump and every Python function start and raises once the run is asked to stop.
//! Every loop iteration jumps and every recursion starts a function, so nothing runs long
//! without a check; and a monitoring callback, unlike a trace function, stays installed
//! after it raises, so a handler that catches the exception is stopped at its next jump.
//! The tool is released when the run ends. What it costs is measured in BENCHMARKS.md.

use super::interrupt::{Interrupts, Run, interrupted};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Callable;
use rustpython_vm::{PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};
use std::sync::Weak;

/// The `sys.monitoring` tool ids tried, in order: the ones CPython leaves unassigned.
const TOOL_IDS: [u8; 2] = [4, 3];

/// The monitoring tool watching a run, released when dropped... by [`stop`].
pub(crate) struct VisitorChecks {
    tool: u8,
}

/// Starts watching `run` in `vm`, a thread VM. `None` when every free tool id is taken
/// by the script itself (the run then cannot be stopped on this thread).
pub(crate) fn start(
    vm: &VirtualMachine,
    interrupts: Weak<Interrupts>,
    run: Run,
) -> Option<VisitorChecks> {
    let monitoring = vm.sys_module.get_attr("monitoring", vm).ok()?;
    let events = monitoring.get_attr("events", vm).ok()?;
    let jump = events.get_attr("JUMP", vm).ok()?;
    let py_start = events.get_attr("PY_START", vm).ok()?;
    let check: PyObjectRef = RunCheck { interrupts, run }
        .into_ref_with_type(vm, RunCheck::make_static_type())
        .ok()?
        .into();
    for tool in TOOL_IDS {
        if vm
            .call_method(&monitoring, "use_tool_id", (tool, "brine"))
            .is_err()
        {
            continue;
        }
        let armed = (|| -> PyResult<()> {
            vm.call_method(
                &monitoring,
                "register_callback",
                (tool, jump.clone(), check.clone()),
            )?;
            vm.call_method(
                &monitoring,
                "register_callback",
                (tool, py_start.clone(), check.clone()),
            )?;
            let mask = vm._or(&jump, &py_start)?;
            vm.call_method(&monitoring, "set_events", (tool, mask))?;
            Ok(())
        })();
        let checks = VisitorChecks { tool };
        if armed.is_ok() {
            return Some(checks);
        }
        checks.stop(vm);
    }
    None
}

impl VisitorChecks {
    /// Releases the tool: its events, its callbacks and its id.
    pub(crate) fn stop(self, vm: &VirtualMachine) {
        let Ok(monitoring) = vm.sys_module.get_attr("monitoring", vm) else {
            return;
        };
        let _ = vm.call_method(&monitoring, "set_events", (self.tool, 0));
        if let Ok(events) = monitoring.get_attr("events", vm) {
            for event in ["JUMP", "PY_START"] {
                if let Ok(event) = events.get_attr(event, vm) {
                    let _ = vm.call_method(
                        &monitoring,
                        "register_callback",
                        (self.tool, event, vm.ctx.none()),
                    );
                }
            }
        }
        let _ = vm.call_method(&monitoring, "free_tool_id", (self.tool,));
    }
}

/// The callback: raises while the run it watches is asked to stop.
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

    fn call(zelf: &rustpython_vm::Py<Self>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let stopping = zelf
            .interrupts
            .upgrade()
            .is_some_and(|interrupts| interrupts.pending(zelf.run));
        if stopping {
            return Err(interrupted(vm));
        }
        Ok(vm.ctx.none())
    }
}
