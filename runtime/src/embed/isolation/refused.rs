//! What stands in for a function an isolated runtime does not have: a callable of the same
//! name that raises PermissionError saying the runtime is isolated.

use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Callable, Representable};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

/// PermissionError: `what`, because the runtime is isolated.
pub(crate) fn refusal(vm: &VirtualMachine, what: &str) -> PyBaseExceptionRef {
    vm.new_exception_msg(
        vm.ctx.exceptions.permission_error.to_owned(),
        format!("{what}: this runtime is isolated").into(),
    )
}

/// A callable named `qualname` (`os.system`) that refuses.
pub(crate) fn refusing_function(vm: &VirtualMachine, qualname: &str) -> PyObjectRef {
    RefusedFunction {
        qualname: qualname.to_string(),
    }
    .into_ref_with_type(vm, RefusedFunction::make_static_type())
    .map(Into::into)
    .unwrap_or_else(|_| vm.ctx.none())
}

#[pyclass(module = "brine", name = "refused_function")]
#[derive(Debug, PyPayload)]
struct RefusedFunction {
    qualname: String,
}

#[pyclass(with(Callable, Representable))]
impl RefusedFunction {
    #[pygetset]
    fn __name__(zelf: &Py<Self>) -> String {
        zelf.qualname
            .rsplit('.')
            .next()
            .unwrap_or(&zelf.qualname)
            .to_string()
    }

    #[pygetset]
    fn __qualname__(zelf: &Py<Self>) -> String {
        zelf.qualname.clone()
    }
}

impl Callable for RefusedFunction {
    type Args = FuncArgs;

    fn call(zelf: &Py<Self>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        Err(refusal(
            vm,
            &format!("{}() is not available", zelf.qualname),
        ))
    }
}

impl Representable for RefusedFunction {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(format!("<refused function {}>", zelf.qualname))
    }
}
