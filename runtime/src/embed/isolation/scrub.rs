//! What an isolated runtime's own modules lose once it has started: the functions that reach
//! outside the VM, each replaced by one that refuses. These are module objects of this
//! interpreter alone, and `_imp.create_builtin` hands out these very objects again (it would
//! otherwise make fresh ones with the originals), so the originals are reachable no more.

use super::refusing_function;
use crate::per_interpreter;
use rustpython_vm::builtins::PyDictRef;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// The functions refused, by module.
const REFUSED_FUNCTIONS: &[(&str, &[&str])] = &[
    ("builtins", &["input"]),
    (
        "_thread",
        &[
            "start_new_thread",
            "start_new",
            "start_joinable_thread",
            "interrupt_main",
        ],
    ),
    ("gc", &["get_objects", "get_referrers", "get_referents"]),
    ("marshal", &["load", "loads"]),
    ("time", &["tzset"]),
    (
        "sys",
        &[
            "settrace",
            "setprofile",
            "_settraceallthreads",
            "_setprofileallthreads",
            "remote_exec",
            // RustPython 0.6 hands out other threads' running frames, whose `f_back` and
            // `f_code` read their stacks as they change: a script sampling them crashed the
            // process (SIGSEGV), where CPython's lock makes it safe.
            "_current_frames",
        ],
    ),
    ("_imp", &["create_dynamic", "exec_dynamic"]),
];

/// Replaces the refused functions, in the modules that have them, and returns the modules,
/// which from now on are the only instances of their names.
pub(crate) fn refuse_functions(vm: &VirtualMachine) -> PyResult<Vec<(&'static str, PyObjectRef)>> {
    let mut modules = Vec::new();
    for (module_name, functions) in REFUSED_FUNCTIONS {
        let module = vm.import(*module_name, 0)?;
        for function in *functions {
            if module.get_attr(*function, vm).is_ok() {
                let refusing = refusing_function(vm, &format!("{module_name}.{function}"));
                module.set_attr(*function, refusing, vm)?;
            }
        }
        modules.push((*module_name, module));
    }
    Ok(modules)
}

/// `_imp.get_frozen_object` with frozen modules only: given bytes of its own, it would
/// make a code object of them.
pub(crate) fn frozen_objects_only(vm: &VirtualMachine) -> PyResult<()> {
    let imp = vm.import("_imp", 0)?;
    per_interpreter::keep(
        vm,
        GET_FROZEN_OBJECT,
        imp.get_attr("get_frozen_object", vm)?,
    );
    let guarded = vm.new_function("get_frozen_object", get_frozen_object);
    imp.set_attr("get_frozen_object", guarded, vm)
}

/// Where `_imp`'s own `get_frozen_object` is kept (per_interpreter.rs).
const GET_FROZEN_OBJECT: &str = "_imp.get_frozen_object";

fn get_frozen_object(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let data_given = args.args.len() > 1 || args.kwargs.contains_key("data");
    let data_is_none = args.args.get(1).is_none_or(|d| vm.is_none(d));
    if data_given && !data_is_none {
        return Err(super::refusal(vm, "code objects cannot be made from bytes"));
    }
    per_interpreter::original(vm, GET_FROZEN_OBJECT)?.call(args, vm)
}

/// `sys.modules` as a dict.
pub(crate) fn sys_modules(vm: &VirtualMachine) -> PyResult<PyDictRef> {
    vm.sys_module
        .get_attr("modules", vm)?
        .downcast()
        .map_err(|_| vm.new_type_error("sys.modules is not a dict"))
}

/// Drops `name` from `sys.modules`, where it was made before the runtime was isolated.
pub(crate) fn forget_module(vm: &VirtualMachine, name: &str) -> PyResult<()> {
    let modules = sys_modules(vm)?;
    if modules.as_object().get_item(name, vm).is_ok() {
        modules.del_item(name, vm)?;
    }
    Ok(())
}
