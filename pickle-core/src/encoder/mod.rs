//! The encoder: writes opcodes exactly as CPython's C pickler chooses and frames them.
//!
//! A walker (the runtime's over VM objects, or the Value model's) decides what to write and
//! in what order; the encoder decides how: the smallest integer opcode, the string and bytes
//! opcodes by length and protocol, memo opcodes by index width, and protocol-4 framing.

mod memo;
#[allow(unsafe_code)]
mod staged;

pub use memo::IdMemo;
use staged::{STAGED_PAYLOAD_MAX, append_fixed, append_packed, append_staged};

use crate::error::{ErrorKind, PickleError, PyExcKind};
use crate::opcodes::op;
use crate::text::{
    append_utf8, escape_latin1, float_repr, latin1_to_utf8, latin1_utf8_len, raw_unicode_escape,
};

/// CPython commits a frame once it holds this many bytes, and writes payloads of this size or
/// more outside any frame.
pub const FRAME_SIZE_TARGET: usize = 64 * 1024;
/// Frames shorter than this are not worth their header; CPython drops the header.
const FRAME_SIZE_MIN: usize = 4;
/// FRAME opcode plus its eight-byte length.
const FRAME_HEADER_SIZE: usize = 9;
/// Items per MARK..APPENDS / SETITEMS / ADDITEMS batch.
pub const BATCH_SIZE: usize = 1000;
/// The newest protocol.
pub const HIGHEST_PROTOCOL: u8 = 5;
/// The protocol used when none is given (CPython 3.14's default).
pub const DEFAULT_PROTOCOL: u8 = 5;

/// Writes pickle opcodes into a buffer, framing them for protocol 4 and above.
///
/// ```
/// use pickle_core::encoder::Encoder;
///
/// // A frame shorter than four bytes loses its header, as in CPython: pickle.dumps(None, 4).
/// let mut enc = Encoder::new(4);
/// enc.begin();
/// enc.none();
/// enc.end();
/// assert_eq!(enc.take_output(), b"\x80\x04N.");
///
/// // Strings pick the shortest opcode for their length: pickle.dumps('hi', 4).
/// let mut enc = Encoder::new(4);
/// enc.begin();
/// enc.str(b"hi").unwrap();
/// enc.memo_put(0).unwrap();
/// enc.end();
/// assert_eq!(enc.take_output(), b"\x80\x04\x95\x06\x00\x00\x00\x00\x00\x00\x00\x8c\x02hi\x94.");
/// ```
#[derive(Debug, Clone)]
pub struct Encoder {
    out: Vec<u8>,
    proto: u8,
    framing: bool,
    frame_start: Option<usize>,
}

fn pickling_error(msg: &str) -> PickleError {
    PickleError::new(ErrorKind::Other(PyExcKind::Pickling, msg.into()), 0)
}

fn overflow_error(msg: &str) -> PickleError {
    PickleError::new(ErrorKind::Other(PyExcKind::Overflow, msg.into()), 0)
}

impl Encoder {
    /// An encoder for protocol `proto` (0..=5).
    pub fn new(proto: u8) -> Self {
        Self::with_output(proto, Vec::with_capacity(256))
    }

    /// An encoder that appends to `out` (a buffer kept from earlier use, say).
    pub fn with_output(proto: u8, out: Vec<u8>) -> Self {
        debug_assert!(proto <= HIGHEST_PROTOCOL);
        Encoder {
            out,
            proto,
            framing: false,
            frame_start: None,
        }
    }

    /// The protocol being written.
    #[inline]
    pub fn proto(&self) -> u8 {
        self.proto
    }

    /// Whether the protocol has the binary opcodes (1 and above).
    #[inline]
    pub fn bin(&self) -> bool {
        self.proto >= 1
    }

    /// Starts one pickle: PROTO (protocol 2+), then framing from protocol 4.
    pub fn begin(&mut self) {
        if self.proto >= 2 {
            self.write(&[op::PROTO, self.proto]);
        }
        self.framing = self.proto >= 4;
        if self.framing {
            self.open_frame();
        }
    }

    /// Ends one pickle: STOP, and the last frame committed.
    pub fn end(&mut self) {
        self.write(&[op::STOP]);
        self.close_frame();
        self.framing = false;
    }

    /// Everything written so far.
    pub fn output(&self) -> &[u8] {
        &self.out
    }

    /// The output buffer as it stands, frame open or not (for a caller abandoning the
    /// pickle after an error, who truncates it).
    pub fn take_buffer(&mut self) -> Vec<u8> {
        self.frame_start = None;
        std::mem::take(&mut self.out)
    }

