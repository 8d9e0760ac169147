//! `pickle-core`: the pickle machine without a Python VM.
//!
//! - [`opcodes`]: the opcode table as data.
//! - [`reader`]: the one opcode reader (`genops`) shared by every consumer.
//! - [`encoder`]: writes opcodes with CPython's exact choices and framing.
//! - [`decoder`]: the stack machine, generic over a [`decoder::Builder`].
//! - [`text`]: the text conversions pickle needs.
#![deny(missing_docs)]

pub mod decoder;
pub mod encoder;
pub mod error;
pub mod opcodes;
pub mod reader;
pub mod text;

pub use error::{ErrorKind, PickleError, PyExcKind};
