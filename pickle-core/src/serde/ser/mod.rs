//! Writing any `Serialize` type as the pickle CPython writes for the equivalent Python value.
//!
//! CPython's pickler memoises objects by identity, so its bytes depend on which equal objects
//! are the same object. A Rust value owns its parts, so each string, list or tuple is a fresh
//! object, written in full and memoised, as `pickle.dumps` writes fresh objects. The strings
//! Python shares are shared here too, and after their first appearance written as a memo
//! reference: struct field names and variant names (CPython interns identifiers, and a dict
//! built from literals or attributes shares its keys), class and module names, and the
//! strings and bytes CPython keeps one object of (empty, and single characters below U+0100,
//! single bytes).
//!
//! Frames (protocol 4+) are closed where CPython closes them: before any object once the open
//! frame holds 64 KiB; [`to_writer`] passes each closed frame on to the writer.

mod compound;
mod names;
mod reductions;

use super::{Error, SerOptions, magic};
use crate::encoder::{BATCH_SIZE, Encoder, HIGHEST_PROTOCOL, minimal_signed_len};
use crate::opcodes::op;
use compound::Compound;
use names::{ADDRESS_SLOTS, CachedName};
use rustc_hash::FxHashMap;
use serde::ser::{self, Serialize};
use std::io::Write;

/// Unframed output is handed to a stream writer in pieces of about this size.
const FLUSH_SIZE: usize = 64 * 1024;
/// Nesting deeper than this is refused (CPython's default recursion limit).
const MAX_DEPTH: usize = 1000;
/// Output room every fast path can count on (see [`Writer::fast`]): more than any one
/// object's fixed-size writes (a float's 9 bytes, a dict's 3).
const ROOM: usize = 64;
/// The most output room reserved ahead of need from an estimate (see
/// [`Writer::reserve_for_the_rest`]); past it, the output grows by doubling.
const MAX_RESERVE_AHEAD: usize = 256 << 20;

/// Writes `value` as a pickle. `options` is a protocol number or [`SerOptions`].
///
/// ```
/// use pickle_core::serde::to_vec;
///
/// #[derive(serde::Serialize)]
/// struct Point { x: i32, y: i32 }
///
/// // pickle.dumps({'x': 1, 'y': 2}, 2)
/// assert_eq!(
///     to_vec(&Point { x: 1, y: 2 }, 2).unwrap(),
///     b"\x80\x02}q\x00(X\x01\x00\x00\x00xq\x01K\x01X\x01\x00\x00\x00yq\x02K\x02u.",
/// );
/// ```
pub fn to_vec<T: Serialize + ?Sized>(
    value: &T,
    options: impl Into<SerOptions>,
) -> Result<Vec<u8>, Error> {
    let options = options.into();
    let mut writer = Writer::new(&options, None)?;
    writer.write_value(value)?;
    Ok(writer.enc.take_output())
}

/// Writes `value` as a pickle to `out`, frame by frame (protocol 4+) or in pieces of about
/// 64 KiB. On error, what was written stays written.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(
    mut out: W,
    value: &T,
    options: impl Into<SerOptions>,
) -> Result<(), Error> {
    let options = options.into();
    let mut writer = Writer::new(&options, Some(&mut out))?;
    writer.write_value(value)?;
    let rest = writer.enc.take_output();
    out.write_all(&rest)?;
    Ok(())
}

/// What the next `serialize_bytes` or `serialize_str` is, inside a reserved newtype.
#[derive(Clone, Copy, PartialEq)]
enum Pending {
    Nothing,
    /// The bytes are an integer's little-endian two's complement.
    BigInt,
    /// The string is a protocol 0 persistent id.
    PersistentIdText,
}

