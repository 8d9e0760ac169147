//! What a runtime and every handle into it share: the interpreter behind a lock, and the
//! way into it from any thread.

use super::convert::Vm;
use super::error::Error;
use super::output::Captured;
use parking_lot::ReentrantMutex;
use rustpython_vm::{Interpreter, PyObjectRef, VirtualMachine};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers runtimes for error messages.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One interpreter and what the host keeps beside it.
pub(crate) struct Shared {
    id: u64,
    /// Taken out only when the last handle goes, to be finalized. Reentrant: a host
    /// function may use objects of a runtime whose script is calling it.
    interpreter: ReentrantMutex<Option<Interpreter>>,
    /// The address of the interpreter's global state, which each of its VMs (one per
    /// Python thread) points to: how a thread already inside it is recognised.
    state: usize,
    pub(crate) captured: Captured,
}

impl Shared {
    pub(crate) fn new(interpreter: Interpreter, captured: Captured) -> Self {
        let state = Arc::as_ptr(&interpreter.global_state) as usize;
        Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            interpreter: ReentrantMutex::new(Some(interpreter)),
            state,
            captured,
        }
    }

    /// The runtime's number, for messages.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    fn owns(&self, vm: &VirtualMachine) -> bool {
        Arc::as_ptr(&vm.state) as usize == self.state
    }

    /// Runs `f` in this runtime's VM. `outermost` tells `f` whether the host entered here
    /// (rather than a host function called from a script of this runtime).
    pub(crate) fn enter<R>(&self, f: impl FnOnce(&VirtualMachine, bool) -> R) -> R {
        let inside = rustpython_vm::vm::thread::try_with_current_vm(|vm| self.owns(vm));
        if inside == Some(true) {
            return rustpython_vm::vm::thread::with_current_vm(|vm| f(vm, false));
        }
        let guard = self.interpreter.lock();
        let interpreter = guard
            .as_ref()
            .expect("the interpreter lives as long as a handle to it");
        interpreter.enter(|vm| f(vm, true))
    }

    /// Runs `f` with a conversion context; an error leaving the outermost entry has its
    /// traceback formatted before the frames' state moves on.
    pub(crate) fn with_cx<R>(
        self: &Arc<Self>,
        f: impl FnOnce(&Vm<'_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.enter(|vm, outermost| {
            let result = f(&Vm::new(vm, self));
            if outermost && let Err(Error::Python(err)) = &result {
                err.format_traceback();
            }
            result
        })
    }

    /// Releases a reference inside the VM (its last release may run `__del__`).
    pub(crate) fn release(&self, obj: PyObjectRef) {
        self.enter(|_, _| drop(obj));
    }

    /// The interpreter, taken out to be finalized by its last owner.
    pub(crate) fn take_interpreter(&mut self) -> Option<Interpreter> {
        self.interpreter.get_mut().take()
    }
}

impl Drop for Shared {
    /// The last handle is gone: finalize the interpreter as `python` does at exit (flush
    /// the standard streams, join threads, run `atexit` functions).
    fn drop(&mut self) {
        if let Some(interpreter) = self.take_interpreter() {
            interpreter.finalize(None);
        }
    }
}
