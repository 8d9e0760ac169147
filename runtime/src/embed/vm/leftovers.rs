//! What a finalized interpreter would leave behind for good: its classes with `__slots__`,
//! the values its context variables cached, and a dead weak reference for each of its
//! classes in the shared types they derive from.
//!
//! RustPython 0.6's `member_descriptor` (what `__slots__ = ('x',)` puts in the class) holds
//! its class but is not known to the cycle collector, which therefore sees the class as held
//! from outside: the class, its methods and all they reach (their module's functions, the
//! module, its `__spec__`, ...) are never collected. The standard library defines such
//! classes at import (functools, operator, collections, weakref, collections.abc: about 1,300
//! objects and 2 MiB per interpreter), so every runtime a host made and dropped stayed in
//! memory, and every later full collection walked it again. CPython's collector sees the
//! descriptor's reference. Once the interpreter is finalized nothing can use its classes,
//! so the namespaces of those that hold member descriptors are emptied: what is left of them
//! is ordinary garbage, which the next full collection (the next runtime's finalization at
//! the latest) frees.
//!
//! A `ContextVar` caches the value it last gave, and the collector does not see that either
//! (CPython's does): `decimal`'s context, cached by `decimal.getcontext()`, kept `_pydecimal`
//! and all it reaches (1,260 objects). Before finalization each context variable is set in a
//! new, empty context of its own, which leaves its value where it is and caches None instead.
//!
//! The thread that finalizes keeps the interpreter's thread slot in a thread-local table,
//! and with it a registration in RustPython's process-wide table of threads that every
//! deferred free walks: the same thread making runtime after runtime made each free slower
//! than the last. Once no interpreter is running on the thread, its cached slots are dropped
//! (the next runtime to run on it makes its own again); the other threads that hold one (its
//! home, when it is dropped elsewhere, and threads that visited it) drop theirs the next time
//! they enter a runtime.
//!
//! And a class is listed in each base's `__subclasses__` by a weak reference that RustPython
//! takes out only when `__subclasses__()` is called: `object`, `Exception` and the other
//! built-in types, which every interpreter shares, gained one dead entry per class of every
//! runtime dropped. The shared bases of the interpreter's classes are swept once it is
//! finalized (the entries of the classes that the collection has not freed yet go at the
//! next sweep).

use parking_lot::Mutex;
use rustpython_vm::builtins::{PyMemberDescriptor, PyType, PyTypeRef, PyWeak};
use rustpython_vm::vm::thread;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyRef, VirtualMachine};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;

/// What is done before finalization and after it: the interpreter's own classes, watched
/// through weak references (which keep nothing alive through finalization), and the shared
/// types they derive from.
pub(crate) struct Leftovers {
    classes: Vec<PyRef<PyWeak>>,
    shared_bases: Vec<PyTypeRef>,
}

impl Leftovers {
    /// Before finalization: watches every class `vm`'s interpreter made, and uncaches its
    /// context variables' values.
    pub(crate) fn prepare(vm: &VirtualMachine) -> Self {
        let interpreter = vm.state.interpreter_id;
        let context_var = loaded_class(vm, "_contextvars", "ContextVar");
        let context = loaded_class(vm, "_contextvars", "Context");
        let mut classes = Vec::new();
        let mut shared_bases: Vec<PyTypeRef> = Vec::new();
        for obj in vm.state.gc.get_objects(None) {
            if let (Some(var), Some(context)) = (&context_var, &context)
                && obj.class().is(var)
            {
                uncache(&obj, context, vm);
                continue;
            }
            let Some(class) = obj.downcast_ref::<PyType>() else {
                continue;
            };
            if !made_by(class, interpreter) {
                continue;
            }
            for base in class.bases.read().iter() {
                let seen = shared_bases.iter().any(|b| b.is(base));
                if !made_by(base, interpreter) && !seen {
                    shared_bases.push(base.clone());
                }
            }
            if let Ok(weak) = obj.downgrade(None, vm) {
                classes.push(weak);
            }
        }
        Leftovers {
            classes,
            shared_bases,
        }
    }

    /// After finalization: frees the member descriptors of the classes still alive, and takes
    /// the dead entries out of the shared bases' subclass lists.
    pub(crate) fn release(self) {
        for weak in self.classes {
            if let Some(class) = weak.upgrade() {
                class.downcast_ref::<PyType>().map(free_member_descriptors);
            }
        }
        for base in self.shared_bases {
            base.subclasses
                .write()
                .retain(|weak| weak.upgrade().is_some());
        }
        drop_slots_here();
    }
}

