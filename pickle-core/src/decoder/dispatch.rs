//! The opcode loop and one small handler per opcode family.

use super::machine::Machine;
use super::{Builder, InlineData, Memo};
use crate::error::{ErrorKind, PickleError, PyExcKind};
use crate::opcodes::{ArgKind, op};
use crate::reader::{Source, read_count, read_le};
use crate::text::{
    IntLiteral, TextKind, Unescaped, classify_surrogatepass_utf8, parse_float_line, parse_int_line,
    raw_unicode_unescape_text, string_literal,
};

/// How many inline pickles may nest (each is read by a machine of its own, on the stack).
const MAX_INLINE_NESTING: usize = 8;

/// The memo opcode between TUPLE2 and BUILD in a fused slot state (see
/// `tuple_memo_before_build`).
#[derive(Clone, Copy)]
enum TupleMemo {
    None,
    /// Index `idx`, by an opcode of `opcode_len` bytes with its argument.
    Counted {
        idx: u64,
        opcode_len: u64,
    },
}

/// How a counted payload becomes a value.
#[derive(Clone, Copy)]
enum Payload {
    Bytes,
    Bytearray,
    Str,
    LegacyString,
    Long,
}

impl<E, S, B> Machine<'_, S, B>
where
    E: From<PickleError>,
    S: Source<E>,
    B: Builder<Error = E>,
{
    /// Runs opcodes until STOP and returns the value on top of the stack.
    pub(super) fn run(mut self) -> Result<B::Value, E> {
        loop {
            self.at = self.src.position();
            self.b.opcode_at(self.at);
            let Some(code) = self.src.next_byte()? else {
                return Err(self.err(ErrorKind::RanOutOfInput));
            };
            if code == op::STOP {
                let value = self.pop()?;
                self.src.finish()?;
                return Ok(value);
            }
            self.step(code)?;
            // MEMOIZE follows most values at protocols 4-5: read here, it costs a branch the
            // processor predicts from the opcode before, not another pass through the jump
            // table and the checks of the loop. (BINPUT and LONG_BINPUT, protocols 1-3's, read
            // the same way cost protocol 4 more than they saved at 2.)
            if self.src.peek_byte(0) == Some(op::MEMOIZE) {
                self.read_fused_opcodes(1)?;
                self.memoize(self.memo.len() as u64)?;
            }
        }
    }

    /// One opcode. A single match: one jump table, so one indirect branch per opcode for the
    /// processor to predict (three chained matches had cost the common MEMOIZE, BINGET and
    /// MARK two each).
    fn step(&mut self, code: u8) -> Result<(), E> {
        match code {
            op::BININT1 => self.fixed_int::<1>(false),
            op::BININT2 => self.fixed_int::<2>(false),
            op::BININT => self.fixed_int::<4>(true),
            op::INT => self.int_line(false),
            op::LONG => self.int_line(true),
            op::LONG1 => self.counted(ArgKind::Long1, Payload::Long),
            op::LONG4 => self.counted(ArgKind::Long4, Payload::Long),
            op::NONE => self.atom(|b| b.none()),
            op::NEWTRUE => self.atom(|b| b.bool(true)),
            op::NEWFALSE => self.atom(|b| b.bool(false)),
            op::BINFLOAT => self.binfloat(),
            op::FLOAT => self.float_line(),
            op::SHORT_BINUNICODE => self.counted(ArgKind::Unicodestring1, Payload::Str),
            op::BINUNICODE => self.counted(ArgKind::Unicodestring4, Payload::Str),
            op::BINUNICODE8 => self.counted(ArgKind::Unicodestring8, Payload::Str),
            op::UNICODE => self.unicode_line(),
            op::SHORT_BINBYTES => self.counted(ArgKind::Bytes1, Payload::Bytes),
            op::BINBYTES => self.counted(ArgKind::Bytes4, Payload::Bytes),
            op::BINBYTES8 => self.counted(ArgKind::Bytes8, Payload::Bytes),
            op::BYTEARRAY8 => self.counted(ArgKind::Bytearray8, Payload::Bytearray),
            op::SHORT_BINSTRING => self.counted(ArgKind::String1, Payload::LegacyString),
            op::BINSTRING => self.counted(ArgKind::String4, Payload::LegacyString),
            op::STRING => self.string_line(),
            op::EMPTY_LIST => self.atom(|b| b.list(Vec::new())),
            op::EMPTY_TUPLE => self.atom(|b| b.tuple(Vec::new())),
            op::EMPTY_DICT => self.atom(|b| b.dict(Vec::new())),
            op::EMPTY_SET => self.atom(|b| b.set()),
            op::LIST | op::TUPLE | op::DICT | op::FROZENSET => self.collection(code),
            op::TUPLE1 => self.small_tuple(1),
            op::TUPLE2 => self.small_tuple(2),
            op::TUPLE3 => self.small_tuple(3),
            op::APPEND | op::SETITEM => self.add_one(code),
            op::APPENDS | op::SETITEMS | op::ADDITEMS => self.add_marked(code),
            op::MARK => self.mark(),
            op::POP => self.pop_op(),
            op::POP_MARK => self.pop_mark().map(|height| self.stack.truncate(height)),
            op::DUP => self.top().cloned().and_then(|v| self.push(v)),
            op::BINGET => self.memo_get_fixed::<1>(),
            op::LONG_BINGET => self.memo_get_fixed::<4>(),
            op::GET => self.decimal_index().and_then(|idx| self.memo_get(idx)),
            op::BINPUT => read_le::<E, S, 1>(self.src).and_then(|idx| self.memo_put(idx)),
            op::LONG_BINPUT => read_le::<E, S, 4>(self.src).and_then(|idx| self.memo_put(idx)),
            op::PUT => self.put_decimal(),
            op::MEMOIZE => self.memo_put(self.memo.len() as u64),
            op::FRAME => self.frame(),
            op::PROTO => self.proto(),
            op::GLOBAL => self.global_line(false),
            op::INST => self.global_line(true),
            op::STACK_GLOBAL => self
                .pop_array()
                .and_then(|v| self.call2(v, |b, [m, n]| b.stack_global(m, n))),
            op::REDUCE => self.reduce(),
            op::BUILD => self.build(),
            op::NEWOBJ => self
                .pop_array()
                .and_then(|v| self.call2(v, |b, [c, a]| b.newobj(c, a))),
            op::NEWOBJ_EX => self.newobj_ex(),
            op::OBJ => self.obj(),
            op::PERSID => self.persid_line(),
            op::BINPERSID => self
                .pop()
                .and_then(|pid| self.b.persistent_id(pid))
                .and_then(|v| self.push(v)),
            op::EXT1 => self.extension::<1>(),
            op::EXT2 => self.extension::<2>(),
            op::EXT4 => self.extension::<4>(),
            op::NEXT_BUFFER => self.atom(|b| b.next_buffer()),
            op::READONLY_BUFFER => self.readonly_buffer(),
            _ => Err(self.err(ErrorKind::InvalidLoadKey(code))),
        }
    }

    fn atom(&mut self, make: impl FnOnce(&mut B) -> Result<B::Value, E>) -> Result<(), E> {
        let value = make(self.b)?;
        self.push(value)
    }

    fn fixed_int<const N: usize>(&mut self, signed: bool) -> Result<(), E> {
        let raw = read_le::<E, S, N>(self.src)?;
        let value = if signed {
            raw as u32 as i32 as i64
        } else {
            raw as i64
        };
        self.atom(|b| b.int(value))
    }

    fn int_line(&mut self, long_suffix: bool) -> Result<(), E> {
        let at = self.at;
        let literal = parse_int_line(self.src.take_line()?, long_suffix, at)?;
        match literal {
            IntLiteral::Bool(v) => self.atom(|b| b.bool(v)),
            IntLiteral::Small(v) => self.atom(|b| b.int(v)),
            IntLiteral::Big(le) => self.atom(|b| b.big_int(&le)),
        }
    }

    fn binfloat(&mut self) -> Result<(), E> {
        let bytes: [u8; 8] = self.src.take(8)?.try_into().expect("eight bytes");
        self.atom(|b| b.float(f64::from_be_bytes(bytes)))
    }

    fn float_line(&mut self) -> Result<(), E> {
        let at = self.at;
        let value = parse_float_line(self.src.take_line()?, at)?;
        self.atom(|b| b.float(value))
    }

    /// A length-prefixed payload: bytes, str, Python 2 string or LONG1/LONG4.
    fn counted(&mut self, kind: ArgKind, payload: Payload) -> Result<(), E> {
        let len = read_count(self.src, kind)?;
        if self.src.remaining_hint().is_some_and(|left| len > left) {
            return Err(PickleError::new(ErrorKind::Truncated, self.src.position()).into());
        }
        self.charge(len)?;
        let at = self.at;
        let data = self.src.take(len)?;
        let value = match payload {
            Payload::Bytes => self.b.bytes(data),
            Payload::Bytearray => self.b.bytearray(data),
            Payload::LegacyString => self.b.legacy_string(data),
            Payload::Str if is_short_ascii(data) => self.b.str_ascii(data),
            Payload::Str => match classify_surrogatepass_utf8(data, at) {
                Ok(TextKind::Ascii) => self.b.str_ascii(data),
                Ok(TextKind::Latin1) => self.b.str_latin1_utf8(data),
                Ok(_) => self.b.str(data),
                Err(e) => Err(e.into()),
            },
            Payload::Long => long_value(self.b, data),
        }?;
        self.push(value)
    }

    fn unicode_line(&mut self) -> Result<(), E> {
        let at = self.at;
        match raw_unicode_unescape_text(self.src.take_line()?, at)? {
            Unescaped::Latin1(latin1) => {
                self.charge(latin1.len() as u64)?;
                self.atom(|b| b.str_latin1(latin1))
            }
            Unescaped::Utf8(text) => {
                self.charge(text.len() as u64)?;
                self.atom(|b| b.str(&text))
            }
        }
    }

    fn string_line(&mut self) -> Result<(), E> {
        let at = self.at;
        let data = string_literal(self.src.take_line()?, at)?;
        self.charge(data.len() as u64)?;
        self.atom(|b| b.legacy_string(&data))
    }

    /// LIST, TUPLE, DICT, FROZENSET: a new object from the values above the mark.
    fn collection(&mut self, code: u8) -> Result<(), E> {
        let items = self.take_marked()?;
        let value = match code {
            op::LIST => self.b.list(items),
            op::TUPLE => self.b.tuple(items),
            op::FROZENSET => self.b.frozenset(items),
            _ if items.len() % 2 == 1 => return Err(self.err(odd("DICT"))),
            _ => self.b.dict(items),
        }?;
        self.push(value)
    }

    fn small_tuple(&mut self, n: usize) -> Result<(), E> {
        let items = self.pop_n(n)?;
        self.atom(|b| b.tuple(items))
    }

    /// APPEND and SETITEM: one item (or pair) into the container below it.
    fn add_one(&mut self, code: u8) -> Result<(), E> {
        let n = if code == op::APPEND { 1 } else { 2 };
        let mut items = self.pop_n(n)?;
        let target = self.top()?.clone();
        if code == op::APPEND {
            self.b.append(&target, items.drain(..))
        } else {
            self.b.set_items(&target, items.drain(..))
        }
    }

    /// APPENDS, SETITEMS, ADDITEMS: the values above the mark into the container below it.
    fn add_marked(&mut self, code: u8) -> Result<(), E> {
        let height = self.pop_mark_with_target()?;
        let count = self.stack.len() - height;
        if code == op::SETITEMS && count % 2 == 1 {
            return Err(self.err(odd("SETITEMS")));
        }
        if code == op::SETITEMS && self.b.fuses_set_items_with_build() {
            let next = (self.src.peek_byte(0), self.src.peek_byte(1));
            let fence = self.fence();
            match next {
                (Some(op::BUILD), _) if height >= fence + 2 => {
                    return self.set_items_then_build(height);
                }
                (Some(op::TUPLE2), Some(_)) if height >= fence + 3 => {
                    if let Some(memo) = self.tuple_memo_before_build() {
                        return self.slot_items_then_build(height, memo);
                    }
                }
                _ => {}
            }
        }
        let target = self.stack[height - 1].clone();
        let items = self.stack.drain(height..);
        match code {
            op::APPENDS => self.b.append(&target, items),
            op::ADDITEMS => self.b.add_items(&target, items),
            _ => self.b.set_items(&target, items),
        }
    }

    /// SETITEMS whose next opcode is BUILD, with the object below the dict (above the fence,
    /// as BUILD needs it): both at once, through [`Builder::build_from_pairs`]. The BUILD is
    /// read here, as the loop would read it.
    fn set_items_then_build(&mut self, height: usize) -> Result<(), E> {
        let mut pairs = std::mem::take(&mut self.pairs);
        pairs.extend(self.stack.drain(height..));
        let state = self.stack.pop().expect("the dict lies below the mark");
        self.read_fused_opcodes(1)?;
        let obj = self.stack.last().expect("the object lies below the dict");
        let built = self.b.build_from_pairs(obj, state, pairs.drain(..));
        self.pairs = pairs;
        built?;
        self.after_build()
    }

    /// SETITEMS whose next opcodes are TUPLE2 and BUILD, the dict state below the slot dict
    /// and the object below that (above the fence, as TUPLE2 and BUILD need them): all three
    /// at once, through [`Builder::build_slots_from_pairs`].
    fn slot_items_then_build(&mut self, height: usize, memo: TupleMemo) -> Result<(), E> {
        let mut pairs = std::mem::take(&mut self.pairs);
        pairs.extend(self.stack.drain(height..));
        let slots = self.stack.pop().expect("the slot dict lies below the mark");
        let dict_state = self
            .stack
            .pop()
            .expect("the dict state lies below the slot dict");
        self.read_fused_opcodes(1)?;
        self.charge_entries(1)?;
        if let TupleMemo::Counted { idx, opcode_len } = memo {
            self.read_fused_opcodes(1)?;
            self.src.take(opcode_len - 1)?;
            self.put_without_value(idx)?;
        }
        self.read_fused_opcodes(1)?;
        let obj = self.stack.last().expect("the object lies below the state");
        let built = self
            .b
            .build_slots_from_pairs(obj, dict_state, slots, pairs.drain(..));
        self.pairs = pairs;
        built?;
        self.after_build()
    }

    /// After SETITEMS, where TUPLE2 comes next: what lies between it and a BUILD. Nothing, or
    /// a MEMOIZE, BINPUT or LONG_BINPUT whose index no GET reads and the memo can count
    /// without a value (the memo's size limit left as the put would meet it); `None` for
    /// anything else, which goes the usual way.
    fn tuple_memo_before_build(&self) -> Option<TupleMemo> {
        let at = |ahead| self.src.peek_byte(ahead);
        let (idx, opcode_len) = match at(1)? {
            op::BUILD => return Some(TupleMemo::None),
            op::MEMOIZE => (self.memo.len() as u64, 1),
            op::BINPUT => (u64::from(at(2)?), 2),
            op::LONG_BINPUT => {
                let le = [at(2)?, at(3)?, at(4)?, at(5)?];
                (u64::from(u32::from_le_bytes(le)), 5)
            }
            _ => return None,
        };
        (self.puts_without_value(idx) && at(1 + opcode_len)? == op::BUILD).then_some(
            TupleMemo::Counted {
                idx,
                opcode_len: opcode_len as u64,
            },
        )
    }

    /// Reads the `n` opcodes a fused step takes over, as the loop would have read them: each
    /// one's offset (for errors) and the builder's count of opcodes.
    fn read_fused_opcodes(&mut self, n: usize) -> Result<(), E> {
        for _ in 0..n {
            self.at = self.src.position();
            self.b.opcode_at(self.at);
            self.src.next_byte()?;
        }
        Ok(())
    }

    /// POP discards the top value, or the top mark when nothing lies above it.
    fn pop_op(&mut self) -> Result<(), E> {
        if self.top().is_ok() {
            let value = self.stack.pop().expect("checked by top()");
            self.b.discard(value);
            Ok(())
        } else if self.has_marks() {
            self.pop_mark().map(|_| ())
        } else {
            Err(self.err(ErrorKind::StackUnderflow))
        }
    }

    fn memo_get_fixed<const N: usize>(&mut self) -> Result<(), E> {
        let idx = read_le::<E, S, N>(self.src)?;
        self.memo_get(idx)
    }

    fn decimal_index(&mut self) -> Result<u64, E> {
        let at = self.at;
        let line = self.src.take_line()?;
        match parse_int_line(line, false, at)? {
            IntLiteral::Small(v) if v >= 0 => Ok(v as u64),
            IntLiteral::Bool(v) => Ok(v as u64),
            IntLiteral::Small(v) => Err(self.err(ErrorKind::MemoMissing(v as u64))),
            IntLiteral::Big(_) => Err(self.err(ErrorKind::LimitExceeded("memo index"))),
        }
    }

    /// PUT reads its line, then (as CPython) checks the stack before the index.
    fn put_decimal(&mut self) -> Result<(), E> {
        let at = self.at;
        let line = self.src.take_line()?.to_vec();
        self.top()?;
        match parse_int_line(&line, false, at)? {
            IntLiteral::Small(v) if v >= 0 => self.memo_put(v as u64),
            IntLiteral::Bool(v) => self.memo_put(v as u64),
            IntLiteral::Small(_) => Err(self.err(ErrorKind::NegativePut("PUT"))),
            IntLiteral::Big(_) => Err(self.err(ErrorKind::LimitExceeded("memo index"))),
        }
    }

    fn frame(&mut self) -> Result<(), E> {
        let len = read_le::<E, S, 8>(self.src)?;
        if len > isize::MAX as u64 {
            return Err(self.err(ErrorKind::FrameTooLarge));
        }
        self.src.enter_frame(len)
    }

    fn proto(&mut self) -> Result<(), E> {
        let proto = read_le::<E, S, 1>(self.src)? as u8;
        if proto > crate::encoder::HIGHEST_PROTOCOL {
            return Err(self.err(ErrorKind::UnsupportedProtocol(proto)));
        }
        self.b.proto(proto);
        Ok(())
    }

    /// GLOBAL (module and name lines) and INST (the same, then the marked arguments).
    fn global_line(&mut self, inst: bool) -> Result<(), E> {
        let module = self.src.take_line()?.to_vec();
        let name = self.src.take_line()?.to_vec();
        // As CPython's C unpickler: an empty module or name line is truncated data.
        if module.is_empty() || name.is_empty() {
            return Err(self.err(ErrorKind::Truncated));
        }
        let value = if inst {
            let args = self.take_marked()?;
            self.b.inst(&module, &name, args)?
        } else {
            self.b.global(&module, &name)?
        };
        self.push(value)
    }

    fn call2(
        &mut self,
        pair: [B::Value; 2],
        f: impl FnOnce(&mut B, [B::Value; 2]) -> Result<B::Value, E>,
    ) -> Result<(), E> {
        let value = f(self.b, pair)?;
        self.push(value)
    }

    fn reduce(&mut self) -> Result<(), E> {
        let args = self.pop()?;
        let func = self.top()?.clone();
        let value = self.b.reduce(func, args)?;
        self.replace_top(value);
        Ok(())
    }

    fn build(&mut self) -> Result<(), E> {
        let state = self.pop()?;
        self.top()?;
        let target = self.stack.last().expect("checked by top()");
        self.b.build(target, state)?;
        self.after_build()
    }

    /// What the stream holds after a BUILD for its object (see [`InlineData`]).
    fn after_build(&mut self) -> Result<(), E> {
        let target = self
            .stack
            .last()
            .expect("BUILD's object stays on the stack");
        match self.b.inline_data(target)? {
            InlineData::None => Ok(()),
            InlineData::Bytes { padded, len } => {
                if padded {
                    let padding = self.src.take(1)?[0];
                    self.src.take(u64::from(padding))?;
                }
                self.src.take(len).map(drop)
            }
            InlineData::Pickle => self.inline_pickle(),
        }
    }

    /// An inline pickle: read whole with a fresh memo and stack, its value dropped.
    fn inline_pickle(&mut self) -> Result<(), E> {
        if self.nesting >= MAX_INLINE_NESTING {
            return Err(self.err(ErrorKind::Other(
                PyExcKind::Unpickling,
                format!("inline pickles nested more than {MAX_INLINE_NESTING} deep"),
            )));
        }
        let mut memo = Memo::new();
        let mut nested = Machine::new(&mut *self.src, &mut *self.b, &mut memo, self.limits);
        nested.nesting = self.nesting + 1;
        nested.run().map(drop)
    }

    fn newobj_ex(&mut self) -> Result<(), E> {
        let [cls, args, kwargs] = self.pop_array()?;
        let value = self.b.newobj_ex(cls, args, kwargs)?;
        self.push(value)
    }

    fn obj(&mut self) -> Result<(), E> {
        let mut items = self.take_marked()?;
        if items.is_empty() {
            return Err(self.err(ErrorKind::StackUnderflow));
        }
        let cls = items.remove(0);
        let value = self.b.obj(cls, items)?;
        self.push(value)
    }

    fn persid_line(&mut self) -> Result<(), E> {
        let pid = self.src.take_line()?.to_vec();
        let value = self.b.persistent_id_text(&pid)?;
        self.push(value)
    }

    fn extension<const N: usize>(&mut self) -> Result<(), E> {
        let raw = read_le::<E, S, N>(self.src)?;
        let code = if N == 4 {
            raw as u32 as i32
        } else {
            raw as i32
        };
        if code <= 0 {
            let msg = "EXT specifies code <= 0".to_string();
            return Err(self.err(ErrorKind::Other(crate::error::PyExcKind::Unpickling, msg)));
        }
        self.atom(|b| b.extension(code))
    }

    fn readonly_buffer(&mut self) -> Result<(), E> {
        let buffer = self.top()?.clone();
        let value = self.b.readonly_buffer(buffer)?;
        self.replace_top(value);
        Ok(())
    }
}

