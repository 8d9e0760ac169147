//! Freeing deeply nested data on any thread, whatever its stack.
//!
//! RustPython frees a container by freeing what it holds, one native call per level, with
//! a CPython-style trashcan that puts off the levels past 50 to a queue. But the queue is
//! emptied from inside the deallocation that ends each put-off batch, so every 50 levels
//! still add a native step: freeing 100,000 nested lists overflowed a 256 KiB thread, a
//! million a 2 MiB one, and the host died with the script. (CPython empties its trashcan
//! from the outermost level only.)
//!
//! Here the containers a script nests (list, tuple, dict, set, frozenset, the iterators
//! that wrap an iterator, bound methods, tracebacks and the exceptions) get a deallocation
//! hook, RustPython's `del` slot, which its `del_needed` check keeps from running (and from
//! costing more than a look at the stack pointer) until the thread's stack runs short.
//! There the object is kept alive on a queue of this thread's instead of freed, and the
//! deallocation stops. The queue is emptied at the next of these objects freed where a
//! script can run, and at the end of each entry into a runtime. Each emptying frees until
//! the stack runs short again below where it began, so every object is freed, in bounded
//! native stack, and soon: CPython frees a deep structure before the statement that let it
//! go ends; here the last levels may be freed at the next such object freed.
//!
//! Generators, coroutines and async generators have a `del` of their own, which closes
//! one still suspended and so frees its frame's locals from inside `del`, before the
//! trashcan: a chain of 200,000 unstarted generators each iterating the next overflowed
//! a 256 KiB thread, of a million the main thread. Their `del` is wrapped: with the stack
//! short the object is kept, and its own `del` runs when it is freed from higher up.
//!
//! The slot needs a `__del__` in the type's namespace: it is a [`DeallocationHook`], which
//! answers every lookup as CPython's types do, with AttributeError (`hasattr([],
//! '__del__')` is False); it shows only in `dir(list)` and `list.__dict__`. A subclass made
//! in Python reaches it through RustPython's generic `__del__` slot; the first time it
//! does, the subclass gets the same stack check, unless a class in its MRO defines
//! `__del__`, which then always runs.

use crate::per_interpreter;
use parking_lot::RwLock;
use rustpython_vm::AsObject;
use rustpython_vm::builtins::{PyList, PyStr, PyStrInterned, PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Callable, GetDescriptor, PyTypeFlags};
use rustpython_vm::{Py, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};
use std::cell::{Cell, RefCell};
use std::sync::{Once, OnceLock};

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
    // A type made after its base was wrapped has the wrapper already, inherited.
    if own as usize == del_or_keep as Del as usize {
        return;
    }
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

/// Hooks the types, the first time a runtime is built. The types are the process's.
pub(crate) fn install(vm: &VirtualMachine) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        DEL.set(vm.ctx.intern_str("__del__"))
            .expect("set only here");
        let types = &vm.ctx.types;
        // The native modules whose types hold objects, made so that their types exist.
        for name in MODULES {
            let _ = super::iterator_depth::made_module(vm, name);
        }
        let skipped = unhooked(vm);
        hook_with_subclasses(types.object_type, &skipped, vm);
        let new = &types.type_type.slots.new;
        if let Some(own) = new.load()
            && TYPE_NEW.set(own).is_ok()
        {
            new.store(Some(new_class));
        }
    });
}

/// RustPython's `new` slot.
type New = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// `type`'s own `new` slot, wrapped by [`new_class`].
static TYPE_NEW: OnceLock<New> = OnceLock::new();

/// Makes a class, as `type(name, bases, namespace)` and a `class` statement do; a class
/// whose instances have no `__dict__` (all `__slots__`) and no `__del__` gets the hook:
/// instances holding each other through their slots pass no hooked container on the way.
/// (Its `__del__` entry shows in its `__dict__`; `dir()` leaves it out, see [`dir`].)
fn new_class(metatype: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let own = *TYPE_NEW.get().expect("kept before the slot was replaced");
    let made = own(metatype, args, vm)?;
    if let Some(class) = made.downcast_ref::<PyType>()
        && class.heaptype_ext.is_some()
        && !class.slots.flags.has_feature(PyTypeFlags::HAS_DICT)
        && class.slots.del.load().is_none()
    {
        hook(class, vm);
    }
    Ok(made)
}

