//! Corrections to RustPython's types where pickling (ours, `pickle.py`'s and `copy`'s alike)
//! would otherwise see something CPython does not have: each file is one type or family, and
//! says what CPython does and what RustPython did instead.
//!
//! Built-in types are corrected when an interpreter is built ([`apply`]); the types of native
//! modules when the module is first made ([`wrap_module_defs`]), so that a script that never
//! imports `array` does not pay for its correction. RustPython's types are shared by every
//! interpreter of the process, so each correction is made once.

mod array;
mod builtins;
mod exceptions;
mod module_exec;
mod tzpath;

pub(crate) use builtins::apply;
pub(crate) use module_exec::wrap_module_defs;
