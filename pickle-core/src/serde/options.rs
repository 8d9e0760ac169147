//! What a caller can choose when reading ([`DeOptions`]) and writing ([`SerOptions`]).

use super::de::Pid;
use crate::decoder::Limits;
use crate::value::Value;
use std::fmt;
use std::sync::Arc;

/// What the reader does with a global that is not one of the few CPython's pickler uses to
/// write built-in types (`set`, `frozenset`, `bytearray`, `bytes`, `_codecs.encode` and
/// `copyreg._reconstructor` are always read as the data they stand for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Globals {
    /// An error naming the global (the default): nothing that is not plain data is taken for
    /// data.
    #[default]
    Refuse,
    /// The global, and any object made by calling it, reads as None (unit, or `Option::None`).
    ReplaceWithNone,
    /// The object is handed to the visitor as what it was reduced to. Read as a whole
    /// (`deserialize_any`, a map or a struct with `module` and `name` fields) it is a map
    /// with `module`, `name`, `args` and `state` (None when there is none), and `kwargs`,
    /// `listitems` and `dictitems` when the pickle has them. A struct with other fields
    /// takes the object's state (an instance's `__dict__`, with its slots) or, without one,
    /// its arguments in order (a NamedTuple); a sequence or tuple takes the arguments; a map
    /// takes the state, or the items set on it (an `OrderedDict`); a single value (a
    /// newtype, a string, a number) takes the one argument (`Decimal('1.5')`).
    Reduce,
}

/// How Python 2's 8-bit strings (the STRING opcodes of protocols 0 to 2) are read: the
/// `encoding` of `pickle.loads`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Text that must be ASCII (the default, as `pickle.loads`).
    #[default]
    Ascii,
    /// Text, each byte one character.
    Latin1,
    /// Text that must be UTF-8.
    Utf8,
    /// Bytes, as `encoding='bytes'`.
    Bytes,
}

/// A reader's answer for a persistent id: `None` reads the id itself in its place (the
/// visitor sees the id's value), `Some(value)` reads `value` instead; the value must be a
/// scalar (None, a bool, an int, a float, text or bytes).
pub type PersistentLoad = dyn Fn(Pid<'_>) -> Result<Option<Value>, String> + Send + Sync;

/// Options for reading: `DeOptions::new()` and the builder methods.
#[derive(Clone, Default)]
pub struct DeOptions {
    pub(crate) encoding: Encoding,
    pub(crate) globals: Globals,
    pub(crate) replace_recursive: bool,
    pub(crate) limits: Option<Limits>,
    pub(crate) persistent_load: Option<Arc<PersistentLoad>>,
}

impl fmt::Debug for DeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeOptions")
            .field("encoding", &self.encoding)
            .field("globals", &self.globals)
            .field("replace_recursive", &self.replace_recursive)
            .field("limits", &self.get_limits())
            .field("persistent_load", &self.persistent_load.is_some())
            .finish()
    }
}

impl DeOptions {
    /// The defaults: Python 2 strings as ASCII text, globals refused, a cycle an error,
    /// persistent ids an error (as `pickle.loads` without `persistent_load`), and the limits
    /// for untrusted data ([`Limits::UNTRUSTED`]: 64 MiB).
    pub fn new() -> Self {
        Self::default()
    }

    /// How Python 2 strings are read.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// What globals other than the built-in types' read as.
    pub fn globals(mut self, globals: Globals) -> Self {
        self.globals = globals;
        self
    }

    /// A structure that contains itself reads as None where it recurs, rather than being an
    /// error.
    pub fn replace_recursive_structures(mut self) -> Self {
        self.replace_recursive = true;
        self
    }

    /// Bounds on what reading may consume: the pickle's graph, and the copies made of the
    /// objects it shares (each counted against `max_memory` again).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Calls `load` for each persistent id (PERSID, BINPERSID) the pickle holds.
    pub fn persistent_load(
        mut self,
        load: impl Fn(Pid<'_>) -> Result<Option<Value>, String> + Send + Sync + 'static,
    ) -> Self {
        self.persistent_load = Some(Arc::new(load));
        self
    }

    /// serde-pickle's name for `encoding(Encoding::Utf8)`.
    pub fn decode_strings(self) -> Self {
        self.encoding(Encoding::Utf8)
    }

    /// serde-pickle's name for `globals(Globals::ReplaceWithNone)`.
    pub fn replace_unresolved_globals(self) -> Self {
        self.globals(Globals::ReplaceWithNone)
    }

    pub(crate) fn get_limits(&self) -> Limits {
        self.limits.unwrap_or(Limits::UNTRUSTED)
    }
}

/// A Rust struct written as an instance of a Python class, rather than as a dict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClassName {
    pub(crate) module: String,
    pub(crate) qualname: String,
}

/// Options for writing: `SerOptions::new()` and the builder methods, or a protocol number
/// (`to_vec(&value, 2)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerOptions {
    pub(crate) protocol: u8,
    pub(crate) classes: Vec<(String, ClassName)>,
}

impl Default for SerOptions {
    fn default() -> Self {
        SerOptions {
            protocol: crate::encoder::DEFAULT_PROTOCOL,
            classes: Vec::new(),
        }
    }
}

impl From<u8> for SerOptions {
    fn from(protocol: u8) -> Self {
        SerOptions::new().protocol(protocol)
    }
}

impl SerOptions {
    /// The defaults: `pickle.DEFAULT_PROTOCOL` (5), every struct a dict.
    pub fn new() -> Self {
        Self::default()
    }

    /// The protocol, 0 to 5 (a higher one is an error when writing, as in CPython).
    pub fn protocol(mut self, protocol: u8) -> Self {
        self.protocol = protocol;
        self
    }

    /// Writes every struct serde names `struct_name` as an instance of the Python class
    /// `module.qualname` whose `__dict__` holds the fields: the bytes CPython writes for such
    /// an instance of a plain class, which `pickle.loads` rebuilds without calling
    /// `__init__`.
    pub fn struct_as_class(mut self, struct_name: &str, module: &str, qualname: &str) -> Self {
        let class = ClassName {
            module: module.to_string(),
            qualname: qualname.to_string(),
        };
        self.classes.retain(|(name, _)| name != struct_name);
        self.classes.push((struct_name.to_string(), class));
        self
    }

    /// serde-pickle's name for `protocol(2)`.
    pub fn proto_v2(self) -> Self {
        self.protocol(2)
    }

    pub(crate) fn class_of(&self, struct_name: &str) -> Option<&ClassName> {
        self.classes
            .iter()
            .find(|(name, _)| name == struct_name)
            .map(|(_, class)| class)
    }
}
