//! What the decoder asks of whoever makes the objects.

use crate::error::PickleError;

/// Values handed to a container, moved straight off the decoder's stack.
pub type Items<'a, V> = std::vec::Drain<'a, V>;

/// Data a pickler wrote into the stream right after an object's BUILD, outside the pickle
/// proper: joblib writes a NumPy array's bytes there (or a pickle of an array of objects),
/// and its loader reads them at that point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlineData {
    /// Nothing: every pickle the standard library writes.
    None,
    /// `len` raw bytes; when `padded`, after a byte giving a padding length and that many
    /// padding bytes.
    Bytes {
        /// Whether a padding length and padding come first.
        padded: bool,
        /// The data's length.
        len: u64,
    },
    /// A whole pickle of its own (fresh memo), read and its value dropped.
    Pickle,
}

/// Makes values for the decoder. The runtime's builder makes VM objects (and runs
/// `find_class`, `__setstate__`, `persistent_load`, ...); a data-only builder keeps globals and
/// calls as data.
///
/// Text arguments arrive as raw bytes: `str` payloads are UTF-8 in which lone surrogates may
/// appear (already validated), GLOBAL/INST lines and PERSID ids are as they stand in the stream.
pub trait Builder {
    /// A value on the stack; cloning must be cheap (a reference, not a copy).
    type Value: Clone;
    /// The builder's error; decoder errors convert into it.
    type Error: From<PickleError>;

