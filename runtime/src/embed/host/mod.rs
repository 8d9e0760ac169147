//! Host modules: Rust closures a script imports and calls like Python functions, made when
//! the runtime is built or at any time after.

pub(crate) mod class;
pub(crate) mod function;
pub(crate) mod instance;
pub(crate) mod method;
pub(crate) mod module;
pub(crate) mod params;
