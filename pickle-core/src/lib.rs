//! `pickle-core`: Python's pickle format with no Python. It reads every pickle CPython writes,
//! within limits untrusted input cannot get past, writes exactly the bytes CPython's C `_pickle`
//! writes at protocols 0-5, and tells what a pickle would import and call without running it.
//! It is the pickle machine under Brine's embedded Python runtime (the `brine-runtime` crate).
//!
//! ```
//! use pickle_core::decoder::Limits;
//! use pickle_core::inspect::{inspect, AllowList, Verdict};
//! use pickle_core::value::{from_slice, to_json, to_vec};
//!
//! // What CPython's pickle.dumps({'id': 7, 'tags': ['a', 'b']}, protocol=2) writes.
//! let data = b"\x80\x02}q\x00(X\x02\x00\x00\x00idq\x01K\x07X\x04\x00\x00\x00tagsq\x02]q\x03(X\x01\x00\x00\x00aq\x04X\x01\x00\x00\x00bq\x05eu.";
//!
//! // Read as a graph of values, within the limits untrusted input gets...
//! let pickle = from_slice(data, &Limits::UNTRUSTED)?;
//! assert_eq!(to_json(&pickle)?, r#"{"dict":[["id",7],["tags",["a","b"]]]}"#);
//! // ... and written back at any protocol, byte for byte as CPython writes it.
//! assert_eq!(to_vec(&pickle, 2)?, data);
//!
//! // Nothing to import or call: safe to load. A pickle that calls os.system is not.
//! let report = inspect(data, &Limits::UNTRUSTED, &AllowList::safe_default());
//! assert_eq!(report.verdict(), Verdict::Safe);
//! let hostile = b"cos\nsystem\n(S'echo hi'\ntR.";
//! let report = inspect(hostile, &Limits::UNTRUSTED, &AllowList::safe_default());
//! assert!(matches!(report.verdict(), Verdict::Unsafe(_)));
//! # Ok::<(), pickle_core::PickleError>(())
//! ```
//!
//! The map of the crate:
//!
//! - [`opcodes`]: the opcode table as data; it drives everything below.
//! - [`reader`]: the one opcode reader (`genops`) shared by every consumer.
//! - [`encoder`]: writes opcodes with CPython's exact choices and framing.
//! - [`decoder`]: the stack machine, generic over a [`decoder::Builder`], bounded by
//!   [`decoder::Limits`].
//! - [`value`]: a pickle as a graph of values, read and written without running anything,
//!   and rendered as JSON.
//! - [`inspect`]: what an untrusted pickle (or a model file of pickles: PyTorch, NumPy, joblib)
//!   would import and call, and a verdict.
//! - [`disasm`]: pickletools' `dis` and `optimize`.
//! - [`text`]: the text conversions pickle needs.
//! - [`compat`]: the Python 2 names the loader maps (`fix_imports`).
//! - [`error`]: one error type, with CPython's message and the byte offset.
//! - `serde` (the `serde` feature): any serde type read from and written as a pickle, with
//!   serde-pickle's calls.
#![deny(missing_docs)]
// docs.rs marks what needs the serde feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
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