/// Whether `data` is ASCII text of at most 16 bytes, with two or four loads rather than a
/// call and a loop (the text of a pickle's dict keys, attribute names and short values).
#[inline(always)]
fn is_short_ascii(data: &[u8]) -> bool {
    let len = data.len();
    let word = |at: usize| u64::from_le_bytes(data[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u32::from_le_bytes(data[at..at + 4].try_into().expect("4 bytes"));
    match len {
        8..=16 => (word(0) | word(len - 8)) & 0x8080_8080_8080_8080 == 0,
        4..=7 => (half(0) | half(len - 4)) & 0x8080_8080 == 0,
        1..=3 => (data[0] | data[len / 2] | data[len - 1]) < 0x80,
        _ => false,
    }
}

fn odd(what: &'static str) -> ErrorKind {
    let msg = format!("odd number of items for {what}");
    ErrorKind::Other(crate::error::PyExcKind::Unpickling, msg)
}

/// LONG1/LONG4 payloads: little-endian two's complement, empty meaning zero.
fn long_value<B: Builder>(b: &mut B, data: &[u8]) -> Result<B::Value, B::Error> {
    if data.len() > 8 {
        return b.big_int(data);
    }
    let fill = if data.last().is_some_and(|&top| top & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut buf = [fill; 8];
    buf[..data.len()].copy_from_slice(data);
    b.int(i64::from_le_bytes(buf))
}

#[cfg(test)]
mod tests {
    use super::is_short_ascii;

    /// A byte past ASCII anywhere in text of any length up to 16 is seen; longer or empty
    /// text is left to the full check.
    #[test]
    fn short_ascii_is_told_from_text_with_any_byte_past_it() {
        for len in 0..=20 {
            let text = vec![b'a'; len];
            assert_eq!(is_short_ascii(&text), (1..=16).contains(&len), "{len}");
            for at in 0..len {
                let mut text = text.clone();
                text[at] = 0x80;
                assert!(!is_short_ascii(&text), "{len} {at}");
            }
        }
    }
}
