//! What CPython's pickler writes for a type the protocol has no opcode for: a call of a
//! global on arguments it builds (`_codecs.encode(text, 'latin1')`, `bytearray(bytes)`,
//! `set(list)`), memoising those arguments as CPython does.

use super::{Shared, Writer};
use crate::error::PickleError;
use crate::opcodes::op;
use crate::value::NodeId;

impl Writer<'_> {
    /// A key for an object that exists once (a fresh tuple or string CPython builds).
    pub(super) fn fresh(&mut self) -> usize {
        self.next_virtual += 1;
        self.next_virtual - 1
    }

    /// A string the writer introduces, memoised under `key`.
    fn save_text(&mut self, key: usize, text: &[u8]) -> Result<(), PickleError> {
        if self.memo_get(key)? {
            return Ok(());
        }
        self.enc.str(text)?;
        self.memo_put(key)
    }

    /// `_codecs.encode` or a builtin type by name: GLOBAL (Python 2's `__builtin__` below
    /// protocol 3, as fix_imports writes it), or STACK_GLOBAL with the shared 'builtins'.
    fn save_shared_global(&mut self, global: Shared) -> Result<(), PickleError> {
        if self.memo_get(global.key())? {
            return Ok(());
        }
        let proto = self.enc.proto();
        match global {
            Shared::CodecsEncode => self.enc.global(b"_codecs", b"encode"),
            Shared::Type(name) if proto < 3 => self.enc.global(b"__builtin__", name.as_bytes()),
            Shared::Type(name) if proto == 3 => self.enc.global(b"builtins", name.as_bytes()),
            Shared::Type(name) => {
                self.save_text(Shared::Builtins.key(), b"builtins")?;
                let key = self.fresh();
                self.save_text(key, name.as_bytes())?;
                self.enc.op(op::STACK_GLOBAL);
            }
            Shared::Latin1 | Shared::Builtins => unreachable!("strings, not globals"),
        }
        self.memo_put(global.key())
    }

    /// A tuple of `len` elements whose elements the closure writes; memoised as CPython does.
    fn save_fresh_tuple(
        &mut self,
        len: usize,
        elements: impl FnOnce(&mut Self) -> Result<(), PickleError>,
    ) -> Result<(), PickleError> {
        if len == 0 {
            self.enc.empty_tuple();
            return Ok(());
        }
        let small = self.enc.tuple_begin(len);
        elements(self)?;
        self.enc.tuple_end(len, small);
        let key = self.fresh();
        self.memo_put(key)
    }

    /// After a reduction's REDUCE: the object into the memo (or, if it is already there, the
    /// memoised copy instead).
    fn finish_reduce(&mut self, key: usize) -> Result<(), PickleError> {
        self.enc.op(op::REDUCE);
        match self.memo.get(key) {
            Some(idx) => {
                self.enc.op(op::POP);
                self.enc.memo_get(idx)
            }
            None => self.memo_put(key),
        }
    }

    /// Bytes below protocol 3: `bytes()` when empty, else
    /// `_codecs.encode(data.decode('latin1'), 'latin1')`.
    pub(super) fn bytes_by_codecs(&mut self, data: &[u8], key: usize) -> Result<(), PickleError> {
        if data.is_empty() {
            self.save_shared_global(Shared::Type("bytes"))?;
            self.enc.empty_tuple();
            return self.finish_reduce(key);
        }
        self.save_shared_global(Shared::CodecsEncode)?;
        self.save_fresh_tuple(2, |w| {
            // A fresh text, never in the memo: written straight from the bytes.
            let text_key = w.fresh();
            w.enc.str_latin1(data)?;
            w.memo_put(text_key)?;
            w.save_text(Shared::Latin1.key(), b"latin1")
        })?;
        self.finish_reduce(key)
    }

    /// Bytearrays below protocol 5: `bytearray()` or `bytearray(bytes(data))`.
    pub(super) fn bytearray_by_reduce(
        &mut self,
        data: &[u8],
        key: NodeId,
    ) -> Result<(), PickleError> {
        self.save_shared_global(Shared::Type("bytearray"))?;
        let len = usize::from(!data.is_empty());
        self.save_fresh_tuple(len, |w| {
            let bytes_key = w.fresh();
            if w.enc.proto() >= 3 {
                w.enc.bytes(data)?;
                w.memo_put(bytes_key)
            } else {
                w.bytes_by_codecs(data, bytes_key)
            }
        })?;
        self.finish_reduce(key)
    }

    /// Sets and frozensets below protocol 4: `set(list)` / `frozenset(list)`.
    pub(super) fn set_by_reduce(
        &mut self,
        key: NodeId,
        name: &'static str,
        items: &[NodeId],
    ) -> Result<(), PickleError> {
        self.save_shared_global(Shared::Type(name))?;
        self.save_fresh_tuple(1, |w| {
            w.enc.empty_list();
            let list_key = w.fresh();
            w.memo_put(list_key)?;
            if items.is_empty() {
                Ok(())
            } else if w.enc.bin() {
                w.batch_exact(items, op::APPEND, op::APPENDS)
            } else {
                w.batch(items, Self::save_element, op::APPEND, op::APPENDS)
            }
        })?;
        self.finish_reduce(key)
    }
}