/// The pickler: the encoder and the memo of shared strings and globals.
pub(crate) struct Writer<'o> {
    enc: Encoder,
    options: &'o SerOptions,
    sink: Option<&'o mut dyn Write>,
    /// Memo entries so far: the next one's index.
    memo_len: usize,
    /// Interned strings (field, variant, module and class names) by text.
    interned: FxHashMap<&'o str, usize>,
    /// The first names met, by address and length, open addressing from a hash of the
    /// address, never evicted (address 0 marks a free slot). A struct's field names are the
    /// same `&'static str`s in every record, so the table above (hashing and comparing text)
    /// is asked once per name, not once per field written; a name found in its first slot
    /// costs a multiplication, two comparisons and one store of its memo fetch.
    address_cache: [CachedName; ADDRESS_SLOTS],
    /// Globals by module and name.
    globals: FxHashMap<(&'o str, &'o str), usize>,
    /// CPython's one-object strings: index 0 the empty string, 1 + c the character c.
    single_str: [Option<usize>; 257],
    /// The same for bytes.
    single_bytes: [Option<usize>; 257],
    /// Set only through [`Self::set_pending`], which keeps `check_at` true to it.
    pending: Pending,
    depth: usize,
    /// Whether the output was sized for the outermost container's rest.
    reserved_ahead: bool,
    /// The output length below which an object needs no look beyond its own bytes: no frame
    /// to close, nothing to hand to the stream, no pending newtype, a protocol of 2 or more
    /// (whose scalars the fast paths write), and [`ROOM`] bytes of room in the output. 0
    /// while any of that is not so, so that each object takes the slow path. One comparison
    /// then gates every object's fast path. Set only by [`Self::next_check`], or to 0.
    check_at: usize,
}

impl<'o> Writer<'o> {
    fn new(options: &'o SerOptions, sink: Option<&'o mut dyn Write>) -> Result<Self, Error> {
        if options.protocol > HIGHEST_PROTOCOL {
            return Err(Error::msg(format!(
                "pickle protocol must be <= {HIGHEST_PROTOCOL}"
            )));
        }
        Ok(Writer {
            enc: Encoder::new(options.protocol),
            options,
            sink,
            memo_len: 0,
            interned: FxHashMap::default(),
            address_cache: [CachedName::FREE; ADDRESS_SLOTS],
            globals: FxHashMap::default(),
            single_str: [None; 257],
            single_bytes: [None; 257],
            pending: Pending::Nothing,
            depth: 0,
            reserved_ahead: false,
            check_at: 0,
        })
    }

