//! What CPython writes as a call: bytes below protocol 3 (`_codecs.encode(text, 'latin1')`,
//! or `bytes()` when empty) and instances of plain classes (`cls.__new__(cls)` from protocol
//! 2, `copyreg._reconstructor(cls, object, None)` before), each piece saved where CPython
//! saves it, so frames close at the same places.

use super::{Error, Writer, single_byte_slot};
use crate::opcodes::op;

impl<'o> Writer<'o> {
    /// A bytes object of the value: a fresh one, or one of CPython's one-object bytes.
    pub(super) fn bytes(&mut self, data: &[u8]) -> Result<(), Error> {
        let single = single_byte_slot(data);
        if let Some(idx) = single.and_then(|slot| self.single_bytes[slot]) {
            return Ok(self.enc.memo_get(idx)?);
        }
        if self.enc.proto() >= 3 {
            self.enc.bytes(data)?;
        } else {
            self.bytes_by_codecs(data)?;
        }
        let idx = self.next_memo();
        if let Some(slot) = single {
            self.single_bytes[slot] = Some(idx);
        }
        Ok(self.enc.memo_put(idx)?)
    }

    /// Protocols 0 to 2: `bytes()`, or `_codecs.encode(data.decode('latin1'), 'latin1')`, up
    /// to the REDUCE (the caller memoises the result).
    fn bytes_by_codecs(&mut self, data: &[u8]) -> Result<(), Error> {
        if data.is_empty() {
            self.global("__builtin__", "bytes")?;
            self.boundary()?;
            self.enc.empty_tuple();
        } else {
            self.global("_codecs", "encode")?;
            self.boundary()?;
            let small = self.enc.tuple_begin(2);
            let text: String = data.iter().map(|&b| char::from(b)).collect();
            self.boundary()?;
            self.text(&text)?;
            self.interned("latin1")?;
            self.enc.tuple_end(2, small);
            self.memo_put()?;
        }
        self.enc.op(op::REDUCE);
        Ok(())
    }

    /// An instance of `module.qualname` made without its state, and memoised.
    pub(super) fn instance_of(&mut self, module: &'o str, qualname: &'o str) -> Result<(), Error> {
        self.start()?;
        if self.enc.proto() >= 2 {
            self.global(module, qualname)?;
            self.boundary()?;
            self.enc.empty_tuple();
            self.enc.op(op::NEWOBJ);
        } else {
            self.global("copy_reg", "_reconstructor")?;
            self.boundary()?;
            let small = self.enc.tuple_begin(3);
            self.global(module, qualname)?;
            self.global("__builtin__", "object")?;
            self.boundary()?;
            self.enc.none();
            self.enc.tuple_end(3, small);
            self.memo_put()?;
            self.enc.op(op::REDUCE);
        }
        self.memo_put()
    }
}
