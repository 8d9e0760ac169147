//! A host function as a script sees it: a builtin-like callable that converts its
//! arguments, calls the Rust closure, and turns its error or panic into an exception.

use super::params::Call;
use crate::embed::api::error::Error;
use crate::embed::api::exceptions::to_exception;
use crate::embed::api::shared::Shared;
use crate::embed::convert::Vm;
use rustpython_vm::builtins::PyBoundMethod;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Callable, GetDescriptor, Representable};
use rustpython_vm::{Py, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock, Weak};

/// How a host function reaches its runtime: filled in once the runtime exists (the
/// functions of a module given to the builder are made while it is being built), and weak,
/// since the runtime owns them.
pub(crate) type HostLink = Arc<OnceLock<Weak<Shared>>>;

/// A link to `shared`'s runtime, for host functions made once it exists.
pub(crate) fn link_to(shared: &Arc<Shared>) -> HostLink {
    let link = HostLink::default();
    link.set(Arc::downgrade(shared))
        .expect("a new link is empty");
    link
}

/// A host function with its arguments and result converted.
pub(crate) type ErasedFn = Box<dyn Fn(Call<'_>) -> Result<PyObjectRef, Error> + Send + Sync>;

/// A host function as the script sees it: a builtin-like callable.
#[pyclass(module = "brine", name = "host_function")]
#[derive(PyPayload)]
pub(crate) struct HostFunctionObject {
    qualname: String,
    module: String,
    link: HostLink,
    func: ErasedFn,
    /// A method of a host class: bound to the instance it is got from, as a Python
    /// function is (a module's function is not).
    binds: bool,
}

impl fmt::Debug for HostFunctionObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<host function {}.{}>", self.module, self.qualname)
    }
}

#[pyclass(with(Callable, GetDescriptor, Representable))]
impl HostFunctionObject {
    #[pygetset]
    fn __name__(zelf: &Py<Self>) -> String {
        zelf.qualname.clone()
    }

    #[pygetset]
    fn __qualname__(zelf: &Py<Self>) -> String {
        zelf.qualname.clone()
    }

    #[pygetset]
    fn __module__(zelf: &Py<Self>) -> String {
        zelf.module.clone()
    }

    /// Pickled by name, as a builtin function is: `module.qualname`.
    #[pymethod]
    fn __reduce__(zelf: &Py<Self>) -> String {
        zelf.qualname.clone()
    }
}

impl HostFunctionObject {
    pub(crate) fn new(qualname: &str, module: &str, link: HostLink, func: ErasedFn) -> Self {
        HostFunctionObject {
            qualname: qualname.to_string(),
            module: module.to_string(),
            link,
            func,
            binds: false,
        }
    }

    /// A method of a host class, `qualname` being `Class.name`.
    pub(crate) fn method(qualname: &str, module: &str, link: HostLink, func: ErasedFn) -> Self {
        HostFunctionObject {
            binds: true,
            ..Self::new(qualname, module, link, func)
        }
    }

    /// The function as a Python object.
    pub(crate) fn into_object(self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        self.into_ref_with_type(cx.vm, Self::make_static_type())
            .map(Into::into)
            .map_err(|e| cx.error(e))
    }

    /// Runs the closure, turning its error into the exception it names and a panic into a
    /// RuntimeError.
    fn invoke(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let shared = self
            .link
            .get()
            .and_then(Weak::upgrade)
            .ok_or_else(|| vm.new_runtime_error("the runtime of this host function is gone"))?;
        let cx = Vm::new(vm, &shared);
        let FuncArgs { args, kwargs } = args;
        let called = catch_unwind(AssertUnwindSafe(|| {
            (self.func)(Call::new(&cx, &self.qualname, &args, kwargs))
        }));
        match called {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(err)) => Err(to_exception(vm, err, &shared)),
            Err(panic) => Err(vm.new_runtime_error(format!(
                "host function {}.{} panicked: {}",
                self.module,
                self.qualname,
                panic_message(&*panic)
            ))),
        }
    }
}

/// The text a panic was raised with, when it was text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = panic.downcast_ref::<&str>() {
        text
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text
    } else {
        "(a panic without a message)"
    }
}

impl Callable for HostFunctionObject {
    type Args = FuncArgs;

    fn call(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        zelf.invoke(args, vm)
    }
}

impl GetDescriptor for HostFunctionObject {
    fn descr_get(
        zelf: &PyObject,
        obj: Option<&PyObject>,
        _cls: Option<&PyObject>,
        vm: &VirtualMachine,
    ) -> PyResult {
        let (function, obj) = Self::_unwrap(zelf, obj, vm)?;
        if !function.binds || vm.is_none(obj) {
            return Ok(zelf.to_owned());
        }
        Ok(PyBoundMethod::new(obj.to_owned(), zelf.to_owned())
            .into_ref(&vm.ctx)
            .into())
    }
}

impl Representable for HostFunctionObject {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(match zelf.qualname.split_once('.') {
            Some((class, name)) if zelf.binds => format!("<method '{name}' of '{class}' objects>"),
            _ => format!("<built-in function {}>", zelf.qualname),
        })
    }
}