    fn write_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.enc.begin();
        value.serialize(&mut *self)?;
        self.enc.end();
        Ok(())
    }

    /// Whether the next object may take its fast path (see `check_at`). Where it may, the
    /// compiler is told that [`ROOM`] bytes of output room are there, so the first write
    /// after the check asks no more.
    #[inline(always)]
    #[allow(unsafe_code)]
    fn fast(&self) -> bool {
        let fast = self.enc.len() < self.check_at;
        if fast {
            debug_assert!(self.enc.spare_capacity() > ROOM && self.enc.proto() >= 2);
            // SAFETY: a nonzero `check_at` is at most the output's capacity less ROOM
            // (`next_check`, the only place it is set to anything but 0, reserves and
            // bounds it so). The capacity only grows afterwards: the output is replaced only
            // when committed frames are taken out, with `check_at` zeroed first
            // (`boundary_slow`), and when the pickle is done. So `len < check_at` leaves more
            // than ROOM bytes spare.
            unsafe { std::hint::assert_unchecked(self.enc.spare_capacity() > ROOM) };
            // SAFETY: `next_check` gives 0 below protocol 2, and the protocol never changes.
            unsafe { std::hint::assert_unchecked(self.enc.proto() >= 2) };
        }
        fast
    }

    /// Where CPython's `save` starts: a full frame is closed (and handed to the stream). Most
    /// calls compare two lengths: `check_at` is where the output must be before anything can
    /// need doing.
    #[inline(always)]
    fn boundary(&mut self) -> Result<(), Error> {
        if self.fast() {
            return Ok(());
        }
        self.boundary_slow()
    }

    /// [`Self::boundary`] once the output reached `check_at`: commits a full frame, hands
    /// closed frames (or, unframed, 64 KiB) to the stream, and sets the next `check_at`.
    #[inline(never)]
    fn boundary_slow(&mut self) -> Result<(), Error> {
        // Zeroed before the output may be replaced: were the stream's error ignored by the
        // value being written, nothing would count on room the new output lacks.
        self.check_at = 0;
        let committed = self.enc.opcode_boundary();
        if let Some(sink) = self.sink.as_mut() {
            let unframed = self.enc.proto() < 4 && self.enc.len() >= FLUSH_SIZE;
            if committed || unframed {
                sink.write_all(&self.enc.take_committed())?;
            }
        }
        self.check_at = self.next_check();
        Ok(())
    }

    /// The output length at which [`Self::boundary`] must next look; before it, [`ROOM`]
    /// bytes are spare.
    fn next_check(&mut self) -> usize {
        if self.pending != Pending::Nothing || self.enc.proto() < 2 {
            return 0;
        }
        // Twice the room, so that the fast paths have ROOM bytes to go before the next look.
        self.enc.reserve(2 * ROOM);
        let room_ends = self.enc.len() + self.enc.spare_capacity() - ROOM;
        let frame = self.enc.boundary_at().min(room_ends);
        if self.sink.is_some() && self.enc.proto() < 4 {
            return frame.min(FLUSH_SIZE);
        }
        frame
    }

    /// The start of any object but a string or bytes: a [`Self::boundary`], and an error if
    /// the object is where a protocol 0 persistent id's text should be.
    #[inline(always)]
    fn start(&mut self) -> Result<(), Error> {
        if self.fast() {
            return Ok(());
        }
        self.start_slow()
    }

    #[inline(never)]
    fn start_slow(&mut self) -> Result<(), Error> {
        if self.pending == Pending::PersistentIdText {
            self.set_pending(Pending::Nothing);
            return Err(persistent_id_not_text());
        }
        self.boundary_slow()
    }

    /// Sets what the next string or bytes is; `check_at` sends every object to the slow path
    /// while something is pending.
    fn set_pending(&mut self, pending: Pending) {
        self.pending = pending;
        self.check_at = self.next_check();
    }

    /// The next memo index, taken.
    #[inline(always)]
    fn next_memo(&mut self) -> usize {
        self.memo_len += 1;
        self.memo_len - 1
    }

    #[inline(always)]
    fn memo_put(&mut self) -> Result<(), Error> {
        let idx = self.next_memo();
        Ok(self.enc.memo_put(idx)?)
    }

    /// The start of a list or dict (`code`, EMPTY_LIST or EMPTY_DICT): one level deeper,
    /// the empty container and its memo entry. The fast path is one check.
    #[inline(always)]
    fn open_container(&mut self, code: u8) -> Result<(), Error> {
        if self.fast() && self.depth < MAX_DEPTH {
            self.depth += 1;
            let idx = self.next_memo();
            return Ok(self.enc.op_memoized(code, idx)?);
        }
        self.open_container_slow(code)
    }

    #[inline(never)]
    fn open_container_slow(&mut self, code: u8) -> Result<(), Error> {
        self.start()?;
        self.enter()?;
        self.container_memoized(code)
    }

    /// An empty list or dict (`code`, EMPTY_LIST or EMPTY_DICT) and its memo entry; MARK
    /// LIST or MARK DICT in protocol 0.
    #[inline(always)]
    fn container_memoized(&mut self, code: u8) -> Result<(), Error> {
        let idx = self.next_memo();
        if self.enc.bin() {
            return Ok(self.enc.op_memoized(code, idx)?);
        }
        if code == op::EMPTY_LIST {
            self.enc.empty_list();
        } else {
            self.enc.empty_dict();
        }
        Ok(self.enc.memo_put(idx)?)
    }

    /// A string of the value: a fresh object, or one of CPython's one-object strings.
    #[inline(always)]
    fn text(&mut self, text: &str) -> Result<(), Error> {
        if let Some(slot) = single_char_slot(text) {
            return self.one_object_text(text, slot);
        }
        let idx = self.next_memo();
        Ok(self.enc.str_memoized(text.as_bytes(), idx)?)
    }

    /// One of CPython's one-object strings: written and memoised the first time, then
    /// fetched from the memo.
    #[inline(never)]
    fn one_object_text(&mut self, text: &str, slot: usize) -> Result<(), Error> {
        if let Some(idx) = self.single_str[slot] {
            return Ok(self.enc.memo_get(idx)?);
        }
        let idx = self.next_memo();
        self.single_str[slot] = Some(idx);
        Ok(self.enc.str_memoized(text.as_bytes(), idx)?)
    }

    /// A global, memoised by module and name; GLOBAL, or STACK_GLOBAL with the names saved as
    /// interned strings (protocol 4+).
    fn global(&mut self, module: &'o str, name: &'o str) -> Result<(), Error> {
        self.boundary()?;
        if let Some(&idx) = self.globals.get(&(module, name)) {
            return Ok(self.enc.memo_get(idx)?);
        }
        if self.enc.proto() >= 4 {
            self.interned(module)?;
            self.interned(name)?;
            self.enc.op(op::STACK_GLOBAL);
        } else {
            self.enc.global(module.as_bytes(), name.as_bytes());
        }
        let idx = self.next_memo();
        self.globals.insert((module, name), idx);
        Ok(self.enc.memo_put(idx)?)
    }

    /// An integer of any size from its little-endian two's complement.
    fn long(&mut self, le: &[u8]) {
        let len = minimal_signed_len(le);
        let le = &le[..len];
        if le.len() <= 8 {
            let mut word = if le.last().is_some_and(|&b| b & 0x80 != 0) {
                [0xff; 8]
            } else {
                [0; 8]
            };
            word[..le.len()].copy_from_slice(le);
            return self.enc.int(i64::from_le_bytes(word));
        }
        if self.enc.binary_longs() {
            self.enc.long_bytes(le);
        } else {
            let decimal = num_bigint::BigInt::from_signed_bytes_le(le).to_string();
            self.enc.long_text(&decimal);
        }
    }

    /// After the first batch of the outermost list or dict, which announced `announced`
    /// elements: room for the rest at the rate so far, plus an eighth, so that a large
    /// `to_vec` output is not copied to a new buffer each time it doubles (about its own size
    /// again in copies, and a tenth of the time of a records list). Once per pickle; a
    /// streamed pickle's output is handed on frame by frame, so needs no room ahead.
    pub(crate) fn reserve_for_the_rest(&mut self, announced: usize) {
        if self.reserved_ahead || self.sink.is_some() {
            return;
        }
        self.reserved_ahead = true;
        self.enc.reserve(room_ahead(self.enc.len(), announced));
    }

    #[inline(always)]
    fn enter(&mut self) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        self.depth += 1;
        Ok(())
    }

    #[inline(always)]
    fn leave(&mut self) {
        self.depth -= 1;
    }
}

