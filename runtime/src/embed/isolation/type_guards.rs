//! Guards on the built-in types that reach outside the VM or past its safety: `_io.FileIO`
//! (every file `open` makes goes through it), `code` (a code object made from bytes runs
//! bytecode no compiler checked), and the locks of `_thread`, whose blocking `acquire` no
//! interrupt can stop (in an isolated runtime no other thread exists to release a held
//! lock, so waiting on one forever is refused, and waiting with a timeout sleeps it out).
//! The types are shared by every runtime of the process, so the guards are installed once
//! and ask, each time, whether the interpreter running them is isolated: there they refuse;
//! everywhere else they do exactly what they did.
//!
//! They guard the type's slots, which every instantiation goes through however the type was
//! reached (`open`, `io.FileIO`, a `__subclasses__()` walk, a subclass), and the class-dict
//! entries that call the original functions directly (`FileIO.__init__(f, path)`,
//! `code.replace`).

use super::refusal;
use super::registry::is_isolated;
use rustpython_common::static_cell::StaticCell;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::function::{FuncArgs, ItemDoc, PyMethodFlags};
use rustpython_vm::{Py, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

type InitSlot = fn(&PyObject, FuncArgs, &VirtualMachine) -> PyResult<()>;
type Guard = fn(PyObjectRef, FuncArgs, &VirtualMachine) -> PyResult;
/// A class-dict entry, where its original is kept, and what stands in front of it.
type GuardedMethod = (&'static str, &'static StaticCell<PyObjectRef>, Guard);
type NewSlot = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// The slots the guards stand in front of.
static FILEIO_INIT: OnceLock<InitSlot> = OnceLock::new();
static CODE_NEW: OnceLock<NewSlot> = OnceLock::new();

rustpython_common::static_cell! {
    /// The class-dict entries replaced, called for runtimes that are not isolated.
    static FILEIO_INIT_METHOD: PyObjectRef;
    static CODE_REPLACE: PyObjectRef;
    static CODE_DUNDER_REPLACE: PyObjectRef;
    static LOCK_ACQUIRE: PyObjectRef;
    static LOCK_ACQUIRE_LOCK: PyObjectRef;
    static LOCK_ENTER: PyObjectRef;
    static RLOCK_ACQUIRE: PyObjectRef;
    static RLOCK_ACQUIRE_LOCK: PyObjectRef;
    static RLOCK_ENTER: PyObjectRef;
}

/// Installs the guards (once per process).
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.get().is_some() {
        return Ok(());
    }
    let fileio: PyTypeRef = vm
        .import("_io", 0)?
        .get_attr("FileIO", vm)?
        .downcast()
        .map_err(|_| vm.new_type_error("_io.FileIO is not a type"))?;
    let fileio = PyRef::leak(fileio);
    guard_fileio(vm, fileio);
    guard_code(vm, vm.ctx.types.code_type);
    let thread = vm.import("_thread", 0)?;
    let locks: [(&str, [GuardedMethod; 3]); 2] = [
        (
            "LockType",
            [
                ("acquire", &LOCK_ACQUIRE, lock_acquire),
                ("acquire_lock", &LOCK_ACQUIRE_LOCK, lock_acquire_lock),
                ("__enter__", &LOCK_ENTER, lock_enter),
            ],
        ),
        (
            "RLock",
            [
                ("acquire", &RLOCK_ACQUIRE, rlock_acquire),
                ("acquire_lock", &RLOCK_ACQUIRE_LOCK, rlock_acquire_lock),
                ("__enter__", &RLOCK_ENTER, rlock_enter),
            ],
        ),
    ];
    for (name, methods) in locks {
        let cls: PyTypeRef = thread
            .get_attr(name, vm)?
            .downcast()
            .map_err(|_| vm.new_type_error(format!("_thread.{name} is not a type")))?;
        let cls = PyRef::leak(cls);
        for (method, original, guard) in methods {
            replace_method(vm, cls, method, original, guard);
        }
    }
    let _ = INSTALLED.set(());
    Ok(())
}

fn guard_fileio(vm: &VirtualMachine, fileio: &'static Py<PyType>) {
    if let Some(init) = fileio.slots.init.load() {
        let _ = FILEIO_INIT.set(init);
        fileio.slots.init.store(Some(fileio_init as InitSlot));
    }
    replace_method(
        vm,
        fileio,
        "__init__",
        &FILEIO_INIT_METHOD,
        fileio_init_method,
    );
}

fn guard_code(vm: &VirtualMachine, code: &'static Py<PyType>) {
    if let Some(new) = code.slots.new.load() {
        let _ = CODE_NEW.set(new);
        code.slots.new.store(Some(code_new as NewSlot));
    }
    replace_method(vm, code, "replace", &CODE_REPLACE, code_replace);
    replace_method(
        vm,
        code,
        "__replace__",
        &CODE_DUNDER_REPLACE,
        code_dunder_replace,
    );
}

