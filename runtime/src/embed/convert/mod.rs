//! Values between Rust and Python: the [`ToPython`] and [`FromPython`] traits.
//!
//! Each trait has one method for users to implement, written with the public API
//! ([`Object`], [`Runtime`]), and a hidden one that the built-in impls use to work on VM
//! objects directly, so that a `Vec<i64>` of a million items is not a million handles.

mod collections;
mod references;
mod scalars;
#[cfg(feature = "serde")]
pub(crate) mod serde;
pub(crate) mod values;

use crate::embed::api::error::{Error, ExceptionKind};
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use crate::embed::api::shared::Shared;
use crate::embed::host::params::{Call, convert_argument};
use rustpython_vm::{PyObject, PyObjectRef, VirtualMachine};
use std::sync::Arc;

/// The VM a conversion runs in, and the runtime it belongs to. Only the crate makes one.
#[doc(hidden)]
pub struct Vm<'a> {
    pub(crate) vm: &'a VirtualMachine,
    pub(crate) shared: &'a Arc<Shared>,
}

impl<'a> Vm<'a> {
    pub(crate) fn new(vm: &'a VirtualMachine, shared: &'a Arc<Shared>) -> Self {
        Vm { vm, shared }
    }

    /// A handle for `obj` in this runtime.
    pub(crate) fn wrap(&self, obj: PyObjectRef) -> Object {
        Object::new(obj, self.shared.clone())
    }

    /// The runtime, as a handle.
    pub(crate) fn runtime(&self) -> Runtime {
        Runtime::from_shared(self.shared.clone())
    }

    /// The error for an exception raised in this runtime.
    pub(crate) fn error(&self, exc: rustpython_vm::builtins::PyBaseExceptionRef) -> Error {
        crate::embed::api::exceptions::from_exception(self.vm, exc, self.shared)
    }

    /// The VM object of `obj`, which must belong to this runtime.
    pub(crate) fn unwrap(&self, obj: &Object) -> Result<PyObjectRef, Error> {
        obj.py_in(self.shared).cloned()
    }
}

/// A Rust value that can become a Python object.
///
/// Implemented for `bool`, every integer type, `f32`/`f64`, `str`/`String`, `[u8]`/`Vec<u8>`
/// (as `bytes`), `Option<T>` (`None`), `Vec<T>` and slices (`list`), tuples up to 8
/// (`tuple`), `HashMap`/`BTreeMap`/`IndexMap` (`dict`), `HashSet`/`BTreeSet` (`set`),
/// `num_bigint::BigInt` (`int`), `()` (`None`) and [`Object`] itself.
///
/// Implement it for your own types with the public API:
///
/// ```
/// use brine::{Error, Object, Runtime, ToPython};
///
/// struct Point { x: f64, y: f64 }
///
/// impl ToPython for Point {
///     fn to_python(&self, rt: &Runtime) -> Result<Object, Error> {
///         // A Point becomes a Python complex number.
///         rt.call("builtins.complex", (self.x, self.y))
///     }
/// }
///
/// let rt = Runtime::new()?;
/// let p = rt.object(&Point { x: 1.0, y: 2.0 })?;
/// assert_eq!(p.repr()?, "(1+2j)");
/// // Containers of your type convert too.
/// let list = rt.object(&vec![Point { x: 0.0, y: 1.0 }])?;
/// assert_eq!(list.repr()?, "[1j]");
/// # Ok::<(), Error>(())
/// ```
pub trait ToPython {
    /// The Python object for this value, made in `rt`.
    fn to_python(&self, rt: &Runtime) -> Result<Object, Error>;

    /// The VM object for this value (built-in impls make it directly).
    #[doc(hidden)]
    fn to_py(&self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        let obj = self.to_python(&cx.runtime())?;
        cx.unwrap(&obj)
    }

    /// A list of these values; `u8` makes `bytes` instead.
    #[doc(hidden)]
    fn slice_to_py(items: &[Self], cx: &Vm<'_>) -> Result<PyObjectRef, Error>
    where
        Self: Sized,
    {
        collections::list_to_py(items, cx)
    }
}

/// A Rust value that can be made from a Python object.
///
/// Implemented for the same types as [`ToPython`]: `Vec<u8>` takes any bytes-like object,
/// `Vec<T>` any iterable but `str` and bytes, integers refuse values out of their range
/// rather than wrap, floats take `int` too. A mismatch is [`Error::Conversion`], which says
/// what was expected and which Python type was found.
///
/// Implement it for your own types with the public API:
///
/// ```
/// use brine::{Error, FromPython, Object, Runtime};
///
/// #[derive(Debug, PartialEq)]
/// struct Job { name: String, tries: u32 }
///
/// impl FromPython for Job {
///     fn from_python(obj: &Object) -> Result<Self, Error> {
///         Ok(Job { name: obj.get_attr("name")?.extract()?, tries: obj.get_attr("tries")?.extract()? })
///     }
/// }
///
/// let rt = Runtime::new()?;
/// rt.run("class Job:\n    def __init__(self, name, tries): self.name, self.tries = name, tries")?;
/// let jobs: Vec<Job> = rt.eval("[Job('index', 3)]")?;
/// assert_eq!(jobs, [Job { name: "index".into(), tries: 3 }]);
/// # Ok::<(), Error>(())
/// ```
pub trait FromPython: Sized {
    /// How a host function's parameter of this type takes its arguments.
    #[doc(hidden)]
    const PARAMETER: Parameter = Parameter::Required;

    /// The Rust value for `obj`.
    fn from_python(obj: &Object) -> Result<Self, Error>;

    /// A host function's parameter of this type, from the call's arguments: one positional
    /// argument, unless the type says otherwise.
    #[doc(hidden)]
    fn from_arguments(call: &mut Call<'_>) -> Result<Self, Error> {
        match call.next_positional() {
            Some((index, arg)) => convert_argument(call, index, arg),
            None => Err(Error::raise(
                ExceptionKind::TypeError,
                format!(
                    "{}() takes its positional parameters before *args",
                    call.name
                ),
            )),
        }
    }

    /// The Rust value for a VM object (built-in impls read it directly).
    #[doc(hidden)]
    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        Self::from_python(&cx.wrap(obj.to_owned()))
    }

    /// A `Vec` of these values; `u8` reads a bytes-like object instead.
    #[doc(hidden)]
    fn vec_from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Vec<Self>, Error> {
        collections::vec_from_iterable(obj, cx)
    }
}

/// How a host function's parameter takes its arguments.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// One positional argument.
    Required,
    /// One positional argument, or none (`Option<T>`).
    Optional,
    /// The positional arguments left (`Rest<T>`).
    Rest,
    /// The keyword arguments (`Kwargs`).
    Kwargs,
}

/// The conversion error for `obj`, which is not a `expected`.
pub(crate) fn mismatch(obj: &PyObject, expected: &str) -> Error {
    Error::Conversion {
        expected: expected.to_string(),
        found: obj.class().name().to_string(),
        detail: None,
    }
}
