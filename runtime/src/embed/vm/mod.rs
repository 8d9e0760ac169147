//! The VM plumbing under everything: the interpreter as brine builds it ([`interpreter`],
//! its standard library's pages [`frozen_pages`], [`python_version`], [`tls`],
//! [`tree_constants`], `sys.monitoring`'s [`line_events`]), the standard streams ([`output`]), dotted paths to objects ([`paths`]), native modules made for their types
//! ([`native_modules`]), and the end of an
//! interpreter: [`finalize`], what it must not leave behind ([`leftovers`]) and deep data
//! freed in bounded stack ([`deep_free`]).

pub(crate) mod deep_free;
pub(crate) mod finalize;
pub(crate) mod frozen_pages;
pub(crate) mod interpreter;
pub(crate) mod leftovers;
pub(crate) mod line_events;
pub(crate) mod native_modules;
pub(crate) mod output;
pub(crate) mod paths;
pub(crate) mod python_version;
#[cfg(feature = "ssl")]
pub(crate) mod tls;
pub(crate) mod tree_constants;
