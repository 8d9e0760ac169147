//! A host class's methods: Rust closures whose first parameter is the instance's value,
//! `&T` (shared) or `&mut T` (exclusive), optionally followed by `&Runtime`, then the
//! parameters a host function takes. A closure taking the instance as an object instead
//! (`HostRef<T>`, `Object`) is a method too.

use super::class::HostClass;
use super::instance::{instance_of, not_host};
use super::params::{Call, HostFunction, HostReturn};
use crate::embed::api::error::{Error, ExceptionKind};
use crate::embed::api::runtime::Runtime;
use crate::embed::convert::FromPython;
use rustpython_vm::PyObjectRef;

/// A Rust closure usable as a method of the host class `T` ([`ClassBuilder::method`](super::class::ClassBuilder::method);
/// examples at [`HostClass`](super::class::HostClass) and [`HostRef`](super::instance::HostRef)). `Args` is inferred: what the
/// receiver is (`&T`, `&mut T`, or an object) and the types of the other parameters.
pub trait HostMethod<T, Args>: Send + Sync + 'static {
    /// Takes the instance and the arguments from the call, calls, converts the result.
    #[doc(hidden)]
    fn call_method(&self, call: Call<'_>) -> Result<PyObjectRef, Error>;
}

/// Marks a method taking `&T`.
#[doc(hidden)]
pub struct Shared;
/// Marks a method taking `&mut T`.
#[doc(hidden)]
pub struct Exclusive;
/// Marks a method taking `&T` and `&Runtime`.
#[doc(hidden)]
pub struct SharedWithRuntime;
/// Marks a method taking `&mut T` and `&Runtime`.
#[doc(hidden)]
pub struct ExclusiveWithRuntime;
/// Marks a method whose parameters are all a host function's (the instance first).
#[doc(hidden)]
pub struct AsFunction;

/// A method whose first parameter is the instance as a host function takes it.
impl<T, F: HostFunction<Args>, Args> HostMethod<T, (AsFunction, Args)> for F {
    fn call_method(&self, call: Call<'_>) -> Result<PyObjectRef, Error> {
        self.call_with(call)
    }
}

/// The instance a method was called on: the call's first positional argument.
fn receiver<'c>(call: &mut Call<'c>) -> Result<&'c PyObjectRef, Error> {
    call.take_receiver().ok_or_else(|| {
        Error::raise(
            ExceptionKind::TypeError,
            format!("{}() needs the instance as its first argument", call.name),
        )
    })
}

/// One `HostMethod` impl: the marker, the closure's receiver (`&'t T` or `&'t mut T`),
/// how the call lends the value (`read` or `write`), and whether `&Runtime` follows.
macro_rules! host_method {
    ($marker:ident, [$($receiver:tt)*], $borrow:ident, [$($reborrow:tt)*], [$($rt:tt)*] $(, $arg:ident)*) => {
        impl<T, F, R $(, $arg)*> HostMethod<T, ($marker, $($arg,)*)> for F
        where
            T: HostClass,
            F: for<'t, 'r> Fn($($receiver)* $($rt)* $(, $arg)*) -> R + Send + Sync + 'static,
            R: HostReturn,
            $($arg: FromPython,)*
        {
            #[allow(unused_mut, non_snake_case)]
            fn call_method(&self, mut call: Call<'_>) -> Result<PyObjectRef, Error> {
                let this = receiver(&mut call)?;
                call.check(&[$($arg::PARAMETER),*])?;
                $(let $arg = $arg::from_arguments(&mut call)?;)*
                let cell = instance_of::<T>(this).ok_or_else(|| not_host::<T>(this))?;
                let mut value = cell.$borrow::<T>(T::NAME)?;
                let result = host_method!(@call self, $($reborrow)* value, call, [$($rt)*] $(, $arg)*);
                drop(value);
                result.into_py(call.cx)
            }
        }
    };
    (@call $f:ident, $value:expr, $call:ident, [] $(, $arg:ident)*) => {
        ($f)($value $(, $arg)*)
    };
    (@call $f:ident, $value:expr, $call:ident, [$($with:tt)+] $(, $arg:ident)*) => {
        ($f)($value, &$call.runtime() $(, $arg)*)
    };
}

macro_rules! host_methods {
    ($($arg:ident),*) => {
        host_method!(Shared, [&'t T], read, [&*], [] $(, $arg)*);
        host_method!(Exclusive, [&'t mut T], write, [&mut *], [] $(, $arg)*);
        host_method!(SharedWithRuntime, [&'t T], read, [&*], [, &'r Runtime] $(, $arg)*);
        host_method!(ExclusiveWithRuntime, [&'t mut T], write, [&mut *], [, &'r Runtime] $(, $arg)*);
    };
}

host_methods!();
host_methods!(A);
host_methods!(A, B);
host_methods!(A, B, C);
host_methods!(A, B, C, D);
host_methods!(A, B, C, D, E);
host_methods!(A, B, C, D, E, G);
host_methods!(A, B, C, D, E, G, H);
