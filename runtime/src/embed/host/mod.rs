//! Native host modules: Rust closures a script imports and calls like Python functions.

use crate::embed::api::error::Error;
use crate::embed::api::exceptions::to_exception;
use crate::embed::api::shared::Shared;
use crate::embed::convert::{FromPython, ToPython, Vm};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::{Callable, Representable};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock, Weak};

/// How a host function reaches its runtime: filled in once the runtime exists (the
/// functions are made while it is being built), and weak, since the runtime owns them.
pub(crate) type HostLink = Arc<OnceLock<Weak<Shared>>>;

/// A host function with its arguments and result converted.
type ErasedFn =
    Box<dyn Fn(&Vm<'_>, &str, &[PyObjectRef]) -> Result<PyObjectRef, Error> + Send + Sync>;

/// A value made when the module is built.
type Constant = Box<dyn Fn(&Vm<'_>) -> Result<PyObjectRef, Error> + Send + Sync>;

/// What a host function may return: a value ([`ToPython`]), or a `Result` whose error is
/// raised in the script ([`Error::raise`] chooses the exception type).
pub trait HostReturn {
    /// The Python result.
    #[doc(hidden)]
    fn into_py(self, cx: &Vm<'_>) -> Result<PyObjectRef, Error>;
}

impl<T: ToPython> HostReturn for T {
    fn into_py(self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        self.to_py(cx)
    }
}

impl<T: ToPython> HostReturn for Result<T, Error> {
    fn into_py(self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        self?.to_py(cx)
    }
}

/// A Rust closure (or function) usable as a host function: up to 8 arguments, each
/// [`FromPython`], returning a [`HostReturn`]. `Args` is the tuple of the argument types,
/// inferred.
pub trait HostFunction<Args>: Send + Sync + 'static {
    /// Converts the arguments, calls, converts the result.
    #[doc(hidden)]
    fn call_with(
        &self,
        cx: &Vm<'_>,
        name: &str,
        args: &[PyObjectRef],
    ) -> Result<PyObjectRef, Error>;
}

/// The TypeError for a call with the wrong number of arguments, in CPython's words.
fn arity_error(name: &str, wanted: usize, given: usize) -> Error {
    let plural = if wanted == 1 { "" } else { "s" };
    let verb = if given == 1 { "was" } else { "were" };
    Error::raise(
        crate::embed::api::error::ExceptionKind::TypeError,
        format!("{name}() takes {wanted} positional argument{plural} but {given} {verb} given"),
    )
}

/// Argument `index` (from 1) converted, or a TypeError naming the function and argument.
fn argument<T: FromPython>(
    cx: &Vm<'_>,
    name: &str,
    index: usize,
    arg: &PyObjectRef,
) -> Result<T, Error> {
    T::from_py(arg, cx).map_err(|err| match err {
        Error::Conversion { .. } => Error::raise(
            crate::embed::api::error::ExceptionKind::TypeError,
            format!("{name}() argument {index}: {err}"),
        ),
        other => other,
    })
}

macro_rules! host_functions {
    ($len:literal $(, $arg:ident $index:tt)*) => {
        impl<F, R $(, $arg)*> HostFunction<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            R: HostReturn,
            $($arg: FromPython,)*
        {
            #[allow(unused_variables)]
            fn call_with(
                &self,
                cx: &Vm<'_>,
                name: &str,
                args: &[PyObjectRef],
            ) -> Result<PyObjectRef, Error> {
                if args.len() != $len {
                    return Err(arity_error(name, $len, args.len()));
                }
                (self)($(argument::<$arg>(cx, name, $index + 1, &args[$index])?),*).into_py(cx)
            }
        }
    };
}

host_functions!(0);
host_functions!(1, A 0);
host_functions!(2, A 0, B 1);
host_functions!(3, A 0, B 1, C 2);
host_functions!(4, A 0, B 1, C 2, D 3);
host_functions!(5, A 0, B 1, C 2, D 3, E 4);
host_functions!(6, A 0, B 1, C 2, D 3, E 4, F5 5);
host_functions!(7, A 0, B 1, C 2, D 3, E 4, F5 5, G 6);
host_functions!(8, A 0, B 1, C 2, D 3, E 4, F5 5, G 6, H 7);

/// The functions and constants of a native module a host registers with
/// [`Builder::module`](crate::Builder::module).
///
/// ```
/// use brine::{Error, ExceptionKind, Output, Runtime};
///
/// let rt = Runtime::builder()
///     .stdout(Output::Capture)
///     .module("host", |m| {
///         m.function("add", |a: i64, b: i64| a + b);
///         m.function("lookup", |key: String| match key.as_str() {
///             "answer" => Ok(42),
///             _ => Err(Error::raise(ExceptionKind::KeyError, key)),
///         });
///         m.constant("VERSION", "1.0");
///     })
///     .build()?;
/// rt.run("import host\nprint(host.add(2, 3), host.lookup('answer'), host.VERSION)")?;
/// rt.run("try:\n    host.lookup('other')\nexcept KeyError as e:\n    print('KeyError', e)")?;
/// assert_eq!(rt.take_stdout(), "5 42 1.0\nKeyError 'other'\n");
/// # Ok::<(), Error>(())
/// ```
pub struct ModuleBuilder {
    name: String,
    doc: Option<String>,
    functions: Vec<(String, ErasedFn)>,
    constants: Vec<(String, Constant)>,
}

impl ModuleBuilder {
    pub(crate) fn new(name: &str) -> Self {
        ModuleBuilder {
            name: name.to_string(),
            doc: None,
            functions: Vec::new(),
            constants: Vec::new(),
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Adds a function. A closure that returns `Err` raises that error in the script; one
    /// that panics raises `RuntimeError` with the panic message, and the panic goes no
    /// further.
    pub fn function<Args: 'static>(&mut self, name: &str, f: impl HostFunction<Args>) -> &mut Self {
        let erased: ErasedFn = Box::new(move |cx, name, args| f.call_with(cx, name, args));
        self.functions.push((name.to_string(), erased));
        self
    }

    /// Adds a module attribute with a value made when the runtime is built.
    pub fn constant(
        &mut self,
        name: &str,
        value: impl ToPython + Send + Sync + 'static,
    ) -> &mut Self {
        let make: Constant = Box::new(move |cx| value.to_py(cx));
        self.constants.push((name.to_string(), make));
        self
    }

    /// Sets the module's docstring.
    pub fn doc(&mut self, text: &str) -> &mut Self {
        self.doc = Some(text.to_string());
        self
    }

    /// The module object, with its functions linked to the runtime through `link`.
    pub(crate) fn build(self, cx: &Vm<'_>, link: &HostLink) -> Result<PyObjectRef, Error> {
        let vm = cx.vm;
        let doc = self.doc.map(|d| vm.ctx.new_str(d));
        let module = vm.new_module(&self.name, vm.ctx.new_dict(), doc);
        let set = |name: &str, value: PyObjectRef| {
            module
                .as_object()
                .set_attr(&vm.ctx.new_str(name), value, vm)
                .map_err(|e| cx.error(e))
        };
        for (name, make) in &self.constants {
            set(name, make(cx)?)?;
        }
        for (name, func) in self.functions {
            let function = HostFunctionObject {
                qualname: name.clone(),
                module: self.name.clone(),
                link: link.clone(),
                func,
            };
            let function = function
                .into_ref_with_type(vm, HostFunctionObject::make_static_type())
                .map_err(|e| cx.error(e))?;
            set(&name, function.into())?;
        }
        Ok(module.into())
    }
}

/// A host function as the script sees it: a builtin-like callable.
#[pyclass(module = "brine", name = "host_function")]
#[derive(PyPayload)]
pub(crate) struct HostFunctionObject {
    qualname: String,
    module: String,
    link: HostLink,
    func: ErasedFn,
}

impl fmt::Debug for HostFunctionObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<host function {}.{}>", self.module, self.qualname)
    }
}

#[pyclass(with(Callable, Representable))]
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
    /// Runs the closure, turning its error into the exception it names and a panic into a
    /// RuntimeError.
    fn invoke(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let shared = self
            .link
            .get()
            .and_then(Weak::upgrade)
            .ok_or_else(|| vm.new_runtime_error("the runtime of this host function is gone"))?;
        if !args.kwargs.is_empty() {
            let msg = format!("{}() takes no keyword arguments", self.qualname);
            return Err(vm.new_type_error(msg));
        }
        let cx = Vm::new(vm, &shared);
        let called = catch_unwind(AssertUnwindSafe(|| {
            (self.func)(&cx, &self.qualname, &args.args)
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

impl Representable for HostFunctionObject {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(format!("<built-in function {}>", zelf.qualname))
    }
}
