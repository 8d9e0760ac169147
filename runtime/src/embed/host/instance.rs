//! A host class's instances: a Python object whose payload holds the Rust value, borrowed
//! by its methods as Rust borrows are, with the rules checked when they run (a conflicting
//! borrow is a RuntimeError, never a panic or two `&mut` at once).

use super::class::HostClass;
use crate::embed::api::error::{Error, ExceptionKind};
use crate::embed::api::object::Object;
use crate::embed::convert::mismatch;
use parking_lot::{
    MappedRwLockReadGuard, MappedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{Py, PyObject, PyPayload, PyRef, VirtualMachine, pyclass};
use std::any::{Any, TypeId};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

/// The payload of every host class's instances (and of Python subclasses'): the Rust value,
/// or none yet (made by `__new__`, waiting for `__init__` or `__setstate__`).
#[pyclass(module = "brine", name = "HostObject")]
#[derive(PyPayload)]
pub(crate) struct HostInstance {
    /// The Rust type its class holds, for checks that do not wait for the value's lock.
    type_id: TypeId,
    value: RwLock<Option<Box<dyn Any + Send + Sync>>>,
}

impl fmt::Debug for HostInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<host object>")
    }
}

#[pyclass(flags(BASETYPE))]
impl HostInstance {}

impl HostInstance {
    /// The base type of every host class.
    pub(crate) fn base_type() -> rustpython_vm::builtins::PyTypeRef {
        Self::make_static_type()
    }

    /// A new instance of `cls` (a host class or a subclass) holding `value`, if any.
    pub(crate) fn make(
        cls: rustpython_vm::builtins::PyTypeRef,
        type_id: TypeId,
        value: Option<Box<dyn Any + Send + Sync>>,
        vm: &VirtualMachine,
    ) -> PyRef<Self> {
        let dict = cls
            .slots
            .flags
            .has_feature(PyTypeFlags::HAS_DICT)
            .then(|| vm.ctx.new_dict());
        PyRef::new_ref(
            HostInstance {
                type_id,
                value: RwLock::new(value),
            },
            cls,
            dict,
        )
    }

    /// Puts `value` in (a constructor or `__setstate__` ran).
    pub(crate) fn fill(&self, value: Box<dyn Any + Send + Sync>, class: &str) -> Result<(), Error> {
        let mut slot = self
            .value
            .try_write()
            .ok_or_else(|| borrowed(&format!("'{class}' object is already borrowed")))?;
        *slot = Some(value);
        Ok(())
    }

    /// The value, shared, as a `T`.
    pub(crate) fn read<T: Any>(&self, class: &str) -> Result<MappedRwLockReadGuard<'_, T>, Error> {
        let guard = self
            .value
            .try_read()
            .ok_or_else(|| borrowed(&format!("'{class}' object is already mutably borrowed")))?;
        RwLockReadGuard::try_map(guard, |value| value.as_ref()?.downcast_ref::<T>())
            .map_err(|_| uninitialized(class))
    }

    /// The value, shared, whatever its type.
    pub(crate) fn read_any(
        &self,
        class: &str,
    ) -> Result<MappedRwLockReadGuard<'_, dyn Any + Send + Sync>, Error> {
        let guard = self
            .value
            .try_read()
            .ok_or_else(|| borrowed(&format!("'{class}' object is already mutably borrowed")))?;
        RwLockReadGuard::try_map(guard, |value| value.as_deref()).map_err(|_| uninitialized(class))
    }

    /// The value, exclusive, as a `T`.
    pub(crate) fn write<T: Any>(
        &self,
        class: &str,
    ) -> Result<MappedRwLockWriteGuard<'_, T>, Error> {
        let guard = self
            .value
            .try_write()
            .ok_or_else(|| borrowed(&format!("'{class}' object is already borrowed")))?;
        RwLockWriteGuard::try_map(guard, |value| value.as_mut()?.downcast_mut::<T>())
            .map_err(|_| uninitialized(class))
    }
}

fn borrowed(message: &str) -> Error {
    Error::raise(ExceptionKind::RuntimeError, message)
}

fn uninitialized(class: &str) -> Error {
    Error::raise(
        ExceptionKind::RuntimeError,
        format!("'{class}' object is not initialized (its __init__ has not run)"),
    )
}

/// The host instance behind `obj`, if it is one holding a `T`.
pub(crate) fn instance_of<T: Any>(obj: &PyObject) -> Option<&Py<HostInstance>> {
    obj.downcast_ref::<HostInstance>()
        .filter(|cell| cell.type_id == TypeId::of::<T>())
}

/// The class name shown in borrow errors.
fn class_name(obj: &PyObject) -> String {
    obj.class().name().to_string()
}

