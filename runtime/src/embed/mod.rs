//! The embedding API: a [`Runtime`] and everything a host does with it.
//!
//! One file per part: the runtime's methods ([`runtime`]) and its options ([`builder`]), the
//! lock and way in that every handle shares ([`shared`]), object handles ([`object`]) and
//! compiled code ([`code`]), dotted paths to objects ([`paths`]), conversions ([`convert`]) and call arguments ([`args`]), host
//! modules of Rust functions ([`host`]), standard streams ([`output`]), the error type
//! ([`error`]) and its passage to and from Python exceptions ([`exceptions`]), graphs of
//! pickle-core values ([`values`]), and the interpreter's standard library ([`interpreter`]).

pub(crate) mod args;
pub(crate) mod builder;
pub(crate) mod code;
pub(crate) mod convert;
pub(crate) mod deep_free;
pub(crate) mod error;
pub(crate) mod exceptions;
pub(crate) mod finalize;
pub(crate) mod frozen_pages;
pub(crate) mod fuel;
pub(crate) mod host;
pub(crate) mod interpreter;
pub(crate) mod interrupt;
pub(crate) mod isolation;
pub(crate) mod iterator_depth;
pub(crate) mod large_requests;
pub(crate) mod leftovers;
pub(crate) mod long_iterations;
pub(crate) mod memory_limit;
pub(crate) mod min_max;
pub(crate) mod object;
pub(crate) mod output;
pub(crate) mod paths;
pub(crate) mod python_version;
pub(crate) mod runtime;
pub(crate) mod safe_points;
pub(crate) mod shared;
pub(crate) mod sized_methods;
pub(crate) mod sleep;
pub(crate) mod source_depth;
pub(crate) mod thread_accounts;
#[cfg(feature = "ssl")]
pub(crate) mod tls;
pub(crate) mod tree_constants;
pub(crate) mod values;
pub(crate) mod watchdog;
