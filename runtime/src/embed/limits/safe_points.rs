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
//! import system's own code is let be. The tool id is the runtime's from the time it is
//! built ([`Tool::reserve`]), and guarded: a script can neither take it nor free, clear or
//! rewire it, which would leave its runs unstoppable. Its events are on only while a run is
//! watched; what the watching costs is in BENCHMARKS.md.

use super::interrupt::{Interrupts, Run, is_import_machinery};
use crate::per_interpreter;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::{FuncArgs, IntoPyNativeFn};
use rustpython_vm::types::Callable;
use rustpython_vm::{PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};
use std::sync::Weak;

/// The `sys.monitoring` tool ids tried, in order: the ones CPython leaves unassigned.
const TOOL_IDS: [u8; 2] = [4, 3];

/// The events watched.
const EVENTS: [&str; 2] = ["JUMP", "PY_START"];

/// The `sys.monitoring` functions that act on a tool id given first, guarded.
/// With where each original is kept (per_interpreter.rs).
const GUARDED: [(&str, &str); 5] = [
    ("free_tool_id", "sys.monitoring.free_tool_id"),
    ("clear_tool_id", "sys.monitoring.clear_tool_id"),
    ("set_events", "sys.monitoring.set_events"),
    ("set_local_events", "sys.monitoring.set_local_events"),
    ("register_callback", "sys.monitoring.register_callback"),
];

/// The runtime's own `sys.monitoring` tool, with the functions it is driven by (kept from
/// before the guards, which they would not pass).
pub(crate) struct Tool {
    id: u8,
    set_events: PyObjectRef,
    register_callback: PyObjectRef,
    /// The watched events' bits, in [`EVENTS`] order.
    events: Vec<PyObjectRef>,
}

impl Tool {
    /// Takes a tool id for the runtime in `monitoring` (its `sys.monitoring`), and guards
    /// it. `None` when CPython's unassigned ids are all taken (they are not, in a new
    /// runtime).
    pub(crate) fn reserve(vm: &VirtualMachine, monitoring: &PyObject) -> PyResult<Option<Tool>> {
        let events = monitoring.get_attr("events", vm)?;
        let events = EVENTS
            .iter()
            .map(|e| events.get_attr(*e, vm))
            .collect::<PyResult<Vec<_>>>()?;
        let use_tool_id = monitoring.get_attr("use_tool_id", vm)?;
        let Some(id) = TOOL_IDS
            .into_iter()
            .find(|id| use_tool_id.call((*id, "brine"), vm).is_ok())
        else {
            return Ok(None);
        };
        let tool = Tool {
            id,
            set_events: monitoring.get_attr("set_events", vm)?,
            register_callback: monitoring.get_attr("register_callback", vm)?,
            events,
        };
        guard_all(vm, monitoring, id)?;
        Ok(Some(tool))
    }

    /// Watches `run` in `vm`: its safe points raise while it must stop.
    pub(crate) fn watch(
        &self,
        vm: &VirtualMachine,
        interrupts: Weak<Interrupts>,
        run: Run,
    ) -> PyResult<()> {
        let check: PyObjectRef = RunCheck { interrupts, run }
            .into_ref_with_type(vm, RunCheck::make_static_type())?
            .into();
        let mut mask: PyObjectRef = vm.ctx.new_int(0).into();
        for event in &self.events {
            self.register_callback
                .call((self.id, event.clone(), check.clone()), vm)?;
            mask = vm._or(&mask, event)?;
        }
        self.set_events.call((self.id, mask), vm)?;
        Ok(())
    }

    /// Stops watching: no events, no callbacks.
    pub(crate) fn stop(&self, vm: &VirtualMachine) {
        let _ = self.set_events.call((self.id, 0), vm);
        for event in &self.events {
            let _ = self
                .register_callback
                .call((self.id, event.clone(), vm.ctx.none()), vm);
        }
    }
}

/// Replaces each of [`GUARDED`] in `monitoring` by a function that refuses the runtime's
/// tool `id` and hands any other to the original (both kept in per_interpreter.rs: what a
/// native function holds, RustPython keeps for the life of the process).
fn guard_all(vm: &VirtualMachine, monitoring: &PyObject, id: u8) -> PyResult<()> {
    per_interpreter::keep(vm, TOOL_ID, id);
    guard(vm, monitoring, 0, guarded::<0>)?;
    guard(vm, monitoring, 1, guarded::<1>)?;
    guard(vm, monitoring, 2, guarded::<2>)?;
    guard(vm, monitoring, 3, guarded::<3>)?;
    guard(vm, monitoring, 4, guarded::<4>)
}

/// Where the runtime's tool id is kept.
const TOOL_ID: &str = "sys.monitoring.brine_tool_id";

fn guard<F, K>(vm: &VirtualMachine, monitoring: &PyObject, index: usize, wrapper: F) -> PyResult<()>
where
    F: IntoPyNativeFn<K>,
{
    let (name, key) = GUARDED[index];
    per_interpreter::keep(vm, key, monitoring.get_attr(name, vm)?);
    monitoring.set_attr(name, vm.new_function(name, wrapper), vm)
}

/// The guard of `GUARDED[K]`.
fn guarded<const K: usize>(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let id = per_interpreter::get::<u8>(vm, TOOL_ID).map(|id| *id);
    let given = args.args.first().or_else(|| args.kwargs.get("tool_id"));
    let ours = given
        .and_then(|t| t.try_index_opt(vm))
        .and_then(|t| t.ok())
        .is_some_and(|t| id.is_some_and(|id| t.as_bigint() == &id.into()));
    if let (true, Some(id)) = (ours, id) {
        return Err(vm.new_value_error(format!(
            "tool {id} is the runtime's own (brine): scripts cannot change it"
        )));
    }
    per_interpreter::original(vm, GUARDED[K].1)?.call(args, vm)
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
        let in_import = || {
            args.args
                .first()
                .is_some_and(|code| is_import_machinery(code))
        };
        // Past its fuel, the run raises at every safe point outside the import system.
        if interrupts.fuel.burn() && !in_import() {
            return Err(super::fuel::out_of_fuel(vm));
        }
        if !interrupts.pending(zelf.run) {
            return Ok(vm.ctx.none());
        }
        let in_import = in_import();
        if !in_import && interrupts.must_raise(zelf.run) {
            return Err(interrupts.stop_exception(vm));
        }
        Ok(vm.ctx.none())
    }
}
