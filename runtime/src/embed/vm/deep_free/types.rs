//! Which types get the hook: the built-in ones when the first runtime is built, native
//! modules' as they are imported, classes without `__dict__` as they are made.

use super::hook_entry::{DeallocationHook, found_del};
use super::{DEL, Del, is_ours, keep_for_later, stack_runs_short, wrap_own_del};
use rustpython_vm::AsObject;
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

/// Hooks the types, the first time a runtime is built. The types are the process's.
pub(crate) fn install(vm: &VirtualMachine) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        DEL.set(vm.ctx.intern_str("__del__"))
            .expect("set only here");
        let types = &vm.ctx.types;
        // The native modules whose types hold objects, made so that their types exist.
        for name in MODULES {
            let _ = crate::embed::vm::native_modules::made_module(vm, name);
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
/// Only its slots change here; its `__del__` entry comes when it is first needed
/// ([`give_entry`]).
fn new_class(metatype: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let own = *TYPE_NEW.get().expect("kept before the slot was replaced");
    let made = own(metatype, args, vm)?;
    let Some(class) = made.downcast_ref::<PyType>() else {
        return Ok(made);
    };
    let del = class.slots.del.load();
    let inherited = del.is_some_and(|del| del as usize == keep_for_later as Del as usize);
    if inherited
        || class.heaptype_ext.is_some()
            && !class.slots.flags.has_feature(PyTypeFlags::HAS_DICT)
            && del.is_none()
    {
        // A subclass inherits the slot but not its check, and must not call the slot
        // unasked: there is no `__del__` entry for RustPython's call to find.
        class.slots.del_needed.store(Some(stack_runs_short));
        class.slots.del.store(Some(keep_for_later));
    }
    Ok(made)
}

/// Whether freeing an instance of `class` runs a `__del__` of its own: one defined in
/// Python, not the hook (leftovers.rs empties the namespaces of classes that run none).
pub(crate) fn runs_a_del(class: &Py<PyType>) -> bool {
    match class.slots.del.load() {
        None => false,
        // The hook as the slot itself (a class with `__slots__`), with no `__del__` to find.
        Some(del) if del as usize == keep_for_later as Del as usize => false,
        Some(_) => found_del(class) != Some(true),
    }
}

/// Gives `typ` the hook, unless it has a `__del__` of its own.
fn hook(typ: &Py<PyType>, vm: &VirtualMachine) {
    if typ.is(&DeallocationHook::make_static_type()) {
        return;
    }
    if let Some(own) = typ.slots.del.load() {
        if is_ours(own) {
            // Inherited from a hooked base: the check comes with it, not by inheritance.
            if own as usize == keep_for_later as Del as usize {
                typ.slots.del_needed.store(Some(stack_runs_short));
            }
        } else if typ.heaptype_ext.is_none() {
            wrap_own_del(typ, own);
        }
        return;
    }
    let del = *DEL.get().expect("set at install");
    typ.set_attr(del, hook_entry(vm));
    typ.slots.del_needed.store(Some(stack_runs_short));
    typ.slots.del.store(Some(keep_for_later));
}

/// The one `__del__` entry every hooked type holds (made by the first runtime: the types
/// are the process's).
static HOOK: OnceLock<PyObjectRef> = OnceLock::new();

fn hook_entry(vm: &VirtualMachine) -> PyObjectRef {
    HOOK.get_or_init(|| {
        let hook = DeallocationHook.into_ref_with_type(vm, DeallocationHook::make_static_type());
        hook.expect("a new object").into()
    })
    .clone()
}

/// Gives a class hooked by [`new_class`] its `__del__` entry, the first time one of its
/// objects is kept: RustPython's call of the slot looks `__del__` up, and fails without it.
/// Put there only then, so that a class with `__slots__` pickled by value (cloudpickle
/// pickles the class's `__dict__`) does not carry it, unless a deep chain of its objects was
/// freed.
pub(super) fn give_entry(class: &Py<PyType>) {
    let del = *DEL.get().expect("set at install");
    if class.get_direct_attr(del).is_none()
        && let Some(hook) = HOOK.get()
    {
        class.set_attr(del, hook.clone());
    }
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