/// A shared borrow of a host object's Rust value ([`Object::borrow`]); while it lives, the
/// object's `&mut` methods raise RuntimeError.
///
/// ```
/// use brine::{ClassBuilder, Error, HostClass, Runtime};
///
/// struct Gauge(f64);
///
/// impl HostClass for Gauge {
///     const NAME: &'static str = "Gauge";
///     fn define(class: &mut ClassBuilder<Self>) {
///         class.method("set", |this: &mut Gauge, value: f64| this.0 = value);
///     }
/// }
///
/// let rt = Runtime::builder().module("m", |m| { m.class::<Gauge>(); }).build()?;
/// let gauge = rt.host_object(Gauge(1.0))?;
/// {
///     let held = gauge.borrow::<Gauge>()?;
///     assert_eq!(held.0, 1.0);
///     let Err(Error::Python(err)) = gauge.call_method::<()>("set", (2.0,)) else { panic!() };
///     assert_eq!(err.message(), "'Gauge' object is already borrowed");
/// }
/// gauge.borrow_mut::<Gauge>()?.0 = 3.0;
/// gauge.call_method::<()>("set", (4.0,))?;
/// assert_eq!(gauge.borrow::<Gauge>()?.0, 4.0);
/// # Ok::<(), Error>(())
/// ```
pub struct HostBorrow<'a, T>(MappedRwLockReadGuard<'a, T>);

/// An exclusive borrow of a host object's Rust value ([`Object::borrow_mut`]).
pub struct HostBorrowMut<'a, T>(MappedRwLockWriteGuard<'a, T>);

impl<T> Deref for HostBorrow<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Deref for HostBorrowMut<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for HostBorrowMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl Object {
    /// The Rust value of a host object of class `T` (or a Python subclass of it), shared:
    /// a conversion error for another object, a RuntimeError while it is mutably borrowed.
    /// Read in place, without entering the runtime.
    pub fn borrow<T: HostClass>(&self) -> Result<HostBorrow<'_, T>, Error> {
        let (cell, name) = self.host_cell::<T>()?;
        cell.read::<T>(&name).map(HostBorrow)
    }

    /// The Rust value of a host object of class `T`, exclusive: a RuntimeError while it is
    /// borrowed elsewhere (a method of it running, another borrow held).
    pub fn borrow_mut<T: HostClass>(&self) -> Result<HostBorrowMut<'_, T>, Error> {
        let (cell, name) = self.host_cell::<T>()?;
        cell.write::<T>(&name).map(HostBorrowMut)
    }

    fn host_cell<T: HostClass>(&self) -> Result<(&Py<HostInstance>, String), Error> {
        let obj: &PyObject = self.raw_object();
        let cell = instance_of::<T>(obj).ok_or_else(|| not_host::<T>(obj))?;
        Ok((cell, class_name(obj)))
    }
}

/// A host-function parameter that is a host object of class `T` (or of a Python subclass),
/// kept as the object: to return it (`__enter__` returning self), keep it, or borrow its
/// value when needed.
///
/// ```
/// use brine::{ClassBuilder, Error, HostClass, HostRef, Runtime};
///
/// struct Lock { held: bool }
///
/// impl HostClass for Lock {
///     const NAME: &'static str = "Lock";
///     fn define(class: &mut ClassBuilder<Self>) {
///         class
///             .constructor(|| Lock { held: false })
///             .method("__enter__", |this: HostRef<Lock>| -> Result<HostRef<Lock>, Error> {
///                 this.borrow_mut()?.held = true;
///                 Ok(this)
///             })
///             .method("__exit__", |this: &mut Lock, _t: brine::Object, _v: brine::Object, _tb: brine::Object| {
///                 this.held = false;
///             })
///             .getter("held", |this: &Lock| this.held);
///     }
/// }
///
/// let rt = Runtime::builder().module("locks", |m| { m.class::<Lock>(); }).build()?;
/// rt.run("from locks import Lock\nlock = Lock()\nwith lock as same:\n    inside = (same is lock, lock.held)")?;
/// assert_eq!(rt.eval::<(bool, bool, bool)>("inside + (lock.held,)")?, (true, true, false));
/// # Ok::<(), Error>(())
/// ```
pub struct HostRef<T> {
    object: Object,
    _class: PhantomData<fn() -> T>,
}

impl<T: HostClass> HostRef<T> {
    /// The Rust value, shared.
    pub fn borrow(&self) -> Result<HostBorrow<'_, T>, Error> {
        self.object.borrow()
    }

    /// The Rust value, exclusive.
    pub fn borrow_mut(&self) -> Result<HostBorrowMut<'_, T>, Error> {
        self.object.borrow_mut()
    }

    /// The object.
    pub fn object(&self) -> &Object {
        &self.object
    }
}

impl<T> Clone for HostRef<T> {
    fn clone(&self) -> Self {
        HostRef {
            object: self.object.clone(),
            _class: PhantomData,
        }
    }
}

impl<T> fmt::Debug for HostRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostRef({:?})", self.object)
    }
}

impl<T: HostClass> crate::embed::convert::FromPython for HostRef<T> {
    fn from_python(obj: &Object) -> Result<Self, Error> {
        obj.host_cell::<T>()?;
        Ok(HostRef {
            object: obj.clone(),
            _class: PhantomData,
        })
    }
}

/// The conversion error for `obj`, which is not a host object of class `T`.
pub(crate) fn not_host<T: HostClass>(obj: &PyObject) -> Error {
    mismatch(obj, T::NAME)
}

impl<T> crate::embed::convert::ToPython for HostRef<T> {
    fn to_python(&self, _rt: &crate::Runtime) -> Result<Object, Error> {
        Ok(self.object.clone())
    }
    fn to_py(
        &self,
        cx: &crate::embed::convert::Vm<'_>,
    ) -> Result<rustpython_vm::PyObjectRef, Error> {
        cx.unwrap(&self.object)
    }
}
