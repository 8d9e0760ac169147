//! What a host holds: the [`Runtime`](runtime::Runtime) and its [`Builder`](builder::Builder),
//! [`Object`](object::Object) handles, compiled [`Code`](code::Code), call arguments
//! ([`args`]), and the [`Error`](error::Error) type with its passage to and from Python
//! exceptions ([`exceptions`]); underneath, what a runtime and its handles share
//! ([`shared`]) and the runs a host makes in it ([`run`]).

pub(crate) mod args;
pub(crate) mod builder;
pub(crate) mod code;
pub(crate) mod error;
pub(crate) mod exceptions;
pub(crate) mod extend;
pub(crate) mod frames;
pub(crate) mod kwargs;
pub(crate) mod object;
pub(crate) mod protocol;
pub(crate) mod run;
pub(crate) mod runtime;
pub(crate) mod scope;
pub(crate) mod shared;
pub(crate) mod views;
