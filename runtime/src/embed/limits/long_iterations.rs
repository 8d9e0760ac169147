//! Native iterations that could run unbounded look at their runtime every so often.
//!
//! `sum(range(10**9))`, `list(range(10**9))`, `collections.deque(itertools.repeat(0))`:
//! a native consumer draining a native source runs no Python code, where a run is stopped
//! (for an interrupt, a time limit or the memory limit), so it ran to its end however long
//! that took and whatever it allocated (`deque(range(10**9))` took 8 GiB past any limit).
//! The sources such iterations come from are few: `range` iterators and itertools' `count`,
//! `repeat` and `cycle` (the others wrap an iterator, or iterate data already made). Their
//! `__next__` slot is wrapped: every [`EVERY`] items on a thread, it raises what the run
//! must (the interrupt's or time limit's exception, or MemoryError past the memory limit),
//! so the consumer stops there. The types are the process's: wrapped once, for every
//! runtime; the command line, which has no stops, pays a counter.

use super::interrupt::Interrupts;
use crate::memory::accounts;
use rustpython_vm::builtins::PyType;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::{Py, PyObject, PyResult, VirtualMachine};
use std::cell::Cell;
use std::sync::{Once, OnceLock};

type NextSlot = fn(&PyObject, &VirtualMachine) -> PyResult<PyIterReturn>;

/// How many items a thread takes from these sources between looks.
const EVERY: u32 = 4096;

/// The itertools sources.
const ITERTOOLS: [&str; 3] = ["count", "repeat", "cycle"];

/// `range`'s two iterators, and [`ITERTOOLS`].
const TYPES: usize = 2 + ITERTOOLS.len();

static ORIGINALS: [OnceLock<NextSlot>; TYPES] = [const { OnceLock::new() }; TYPES];

thread_local! {
    /// Items taken on this thread since the last look.
    static TAKEN: Cell<u32> = const { Cell::new(0) };
}

fn watched_next<const N: usize>(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyIterReturn> {
    let taken = TAKEN.get().wrapping_add(1);
    TAKEN.set(taken);
    if taken.is_multiple_of(EVERY) {
        look(vm)?;
    }
    let next = ORIGINALS[N]
        .get()
        .expect("stored before the slot was replaced");
    next(zelf, vm)
}

const WRAPPERS: [NextSlot; TYPES] = [
    watched_next::<0>,
    watched_next::<1>,
    watched_next::<2>,
    watched_next::<3>,
    watched_next::<4>,
];

/// Raises what the thread's run must: its stop, or MemoryError past the memory limit.
fn look(vm: &VirtualMachine) -> PyResult<()> {
    let account = accounts::current();
    if accounts::over(account) {
        return Err(vm.new_memory_error(crate::memory::refuse(account)));
    }
    match Interrupts::of(vm) {
        Some(interrupts) if interrupts.must_raise_now() => Err(interrupts.stop_exception(vm)),
        _ => Ok(()),
    }
}

/// Wraps the slots, the first time a runtime is built.
pub(crate) fn install(vm: &VirtualMachine) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let types = &vm.ctx.types;
        wrap(0, types.range_iterator_type);
        wrap(1, types.long_range_iterator_type);
        // Should the module not be made, its iterators stay as RustPython has them.
        if let Ok(Some(module)) = crate::embed::vm::native_modules::made_module(vm, "itertools") {
            for (offset, name) in ITERTOOLS.into_iter().enumerate() {
                if let Ok(class) = module.get_attr(name, vm)
                    && let Some(class) = class.downcast_ref::<PyType>()
                {
                    wrap(2 + offset, class);
                }
            }
        }
    });
}

fn wrap(index: usize, class: &Py<PyType>) {
    if let Some(next) = class.slots.iternext.load()
        && ORIGINALS[index].set(next).is_ok()
    {
        class.slots.iternext.store(Some(WRAPPERS[index]));
    }
}