    /// Makes room for `additional` more bytes of output.
    pub fn reserve(&mut self, additional: usize) {
        self.out.reserve(additional);
    }

    /// Takes the bytes written so far, when no frame is open (always true after
    /// [`end`](Self::end) or when [`opcode_boundary`](Self::opcode_boundary) returned true).
    pub fn take_output(&mut self) -> Vec<u8> {
        debug_assert!(self.frame_start.is_none());
        std::mem::take(&mut self.out)
    }

    /// Takes the bytes of committed frames (and anything unframed before them), leaving an
    /// open frame in place to be committed later. A caller streaming to a file sends these.
    pub fn take_committed(&mut self) -> Vec<u8> {
        match self.frame_start {
            None => std::mem::take(&mut self.out),
            Some(start) => {
                let open = self.out.split_off(start);
                self.frame_start = Some(0);
                std::mem::replace(&mut self.out, open)
            }
        }
    }

    /// Appends raw bytes (into the open frame, when framing: one is always open then, the
    /// next opened as soon as one is committed, so no write has to ask).
    #[inline(always)]
    pub fn write(&mut self, data: &[u8]) {
        self.out.extend_from_slice(data);
    }

    /// Appends bytes whose number is known at compile time (an opcode and its argument),
    /// without a call.
    #[inline(always)]
    fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        append_fixed(&mut self.out, bytes);
    }

    /// Reserves the 9-byte header, filled in (or removed) when the frame is committed.
    #[cold]
    fn open_frame(&mut self) {
        self.frame_start = Some(self.out.len());
        self.out.extend_from_slice(&[0xfe; FRAME_HEADER_SIZE]);
    }

    /// Closes the open frame and, when framing, opens the next.
    pub fn commit_frame(&mut self) {
        self.close_frame();
        if self.framing {
            self.open_frame();
        }
    }

    /// Closes the open frame: fills in its header, or removes the header when the frame is
    /// too small to deserve one.
    fn close_frame(&mut self) {
        let Some(start) = self.frame_start.take() else {
            return;
        };
        let frame_len = self.out.len() - start - FRAME_HEADER_SIZE;
        if frame_len >= FRAME_SIZE_MIN {
            self.out[start] = op::FRAME;
            self.out[start + 1..start + FRAME_HEADER_SIZE]
                .copy_from_slice(&(frame_len as u64).to_le_bytes());
        } else {
            self.out.drain(start..start + FRAME_HEADER_SIZE);
        }
    }

    /// Bytes in the output buffer (committed frames not yet taken, and the open one).
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// Bytes the output buffer holds room for beyond [`Self::len`] without growing.
    #[inline(always)]
    pub fn spare_capacity(&self) -> usize {
        self.out.capacity() - self.out.len()
    }

    /// Whether nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The output length below which [`Self::opcode_boundary`] surely commits nothing, so a
    /// caller writing many small objects may compare lengths rather than call it each time:
    /// where the open frame (always one while framing) reaches its full size.
    #[inline]
    pub fn boundary_at(&self) -> usize {
        match self.frame_start {
            Some(start) => start + FRAME_HEADER_SIZE + FRAME_SIZE_TARGET,
            None => usize::MAX,
        }
    }

    /// Called between objects, as CPython's `save` does: commits the frame once it reaches the
    /// target size. Returns true when it did, so a caller streaming to a file may flush.
    #[inline]
    pub fn opcode_boundary(&mut self) -> bool {
        match self.frame_start {
            Some(start) if self.out.len() - start - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET => {
                self.commit_frame();
                true
            }
            _ => false,
        }
    }

    /// Writes a header and a payload; a payload of 64 KiB or more goes outside any frame.
    fn write_payload(&mut self, header: &[u8], data: &[u8]) {
        if data.len() < FRAME_SIZE_TARGET {
            self.write(header);
            self.write(data);
            return;
        }
        self.close_frame();
        self.write(header);
        self.write(data);
        if self.framing {
            self.open_frame();
        }
    }

    /// An opcode with a one-byte length and its payload (under 256 bytes, so always framed):
    /// the common case of small strings, written without going through `write_payload`.
    #[inline(always)]
    fn write_short(&mut self, code: u8, payload: &[u8]) {
        self.write_short_then(code, payload, &[]);
    }

    /// [`Self::write_short`] followed by `trailer` (a memo opcode, say), at most 8 bytes.
    #[inline(always)]
    fn write_short_then(&mut self, code: u8, payload: &[u8], trailer: &[u8]) {
        let header = [code, payload.len() as u8];
        if payload.len() <= STAGED_PAYLOAD_MAX {
            append_staged(&mut self.out, &header, payload, trailer);
        } else {
            self.out.extend_from_slice(&header);
            self.out.extend_from_slice(payload);
            self.out.extend_from_slice(trailer);
        }
    }

    /// One opcode byte with no argument.
    #[inline(always)]
    pub fn op(&mut self, code: u8) {
        // As `put`, not `push`: a caller that knows the room there (the serde writer tells
        // the compiler `capacity - len > ROOM`) then writes with no check; `push` compares
        // `len == capacity`, which the compiler does not derive from that.
        self.put([code]);
    }

    /// `None`.
    #[inline]
    pub fn none(&mut self) {
        self.op(op::NONE);
    }

    /// `True` / `False`: NEWTRUE/NEWFALSE from protocol 2, `I01`/`I00` below.
    #[inline]
    pub fn bool(&mut self, value: bool) {
        match (self.proto >= 2, value) {
            (true, true) => self.op(op::NEWTRUE),
            (true, false) => self.op(op::NEWFALSE),
            (false, true) => self.write(b"I01\n"),
            (false, false) => self.write(b"I00\n"),
        }
    }

    /// An integer that fits in 64 bits.
    #[inline]
    pub fn int(&mut self, value: i64) {
        if let Ok(small) = i32::try_from(value) {
            return self.int32(small);
        }
        self.int64(value);
    }

    /// [`Self::int`] outside the 32-bit range: LONG1, or LONG text before protocol 2.
    #[inline(never)]
    fn int64(&mut self, value: i64) {
        if self.proto >= 2 {
            let bytes = value.to_le_bytes();
            let len = minimal_signed_len(&bytes);
            self.long_bytes(&bytes[..len]);
        } else {
            self.long_text(&value.to_string());
        }
    }

    #[inline]
    fn int32(&mut self, value: i32) {
        if !self.bin() {
            let mut line = [0u8; 16];
            let text = format_i32(value, &mut line);
            self.write(&[op::INT]);
            self.write(text);
            self.write(b"\n");
        } else {
            self.binint(value);
        }
    }

    /// A 32-bit integer as BININT1, BININT2 or BININT: [`Self::int`] for a caller that knows
    /// the protocol is 1 or above.
    #[inline(always)]
    pub fn binint(&mut self, value: i32) {
        if (0..=0xff).contains(&value) {
            self.put([op::BININT1, value as u8]);
        } else if (0..=0xffff).contains(&value) {
            let v = (value as u16).to_le_bytes();
            self.put([op::BININT2, v[0], v[1]]);
        } else {
            self.put(header4(op::BININT, value as u32));
        }
    }

    /// A big integer as LONG1/LONG4 (protocol 2+): `le` is its minimal little-endian
    /// two's-complement encoding.
    pub fn long_bytes(&mut self, le: &[u8]) {
        if le.len() < 256 {
            self.write(&[op::LONG1, le.len() as u8]);
        } else {
            self.write(&header4(op::LONG4, le.len() as u32));
        }
        self.write(le);
    }

    /// A big integer as LONG text (protocols 0 and 1): `decimal` is its decimal digits.
    pub fn long_text(&mut self, decimal: &str) {
        self.write(&[op::LONG]);
        self.write(decimal.as_bytes());
        self.write(b"L\n");
    }

    /// Whether integers outside the 32-bit range go as LONG1/LONG4 rather than as text.
    pub fn binary_longs(&self) -> bool {
        self.proto >= 2
    }

    /// A float: BINFLOAT, or FLOAT with Python's repr in protocol 0.
    #[inline]
    pub fn float(&mut self, value: f64) {
        if self.bin() {
            self.binfloat(value);
        } else {
            self.write(&[op::FLOAT]);
            self.write(float_repr(value).as_bytes());
            self.write(b"\n");
        }
    }

    /// A float as BINFLOAT: [`Self::float`] for a caller that knows the protocol is 1 or above.
    #[inline(always)]
    pub fn binfloat(&mut self, value: f64) {
        let b = value.to_be_bytes();
        self.put([op::BINFLOAT, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    }

    /// A `str`, given as UTF-8 in which lone surrogates are allowed (CPython's `surrogatepass`).
    pub fn str(&mut self, text: &[u8]) -> Result<(), PickleError> {
        if !self.bin() {
            let mut escaped = Vec::with_capacity(text.len() + 2);
            escaped.push(op::UNICODE);
            raw_unicode_escape(text, &mut escaped);
            escaped.push(b'\n');
            self.write_payload(&[], &escaped);
            return Ok(());
        }
        let len = text.len();
        if len <= 0xff && self.proto >= 4 {
            self.write_short(op::SHORT_BINUNICODE, text);
        } else if len <= STAGED_PAYLOAD_MAX {
            // Protocols 1 to 3, which have no frames.
            append_staged(
                &mut self.out,
                &header4(op::BINUNICODE, len as u32),
                text,
                &[],
            );
        } else if len as u64 <= 0xffff_ffff {
            self.write_payload(&header4(op::BINUNICODE, len as u32), text);
        } else if self.proto >= 4 {
            self.write_payload(&header8(op::BINUNICODE8, len), text);
        } else {
            return Err(overflow_error(
                "serializing a string larger than 4 GiB requires pickle protocol 4 or higher",
            ));
        }
        Ok(())
    }

    /// A `str` whose code points all fit a byte, given as those bytes: what [`str`](Self::str)
    /// writes for that text, made without the UTF-8 in between (a `bytes` pickled at
    /// protocols 0-2 is `_codecs.encode(text, 'latin1')`). Returns the length of the
    /// payload written.
    pub fn str_latin1(&mut self, latin1: &[u8]) -> Result<usize, PickleError> {
        if !self.bin() {
            let start = self.out.len();
            self.op(op::UNICODE);
            escape_latin1(latin1, &mut self.out);
            self.op(b'\n');
            return Ok(self.out.len() - start - 2);
        }
        let len = latin1_utf8_len(latin1);
        if self.framing || len as u64 > 0xffff_ffff {
            // Frames, and the long text protocols 1-3 refuse: as any other text.
            self.str(&latin1_to_utf8(latin1))?;
            return Ok(len);
        }
        self.write(&header4(op::BINUNICODE, len as u32));
        append_utf8(latin1, len, &mut self.out);
        Ok(len)
    }

    /// A `str` and then its memo store at `idx`: [`Self::str`] and [`Self::memo_put`], with
    /// the usual protocol 4+ case (a short string and MEMOIZE) written in one step.
    #[inline(always)]
    pub fn str_memoized(&mut self, text: &[u8], idx: usize) -> Result<(), PickleError> {
        let len = text.len();
        if self.proto >= 4 && len <= 0xff {
            self.write_short_then(op::SHORT_BINUNICODE, text, &[op::MEMOIZE]);
            return Ok(());
        }
        // Protocols 1 to 3 (unframed): BINUNICODE, then BINPUT or LONG_BINPUT.
        if self.bin() && self.proto < 4 && len <= STAGED_PAYLOAD_MAX && idx <= 0xffff_ffff {
            let header = header4(op::BINUNICODE, len as u32);
            // Two calls, so that each trailer's length is known where it is copied.
            if idx < 256 {
                append_staged(&mut self.out, &header, text, &[op::BINPUT, idx as u8]);
            } else {
                let put = header4(op::LONG_BINPUT, idx as u32);
                append_staged(&mut self.out, &header, text, &put);
            }
            return Ok(());
        }
        self.str(text)?;
        self.memo_put(idx)
    }

    /// A `bytes` object as SHORT_BINBYTES/BINBYTES/BINBYTES8 (protocol 3+; below, callers
    /// reduce bytes to `_codecs.encode` as CPython does).
    pub fn bytes(&mut self, data: &[u8]) -> Result<(), PickleError> {
        let len = data.len();
        if len < 256 {
            self.write_short(op::SHORT_BINBYTES, data);
        } else if len as u64 <= 0xffff_ffff {
            self.write_payload(&header4(op::BINBYTES, len as u32), data);
        } else if self.proto >= 4 {
            self.write_payload(&header8(op::BINBYTES8, len), data);
        } else {
            return Err(overflow_error(
                "serializing a bytes object larger than 4 GiB requires pickle protocol 4 or higher",
            ));
        }
        Ok(())
    }

    /// A `bytearray` as BYTEARRAY8 (protocol 5).
    pub fn bytearray(&mut self, data: &[u8]) {
        self.write_payload(&header8(op::BYTEARRAY8, data.len()), data);
    }

    /// Stores the top of the stack at memo index `idx`: MEMOIZE from protocol 4 (which must
    /// be the next index), BINPUT/LONG_BINPUT, or PUT text in protocol 0.
    #[inline(always)]
    pub fn memo_put(&mut self, idx: usize) -> Result<(), PickleError> {
        if self.proto >= 4 {
            self.op(op::MEMOIZE);
        } else {
            self.memo_op(
                idx,
                op::PUT,
                op::BINPUT,
                op::LONG_BINPUT,
                "memo id too large for LONG_BINPUT",
            )?;
        }
        Ok(())
    }

    /// A one-byte opcode and the memo store of what it made at `idx`, both in one write
    /// (MEMOIZE, BINPUT or LONG_BINPUT); in protocol 0, [`Self::memo_put`]'s PUT after it.
    #[inline(always)]
    pub fn op_memoized(&mut self, code: u8, idx: usize) -> Result<(), PickleError> {
        if self.proto >= 4 {
            self.put([code, op::MEMOIZE]);
            return Ok(());
        }
        // Protocols 1 to 3: the opcode and BINPUT or LONG_BINPUT in one store as well.
        if self.binary_memo_op(Some(code), idx, op::BINPUT, op::LONG_BINPUT) {
            return Ok(());
        }
        self.op(code);
        self.memo_put(idx)
    }

    /// Pushes memo entry `idx`: GET text, BINGET or LONG_BINGET.
    #[inline(always)]
    pub fn memo_get(&mut self, idx: usize) -> Result<(), PickleError> {
        self.memo_op(
            idx,
            op::GET,
            op::BINGET,
            op::LONG_BINGET,
            "memo id too large for LONG_BINGET",
        )
    }

    /// The memo fetch of entry `idx`, as [`Self::memo_get`] writes it, packed for
    /// [`Self::put_packed`] (for a caller that keeps it to write many times): its bytes
    /// little-endian, their number in the top byte. None where it is longer than 7 bytes (a
    /// large index as protocol 0's text) or cannot be written.
    pub fn memo_get_packed(&self, idx: usize) -> Option<u64> {
        let mut scratch = Encoder::new(self.proto);
        scratch.memo_get(idx).ok()?;
        let bytes = scratch.output();
        if bytes.len() > 7 {
            return None;
        }
        let mut word = [0; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        Some(u64::from_le_bytes(word) | (bytes.len() as u64) << 56)
    }

    /// Appends an opcode packed by [`Self::memo_get_packed`].
    #[inline(always)]
    pub fn put_packed(&mut self, packed: u64) {
        append_packed(&mut self.out, packed);
    }

    /// BINGET/BINPUT and their four-byte forms inline, the rest out of line: small enough
    /// to inline everywhere.
    #[inline(always)]
    fn memo_op(
        &mut self,
        idx: usize,
        text: u8,
        short: u8,
        long: u8,
        too_large: &str,
    ) -> Result<(), PickleError> {
        if self.binary_memo_op(None, idx, short, long) {
            return Ok(());
        }
        self.memo_op_rare(idx, text, too_large)
    }

    /// The binary memo fetch or store of entry `idx` (`short` with a one-byte index below
    /// 256, else `long` with four), after the opcode `before` if any, in one store; false (and
    /// nothing written) in protocol 0 or past four bytes' range.
    #[inline(always)]
    fn binary_memo_op(&mut self, before: Option<u8>, idx: usize, short: u8, long: u8) -> bool {
        if !self.bin() {
            return false;
        }
        if idx < 256 {
            match before {
                None => self.put([short, idx as u8]),
                Some(code) => self.put([code, short, idx as u8]),
            }
            return true;
        }
        let Ok(wide) = u32::try_from(idx) else {
            return false;
        };
        let [long, a, b, c, d] = header4(long, wide);
        match before {
            None => self.put([long, a, b, c, d]),
            Some(code) => self.put([code, long, a, b, c, d]),
        }
        true
    }

    /// [`Self::memo_op`] in protocol 0 (the index as text), or past four bytes' range.
    #[inline(never)]
    fn memo_op_rare(&mut self, idx: usize, text: u8, too_large: &str) -> Result<(), PickleError> {
        if self.bin() {
            return Err(pickling_error(too_large));
        }
        self.write(&[text]);
        self.write(idx.to_string().as_bytes());
        self.write(b"\n");
        Ok(())
    }

    /// GLOBAL with module and name as text lines.
    pub fn global(&mut self, module: &[u8], name: &[u8]) {
        self.write(&[op::GLOBAL]);
        self.write(module);
        self.write(b"\n");
        self.write(name);
        self.write(b"\n");
    }

    /// EXT1/EXT2/EXT4 for an extension-registry code.
    pub fn ext(&mut self, code: u32) {
        if code <= 0xff {
            self.write(&[op::EXT1, code as u8]);
        } else if code <= 0xffff {
            let b = (code as u16).to_le_bytes();
            self.write(&[op::EXT2, b[0], b[1]]);
        } else {
            self.write(&header4(op::EXT4, code));
        }
    }

    /// PERSID with a protocol-0 text id.
    pub fn persid_text(&mut self, pid: &[u8]) {
        self.write(&[op::PERSID]);
        self.write(pid);
        self.write(b"\n");
    }

    /// An empty tuple: EMPTY_TUPLE, or MARK TUPLE in protocol 0.
    #[inline]
    pub fn empty_tuple(&mut self) {
        if self.bin() {
            self.op(op::EMPTY_TUPLE);
        } else {
            self.write(&[op::MARK, op::TUPLE]);
        }
    }

    /// Starts a non-empty tuple of `len` items as CPython does: a MARK first unless it is a
    /// small tuple (1-3 items, protocol 2+), whose items TUPLE1/2/3 will take. Returns whether
    /// it is small, for [`tuple_end`](Self::tuple_end) and [`tuple_discard`](Self::tuple_discard).
    #[inline]
    pub fn tuple_begin(&mut self, len: usize) -> bool {
        let small = len <= 3 && self.proto >= 2;
        if !small {
            self.op(op::MARK);
        }
        small
    }

    /// Ends a tuple begun with [`tuple_begin`](Self::tuple_begin): TUPLE1/2/3 or TUPLE.
    #[inline]
    pub fn tuple_end(&mut self, len: usize, small: bool) {
        self.op(tuple_end_code(len, small));
    }

    /// Drops a begun tuple's items (and MARK) from the stack, for a tuple that turned out to
    /// contain itself and is then fetched from the memo: POPs, or POP_MARK, as CPython writes.
    pub fn tuple_discard(&mut self, len: usize, small: bool) {
        match (small, self.bin()) {
            (true, _) => (0..len).for_each(|_| self.op(op::POP)),
            (false, true) => self.op(op::POP_MARK),
            (false, false) => (0..=len).for_each(|_| self.op(op::POP)),
        }
    }

    /// An empty list: EMPTY_LIST, or MARK LIST in protocol 0.
    #[inline]
    pub fn empty_list(&mut self) {
        if self.bin() {
            self.op(op::EMPTY_LIST);
        } else {
            self.write(&[op::MARK, op::LIST]);
        }
    }

    /// An empty dict: EMPTY_DICT, or MARK DICT in protocol 0.
    #[inline]
    pub fn empty_dict(&mut self) {
        if self.bin() {
            self.op(op::EMPTY_DICT);
        } else {
            self.write(&[op::MARK, op::DICT]);
        }
    }
}

/// The opcode that ends a tuple of `len` items: TUPLE1/2/3 for a small one, else TUPLE.
#[inline(always)]
pub fn tuple_end_code(len: usize, small: bool) -> u8 {
    match (small, len) {
        (true, 1) => op::TUPLE1,
        (true, 2) => op::TUPLE2,
        (true, 3) => op::TUPLE3,
        _ => op::TUPLE,
    }
}

/// An opcode and a four-byte little-endian argument (a length, a memo index, a code).
fn header4(code: u8, arg: u32) -> [u8; 5] {
    let [a0, a1, a2, a3] = arg.to_le_bytes();
    [code, a0, a1, a2, a3]
}

/// An opcode and an eight-byte little-endian length.
fn header8(code: u8, len: usize) -> [u8; 9] {
    let mut header = [code, 0, 0, 0, 0, 0, 0, 0, 0];
    header[1..].copy_from_slice(&(len as u64).to_le_bytes());
    header
}

/// The length of the shortest prefix of a little-endian two's-complement number that still
/// has the same value.
pub fn minimal_signed_len(le: &[u8]) -> usize {
    let mut len = le.len();
    while len > 1 {
        let top = le[len - 1];
        let next_sign = le[len - 2] & 0x80;
        if (top == 0 && next_sign == 0) || (top == 0xff && next_sign != 0) {
            len -= 1;
        } else {
            break;
        }
    }
    len
}

fn format_i32(value: i32, buf: &mut [u8; 16]) -> &[u8] {
    use std::io::Write;
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    write!(cursor, "{value}").expect("an i32 fits in 16 bytes");
    let n = cursor.position() as usize;
    &buf[..n]
}

#[cfg(test)]
mod tests;