/// Whether freeing an instance of `class` runs a `__del__` of its own: one defined in
/// Python, not the hook (leftovers.rs empties the namespaces of classes that run none).
pub(crate) fn runs_a_del(class: &Py<PyType>) -> bool {
    class.slots.del.load().is_some() && found_del(class) != Some(true)
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

/// Gives `typ` the hook, unless it has a `__del__` of its own.
fn hook(typ: &Py<PyType>, vm: &VirtualMachine) {
    if typ.is(&DeallocationHook::make_static_type()) {
        return;
    }
    if let Some(own) = typ.slots.del.load() {
        if typ.heaptype_ext.is_none() {
            wrap_own_del(typ, own);
        }
        return;
    }
    let hook = DeallocationHook.into_ref_with_type(vm, DeallocationHook::make_static_type());
    let del = *DEL.get().expect("set at install");
    typ.set_attr(del, hook.expect("a new object").into());
    typ.slots.del_needed.store(Some(stack_runs_short));
    typ.slots.del.store(Some(keep_for_later));
}

/// The native modules whose types can hold objects, beside the built-in ones: made at once,
/// their types are hooked even where a script imports them later (`_elementtree`'s
/// `Element`, which `xml.etree.ElementTree` uses, makes trees as deep as the XML).
const MODULES: [&str; 9] = [
    "_collections",
    "itertools",
    "_functools",
    "_operator",
    "_elementtree",
    "_queue",
    "_contextvars",
    "_csv",
    "_json",
];

/// The built-in types left as they are: `object` and `type`, which every class reaches
/// (`__del__` there would reach every class made in Python); the types that hold no
/// objects, whose freeing cannot recurse and which are freed most often; frames, code and
/// modules, which RustPython frees by rules of their own; and weak references, which hold
/// nothing strongly but a callback.
fn unhooked(vm: &VirtualMachine) -> Vec<&'static Py<PyType>> {
    let types = &vm.ctx.types;
    vec![
        types.object_type,
        types.type_type,
        types.int_type,
        types.bool_type,
        types.float_type,
        types.complex_type,
        types.str_type,
        types.bytes_type,
        types.bytearray_type,
        types.none_type,
        types.not_implemented_type,
        types.ellipsis_type,
        types.range_type,
        types.range_iterator_type,
        types.frame_type,
        types.code_type,
        types.module_type,
        types.weakref_type,
        types.weakproxy_type,
        types.weakcallableproxy_type,
    ]
}