/// The room to reserve once `written` bytes hold the first batch of `announced` elements:
/// the rest at the first batch's rate, an eighth more, at most [`MAX_RESERVE_AHEAD`].
fn room_ahead(written: usize, announced: usize) -> usize {
    let rest = announced.saturating_sub(BATCH_SIZE);
    let ahead = written.div_ceil(BATCH_SIZE).saturating_mul(rest);
    ahead.saturating_add(ahead / 8).min(MAX_RESERVE_AHEAD)
}

/// The slot of a string CPython keeps one object of: the empty string, or one character below
/// U+0100.
#[inline(always)]
fn single_char_slot(text: &str) -> Option<usize> {
    match *text.as_bytes() {
        [] => Some(0),
        // A string's lone byte is ASCII.
        [byte] => Some(1 + usize::from(byte)),
        // U+0080 to U+00FF: a lead byte of 0xC2 or 0xC3 and one continuation byte.
        [lead @ (0xc2 | 0xc3), continuation] => {
            Some(1 + (usize::from(lead & 0x1f) << 6 | usize::from(continuation & 0x3f)))
        }
        _ => None,
    }
}

/// The slot of a bytes object CPython keeps one object of: empty, or a single byte.
fn single_byte_slot(data: &[u8]) -> Option<usize> {
    match data {
        [] => Some(0),
        [b] => Some(1 + *b as usize),
        _ => None,
    }
}

