//! Corrections to RustPython's types where pickling (ours, `pickle.py`'s and `copy`'s alike)
//! would otherwise see something CPython does not have: each file is one type or family, and
//! says what CPython does and what RustPython did instead.
//!
//! Built-in types are corrected when an interpreter is built ([`apply`]); the types of native
//! modules when the module is first made ([`wrap_module_defs`]), so that a script that never
//! imports `array` does not pay for its correction; classes of pure-Python modules (C in
//! CPython) right after their module runs ([`install_python_corrections`], the corrections in
//! stdlib-shims/_brine_stdlib_fixes.py). RustPython's native types are shared by every
//! interpreter of the process, so each of their corrections is made once.

mod array;
mod builtins;
mod code_lines;
mod exceptions;
mod frozen_exec;
mod function_new;
mod heap_types;
mod methods;
mod module_exec;
mod stat_result;
mod structseq;
mod tzpath;
mod zoneinfo;

pub(crate) use builtins::apply;
pub(crate) use frozen_exec::install as install_python_corrections;
pub(crate) use module_exec::wrap_module_defs;
