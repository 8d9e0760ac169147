//! Freeing deeply nested data on any thread, whatever its stack.
//!
//! RustPython frees a container by freeing what it holds, one native call per level, with
//! a CPython-style trashcan that puts off the levels past 50 to a queue. But the queue is
//! emptied from inside the deallocation that ends each put-off batch, so every 50 levels
//! still add a native step: freeing 100,000 nested lists overflowed a 256 KiB thread, a
//! million a 2 MiB one, and the host died with the script. (CPython empties its trashcan
//! from the outermost level only.)
//!
//! Here every type whose objects can hold others gets a deallocation hook, RustPython's
//! `del` slot (types.rs says which: the built-in types, native modules' types as they are
//! imported, classes made in Python without `__dict__`). Its `del_needed` check keeps it
//! from running (and from costing more than a look at the stack pointer) until the
//! thread's stack runs short. There the object is kept alive on a queue of this thread's
//! instead of freed, and the deallocation stops. The queue is emptied at the next of these
//! objects freed where a script can run, and at the end of each entry into a runtime. Each
//! emptying frees until the stack runs short again below where it began, so every object
//! is freed, in bounded native stack, and soon: CPython frees a deep structure before the
//! statement that let it go ends; here the last levels may be freed at the next such
//! object freed.
//!
//! Generators, coroutines and async generators have a `del` of their own, which closes
//! one still suspended and so frees its frame's locals from inside `del`, before the
//! trashcan: a chain of 200,000 unstarted generators each iterating the next overflowed
//! a 256 KiB thread, of a million the main thread. Their `del` is wrapped: with the stack
//! short the object is kept, and its own `del` runs when it is freed from higher up.
//!
//! RustPython's call of the slot looks `__del__` up in the type: each built-in type holds a
//! [`hook_entry::DeallocationHook`] there, which answers every lookup as CPython's types do,
//! with AttributeError (`hasattr([], '__del__')` is False); it shows only in
//! `list.__dict__` (hook_entry.rs keeps it out of `dir()`). A class with `__slots__` gets
//! the entry only when one of its objects is first kept (types.rs: a class pickled by value
//! carries its `__dict__`). A subclass made in Python reaches the hook through RustPython's
//! generic `__del__` slot; the first time it does, the subclass gets the same stack check,
//! unless a class in its MRO defines `__del__`, which then always runs.

mod hook_entry;
mod types;

pub(crate) use hook_entry::hide_from_dir;
pub(crate) use types::{hook_native_imports, install, runs_a_del};