    /// PROTO was read.
    fn proto(&mut self, _proto: u8) {}
    /// The next opcode starts at byte `at` of the input (an inspector notes where each use
    /// is; builders that make values ignore it).
    #[inline]
    fn opcode_at(&mut self, _at: u64) {}
    /// `None`.
    fn none(&mut self) -> Result<Self::Value, Self::Error>;
    /// `True` or `False`.
    fn bool(&mut self, value: bool) -> Result<Self::Value, Self::Error>;
    /// An integer that fits in 64 bits.
    fn int(&mut self, value: i64) -> Result<Self::Value, Self::Error>;
    /// A larger integer, as little-endian two's-complement bytes.
    fn big_int(&mut self, le: &[u8]) -> Result<Self::Value, Self::Error>;
    /// A float.
    fn float(&mut self, value: f64) -> Result<Self::Value, Self::Error>;
    /// A `str` (UTF-8, lone surrogates allowed).
    fn str(&mut self, text: &[u8]) -> Result<Self::Value, Self::Error>;
    /// A `str` the decoder checked to be ASCII (most pickled text), which a builder may make
    /// without checking it again; by default any other [`str`](Self::str).
    fn str_ascii(&mut self, text: &[u8]) -> Result<Self::Value, Self::Error> {
        self.str(text)
    }
    /// A `str` given as UTF-8 the decoder checked to hold only code points below 256, some
    /// above 7F: what a `bytes` pickled at protocols 1-2 becomes before `_codecs.encode`
    /// turns it back. A builder that makes that call may convert such text without checking
    /// it again; by default it is any other [`str`](Self::str).
    fn str_latin1_utf8(&mut self, text: &[u8]) -> Result<Self::Value, Self::Error> {
        self.str(text)
    }
    /// A `str` whose code points all fit a byte, given as those bytes: protocol 0's text of
    /// a `bytes`, which is latin-1. By default made as UTF-8 through [`str`](Self::str).
    fn str_latin1(&mut self, latin1: Vec<u8>) -> Result<Self::Value, Self::Error> {
        self.str(&crate::text::latin1_to_utf8(&latin1))
    }
    /// A `bytes`.
    fn bytes(&mut self, data: &[u8]) -> Result<Self::Value, Self::Error>;
    /// A `bytearray`.
    fn bytearray(&mut self, data: &[u8]) -> Result<Self::Value, Self::Error>;
    /// A Python 2 string (STRING, BINSTRING, SHORT_BINSTRING): decode it as the loader's
    /// `encoding` says.
    fn legacy_string(&mut self, data: &[u8]) -> Result<Self::Value, Self::Error>;
    /// A list of `items`.
    fn list(&mut self, items: Vec<Self::Value>) -> Result<Self::Value, Self::Error>;
    /// A tuple of `items`.
    fn tuple(&mut self, items: Vec<Self::Value>) -> Result<Self::Value, Self::Error>;
    /// A dict of key/value pairs laid out flat: `[k0, v0, k1, v1, ...]`.
    fn dict(&mut self, pairs: Vec<Self::Value>) -> Result<Self::Value, Self::Error>;
    /// An empty set.
    fn set(&mut self) -> Result<Self::Value, Self::Error>;
    /// A frozenset of `items`.
    fn frozenset(&mut self, items: Vec<Self::Value>) -> Result<Self::Value, Self::Error>;
    /// APPEND/APPENDS: add `items` to `list` (which may be any object).
    fn append(
        &mut self,
        list: &Self::Value,
        items: Items<'_, Self::Value>,
    ) -> Result<(), Self::Error>;
    /// SETITEM/SETITEMS: set flat key/value `pairs` on `dict` (which may be any object).
    fn set_items(
        &mut self,
        dict: &Self::Value,
        pairs: Items<'_, Self::Value>,
    ) -> Result<(), Self::Error>;
    /// ADDITEMS: add `items` to `set` (which may be any object).
    fn add_items(
        &mut self,
        set: &Self::Value,
        items: Items<'_, Self::Value>,
    ) -> Result<(), Self::Error>;
    /// GLOBAL: the object named `name` in `module`.
    fn global(&mut self, module: &[u8], name: &[u8]) -> Result<Self::Value, Self::Error>;
    /// STACK_GLOBAL: like GLOBAL with module and name from the stack.
    fn stack_global(
        &mut self,
        module: Self::Value,
        name: Self::Value,
    ) -> Result<Self::Value, Self::Error>;
    /// REDUCE: `func(*args)`.
    fn reduce(&mut self, func: Self::Value, args: Self::Value) -> Result<Self::Value, Self::Error>;
    /// NEWOBJ: `cls.__new__(cls, *args)`.
    fn newobj(&mut self, cls: Self::Value, args: Self::Value) -> Result<Self::Value, Self::Error>;
    /// NEWOBJ_EX: `cls.__new__(cls, *args, **kwargs)`.
    fn newobj_ex(
        &mut self,
        cls: Self::Value,
        args: Self::Value,
        kwargs: Self::Value,
    ) -> Result<Self::Value, Self::Error>;
    /// BUILD: apply `state` to `obj`.
    fn build(&mut self, obj: &Self::Value, state: Self::Value) -> Result<(), Self::Error>;
    /// Whether SETITEMS directly followed by BUILD goes to [`Builder::build_from_pairs`]
    /// (the two opcodes CPython writes for an instance's `__dict__` state), and SETITEMS,
    /// TUPLE2, BUILD to [`Builder::build_slots_from_pairs`]. Off unless a builder asks: an
    /// error the SETITEMS raises is then reported at the BUILD's offset.
    fn fuses_set_items_with_build(&self) -> bool {
        false
    }
    /// SETITEMS of `pairs` into `state`, then BUILD of `state` on `obj`, as one step: a
    /// builder that can tell no one else sees `state` may apply the pairs to `obj` without
    /// filling it. What it must come to is this default's.
    fn build_from_pairs(
        &mut self,
        obj: &Self::Value,
        state: Self::Value,
        pairs: Items<'_, Self::Value>,
    ) -> Result<(), Self::Error> {
        self.set_items(&state, pairs)?;
        self.build(obj, state)
    }
    /// SETITEMS of `pairs` into `slots`, then TUPLE2 of `dict_state` and `slots`, then BUILD
    /// of that tuple on `obj`, as one step (how CPython writes the state of an instance with
    /// `__slots__`); as [`Builder::build_from_pairs`], it must come to this default's.
    fn build_slots_from_pairs(
        &mut self,
        obj: &Self::Value,
        dict_state: Self::Value,
        slots: Self::Value,
        pairs: Items<'_, Self::Value>,
    ) -> Result<(), Self::Error> {
        self.set_items(&slots, pairs)?;
        let state = self.tuple(vec![dict_state, slots])?;
        self.build(obj, state)
    }
    /// After BUILD: what the stream holds for `obj` outside the pickle (see [`InlineData`]).
    /// None unless a builder knows a format that writes such data.
    fn inline_data(&mut self, obj: &Self::Value) -> Result<InlineData, Self::Error> {
        let _ = obj;
        Ok(InlineData::None)
    }
    /// INST: instantiate the class `module.name` with `args`.
    fn inst(
        &mut self,
        module: &[u8],
        name: &[u8],
        args: Vec<Self::Value>,
    ) -> Result<Self::Value, Self::Error>;
    /// OBJ: instantiate `cls` with `args`.
    fn obj(&mut self, cls: Self::Value, args: Vec<Self::Value>)
    -> Result<Self::Value, Self::Error>;
    /// PERSID: the object with the text persistent id `pid`.
    fn persistent_id_text(&mut self, pid: &[u8]) -> Result<Self::Value, Self::Error>;
    /// BINPERSID: the object with persistent id `pid`.
    fn persistent_id(&mut self, pid: Self::Value) -> Result<Self::Value, Self::Error>;
    /// EXT1/EXT2/EXT4: the object registered under extension `code` (always positive).
    fn extension(&mut self, code: i32) -> Result<Self::Value, Self::Error>;
    /// NEXT_BUFFER: the next out-of-band buffer.
    fn next_buffer(&mut self) -> Result<Self::Value, Self::Error>;
    /// POP discarded `value` (the result of a state setter's call, for instance).
    fn discard(&mut self, _value: Self::Value) {}
    /// READONLY_BUFFER: a read-only view of `buffer`.
    fn readonly_buffer(&mut self, buffer: Self::Value) -> Result<Self::Value, Self::Error>;
}