/// Integers that fit a wider one are written as it.
macro_rules! widen {
    ($($method:ident($narrow:ty) => $wide:ident,)*) => {$(
        #[inline]
        fn $method(self, v: $narrow) -> Result<(), Error> {
            self.$wide(v.into())
        }
    )*};
}

impl<'a, 'o> ser::Serializer for &'a mut Writer<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 'o>;
    type SerializeTuple = Compound<'a, 'o>;
    type SerializeTupleStruct = Compound<'a, 'o>;
    type SerializeTupleVariant = Compound<'a, 'o>;
    type SerializeMap = Compound<'a, 'o>;
    type SerializeStruct = Compound<'a, 'o>;
    type SerializeStructVariant = Compound<'a, 'o>;

    widen! {
        serialize_i8(i8) => serialize_i64,
        serialize_i16(i16) => serialize_i64,
        serialize_i32(i32) => serialize_i64,
        serialize_u8(u8) => serialize_i64,
        serialize_u16(u16) => serialize_i64,
        serialize_u32(u32) => serialize_i64,
        serialize_u64(u64) => serialize_i128,
    }

    #[inline(always)]
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        if self.fast() {
            // NEWFALSE is NEWTRUE + 1: chosen by arithmetic, as a branch on data that
            // alternates is mispredicted often.
            const _: () = assert!(op::NEWFALSE == op::NEWTRUE + 1);
            self.enc.op(op::NEWFALSE - u8::from(v));
            return Ok(());
        }
        self.bool_slow(v)
    }

    #[inline(always)]
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        if self.fast()
            && let Ok(small) = i32::try_from(v)
        {
            self.enc.binint(small);
            return Ok(());
        }
        self.int_slow(v)
    }

    #[inline]
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.start()?;
        self.long(&v.to_le_bytes());
        Ok(())
    }

    #[inline]
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.start()?;
        // One more byte than u128 holds, so the sign bit is clear.
        let mut le = [0u8; 17];
        le[..16].copy_from_slice(&v.to_le_bytes());
        self.long(&le);
        Ok(())
    }

    #[inline]
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }

    #[inline(always)]
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if self.fast() {
            self.enc.binfloat(v);
            return Ok(());
        }
        self.float_slow(v)
    }

    #[inline]
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    #[inline(always)]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        if self.fast() {
            return self.text(v);
        }
        self.str_slow(v)
    }

    #[inline]
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.boundary()?;
        if self.pending == Pending::Nothing {
            return self.bytes(v);
        }
        let pending = self.pending;
        self.set_pending(Pending::Nothing);
        match pending {
            Pending::BigInt => {
                self.long(v);
                Ok(())
            }
            Pending::PersistentIdText => Err(persistent_id_not_text()),
            Pending::Nothing => self.bytes(v),
        }
    }

    #[inline]
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    #[inline(always)]
    fn serialize_unit(self) -> Result<(), Error> {
        if self.fast() {
            self.enc.none();
            return Ok(());
        }
        self.start_slow()?;
        self.enc.none();
        Ok(())
    }

    #[inline]
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    #[inline]
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.interned(variant)
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match name {
            magic::BIG_INT => {
                self.set_pending(Pending::BigInt);
                let result = value.serialize(&mut *self);
                self.set_pending(Pending::Nothing);
                result
            }
            magic::PERSISTENT_ID => self.persistent_id(value),
            _ => value.serialize(self),
        }
    }

    #[inline]
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant_dict(variant)?;
        self.enter()?;
        let result = stacker::maybe_grow(64 * 1024, 1024 * 1024, || value.serialize(&mut *self));
        self.leave();
        result?;
        self.enc.op(op::SETITEM);
        Ok(())
    }

    #[inline(always)]
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a, 'o>, Error> {
        Compound::list(self, len)
    }

    #[inline(always)]
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 'o>, Error> {
        Compound::tuple(self, len)
    }

    #[inline]
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'o>, Error> {
        Compound::tuple(self, len)
    }

    #[inline]
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'o>, Error> {
        self.variant_dict(variant)?;
        Compound::tuple(self, len).map(Compound::in_variant)
    }

    #[inline(always)]
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a, 'o>, Error> {
        Compound::dict(self, len)
    }

    #[inline(always)]
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a, 'o>, Error> {
        let options = self.options;
        match options.class_of(name) {
            Some(class) => Compound::instance(self, &class.module, &class.qualname, len),
            None => Compound::dict(self, Some(len)),
        }
    }

    #[inline]
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 'o>, Error> {
        self.variant_dict(variant)?;
        Compound::dict(self, Some(len)).map(Compound::in_variant)
    }
}