/// Puts `guard` in `cls.__dict__[name]`, keeping what was there in `original`.
fn replace_method(
    vm: &VirtualMachine,
    cls: &'static Py<PyType>,
    name: &'static str,
    original: &'static StaticCell<PyObjectRef>,
    guard: Guard,
) {
    let interned = vm.ctx.intern_str(name);
    let Some(existing) = cls.attributes.get(interned) else {
        return;
    };
    if original.set(existing).is_err() {
        return;
    }
    let method = vm
        .ctx
        .new_method_def(name, guard, PyMethodFlags::METHOD, ItemDoc::NONE)
        .build_method(cls, vm);
    cls.set_attr(interned, method.into());
}

/// Calls the class-dict entry a guard replaced, with the guarded object first.
fn call_original(
    original: &'static StaticCell<PyObjectRef>,
    zelf: PyObjectRef,
    mut args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let original = original
        .get()
        .ok_or_else(|| vm.new_runtime_error("a guarded method lost its original"))?;
    args.args.insert(0, zelf);
    original.call(args, vm)
}

// The guards of the lock methods, which all acquire with the same arguments.
fn lock_acquire(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    acquire(&LOCK_ACQUIRE, &LOCK_ACQUIRE, zelf, args, vm)
}
fn lock_acquire_lock(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    acquire(&LOCK_ACQUIRE_LOCK, &LOCK_ACQUIRE, zelf, args, vm)
}
fn lock_enter(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    acquire(&LOCK_ENTER, &LOCK_ACQUIRE, zelf, args, vm)
}
fn rlock_acquire(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    acquire(&RLOCK_ACQUIRE, &RLOCK_ACQUIRE, zelf, args, vm)
}
fn rlock_acquire_lock(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    acquire(&RLOCK_ACQUIRE_LOCK, &RLOCK_ACQUIRE, zelf, args, vm)
}
fn rlock_enter(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    acquire(&RLOCK_ENTER, &RLOCK_ACQUIRE, zelf, args, vm)
}

/// `acquire(blocking=True, timeout=-1)` in an isolated runtime: taken at once if free;
/// if held, no other thread can release it, so a wait without a timeout is refused and a
/// wait with one sleeps it out (interruptibly) and fails. `original` is the method guarded,
/// `try_acquire` the type's own `acquire`, for the attempt that does not wait.
fn acquire(
    original: &'static StaticCell<PyObjectRef>,
    try_acquire: &'static StaticCell<PyObjectRef>,
    zelf: PyObjectRef,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    if !is_isolated(vm) {
        return call_original(original, zelf, args, vm);
    }
    let blocking = argument(&args, 0, "blocking")
        .map(|b| b.clone().is_true(vm))
        .transpose()?
        .unwrap_or(true);
    let timeout = argument(&args, 1, "timeout")
        .map(|t| t.try_float(vm).map(|f| f.to_f64()))
        .transpose()?
        .unwrap_or(-1.0);
    let at_once = FuncArgs::from(vec![vm.ctx.new_bool(false).into()]);
    let taken = call_original(try_acquire, zelf, at_once, vm)?;
    if taken.clone().is_true(vm)? || !blocking {
        // `__enter__` returns what `acquire` would.
        return Ok(taken);
    }
    if timeout < 0.0 {
        return Err(vm.new_runtime_error(
            "acquiring this lock would wait forever, as no other thread can release it: \
             this runtime is isolated",
        ));
    }
    vm.import("time", 0)?
        .get_attr("sleep", vm)?
        .call((timeout,), vm)?;
    Ok(vm.ctx.new_bool(false).into())
}

/// A call's argument by position or keyword.
fn argument<'a>(args: &'a FuncArgs, position: usize, name: &str) -> Option<&'a PyObjectRef> {
    args.args.get(position).or_else(|| args.kwargs.get(name))
}

fn fileio_init(zelf: &PyObject, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    if is_isolated(vm) {
        return Err(refusal(vm, "files cannot be opened"));
    }
    let init = FILEIO_INIT
        .get()
        .ok_or_else(|| vm.new_runtime_error("FileIO lost its initializer"))?;
    init(zelf, args, vm)
}

fn fileio_init_method(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "files cannot be opened"));
    }
    call_original(&FILEIO_INIT_METHOD, zelf, args, vm)
}

fn code_new(cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "code objects cannot be made from bytes"));
    }
    let new = CODE_NEW
        .get()
        .ok_or_else(|| vm.new_runtime_error("code lost its constructor"))?;
    new(cls, args, vm)
}

fn code_replace(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "code objects cannot be rewritten"));
    }
    call_original(&CODE_REPLACE, zelf, args, vm)
}

fn code_dunder_replace(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if is_isolated(vm) {
        return Err(refusal(vm, "code objects cannot be rewritten"));
    }
    call_original(&CODE_DUNDER_REPLACE, zelf, args, vm)
}
