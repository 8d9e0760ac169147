//! serde for pickles (the `serde` feature): read any `Deserialize` type from a pickle of any
//! protocol, and write any `Serialize` type as the bytes CPython's `pickle.dumps` writes for
//! the equivalent Python value.
//!
//! ```
//! use pickle_core::serde::{DeOptions, from_slice, to_vec};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct Record {
//!     id: u32,
//!     name: String,
//!     tags: Vec<String>,
//!     parent: Option<u32>,
//! }
//!
//! let record = Record { id: 7, name: "seven".into(), tags: vec!["odd".into()], parent: None };
//! let data = to_vec(&record, 4).unwrap(); // what pickle.dumps(the dict, 4) writes
//! assert_eq!(from_slice::<Record>(&data, DeOptions::new()).unwrap(), record);
//! ```
//!
//! # The mapping
//!
//! | Rust | Python (written) | also read from |
//! |---|---|---|
//! | `bool` | `bool` | |
//! | integers, `i128`, `u128` | `int` | any `int` that fits |
//! | `num_bigint::BigInt` with [`big_int`] | `int` | any `int` |
//! | `f32`, `f64` (NaN and infinities too) | `float` | `int` |
//! | `String`, `&str`, `char` | `str` | Python 2 `str` (see [`Encoding`]) |
//! | `serde_bytes`, `Vec<u8>` | `bytes` (`serde_bytes`); a list of ints (plain `Vec<u8>`) | `bytes`, `bytearray` (into either) |
//! | `Option<T>` | `None` or the value | |
//! | `()`, unit structs | `None` | |
//! | `Vec<T>`, slices, sets, other sequences | `list` | `list`, `tuple`, `set`, `frozenset` |
//! | tuples, tuple structs | `tuple` | any sequence |
//! | maps (any key type) | `dict` | `dict` |
//! | structs | `dict` with `str` keys, or an instance of a class ([`SerOptions::struct_as_class`]) | `dict`, a sequence in field order, an instance's state ([`Globals::Reduce`]) |
//! | newtype structs | the value | |
//! | enums: `V`, `V(x)`, `V(x, y)`, `V { f }` | `'V'`, `{'V': x}`, `{'V': (x, y)}`, `{'V': {'f': ...}}` | also `('V',)` and `('V', content)` |
//! | [`PersistentId<T>`] | a persistent id (`persistent_id` / `persistent_load`) | |
//!
//! A Python object the pickle shares (the same list in two places, a memo reference) is read
//! as a copy wherever it appears; the copies count against the memory limit, so a small
//! pickle cannot expand into a huge value. A structure that contains itself cannot be a Rust
//! value: reading one is an error ([`DeOptions::replace_recursive_structures`] reads None
//! where it recurs), never a loop or an overflowed stack.
//!
//! What CPython's pickler writes as calls for built-in types (`set(...)` and
//! `frozenset(...)` below protocol 4, `_codecs.encode(text, 'latin1')` for bytes below 3,
//! `bytearray(...)`, and `copyreg._reconstructor` for instances below 2) is read as that
//! data, whatever [`Globals`] says. Other globals are refused unless the options say
//! otherwise.
//!
//! Writing is byte-identical to `pickle.dumps(value, protocol)` where the Python value's
//! strings are fresh objects, as a Rust value's are, except the ones Python shares: field
//! and variant names (interned identifiers, as in a dict written with literal keys), class
//! and module names, and CPython's one-object strings and bytes (empty, one character below
//! U+0100, one byte). A sequence or map whose length serde does not know in advance (an
//! iterator, a `#[serde(flatten)]` struct) is written as a batch even when it holds one item
//! (`MARK x APPENDS` where CPython writes `x APPEND`): the same object, different bytes.

mod de;
mod error;
mod magic;
mod options;
mod ser;

pub use de::{Pid, from_buf_reader, from_pickle, from_reader, from_slice};
pub use error::{Error, ErrorKind};
/// The newtype names [`big_int`] and [`PersistentId`] travel under, for another format that
/// maps them as this one does (brine's serde to and from live Python objects).
#[doc(hidden)]
pub use magic::{BIG_INT, PERSISTENT_ID};
pub use magic::{PersistentId, big_int};
pub use options::{DeOptions, Encoding, Globals, PersistentLoad, SerOptions};
pub use ser::{to_vec, to_writer};
