//! Loads and the cycle collector: the objects a load builds are kept out of the collector's
//! schedule, as the issue of loads' speed found it spending about half of a large load's
//! time there (BENCHMARKS.md).
//!
//! RustPython collects its youngest generation at the first bytecode instruction after
//! 2,000 tracked allocations, scanning every young object. A load's objects are all young
//! and none of them is garbage yet, so that scan finds nothing: it is the price of having
//! made them, paid again by every load. So while a load runs the collector is off (no
//! collection can start from Python code a load calls, such as `__setstate__`), and
//! afterwards the youngest generation's threshold is raised by what the load allocated,
//! which leaves the script's own allocations to trigger collections as often as before.
//! The raise lasts until the next collection: a sentinel cycle made for it is found by that
//! collection, and its weak reference's callback puts the threshold back (and, should the
//! sentinel be lost, the next load notices that the counts have been reset). Objects a load
//! made that are still alive at that collection are scanned then, as any others.

use parking_lot::Mutex;
use rustpython_vm::gc_state::gc_state;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Arc;

/// Loads that make fewer tracked objects than this leave the threshold alone.
const SMALL_LOAD: usize = 256;

/// Where the sentinel's weak reference is kept: an attribute of `_pickle`, so that it lives
/// as long as the interpreter and no longer.
const WATCH_ATTRIBUTE: &str = "_collection_watch";

/// A raised threshold: what it was before the loads, what they made it, and the young
/// generation's count when it was last raised.
#[derive(Clone, Copy)]
struct Raise {
    interpreter: usize,
    base: u32,
    raised: u32,
    count: usize,
}

/// The raises in force, one per interpreter at most.
static RAISES: Mutex<Vec<Raise>> = Mutex::new(Vec::new());

fn interpreter(vm: &VirtualMachine) -> usize {
    Arc::as_ptr(&vm.state) as usize
}

fn young_count() -> usize {
    gc_state().get_count().0
}

/// The collector paused for one load; resumed when dropped.
pub(crate) struct Paused<'a> {
    vm: &'a VirtualMachine,
    /// Whether this pause turned the collector off (not when a load inside a load, or the
    /// script, already had).
    resumes: bool,
    count_before: usize,
}

/// Pauses automatic collection in `vm`'s interpreter for a load.
pub(crate) fn pause(vm: &VirtualMachine) -> Paused<'_> {
    let gc = &vm.state.gc;
    let resumes = gc.is_enabled();
    if resumes {
        restore_if_collected(vm);
        gc.disable();
    }
    Paused {
        vm,
        resumes,
        count_before: young_count(),
    }
}

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        if !self.resumes {
            return;
        }
        self.vm.state.gc.enable();
        let made = young_count().saturating_sub(self.count_before);
        if made >= SMALL_LOAD {
            raise_threshold(self.vm, made);
        }
    }
}

/// Raises the youngest generation's threshold by `made`, remembering what it was.
fn raise_threshold(vm: &VirtualMachine, made: usize) {
    let gc = &vm.state.gc;
    let (current, _, _) = gc.get_threshold();
    if current == 0 {
        // Automatic collection is off.
        return;
    }
    let raised = current.saturating_add(u32::try_from(made).unwrap_or(u32::MAX));
    gc.set_threshold(raised, None, None);
    let key = interpreter(vm);
    let count = young_count();
    let mut raises = RAISES.lock();
    match raises.iter_mut().find(|r| r.interpreter == key) {
        Some(raise) => {
            raise.raised = raised;
            raise.count = count;
        }
        None => {
            raises.push(Raise {
                interpreter: key,
                base: current,
                raised,
                count,
            });
            drop(raises);
            // Without a sentinel (it could not be made), the next load restores it.
            let _ = arm_sentinel(vm);
        }
    }
}

/// Puts the threshold back if a collection has run since it was raised (the young count
/// has gone down).
fn restore_if_collected(vm: &VirtualMachine) {
    let key = interpreter(vm);
    let collected = RAISES
        .lock()
        .iter()
        .any(|r| r.interpreter == key && young_count() < r.count);
    if collected {
        restore(vm);
    }
}

/// Puts `vm`'s threshold back to what it was before the loads raised it, unless the script
/// has set one of its own since.
fn restore(vm: &VirtualMachine) {
    let key = interpreter(vm);
    let mut raises = RAISES.lock();
    let Some(at) = raises.iter().position(|r| r.interpreter == key) else {
        return;
    };
    let raise = raises.swap_remove(at);
    drop(raises);
    let gc = &vm.state.gc;
    if gc.get_threshold().0 == raise.raised {
        gc.set_threshold(raise.base, None, None);
    }
}

/// A cycle that only the next collection frees, watched by a weak reference whose callback
/// restores the threshold.
fn arm_sentinel(vm: &VirtualMachine) -> PyResult<()> {
    let sentinel = vm.ctx.types.namespace_type.as_object().call((), vm)?;
    sentinel.set_attr("cycle", sentinel.clone(), vm)?;
    let callback = vm.new_function(
        "restore_collection_threshold",
        |_weakref: PyObjectRef, vm: &VirtualMachine| {
            restore(vm);
        },
    );
    let watch = sentinel.downgrade(Some(callback.into()), vm)?;
    let module = vm.import("_pickle", 0)?;
    module.set_attr(WATCH_ATTRIBUTE, watch, vm)
}

/// Forgets the raise of the interpreter whose global state is at `state` (it is being
/// finalized; another may be made at the same address).
pub(crate) fn forget(state: usize) {
    RAISES.lock().retain(|r| r.interpreter != state);
}
