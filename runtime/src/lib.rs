//! Brine: a Python runtime for pickle semantics, embedded in Rust. Python code runs in a
//! RustPython VM whose `pickle` module writes exactly the bytes CPython's C `_pickle` writes
//! and reads everything CPython writes; the host calls in, serves functions to scripts, and
//! moves pickles in and out.
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
//!
//! # Adding it to a crate
//!
//! The package is `brine-runtime`; the library it gives is `brine`. On rustc 1.95 a host crate
//! carries two profile lines for its dependencies in debug builds, `opt-level = 3` (RustPython
//! unoptimised runs Python about 20 times slower) and `debug-assertions = false` (the
//! RustPython parser's one `debug_assert_matches!` needs rustc 1.96), and a third one is
//! recommended, `debug = "line-tables-only"` (the VM's full debug information adds hundreds of
//! megabytes to every binary), builds with
//! `--ignore-rust-version`, and runs `cargo update malachite-bigint@0.14.0 --precise 0.12.0`
//! once (RustPython's `pymath` accepts any `malachite-bigint`, and RustPython needs 0.12; the
//! build script says so if it finds the lock file without it). The repository's README has
//! the whole `Cargo.toml`, with the reasons.
//!
//! # The map of the crate
//!
//! - **The embedding API**, the crate's public face: a [`Runtime`] (made by a [`Builder`]) runs
//!   Python code ([`Runtime::run`], [`Runtime::eval`], compiled [`Code`]), calls its functions
//!   with converted values ([`ToPython`], [`FromPython`], [`ToArgs`]) and hands out
//!   [`Object`] handles; serves host modules of Rust closures ([`ModuleBuilder`]); captures
//!   output ([`Output`]); moves pickles in and out, as bytes ([`Runtime::loads`],
//!   [`Runtime::dumps`]) or as [`pickle_core`] graphs ([`Runtime::to_value`],
//!   [`Runtime::from_value`], which makes only what an allow-list allows); and bounds scripts
//!   it did not write (isolation, [`InterruptHandle`], time limits, pickle limits). Everything
//!   that fails is an [`Error`].
//! - **The `_pickle` binding** (not public): the VM's `pickle` module runs on `pickle-core`,
//!   with CPython's API, hooks, errors and bytes.
//! - **The command line** ([`cli`]): `brine`, a `python`-compatible interpreter built on the
//!   API above, and `brine-pickle`, which disassembles and inspects pickles with no VM.
#![deny(missing_docs)]

mod embed;
pub use embed::api::args::ToArgs;
pub use embed::api::builder::Builder;
pub use embed::api::code::Code;
pub use embed::api::error::{Error, ExceptionKind, PythonError};
pub use embed::api::frames::Frame;
pub use embed::api::kwargs::Kwargs;
pub use embed::api::object::Object;
pub use embed::api::protocol::{CompareOp, ObjectIter};
pub use embed::api::runtime::Runtime;
pub use embed::api::scope::Scope;
pub use embed::api::views::{Dict, List, Tuple};
pub use embed::convert::{FromPython, ToPython};
pub use embed::host::class::{ClassBuilder, Constructed, HostClass, HostConstructor};
pub use embed::host::instance::{HostBorrow, HostBorrowMut, HostRef};
pub use embed::host::method::HostMethod;
pub use embed::host::module::ModuleBuilder;
pub use embed::host::params::{HostFunction, HostReturn, Rest};
pub use embed::limits::interrupt::InterruptHandle;
pub use embed::vm::output::Output;
pub use memory::{Allocator, Mimalloc};

#[doc(hidden)]
pub use embed::convert::Vm;

/// The pickle machine under the runtime, for its `Limits`, value graphs and tools.
pub use pickle_core;

mod memory;
mod per_interpreter;
mod pickle;

pub mod cli;

/// README's Rust blocks, run as doctests so that the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
