//! Iterators that wrap iterators check the native stack before they ask the next one.
//!
//! `map`, `filter`, `zip` and `enumerate` ask their inner iterator for its next item in native
//! code, with no Python frame between: a chain of 100,000 of them
//! (`it = map(abs, it)` in a loop), consumed by `list()` or `next()`, recursed until the
//! native stack overflowed and the process died (CPython crashes there too). Their `__next__`
//! slot is wrapped in RustPython's own native-stack check, which raises RecursionError where
//! the thread's stack runs short, whatever its size and the recursion limit. The types are
//! the process's: they are wrapped once, for every runtime. (itertools' wrappers, `chain` and
//! the rest, are not yet: their types exist once the module is imported.)

use rustpython_vm::builtins::PyType;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::{Py, PyObject, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

type NextSlot = fn(&PyObject, &VirtualMachine) -> PyResult<PyIterReturn>;

/// How many types are wrapped: `map`, `filter`, `zip`, `enumerate`.
const TYPES: usize = 4;

/// Each wrapped type's own `__next__` slot, by the index its wrapper was made for.
static ORIGINALS: [OnceLock<NextSlot>; TYPES] = [const { OnceLock::new() }; TYPES];

/// The wrapper for the type at `N`: the original slot, after the stack check.
fn checked_next<const N: usize>(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyIterReturn> {
    let next = ORIGINALS[N]
        .get()
        .expect("stored before the slot was replaced");
    vm.with_recursion("while getting the next item", || next(zelf, vm))
}

/// The wrappers, by index.
const WRAPPERS: [NextSlot; TYPES] = [
    checked_next::<0>,
    checked_next::<1>,
    checked_next::<2>,
    checked_next::<3>,
];

/// Wraps the slots, the first time a runtime is built.
pub(crate) fn install(vm: &VirtualMachine) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let types = &vm.ctx.types;
        let builtins = [
            types.map_type,
            types.filter_type,
            types.zip_type,
            types.enumerate_type,
        ];
        for (index, class) in builtins.into_iter().enumerate() {
            wrap(index, class);
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
