//! [`Object`]: a handle to a Python object, owned by its runtime.

use super::args::ToArgs;
use super::error::Error;
use super::exceptions::format_exception;
use super::kwargs::Kwargs;
use super::runtime::{Runtime, Shared};
use crate::embed::convert::{FromPython, ToPython, Vm};
use rustpython_vm::{AsObject, PyObject, PyObjectRef};
use std::fmt;
use std::sync::Arc;

/// A Python object, held for the host by the runtime it belongs to.
///
/// An `Object` keeps its runtime alive, may be sent to other threads, and enters its
/// runtime for each operation (waiting while another thread runs a script there). Handing
/// it to a different runtime (as an argument, to [`Runtime::dumps`], ...) is an
/// [`Error::Conversion`], never undefined behaviour.
///
/// ```
/// use brine::{Error, Object, Runtime};
///
/// let rt = Runtime::new()?;
/// rt.run("class Counter:\n    def __init__(self): self.n = 0\n    def bump(self, by): self.n += by; return self.n")?;
/// let counter: Object = rt.call("__main__.Counter", ())?;
/// assert_eq!(counter.call_method::<i64>("bump", (5,))?, 5);
/// counter.set_attr("n", 40)?;
/// assert_eq!(counter.call_method::<i64>("bump", (2,))?, 42);
/// assert_eq!(counter.get_attr("n")?.extract::<i64>()?, 42);
/// assert!(counter.repr()?.starts_with("<__main__.Counter object at "));
/// assert!(counter.get_attr("bump")?.get_attr("__self__")?.is(&counter));
/// assert!(rt.eval::<Object>("None")?.is_none());
/// # Ok::<(), Error>(())
/// ```
pub struct Object {
    /// Always `Some`: `Drop` takes the reference out to release it inside the VM.
    obj: Option<PyObjectRef>,
    shared: Arc<Shared>,
}

impl Object {
    pub(crate) fn new(obj: PyObjectRef, shared: Arc<Shared>) -> Self {
        Object {
            obj: Some(obj),
            shared,
        }
    }

    fn raw(&self) -> &PyObjectRef {
        self.obj.as_ref().expect("only Drop takes the object out")
    }

    /// The VM object, to be read without entering the runtime (a host object's payload).
    pub(crate) fn raw_object(&self) -> &PyObjectRef {
        self.raw()
    }

    /// The VM object, when `shared` is this object's runtime.
    pub(crate) fn py_in(&self, shared: &Arc<Shared>) -> Result<&PyObjectRef, Error> {
        if Arc::ptr_eq(&self.shared, shared) {
            Ok(self.raw())
        } else {
            Err(Error::Conversion {
                expected: format!("an object of runtime {}", shared.id()),
                found: self.raw().class().name().to_string(),
                detail: Some(format!("it belongs to runtime {}", self.shared.id())),
            })
        }
    }

    /// The VM object, if `shared` is this object's runtime; else the object back.
    pub(crate) fn into_raw_in(mut self, shared: &Arc<Shared>) -> Result<PyObjectRef, Object> {
        if Arc::ptr_eq(&self.shared, shared) {
            Ok(self.obj.take().expect("only Drop takes the object out"))
        } else {
            Err(self)
        }
    }

