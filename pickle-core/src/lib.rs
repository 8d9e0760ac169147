//! `pickle-core`: the pickle machine without a Python VM.
//!
//! - [`opcodes`]: the opcode table as data.
//! - [`reader`]: the one opcode reader (`genops`) shared by every consumer.
//! - [`encoder`]: writes opcodes with CPython's exact choices and framing.
//! - [`decoder`]: the stack machine, generic over a [`decoder::Builder`].
//! - [`text`]: the text conversions pickle needs.
//! - [`value`]: a pickle as a graph of values, read and written without running anything,
//!   and rendered as JSON.
//! - [`inspect`]: what an untrusted pickle would import and call, and a verdict.
//! - [`disasm`]: pickletools' `dis` and `optimize`.
//! - [`compat`]: the Python 2 names the loader maps (`fix_imports`).
//! - `serde` (the `serde` feature): `from_slice` / `to_vec` for any serde type.
//!
//! Writing and reading opcodes without a VM:
//!
//! ```
//! use pickle_core::encoder::Encoder;
//! use pickle_core::reader::genops;
//!
//! // pickle.dumps([1, 2], 2) as CPython writes it.
//! let mut enc = Encoder::new(2);
//! enc.begin();
//! enc.empty_list();
//! enc.memo_put(0).unwrap();
//! enc.op(pickle_core::opcodes::op::MARK);
//! enc.int(1);
//! enc.int(2);
//! enc.op(pickle_core::opcodes::op::APPENDS);
//! enc.end();
//! let data = enc.take_output();
//! assert_eq!(data, b"\x80\x02]q\x00(K\x01K\x02e.");
//!
//! let names: Vec<_> = genops(&data).map(|op| op.unwrap().info.name).collect();
//! assert_eq!(names, ["PROTO", "EMPTY_LIST", "BINPUT", "MARK", "BININT1", "BININT1", "APPENDS", "STOP"]);
//! ```
#![deny(missing_docs)]
// One module writes into a vector's spare room (encoder::staged, where the reason and the
// proof live), and the serde writer's fast-path check tells the compiler how much room there
// is (serde::ser, `Writer::fast`, with its proof); anything else unsafe is refused.
#![deny(unsafe_code)]

pub mod compat;
pub mod decoder;
pub mod disasm;
pub mod encoder;
pub mod error;
pub mod inspect;
pub mod opcodes;
pub mod reader;
#[cfg(feature = "serde")]
pub mod serde;
pub mod text;
pub mod value;

pub use error::{ErrorKind, PickleError, PyExcKind};