/// After finalization: `threads`, other than this one, cache a slot of the interpreter (its
/// home, threads that visited it) and drop it the next time they enter a runtime.
pub(crate) fn stale_slots_on(threads: impl IntoIterator<Item = ThreadId>) {
    let here = std::thread::current().id();
    let mut stale = STALE_SLOTS.lock();
    for thread in threads {
        if thread != here && !stale.contains(&thread) {
            stale.push(thread);
        }
    }
    ANY_STALE_SLOTS.store(!stale.is_empty(), Ordering::Release);
}

/// Threads that cache the slot of an interpreter finalized on another thread.
static STALE_SLOTS: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());
static ANY_STALE_SLOTS: AtomicBool = AtomicBool::new(false);

/// Before a runtime is entered on this thread: drops the slots it caches of interpreters
/// finalized elsewhere (one atomic load when there are none anywhere).
pub(crate) fn drop_stale_slots() {
    if !ANY_STALE_SLOTS.load(Ordering::Acquire) {
        return;
    }
    let here = std::thread::current().id();
    if STALE_SLOTS.lock().contains(&here) {
        drop_slots_here();
    }
}

/// Drops every interpreter slot this thread caches, when no interpreter runs on it (the
/// live runtimes' are made again as they are next entered).
fn drop_slots_here() {
    if thread::current_vm_is_set() {
        return;
    }
    thread::purge_other_interpreter_slots_after_fork(NO_INTERPRETER);
    let here = std::thread::current().id();
    let mut stale = STALE_SLOTS.lock();
    stale.retain(|t| *t != here);
    ANY_STALE_SLOTS.store(!stale.is_empty(), Ordering::Release);
}

/// No interpreter has this id: RustPython numbers them from 0.
const NO_INTERPRETER: i64 = i64::MIN;

/// `module.name`, when the interpreter has imported `module`.
fn loaded_class(vm: &VirtualMachine, module: &str, name: &'static str) -> Option<PyObjectRef> {
    let modules = vm.sys_module.get_attr("modules", vm).ok()?;
    modules.get_item(module, vm).ok()?.get_attr(name, vm).ok()
}

/// Makes the context variable `var` cache None: `contextvars.Context().run(var.set, None)`.
/// Nothing is lost if it fails: the value stays cached, as RustPython leaves it.
fn uncache(var: &PyObject, context: &PyObject, vm: &VirtualMachine) {
    let _ = context.call((), vm).and_then(|fresh| {
        let set = var.get_attr("set", vm)?;
        vm.call_method(&fresh, "run", (set, vm.ctx.none()))
    });
}

/// Whether `class` was made by the interpreter `interpreter`.
fn made_by(class: &Py<PyType>, interpreter: i64) -> bool {
    class
        .heaptype_ext
        .as_ref()
        .is_some_and(|ext| ext.interpreter_id == Some(interpreter))
}

/// Empties the namespace of a class that holds member descriptors. Emptied whole: taking
/// single entries out of a dict needs a VM, and there is none after finalization. Not when
/// its instances have a `__del__`: an instance freed later, with another interpreter's VM on
/// the thread, would look for it, and RustPython panics when it is gone (such a class is
/// left as RustPython leaves it).
fn free_member_descriptors(class: &Py<PyType>) {
    let Some(namespace) = class.attributes.as_dict() else {
        return;
    };
    let has_members = namespace
        .into_iter()
        .any(|(_, value)| value.downcast_ref::<PyMemberDescriptor>().is_some());
    // A class whose `__del__` is deep_free's hook runs none of its own.
    if has_members && !super::deep_free::runs_a_del(class) {
        // RustPython's method cache lends the namespace's values to every thread without
        // a reference (`set_attr` drops the class's entries first, as here). Cleared without
        // that, the entries outlived the values: a lookup on another runtime's thread took a
        // reference to freed memory, and lookups of unrelated types failed at random
        // ('RLock' without __exit__, 'sys.flags' without verbose, a __del__ slot without its
        // __del__), about one run in four of the lifecycle test under load.
        class.modified();
        namespace.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::free_member_descriptors;
    use rustpython_vm::builtins::PyType;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_cleared_namespace_leaves_no_method_cache_entries() {
        let rt = crate::Runtime::new().unwrap();
        rt.run("class Slotted:\n    __slots__ = ('x',)\n    def f(self):\n        return 1\nSlotted().f()")
            .unwrap();
        let class = rt.eval::<crate::Object>("Slotted").unwrap();
        class
            .with_raw(|obj, _| {
                let class = obj.downcast_ref::<PyType>().expect("a class");
                let version = class.tp_version_tag.load(Ordering::Acquire);
                assert_ne!(version, 0, "the method lookup cached under a version");
                free_member_descriptors(class);
                // A new version (0: none yet) is what retires the cache's entries.
                assert_eq!(class.tp_version_tag.load(Ordering::Acquire), 0);
                Ok(())
            })
            .unwrap();
    }
}
