//! [`ModuleBuilder`]: the functions, constants and docstring of a host module, and the
//! module object made from them.

use super::class::{HostClass, make_class};
use super::function::{ErasedFn, HostFunctionObject, HostLink};
use super::params::HostFunction;
use crate::embed::api::error::Error;
use crate::embed::convert::{ToPython, Vm};
use rustpython_vm::{AsObject, PyObjectRef};

/// A value made when the module is built.
type Constant = Box<dyn Fn(&Vm<'_>) -> Result<PyObjectRef, Error> + Send + Sync>;

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
    classes: Vec<(&'static str, ClassMaker)>,
}

/// Makes a host class for the module named, in the runtime the link reaches.
type ClassMaker = Box<dyn Fn(&Vm<'_>, &str, &HostLink) -> Result<PyObjectRef, Error> + Send + Sync>;

impl ModuleBuilder {
    pub(crate) fn new(name: &str) -> Self {
        ModuleBuilder {
            name: name.to_string(),
            doc: None,
            functions: Vec::new(),
            constants: Vec::new(),
            classes: Vec::new(),
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Adds a function. A closure that returns `Err` raises that error in the script; one
    /// that panics raises `RuntimeError` with the panic message, and the panic goes no
    /// further.
    pub fn function<Args: 'static>(&mut self, name: &str, f: impl HostFunction<Args>) -> &mut Self {
        let erased: ErasedFn = Box::new(move |call| f.call_with(call));
        self.functions.push((name.to_string(), erased));
        self
    }

    /// Adds the host class `T` ([`HostClass`]), as the attribute `T::NAME`.
    pub fn class<T: HostClass>(&mut self) -> &mut Self {
        self.classes.push((T::NAME, Box::new(make_class::<T>)));
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
            let function = HostFunctionObject::new(&name, &self.name, link.clone(), func);
            set(&name, function.into_object(cx)?)?;
        }
        for (name, make) in &self.classes {
            set(name, make(cx, &self.name, link)?)?;
        }
        Ok(module.into())
    }
}