    /// Runs `f` with the VM object inside its runtime.
    pub(crate) fn with_raw<R>(
        &self,
        f: impl FnOnce(&PyObject, &Vm<'_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.shared.with_cx(|cx| f(self.raw(), cx))
    }

    /// The runtime this object belongs to.
    pub fn runtime(&self) -> Runtime {
        Runtime::from_shared(self.shared.clone())
    }

    /// `getattr(obj, name)`.
    pub fn get_attr(&self, name: &str) -> Result<Object, Error> {
        self.with_raw(|obj, cx| {
            obj.get_attr(&cx.vm.ctx.new_str(name), cx.vm)
                .map(|v| cx.wrap(v))
                .map_err(|e| cx.error(e))
        })
    }

    /// `setattr(obj, name, value)`.
    pub fn set_attr(&self, name: &str, value: impl ToPython) -> Result<(), Error> {
        self.with_raw(|obj, cx| {
            let value = value.to_py(cx)?;
            obj.set_attr(&cx.vm.ctx.new_str(name), value, cx.vm)
                .map_err(|e| cx.error(e))
        })
    }

    /// `obj(*args)`, converted to `R`.
    pub fn call<R: FromPython>(&self, args: impl ToArgs) -> Result<R, Error> {
        self.call_with(args, Kwargs::new())
    }

    /// `obj.name(*args)`, converted to `R`.
    pub fn call_method<R: FromPython>(&self, name: &str, args: impl ToArgs) -> Result<R, Error> {
        self.with_raw(|obj, cx| {
            let args = args.to_args(cx)?;
            let result = cx
                .vm
                .call_method(obj, name, args)
                .map_err(|e| cx.error(e))?;
            R::from_py(&result, cx)
        })
    }

    /// `obj[key]`, converted to `R`.
    pub fn get_item<R: FromPython>(&self, key: impl ToPython) -> Result<R, Error> {
        self.with_raw(|obj, cx| {
            let key = key.to_py(cx)?;
            let value = obj.get_item(&*key, cx.vm).map_err(|e| cx.error(e))?;
            R::from_py(&value, cx)
        })
    }

    /// `obj[key] = value`.
    pub fn set_item(&self, key: impl ToPython, value: impl ToPython) -> Result<(), Error> {
        self.with_raw(|obj, cx| {
            let key = key.to_py(cx)?;
            let value = value.to_py(cx)?;
            obj.set_item(&*key, value, cx.vm).map_err(|e| cx.error(e))
        })
    }

    /// `repr(obj)`.
    pub fn repr(&self) -> Result<String, Error> {
        self.with_raw(|obj, cx| {
            obj.repr(cx.vm)
                .map(|s| s.to_string_lossy().into_owned())
                .map_err(|e| cx.error(e))
        })
    }

    /// `str(obj)`.
    pub fn str(&self) -> Result<String, Error> {
        self.with_raw(|obj, cx| {
            obj.str(cx.vm)
                .map(|s| s.to_string_lossy().into_owned())
                .map_err(|e| cx.error(e))
        })
    }

    /// The object as a Rust value.
    pub fn extract<T: FromPython>(&self) -> Result<T, Error> {
        self.with_raw(|obj, cx| T::from_py(obj, cx))
    }

    /// Whether the object is `None`.
    pub fn is_none(&self) -> bool {
        // None is one object for every runtime of the process: no need to enter this one.
        self.raw().is(&rustpython_vm::Context::genesis().none)
    }

    /// `obj is other`: the same object of the same runtime.
    pub fn is(&self, other: &Object) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared) && self.raw().is(other.raw())
    }

    /// The name of the object's type (`dict`, `Counter`).
    pub fn type_name(&self) -> String {
        self.raw().class().name().to_string()
    }

    /// `isinstance(obj, cls)`.
    pub fn is_instance(&self, cls: &Object) -> Result<bool, Error> {
        self.with_raw(|obj, cx| {
            let cls = cx.unwrap(cls)?;
            obj.is_instance(&cls, cx.vm).map_err(|e| cx.error(e))
        })
    }

    /// The traceback text of an exception object.
    pub(crate) fn format_exception(&self) -> Result<String, Error> {
        self.with_raw(|obj, cx| format_exception(cx.vm, obj).map_err(|e| cx.error(e)))
    }

    /// This exception object as an error a host function can return.
    pub(crate) fn into_error(self) -> Result<Error, Error> {
        let shared = self.shared.clone();
        shared.with_cx(|cx| {
            let raw = self.raw();
            let Ok(exc) = raw
                .to_owned()
                .downcast::<rustpython_vm::builtins::PyBaseException>()
            else {
                return Err(crate::embed::convert::mismatch(raw, "an exception"));
            };
            Ok(cx.error(exc))
        })
    }
}

impl Clone for Object {
    fn clone(&self) -> Self {
        Object::new(self.raw().clone(), self.shared.clone())
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        if let Some(obj) = self.obj.take() {
            self.shared.release(obj);
        }
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<{} object of runtime {}>",
            self.raw().class().name(),
            self.shared.id()
        )
    }
}

impl ToPython for Object {
    fn to_python(&self, rt: &Runtime) -> Result<Object, Error> {
        self.py_in(rt.shared())?;
        Ok(self.clone())
    }
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        cx.unwrap(self)
    }
}

impl FromPython for Object {
    fn from_python(obj: &Object) -> Result<Self, Error> {
        Ok(obj.clone())
    }
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        Ok(cx.wrap(obj.to_owned()))
    }
}
