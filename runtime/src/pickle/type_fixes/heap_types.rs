//! C types that CPython builds as heap types (module state, PEP 687), with no constructor and
//! no reduction of their own: `re.Match`, `_hashlib.HASH`, `functools.KeyWrapper`, csv's readers
//! and writers, `select.poll`.
//!
//! Below protocol 2, `object.__reduce_ex__` hands them to `copyreg._reduce_ex`, which looks
//! through the MRO for the first non-heap class as the base to copy. In CPython that is
//! `object`, so it reduces to `copyreg._reconstructor(cls, object, None)`: the pickler then
//! writes it (`re.Match`, `_hashlib.HASH`: a pickle that loads in neither, refused by
//! `object.__new__`) or fails to find the class by name (`functools.KeyWrapper`, `_csv.reader`:
//! PicklingError). RustPython's native types are static, so copyreg stopped at the type itself
//! and raised TypeError ("cannot pickle 'Match' object"). Each type gets a `__reduce_ex__` that
//! reduces below protocol 2 as copyreg does for CPython's heap type, and from protocol 2 refuses
//! them as CPython's `reduce_newobj` does for a type without a constructor.
//!
//! Loading such a pickle calls `object.__new__(cls)`, which CPython refuses as "not safe" (the
//! type's constructor is not object's). RustPython checks first that the type cannot be
//! instantiated at all and says "cannot create 're.Match' instances"; so a type RustPython marks
//! so gets a constructor that refuses with that message instead of the mark, and
//! `object.__new__` finds it is not object's, as CPython's does.
//!
//! Left out: `_sre.SRE_Scanner`, `zlib.Compress` and `zlib.Decompress`, which RustPython's
//! modules name where CPython's do not. Reduced the same way, they would be written as a pickle
//! that loads nowhere where CPython raises PicklingError; refused, they raise TypeError.
//!
//! The types are not marked heap types instead: RustPython reads `__module__`, `__doc__` and
//! the type's name differently for heap types, which would change more than the reduction.

use rustpython_vm::builtins::{PyModule, PyType, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Once;

/// How a module's heap types are found once it is made: some are attributes, others only
/// the types of what a function returns.
type Find = fn(&VirtualMachine, &Py<PyModule>) -> PyResult<Vec<PyObjectRef>>;

/// The corrected types, by module, each module's once (its types are the process's).
static TYPES: [(&str, Find, Once); 5] = [
    ("_sre", |vm, m| attrs(vm, m, &["Match"]), Once::new()),
    (
        "_hashlib",
        |vm, m| attrs(vm, m, &["HASH", "HASHXOF", "HMAC"]),
        Once::new(),
    ),
    ("_functools", functools_types, Once::new()),
    ("_csv", csv_types, Once::new()),
    (
        "select",
        |vm, m| Ok(vec![call(vm, m, "poll", ())?]),
        Once::new(),
    ),
];

/// Gives the module's heap types CPython's reduction below protocol 2.
pub(super) fn correct(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let Some(name) = module.name.map(|name| name.as_str()) else {
        return Ok(());
    };
    let Some((_, find, once)) = TYPES.iter().find(|(module, _, _)| *module == name) else {
        return Ok(());
    };
    if once.is_completed() {
        return Ok(());
    }
    let mut classes = Vec::new();
    for found in find(vm, module)? {
        classes.push(found.try_into_value::<PyTypeRef>(vm)?);
    }
    once.call_once(|| {
        for class in classes {
            refuse_in_constructor(&class);
            super::methods::set_method(vm, super::methods::leak(class), "__reduce_ex__", reduce_ex);
        }
    });
    Ok(())
}

/// Moves RustPython's "cannot be instantiated" mark into a constructor that refuses.
fn refuse_in_constructor(class: &Py<PyType>) {
    let disallow = PyTypeFlags::from_slice(&[PyTypeFlags::DISALLOW_INSTANTIATION]);
    if class
        .slots
        .flags
        .has_feature(PyTypeFlags::DISALLOW_INSTANTIATION)
    {
        class.slots.new.store(Some(refuse_new));
        class.slots.flags.remove_masked(disallow);
    }
}

/// CPython's `type_call` for a type without `tp_new`.
fn refuse_new(cls: PyTypeRef, _args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let name = cls.slot_name().to_string();
    Err(vm.new_type_error(format!("cannot create '{name}' instances")))
}

fn attrs(
    vm: &VirtualMachine,
    module: &Py<PyModule>,
    names: &[&'static str],
) -> PyResult<Vec<PyObjectRef>> {
    names
        .iter()
        .map(|name| module.as_object().get_attr(*name, vm))
        .collect()
}

/// The type of what `module.function(*args)` returns.
fn call(
    vm: &VirtualMachine,
    module: &Py<PyModule>,
    function: &'static str,
    args: impl rustpython_vm::function::IntoFuncArgs,
) -> PyResult<PyObjectRef> {
    let made = module.as_object().get_attr(function, vm)?.call(args, vm)?;
    Ok(made.class().to_owned().into())
}

fn functools_types(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<Vec<PyObjectRef>> {
    Ok(vec![call(vm, module, "cmp_to_key", (vm.ctx.none(),))?])
}

fn csv_types(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<Vec<PyObjectRef>> {
    // A writer takes anything callable as its file's write.
    let write = module.as_object().get_attr("reader", vm)?;
    Ok(vec![
        call(vm, module, "reader", (vm.ctx.new_list(Vec::new()),))?,
        call(vm, module, "writer", (write,))?,
    ])
}

/// copyreg's reduction of a heap type whose first non-heap base is `object`, below protocol 2;
/// from protocol 2, CPython's refusal of a type with no constructor, naming it by its `tp_name`.
fn reduce_ex(zelf: PyObjectRef, protocol: isize, vm: &VirtualMachine) -> PyResult {
    if protocol >= 2 {
        let name = zelf.class().slot_name().to_string();
        return Err(vm.new_type_error(format!("cannot pickle '{name}' object")));
    }
    let object = vm.ctx.types.object_type;
    let reconstructor = vm.import("copyreg", 0)?.get_attr("_reconstructor", vm)?;
    let args = vm.new_tuple((zelf.class().to_owned(), object.to_owned(), vm.ctx.none()));
    Ok(vm.new_tuple((reconstructor, args)).into())
}
