//! Iterators that wrap iterators check the native stack before they ask the next one.
//!
//! `map`, `filter`, `zip` and `enumerate` ask their inner iterator for its next item in native
//! code, with no Python frame between: a chain of 100,000 of them
//! (`it = map(abs, it)` in a loop), consumed by `list()` or `next()`, recursed until the
//! native stack overflowed and the process died (CPython crashes there too). Their `__next__`
//! slot is wrapped in RustPython's own native-stack check, which raises RecursionError where
//! the thread's stack runs short, whatever its size and the recursion limit. The types are
//! the process's: they are wrapped once, for every runtime. So are itertools' iterators that
//! wrap an iterator (`chain`, `islice`, `accumulate` and the rest: each crashed the same way),
//! whose types exist once the module is made: it is made once here, from its definition,
//! and dropped (no runtime's `sys.modules` gains it).

use rustpython_vm::builtins::PyType;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::{Py, PyObject, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

type NextSlot = fn(&PyObject, &VirtualMachine) -> PyResult<PyIterReturn>;

/// The itertools types that ask an inner iterator for their next item.
const ITERTOOLS: [&str; 13] = [
    "accumulate",
    "batched",
    "chain",
    "compress",
    "cycle",
    "dropwhile",
    "filterfalse",
    "groupby",
    "islice",
    "pairwise",
    "starmap",
    "takewhile",
    "zip_longest",
];

/// How many types are wrapped: `map`, `filter`, `zip`, `enumerate`, and [`ITERTOOLS`].
const TYPES: usize = 4 + ITERTOOLS.len();

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
    checked_next::<4>,
    checked_next::<5>,
    checked_next::<6>,
    checked_next::<7>,
    checked_next::<8>,
    checked_next::<9>,
    checked_next::<10>,
    checked_next::<11>,
    checked_next::<12>,
    checked_next::<13>,
    checked_next::<14>,
    checked_next::<15>,
    checked_next::<16>,
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
        // Should the module not be made, its iterators stay as RustPython has them.
        let _ = wrap_itertools(vm, builtins.len());
    });
}

/// Wraps [`ITERTOOLS`], from index `first` on.
fn wrap_itertools(vm: &VirtualMachine, first: usize) -> PyResult<()> {
    let Some(module) = crate::embed::vm::native_modules::made_module(vm, "itertools")? else {
        return Ok(());
    };
    for (offset, name) in ITERTOOLS.into_iter().enumerate() {
        let class = module.get_attr(name, vm)?;
        if let Some(class) = class.downcast_ref::<PyType>() {
            wrap(first + offset, class);
        }
    }
    Ok(())
}

fn wrap(index: usize, class: &Py<PyType>) {
    if let Some(next) = class.slots.iternext.load()
        && ORIGINALS[index].set(next).is_ok()
    {
        class.slots.iternext.store(Some(WRAPPERS[index]));
    }
}