impl<'o> Writer<'o> {
    /// `{variant: ...}` up to its value: the dict and the variant's name.
    fn variant_dict(&mut self, variant: &'static str) -> Result<(), Error> {
        self.start()?;
        self.container_memoized(op::EMPTY_DICT)?;
        self.interned(variant)
    }

    /// A persistent id: its value, then BINPERSID; in protocol 0, PERSID with the value's
    /// text, which must be ASCII.
    fn persistent_id<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if self.enc.bin() {
            value.serialize(&mut *self)?;
            self.enc.op(op::BINPERSID);
            return Ok(());
        }
        self.set_pending(Pending::PersistentIdText);
        let result = value.serialize(&mut *self);
        let unwritten = self.pending;
        self.set_pending(Pending::Nothing);
        result?;
        if unwritten == Pending::PersistentIdText {
            return Err(persistent_id_not_text());
        }
        Ok(())
    }

    /// An integer off the fast path: outside 32 bits, or protocol 0 or 1, or at a boundary.
    #[inline(never)]
    fn int_slow(&mut self, v: i64) -> Result<(), Error> {
        self.start()?;
        self.enc.int(v);
        Ok(())
    }

    #[inline(never)]
    fn bool_slow(&mut self, v: bool) -> Result<(), Error> {
        self.start()?;
        self.enc.bool(v);
        Ok(())
    }

    #[inline(never)]
    fn float_slow(&mut self, v: f64) -> Result<(), Error> {
        self.start()?;
        self.enc.float(v);
        Ok(())
    }

    /// A string off the fast path: at a boundary, or a protocol 0 persistent id's text.
    #[inline(never)]
    fn str_slow(&mut self, v: &str) -> Result<(), Error> {
        self.boundary()?;
        if self.pending == Pending::PersistentIdText {
            self.set_pending(Pending::Nothing);
            return self.persistent_id_text(v);
        }
        self.text(v)
    }

    fn persistent_id_text(&mut self, text: &str) -> Result<(), Error> {
        if !text.is_ascii() || text.contains('\n') {
            return Err(persistent_id_not_text());
        }
        self.enc.persid_text(text.as_bytes());
        Ok(())
    }
}

#[cold]
#[inline(never)]
fn too_deep() -> Error {
    Error::msg("maximum recursion depth exceeded while pickling an object")
}

#[cold]
#[inline(never)]
fn persistent_id_not_text() -> Error {
    Error::msg("persistent IDs in protocol 0 must be ASCII strings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_room_ahead_follows_the_first_batch_and_is_bounded() {
        // 60 bytes an element so far, 19,000 elements to come, and an eighth more.
        assert_eq!(room_ahead(60_000, 20_000), 60 * 19_000 * 9 / 8);
        // Announced no more than the first batch (or nothing): no room ahead.
        assert_eq!(room_ahead(60_000, 1_000), 0);
        assert_eq!(room_ahead(60_000, 0), 0);
        // Huge first elements, or an announced length no memory could hold: bounded.
        assert_eq!(room_ahead(1 << 30, 1 << 20), MAX_RESERVE_AHEAD);
        assert_eq!(room_ahead(1_000, usize::MAX), MAX_RESERVE_AHEAD);
    }
}
