//! Brine: an embedded Python runtime for pickle semantics.
//!
//! The RustPython VM runs real Python classes; its `_pickle` module is ours ([`pickle`]),
//! a binding of `pickle-core`'s encoder and decoder to VM objects.

pub mod cli;
pub mod interpreter;
pub mod pickle;
