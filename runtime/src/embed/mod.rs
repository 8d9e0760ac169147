//! The embedding API: a [`Runtime`](crate::Runtime) and everything a host does with it.
//!
//! Six rooms. The three a host sees use one another (an error holds an object, an object
//! converts values, a host function returns them):
//!
//! - [`api`]: the runtime and its builder, object handles, compiled code, call arguments,
//!   the error type and its passage to and from Python exceptions;
//! - [`convert`]: values between Rust and Python, and object graphs as pickle-core values;
//! - [`host`]: modules of Rust functions a script imports.
//!
//! The three below never import the ones above:
//!
//! - [`limits`]: what stops a run (interrupts, time limits, fuel, the memory limit and the
//!   checks in front of the VM's large or long native operations, source nesting);
//! - [`isolation`]: what an isolated runtime refuses;
//! - [`vm`]: the interpreter as brine builds it, the lock and way in every handle shares,
//!   its standard streams, finalization and what it must not leave behind.

pub(crate) mod api;
pub(crate) mod convert;
pub(crate) mod host;
pub(crate) mod isolation;
pub(crate) mod limits;
pub(crate) mod vm;
