//! Unpickling: the `Unpickler` class, the decoder's builder that makes VM objects
//! ([`vm_builder`]), and reading pickles from Python file objects ([`file_source`]).

pub(crate) mod file_source;
pub(crate) mod unpickler;
pub(crate) mod vm_builder;
