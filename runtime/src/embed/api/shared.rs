//! What a runtime and every handle into it share: the interpreter behind a lock, and the
//! way into it from any thread.
//!
//! RustPython's main VM guards against native stack overflow with bounds measured on the
//! thread that made it, so on any other thread it fails at once with RecursionError. The
//! thread that built the runtime (its home) uses the main VM; any other thread gets a VM of
//! its own for the same interpreter, as a Python thread does, made on its first visit and
//! kept for the next. (Entering a thread VM measures that thread's stack each time; that is
//! cheap except on a process's main thread, which is one more reason the home thread uses
//! the main VM.)

use crate::embed::limits::interrupt::{Interrupts, Run};
use crate::embed::vm::leftovers::Leftovers;
use crate::embed::vm::output::Captured;
use crate::memory::accounts;
use parking_lot::{Mutex, ReentrantMutex};
use rustpython_vm::vm::thread::ThreadedVirtualMachine;
use rustpython_vm::{Interpreter, PyObjectRef, VirtualMachine};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::ThreadId;

/// Numbers runtimes for error messages.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One interpreter and what the host keeps beside it.
pub(crate) struct Shared {
    id: u64,
    /// Taken out only when the last handle goes, to be finalized. Reentrant: a host
    /// function may use objects of a runtime whose script is calling it.
    interpreter: ReentrantMutex<Option<Interpreter>>,
    /// The address of the interpreter's global state, which each of its VMs points to: how a
    /// thread already inside it is recognised.
    state: usize,
    /// The thread the interpreter was made on, whose stack its main VM knows.
    home: ThreadId,
    /// The VMs of other threads that have entered the runtime.
    visitors: Mutex<HashMap<ThreadId, ThreadedVirtualMachine>>,
    pub(crate) captured: Captured,
    /// Runs in progress, and the interrupts and time limits that stop them.
    pub(crate) interrupts: Arc<Interrupts>,
    /// The host's own values, one of each type (`Builder::app_data`).
    pub(crate) app_data: AppData,
}

/// The host's values a runtime carries, one of each type.
pub(crate) type AppData = Vec<Box<dyn std::any::Any + Send + Sync>>;

impl Shared {
    /// The state of an interpreter made on this thread.
    pub(crate) fn new(
        interpreter: Interpreter,
        captured: Captured,
        interrupts: Arc<Interrupts>,
        app_data: AppData,
    ) -> Self {
        let state = Arc::as_ptr(&interpreter.global_state) as usize;
        Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            interpreter: ReentrantMutex::new(Some(interpreter)),
            state,
            home: std::thread::current().id(),
            visitors: Mutex::default(),
            captured,
            interrupts,
            app_data,
        }
    }

    /// The runtime's number, for messages.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    fn owns(&self, vm: &VirtualMachine) -> bool {
        Arc::as_ptr(&vm.state) as usize == self.state
    }

    /// Runs `f` in this runtime's VM for the current thread. `outermost` tells `f` whether
    /// the host entered here (rather than a host function called from a script of this
    /// runtime).
    pub(crate) fn enter<R>(&self, f: impl FnOnce(&VirtualMachine, bool) -> R) -> R {
        let inside = rustpython_vm::vm::thread::try_with_current_vm(|vm| self.owns(vm));
        if inside == Some(true) {
            return rustpython_vm::vm::thread::with_current_vm(|vm| f(vm, false));
        }
        crate::embed::vm::leftovers::drop_stale_slots();
        let _charge = accounts::charge_to(self.interrupts.account());
        let guard = self.interpreter.lock();
        let interpreter = guard
            .as_ref()
            .expect("the interpreter lives as long as a handle to it");
        // What a run kept from being freed for want of stack is freed at its end, here.
        let outermost = |vm: &VirtualMachine| {
            let result = f(vm, true);
            crate::embed::vm::deep_free::free_kept();
            result
        };
        let thread = std::thread::current().id();
        if thread == self.home {
            return interpreter.enter(outermost);
        }
        let visitor = self.visitors.lock().remove(&thread);
        let visitor = visitor.unwrap_or_else(|| interpreter.new_thread());
        let result = visitor.run(outermost);
        self.visitors.lock().insert(thread, visitor);
        result
    }

    /// Makes `run` stoppable when it runs on a thread other than home, by watching its safe
    /// points; at home the main VM's signal channel does it.
    pub(crate) fn watch_away_from_home(&self, vm: &VirtualMachine, run: Run) {
        if std::thread::current().id() != self.home {
            self.interrupts.watch_safe_points(vm, run);
        }
    }

    /// Releases a reference inside the VM (its last release may run `__del__`).
    pub(crate) fn release(&self, obj: PyObjectRef) {
        self.enter(|_, _| drop(obj));
    }

    /// The interpreter, taken out to be finalized by its last owner on its home thread.
    pub(crate) fn take_interpreter(&mut self) -> Option<Interpreter> {
        self.visitors.get_mut().clear();
        self.interpreter.get_mut().take()
    }
}

impl Drop for Shared {
    /// The last handle is gone: finalize the interpreter as `python` does at exit (flush
    /// the standard streams, join threads, run `atexit` functions). Away from its home
    /// thread the main VM cannot run, so a thread VM does those steps and clears the modules.
    fn drop(&mut self) {
        let visited: Vec<ThreadId> = self.visitors.get_mut().keys().copied().collect();
        if let Some(interpreter) = self.take_interpreter() {
            let _charge = accounts::charge_to(self.interrupts.account());
            self.finalize(interpreter);
            crate::embed::vm::deep_free::free_kept();
        }
        crate::embed::vm::leftovers::stale_slots_on(visited.into_iter().chain([self.home]));
        // What brine keeps per interpreter goes after finalizing: `atexit` functions still
        // run under the runtime's isolation and limits, and with brine's replacements.
        crate::pickle::limits::forget(self.state);
        crate::pickle::load::collector::forget(self.state);
        crate::embed::isolation::registry::forget(self.state);
        drop(crate::per_interpreter::release(self.state));
        crate::embed::limits::memory_limit::forget(self.interrupts.account());
    }
}

impl Shared {
    /// Finalizes the interpreter on its home thread, or else does what a thread VM can.
    fn finalize(&self, interpreter: Interpreter) {
        if std::thread::current().id() == self.home {
            crate::embed::vm::finalize::finalize(
                interpreter,
                crate::embed::vm::finalize::Then::GoOn,
            );
        } else {
            let leftovers = interpreter.new_thread().run(|vm| {
                exit_steps(vm);
                let leftovers = Leftovers::prepare(vm);
                // What `Interpreter::finalize` does next: without it the modules' cycles
                // stay, held through references RustPython's collector does not see (a
                // function's `__builtins__`), and with them the whole interpreter.
                vm.finalize_modules();
                leftovers
            });
            drop(interpreter);
            leftovers.release();
        }
    }
}

/// What `python` does at exit that a script can see: streams flushed, non-daemon threads
/// joined, `atexit` functions run.
fn exit_steps(vm: &VirtualMachine) {
    crate::embed::vm::output::flush_std(vm);
    let threading = vm
        .sys_module
        .get_attr("modules", vm)
        .and_then(|modules| modules.get_item("threading", vm));
    if let Ok(threading) = threading {
        let _ = vm.call_method(&threading, "_shutdown", ());
    }
    rustpython_vm::stdlib::atexit::_run_exitfuncs(vm);
    crate::embed::vm::output::flush_std(vm);
}