/// Hooks `typ` and the built-in types below it, all but `skipped`: each built-in type has
/// its own slots, copied from its base when it was made.
fn hook_with_subclasses(typ: &Py<PyType>, skipped: &[&'static Py<PyType>], vm: &VirtualMachine) {
    if !skipped.iter().any(|skip| skip.is(typ)) {
        hook(typ, vm);
    }
    let subclasses: Vec<PyObjectRef> = typ
        .subclasses
        .read()
        .iter()
        .filter_map(|weak| weak.upgrade())
        .collect();
    for sub in subclasses {
        if let Some(sub) = sub.downcast_ref::<PyType>()
            && sub.heaptype_ext.is_none()
        {
            hook_with_subclasses(sub, skipped, vm);
        }
    }
}

/// RustPython's `del_needed`: whether the object must be kept rather than freed now.
/// Where a script can run, objects kept earlier are freed first.
fn stack_runs_short(zelf: &PyObject) -> bool {
    let class = zelf.class();
    if class.heaptype_ext.is_some() {
        match found_del(class) {
            // A `__del__` of a class's own, defined then or later, always runs.
            Some(false) => return true,
            // None to call (the collector cleared a dying class's namespace first):
            // RustPython's call of the slot would not find it.
            None => return false,
            Some(true) => {}
        }
    }
    KEPT.try_with(|kept| {
        let Some(left) = kept.stack_left() else {
            return false;
        };
        kept.free_from(left);
        kept.must_keep(left)
    })
    .unwrap_or(false)
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
/// (which resurrects it, and stops its deallocation) to be freed from higher up. (Without
/// the thread's queue, the thread ending, it is freed here.)
fn keep_for_later(zelf: &PyObject, _vm: &VirtualMachine) -> PyResult<()> {
    let _ = KEPT.try_with(|kept| kept.keep(zelf, None));
    Ok(())
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

/// The `__del__` the hooked types hold, which RustPython's deallocation needs to find.
/// To a script it is not there: looked up, it raises AttributeError, as on CPython.
#[pyclass(module = false, name = "deallocation_hook")]
#[derive(Debug, PyPayload)]
struct DeallocationHook;

#[pyclass(with(GetDescriptor, Callable), flags(METHOD_DESCRIPTOR))]
impl DeallocationHook {}

impl GetDescriptor for DeallocationHook {
    fn descr_get(
        _zelf: &PyObject,
        obj: Option<&PyObject>,
        cls: Option<&PyObject>,
        vm: &VirtualMachine,
    ) -> PyResult {
        match (obj, cls) {
            (Some(obj), _) if !vm.is_none(obj) => Err(no_del(obj, vm)),
            (_, Some(cls)) => Err(vm.new_attribute_error(format!(
                "type object '{}' has no attribute '__del__'",
                cls.downcast_ref::<PyType>()
                    .map_or_else(|| cls.class().name().to_string(), |t| t.name().to_string())
            ))),
            _ => Err(vm.new_attribute_error("'NoneType' object has no attribute '__del__'")),
        }
    }
}

impl Callable for DeallocationHook {
    type Args = FuncArgs;

    /// Called by RustPython's generic `__del__` slot of a subclass made in Python, with the
    /// object being finalized; called by a script (`x.__del__()` takes this path without
    /// `__get__`), it is AttributeError.
    fn call(_zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let Some(obj) = args.args.first() else {
            return Err(vm.new_type_error("expected an object"));
        };
        if !obj.gc_finalized() || args.args.len() != 1 {
            return Err(no_del(obj, vm));
        }
        let class = obj.class();
        if class.slots.del_needed.load().is_none() {
            class.slots.del_needed.store(Some(stack_runs_short));
        }
        keep_if_short(obj, None);
        Ok(vm.ctx.none())
    }
}

fn no_del(obj: &PyObject, vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_attribute_error(format!(
        "'{}' object has no attribute '__del__'",
        obj.class().name()
    ))
}

/// Wraps `_imp.create_builtin` of a runtime, which makes a native module when a script
/// first imports it, so that the module's types that hold objects are hooked then
/// (`_asyncio`'s futures, `_sqlite3`'s rows and the rest made after the first runtime).
pub(crate) fn hook_native_imports(vm: &VirtualMachine) -> PyResult<()> {
    let imp = vm.import("_imp", 0)?;
    let Some(current) = vm.get_attribute_opt(&imp, "create_builtin")? else {
        return Ok(());
    };
    // The native `_imp` module is made once and shared: the first runtime finds the
    // original, the later ones find the wrapper and keep that one.
    CREATE_BUILTIN.get_or_init(|| current);
    let wrapper: PyObjectRef = vm.new_function("create_builtin", create_builtin).into();
    wrapper.set_attr("__module__", vm.ctx.new_str("_imp"), vm)?;
    imp.set_attr("create_builtin", wrapper, vm)
}

/// RustPython's own `_imp.create_builtin`.
static CREATE_BUILTIN: OnceLock<PyObjectRef> = OnceLock::new();

/// `_imp.create_builtin`, then the new module's types hooked.
fn create_builtin(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let original = CREATE_BUILTIN
        .get()
        .expect("kept before the wrapper was made");
    let module = original.call(args, vm)?;
    if let Some(namespace) = module.dict() {
        let skipped = unhooked(vm);
        for (_, value) in &namespace {
            if let Some(class) = value.downcast_ref::<PyType>()
                && class.heaptype_ext.is_none()
                && !skipped.iter().any(|skip| skip.is(class))
            {
                hook(class, vm);
            }
        }
    }
    Ok(module)
}

/// Wraps `builtins.dir` of a runtime so that the hook's `__del__` is not listed: for a
/// type, or an object of a type, whose `__del__` is the hook.
pub(crate) fn hide_from_dir(vm: &VirtualMachine) -> PyResult<()> {
    let builtins = vm.builtins.as_object();
    let Some(original) = vm.get_attribute_opt(builtins, "dir")? else {
        return Ok(());
    };
    per_interpreter::keep(vm, DIR, original);
    let wrapper: PyObjectRef = vm.new_function("dir", dir).into();
    wrapper.set_attr("__module__", vm.ctx.new_str("builtins"), vm)?;
    builtins.set_attr("dir", wrapper, vm)
}

/// Where the original `dir` is kept (per_interpreter.rs).
const DIR: &str = "builtins.dir";

/// `dir`, without the hook's `__del__`.
fn dir(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let target = args.args.first().cloned();
    let listing = per_interpreter::original(vm, DIR)?.call(args, vm)?;
    let Some(target) = target else {
        return Ok(listing);
    };
    let class = match target.downcast_ref::<PyType>() {
        Some(class) => class,
        None => target.class(),
    };
    if del_is_the_hook_in_mro(class)
        && let Some(names) = listing.downcast_ref::<PyList>()
    {
        names.borrow_vec_mut().retain(|name| {
            name.downcast_ref::<PyStr>()
                .is_none_or(|n| n.as_bytes() != b"__del__")
        });
    }
    Ok(listing)
}

/// Whether `class` resolves `__del__` to the hook.
fn del_is_the_hook_in_mro(class: &Py<PyType>) -> bool {
    found_del(class) == Some(true)
}

/// Whether the `__del__` `class` resolves is the hook; `None` when it has none.
fn found_del(class: &Py<PyType>) -> Option<bool> {
    let del = *DEL.get().expect("set at install");
    let found = class.get_attr(del)?;
    Some(found.downcast_ref::<DeallocationHook>().is_some())
}
