//! `types.FunctionType(code, globals, name=None, ...)`: CPython takes None for the name (the
//! code's name is used) as it does for the defaults and the closure; RustPython refused it
//! ("arg 3 (name) must be None or string"). cloudpickle rebuilds every function it pickles
//! by value that way, so no such function loaded. Corrected: a name of None is left out. And
//! the new function's `__qualname__` is the code's `co_qualname`, as in CPython, where
//! RustPython made it the name (a method's code rebuilt as a function lost its class's
//! name from `__qualname__`, which pickling by reference reads).

use rustpython_vm::builtins::PyTypeRef;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's `new` slot.
type New = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// The function type's own `new` slot, wrapped by [`new`].
static OWN: OnceLock<New> = OnceLock::new();

/// Wraps the function type's `new` slot (once per process: the type is shared).
pub(super) fn correct(vm: &VirtualMachine) {
    let slot = &vm.ctx.types.function_type.slots.new;
    if let Some(own) = slot.load()
        && OWN.set(own).is_ok()
    {
        slot.store(Some(new));
    }
}

fn new(cls: PyTypeRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let own = *OWN.get().expect("kept before the slot was replaced");
    if args.kwargs.get("name").is_some_and(|name| vm.is_none(name)) {
        args.kwargs.swap_remove("name");
    }
    if args.args.get(2).is_some_and(|name| vm.is_none(name)) {
        // The name is positional here, and the defaults or closure may follow it: the code's
        // own name stands in, which is what CPython uses.
        let code = args.args[0].clone();
        args.args[2] = code.get_attr("co_name", vm)?;
    }
    let code = args.args.first().cloned();
    let made = own(cls, args, vm)?;
    if let Some(code) = code {
        made.set_attr("__qualname__", code.get_attr("co_qualname", vm)?, vm)?;
    }
    Ok(made)
}
