//! `pickle_core::serde`: Rust values written as CPython writes their Python equivalents
//! (golden files from tests/serde/generate.py), read back, and what reading refuses.

mod golden;
mod hostile;
mod reading;
mod writing;
