//! Brine: a Python runtime for pickle semantics, embedded in Rust.
//!
//! The crate has three parts:
//!
//! - **The embedding API** (this page): a [`Runtime`] runs Python code in a RustPython VM,
//!   calls its functions with converted values ([`ToPython`], [`FromPython`]), serves host
//!   modules of Rust closures ([`ModuleBuilder`]), and moves pickles in and out, as bytes
//!   ([`Runtime::loads`], [`Runtime::dumps`]) or as `pickle-core` graphs
//!   ([`Runtime::to_value`], [`Runtime::from_value`]). Everything that fails is an
//!   [`Error`].
//! - **The `_pickle` binding**: the VM's `pickle` module runs on Brine's own pickle machine,
//!   `pickle-core`, writing exactly the bytes CPython's C `_pickle` writes.
//! - **The command line** ([`cli`]): `brine`, a `python`-compatible interpreter built on the
//!   API above.
//!
//! ```
//! use brine::{Error, Output, Runtime};
//!
//! let rt = Runtime::builder()
//!     .stdout(Output::Capture)
//!     .module("host", |m| {
//!         m.function("scale", |xs: Vec<f64>, k: f64| xs.iter().map(|x| x * k).collect::<Vec<_>>());
//!     })
//!     .build()?;
//! rt.run("import host\nprint(host.scale([1.0, 2.5], 2))")?;
//! assert_eq!(rt.take_stdout(), "[2.0, 5.0]\n");
//!
//! // A pickle made by CPython (protocol 2) comes in as Python objects.
//! let job = rt.loads(b"\x80\x02}q\x00X\x02\x00\x00\x00idq\x01K\x07s.")?;
//! assert_eq!(job.get_item::<i64>("id")?, 7);
//! # Ok::<(), Error>(())
//! ```

#![deny(missing_docs)]

mod embed;
pub use embed::args::ToArgs;
pub use embed::builder::Builder;
pub use embed::code::Code;
pub use embed::convert::{FromPython, ToPython};
pub use embed::error::{Error, ExceptionKind, PythonError};
pub use embed::host::{HostFunction, HostReturn, ModuleBuilder};
pub use embed::interrupt::InterruptHandle;
pub use embed::object::Object;
pub use embed::output::Output;
pub use embed::runtime::Runtime;

#[doc(hidden)]
pub use embed::convert::Vm;

/// The pickle machine under the runtime, for its `Limits`, value graphs and tools.
pub use pickle_core;

mod pickle;

pub mod cli;

/// README's Rust blocks, run as doctests so that the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