use hook_entry::found_del;
use parking_lot::RwLock;
use rustpython_vm::builtins::{PyStrInterned, PyType};
use rustpython_vm::{Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

/// Below this much native stack left, an object is kept for later instead of freed: room
/// for a user's `__del__` freed on the way, above RustPython's own recursion margin.
const KEEP_BELOW: usize = 128 << 10;

/// With at least this much stack left, a deallocation empties the queue first: the
/// queue is emptied at once wherever a script can run (RustPython raises RecursionError
/// from 64 KiB left), so it never grows with a loop that frees.
const EMPTY_FROM: usize = 64 << 10;

/// While the queue is emptied, objects are kept again only this far below where the
/// emptying began, so that each one taken off makes progress.
const PROGRESS: usize = 32 << 10;

/// `__del__`, interned.
static DEL: OnceLock<&'static PyStrInterned> = OnceLock::new();

/// RustPython's `del` slot.
type Del = fn(&PyObject, &VirtualMachine) -> PyResult<()>;

/// The `del` of each built-in type that has one of its own (generators, coroutines, async
/// generators, `_asyncio`'s futures, ...), by the type's address, wrapped by [`del_or_keep`].
static OWN_DELS: RwLock<Vec<(usize, Del)>> = RwLock::new(Vec::new());

/// The `del` of its own that `class` (or the built-in type it derives from) had.
fn own_del(class: &Py<PyType>) -> Option<Del> {
    let own = OWN_DELS.read();
    let find = |typ: &Py<PyType>| {
        let at = typ as *const Py<PyType> as usize;
        own.iter()
            .find(|(addr, _)| *addr == at)
            .map(|(_, del)| *del)
    };
    find(class).or_else(|| class.mro.read().iter().find_map(|typ| find(typ)))
}

/// Puts [`del_or_keep`] in place of `typ`'s own `del`.
fn wrap_own_del(typ: &Py<PyType>, own: Del) {
    let at = typ as *const Py<PyType> as usize;
    let mut dels = OWN_DELS.write();
    if dels.iter().any(|(addr, _)| *addr == at) {
        return;
    }
    dels.push((at, own));
    typ.slots.del.store(Some(del_or_keep));
}

/// An object whose deallocation found the stack short, with the `del` of its own still to
/// run before it is freed (RustPython will not call it again: it marked it finalized).
type KeptObject = (PyObjectRef, Option<Del>);

/// Objects whose deallocation found the stack short, on this thread, with what the checks
/// read: one thread-local, for the check every deallocation of a hooked type makes.
struct Kept {
    objects: RefCell<Vec<KeptObject>>,
    /// How many objects wait, read without borrowing `objects`.
    waiting: Cell<usize>,
    /// The stack left where the queue is being emptied; 0 when it is not.
    emptying_from: Cell<usize>,
    /// The lowest address of this thread's stack; 0 before it is first read, `usize::MAX`
    /// where it cannot be known.
    stack_end: Cell<usize>,
}

impl Kept {
    /// The native stack left on this thread, from about here.
    fn stack_left(&self) -> Option<usize> {
        let marker = 0u8;
        let here = std::hint::black_box(&marker) as *const u8 as usize;
        if self.stack_end.get() == 0 {
            let end = stacker::remaining_stack().map_or(usize::MAX, |left| here - left);
            self.stack_end.set(end);
        }
        here.checked_sub(self.stack_end.get())
    }

    /// Whether an object freed with `left` stack must be kept: the stack runs short, and
    /// the queue is not being emptied from less than [`PROGRESS`] above.
    fn must_keep(&self, left: usize) -> bool {
        let from = self.emptying_from.get();
        left < KEEP_BELOW && (from == 0 || left + PROGRESS <= from)
    }

    fn keep(&self, zelf: &PyObject, own_del: Option<Del>) {
        self.objects.borrow_mut().push((zelf.to_owned(), own_del));
        self.waiting.set(self.waiting.get() + 1);
    }

    /// Frees what waits, from `left`, unless it is being freed further up already.
    fn free_from(&self, left: usize) {
        if self.waiting.get() == 0 || self.emptying_from.get() != 0 || left < EMPTY_FROM {
            return;
        }
        self.emptying_from.set(left);
        loop {
            let next = self.objects.borrow_mut().pop();
            let Some(next) = next else { break };
            self.waiting.set(self.waiting.get() - 1);
            free(next);
        }
        self.emptying_from.set(0);
    }
}

impl Drop for Kept {
    /// A thread that ends with objects still kept lets them go unfreed: freeing them here,
    /// after the VM's own thread-locals may be gone, could abort the process.
    fn drop(&mut self) {
        std::mem::forget(std::mem::take(self.objects.get_mut()));
    }
}

thread_local! {
    static KEPT: Kept = const {
        Kept {
            objects: RefCell::new(Vec::new()),
            waiting: Cell::new(0),
            emptying_from: Cell::new(0),
            stack_end: Cell::new(0),
        }
    };
}

/// A type's own `del` (a generator's, a future's), unless the stack runs short: then the
/// object is kept, and its `del` runs where it is freed.
fn del_or_keep(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    let Some(own) = own_del(zelf.class()) else {
        return Ok(());
    };
    if keep_if_short(zelf, Some(own)) {
        return Ok(());
    }
    // Closing it freed what it held: what that kept is freed here, where it began.
    let closed = own(zelf, vm);
    free_kept();
    closed
}

/// RustPython's `del_needed`: whether the object must be kept rather than freed now.
/// Where a script can run, objects kept earlier are freed first.
fn stack_runs_short(zelf: &PyObject) -> bool {
    let class = zelf.class();
    // A class made in Python whose slot is the hook itself (one with `__slots__`, see
    // types.rs) is called directly; another reaches the hook through `__del__`. Built-in
    // types, by far the most freed, are asked nothing more.
    let heap = class.heaptype_ext.is_some();
    let direct = heap
        && class
            .slots
            .del
            .load()
            .is_some_and(|del| del as usize == keep_for_later as Del as usize);
    if heap && !direct {
        match found_del(class) {
            // A `__del__` of a class's own, defined then or later, always runs.
            Some(false) => return true,
            // None to call (the collector cleared a dying class's namespace first):
            // RustPython's call of the slot would not find it.
            None => return false,
            Some(true) => {}
        }
    }
    let keep = KEPT
        .try_with(|kept| {
            let Some(left) = kept.stack_left() else {
                return false;
            };
            kept.free_from(left);
            kept.must_keep(left)
        })
        .unwrap_or(false);
    if keep && direct {
        types::give_entry(class);
    }
    keep
}

/// Keeps `zelf` for later if the stack runs short here; whether it did.
fn keep_if_short(zelf: &PyObject, own_del: Option<Del>) -> bool {
    KEPT.try_with(|kept| {
        let keep = kept.stack_left().is_some_and(|left| kept.must_keep(left));
        if keep {
            kept.keep(zelf, own_del);
        }
        keep
    })
    .unwrap_or(false)
}

/// RustPython's `del` slot, reached when [`stack_runs_short`] said so: keeps the object
/// (which resurrects it, and stops its deallocation) to be freed from higher up. Asked
/// again here: a type made later that inherited the slot has no `del_needed` to ask first.
/// (Without the thread's queue, the thread ending, it is freed here.)
fn keep_for_later(zelf: &PyObject, _vm: &VirtualMachine) -> PyResult<()> {
    keep_if_short(zelf, None);
    Ok(())
}

/// Whether `del` is one of the slots given here (a type made after its base was hooked
/// inherits it).
fn is_ours(del: Del) -> bool {
    let del = del as usize;
    del == keep_for_later as Del as usize || del == del_or_keep as Del as usize
}

/// Frees a kept object, after running the `del` of its own it still had to run.
fn free((object, own_del): KeptObject) {
    if let Some(own_del) = own_del {
        rustpython_vm::vm::thread::with_vm(&object, |vm| {
            if let Err(e) = own_del(&object, vm) {
                vm.run_unraisable(e, None, object.clone());
            }
        });
    }
    drop(object);
}

/// Frees what this thread kept, from here: at the end of an entry into a runtime, where
/// the stack is as shallow as the host's call.
pub(crate) fn free_kept() {
    let _ = KEPT.try_with(|kept| {
        if let Some(left) = kept.stack_left() {
            kept.free_from(left);
        }
    });
}
