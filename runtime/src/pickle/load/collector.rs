//! Loads and the cycle collector: the objects a load builds are kept out of the collector's
//! schedule, as the issue of loads' speed found it spending about half of a large load's
//! time there (BENCHMARKS.md). Dumps pause it the same way for the temporaries their walk
//! makes (reduce tuples, states), which are freed when it ends.
//!
//! RustPython collects its youngest generation at the first bytecode instruction after
//! 2,000 tracked allocations, scanning every young object. A load's objects are all young
//! and none of them is garbage yet, so that scan finds nothing: it is the price of having
//! made them, paid again by every load. So while a load runs the collector is off (no
//! collection can start from Python code a load calls, such as `__setstate__`), and
//! afterwards the youngest generation's threshold is raised by what the load allocated,
//! which leaves the script's own allocations to trigger collections as often as before.
//! The young count also falls as objects are freed, whoever made them, so the count cannot
//! tell the load's objects from the script's: after a load the script is given a whole
//! threshold's worth of allocations, as if a collection had just run (freeing a load's
//! result can stretch that by up to the load's size). The raise lasts until the next
//! collection: a sentinel cycle made for it is found by that collection, and its weak
//! reference's callback puts the threshold back. Objects a load made that are still alive
//! then are scanned then, as any others.

use crate::pickle::limits::interpreter;
use parking_lot::Mutex;
use rustpython_vm::gc_state::gc_state;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// Loads that make fewer tracked objects than this leave the threshold alone.
const SMALL_LOAD: usize = 256;

/// Where the sentinel's weak reference is kept: an attribute of `_pickle`, so that it lives
/// as long as the interpreter and no longer.
const WATCH_ATTRIBUTE: &str = "_collection_watch";

/// A raised threshold: what it was before the loads, and what they made it.
#[derive(Clone, Copy)]
struct Raise {
    interpreter: usize,
    base: u32,
    raised: u32,
}

/// The raises in force, one per interpreter at most.
static RAISES: Mutex<Vec<Raise>> = Mutex::new(Vec::new());

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
        let count = young_count();
        if count.saturating_sub(self.count_before) >= SMALL_LOAD {
            raise_threshold(self.vm, count);
        }
    }
}

/// Gives the script a whole threshold's worth of allocations from `count` (the young
/// generation's count after the load) before the next collection, as if one had just run.
fn raise_threshold(vm: &VirtualMachine, count: usize) {
    let gc = &vm.state.gc;
    let (current, _, _) = gc.get_threshold();
    if current == 0 {
        // Automatic collection is off.
        return;
    }
    let key = interpreter(vm);
    let mut raises = RAISES.lock();
    let earlier = raises.iter().position(|r| r.interpreter == key);
    // A threshold the script set since the last raise is the one to keep.
    let base = match earlier.map(|at| raises[at]) {
        Some(raise) if raise.raised == current => raise.base,
        _ => current,
    };
    let raised = u32::try_from(count)
        .unwrap_or(u32::MAX)
        .saturating_add(base);
    gc.set_threshold(raised, None, None);
    let raise = Raise {
        interpreter: key,
        base,
        raised,
    };
    match earlier {
        Some(at) => raises[at] = raise,
        None => {
            raises.push(raise);
            drop(raises);
            // Without a sentinel (it could not be made) the threshold stays raised until
            // the next load sets it from the base again.
            let _ = arm_sentinel(vm);
        }
    }
}

/// Puts `vm`'s threshold back to what it was before the loads raised it, unless the script
/// has set one of its own since (a collection has run).
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
