//! The `__del__` entry the hooked types hold, and keeping it out of sight of scripts.

use super::{DEL, keep_if_short, stack_runs_short};
use crate::per_interpreter;
use rustpython_vm::AsObject;
use rustpython_vm::builtins::{PyList, PyStr, PyType};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Callable, GetDescriptor};
use rustpython_vm::{Py, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

/// The `__del__` the hooked types hold, which RustPython's deallocation needs to find.
/// To a script it is not there: looked up, it raises AttributeError, as on CPython.
#[pyclass(module = false, name = "deallocation_hook")]
#[derive(Debug, PyPayload)]
pub(super) struct DeallocationHook;

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
pub(super) fn found_del(class: &Py<PyType>) -> Option<bool> {
    let del = *DEL.get().expect("set at install");
    let found = class.get_attr(del)?;
    Some(found.downcast_ref::<DeallocationHook>().is_some())
}
