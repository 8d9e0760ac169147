//! The one opcode reader. The decoder, `dis`, `optimize` and the inspector all read through
//! these functions, so they cannot disagree about where an opcode or its argument ends.
//!
//! A [`Source`] hands out bytes without ever allocating in proportion to a length that the
//! input merely claims: a slice checks the claim against what it holds, and a streaming
//! source reads in bounded chunks.

use crate::error::{ErrorKind, PickleError};
use crate::opcodes::{ArgKind, OpcodeInfo, lookup};

/// Where pickle bytes come from.
pub trait Source<E> {
    /// The next opcode byte, or `None` at the end of input.
    fn next_byte(&mut self) -> Result<Option<u8>, E>;
    /// Exactly `n` bytes; an error when the input ends first.
    fn take(&mut self, n: u64) -> Result<&[u8], E>;
    /// The bytes up to the next newline, without it; an error when there is none.
    fn take_line(&mut self) -> Result<&[u8], E>;
    /// A FRAME of `len` bytes starts here.
    fn enter_frame(&mut self, len: u64) -> Result<(), E>;
    /// STOP was read: a streaming source settles what it consumed.
    fn finish(&mut self) -> Result<(), E> {
        Ok(())
    }
    /// The offset of the next byte to be read.
    fn position(&self) -> u64;
    /// The byte `ahead` bytes past the next one, without reading, where the source can tell
    /// without reading (a slice can); `None` otherwise, and past the end.
    fn peek_byte(&self, ahead: usize) -> Option<u8> {
        let _ = ahead;
        None
    }
    /// How many bytes are certainly left, when the source knows (a slice does; a stream does
    /// not). Lets a length claim beyond the input be reported as truncation before anything
    /// is charged for it.
    fn remaining_hint(&self) -> Option<u64> {
        None
    }
}

/// A [`Source`] over bytes already in memory.
#[derive(Debug, Clone)]
pub struct SliceSource<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> SliceSource<'a> {
    /// A source reading `data` from its start.
    pub fn new(data: &'a [u8]) -> Self {
        SliceSource { data, pos: 0 }
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    fn truncated(&self) -> PickleError {
        PickleError::new(ErrorKind::Truncated, self.pos as u64)
    }

    /// Like [`Source::take`], with the lifetime of the underlying slice.
    pub fn take_slice(&mut self, n: u64) -> Result<&'a [u8], PickleError> {
        let rest = self.data.len() - self.pos;
        if n > rest as u64 {
            return Err(self.truncated());
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.data[start..self.pos])
    }

    /// Like [`Source::take_line`], with the lifetime of the underlying slice.
    pub fn take_line_slice(&mut self) -> Result<&'a [u8], PickleError> {
        let rest = &self.data[self.pos..];
        match memchr::memchr(b'\n', rest) {
            Some(n) => {
                self.pos += n + 1;
                Ok(&rest[..n])
            }
            None => Err(self.truncated()),
        }
    }
}

impl<E: From<PickleError>> Source<E> for SliceSource<'_> {
    #[inline]
    fn next_byte(&mut self) -> Result<Option<u8>, E> {
        let byte = self.data.get(self.pos).copied();
        self.pos += byte.is_some() as usize;
        Ok(byte)
    }

    #[inline]
    fn take(&mut self, n: u64) -> Result<&[u8], E> {
        Ok(self.take_slice(n)?)
    }

    fn take_line(&mut self) -> Result<&[u8], E> {
        Ok(self.take_line_slice()?)
    }

    fn enter_frame(&mut self, len: u64) -> Result<(), E> {
        if len > (self.data.len() - self.pos) as u64 {
            return Err(self.truncated().into());
        }
        Ok(())
    }

    fn position(&self) -> u64 {
        self.pos as u64
    }

    #[inline]
    fn peek_byte(&self, ahead: usize) -> Option<u8> {
        self.data.get(self.pos.checked_add(ahead)?).copied()
    }

    fn remaining_hint(&self) -> Option<u64> {
        Some((self.data.len() - self.pos) as u64)
    }
}

/// Reads a little-endian unsigned integer of `N` bytes.
#[inline]
pub fn read_le<E, S: Source<E>, const N: usize>(src: &mut S) -> Result<u64, E> {
    let bytes = src.take(N as u64)?;
    let mut buf = [0u8; 8];
    buf[..N].copy_from_slice(bytes);
    Ok(u64::from_le_bytes(buf))
}

/// Reads the length prefix of a counted argument (`string4`, `bytes8`, `long4`, ...).
/// Signed four-byte counts are rejected when negative, with `what` naming the opcode family.
pub fn read_count<E, S>(src: &mut S, kind: ArgKind) -> Result<u64, E>
where
    E: From<PickleError>,
    S: Source<E>,
{
    let at = src.position();
    match kind {
        ArgKind::String1 | ArgKind::Bytes1 | ArgKind::Unicodestring1 | ArgKind::Long1 => {
            read_le::<E, S, 1>(src)
        }
        // CPython's C unpickler reads BINSTRING's count as unsigned (pickletools' string4 is
        // signed; the disassembler reports that itself).
        ArgKind::Bytes4 | ArgKind::Unicodestring4 | ArgKind::String4 => read_le::<E, S, 4>(src),
        ArgKind::Long4 => {
            let n = read_le::<E, S, 4>(src)? as u32 as i32;
            if n < 0 {
                return Err(PickleError::new(ErrorKind::NegativeCount("LONG"), at).into());
            }
            Ok(n as u64)
        }
        ArgKind::Bytes8 | ArgKind::Unicodestring8 | ArgKind::Bytearray8 => read_le::<E, S, 8>(src),
        _ => unreachable!("read_count called for a non-counted argument kind"),
    }
}

/// An opcode's argument as it stands in the stream, not yet interpreted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    /// The opcode has no argument.
    None,
    /// A fixed-width integer (`uint1`, `uint2`, `int4`, `uint4`, `uint8`).
    Int(i64),
    /// An eight-byte unsigned integer (`uint8`).
    U64(u64),
    /// `float8`
    Float(f64),
    /// A newline-terminated argument, without the newline.
    Line(&'a [u8]),
    /// Two newline-terminated lines (`GLOBAL`, `INST`).
    Pair(&'a [u8], &'a [u8]),
    /// The payload of a counted argument.
    Data(&'a [u8]),
}

/// One opcode read from a stream.
#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    /// Offset of the opcode byte.
    pub offset: u64,
    /// The table row.
    pub info: &'static OpcodeInfo,
    /// The raw argument.
    pub arg: Arg<'a>,
}

/// Reads the argument of kind `kind` from a slice source.
pub fn read_arg<'a>(src: &mut SliceSource<'a>, kind: ArgKind) -> Result<Arg<'a>, PickleError> {
    use ArgKind::*;
    let arg = match kind {
        None => Arg::None,
        Uint1 => Arg::Int(read_le::<PickleError, _, 1>(src)? as i64),
        Uint2 => Arg::Int(read_le::<PickleError, _, 2>(src)? as i64),
        Int4 => Arg::Int(read_le::<PickleError, _, 4>(src)? as u32 as i32 as i64),
        Uint4 => Arg::Int(read_le::<PickleError, _, 4>(src)? as i64),
        Uint8 => Arg::U64(read_le::<PickleError, _, 8>(src)?),
        Float8 => {
            let bytes: [u8; 8] = src.take_slice(8)?.try_into().expect("eight bytes");
            Arg::Float(f64::from_be_bytes(bytes))
        }
        DecimalnlShort | DecimalnlLong | Floatnl | Stringnl | StringnlNoescape
        | Unicodestringnl => Arg::Line(src.take_line_slice()?),
        StringnlNoescapePair => {
            let first = src.take_line_slice()?;
            Arg::Pair(first, src.take_line_slice()?)
        }
        _ => {
            let n = read_count::<PickleError, _>(src, kind)?;
            Arg::Data(src.take_slice(n)?)
        }
    };
    Ok(arg)
}

/// Reads one opcode and its argument; `Ok(None)` at the end of input.
pub fn read_op<'a>(src: &mut SliceSource<'a>) -> Result<Option<Op<'a>>, PickleError> {
    let offset = <SliceSource as Source<PickleError>>::position(src);
    let Some(code) = <SliceSource as Source<PickleError>>::next_byte(src)? else {
        return Ok(None);
    };
    let info = lookup(code).ok_or(PickleError::new(ErrorKind::InvalidLoadKey(code), offset))?;
    let arg = read_arg(src, info.arg)?;
    Ok(Some(Op { offset, info, arg }))
}

/// Iterates over the opcodes of one pickle, ending after STOP (as pickletools' `genops`).
pub struct Ops<'a> {
    src: SliceSource<'a>,
    finished: bool,
}

impl<'a> Ops<'a> {
    /// Opcodes of the pickle at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Ops {
            src: SliceSource::new(data),
            finished: false,
        }
    }

    /// Offset of the next byte (after STOP once the pickle is done).
    pub fn offset(&self) -> u64 {
        Source::<PickleError>::position(&self.src)
    }
}

impl<'a> Iterator for Ops<'a> {
    type Item = Result<Op<'a>, PickleError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let result = match read_op(&mut self.src) {
            Ok(None) => Err(PickleError::new(ErrorKind::RanOutOfInput, self.offset())),
            Ok(Some(op)) => Ok(op),
            Err(e) => Err(e),
        };
        self.finished = match &result {
            Ok(op) => op.info.code == crate::opcodes::op::STOP,
            Err(_) => true,
        };
        Some(result)
    }
}

/// Opcodes of the pickle at the start of `data`.
pub fn genops(data: &[u8]) -> Ops<'_> {
    Ops::new(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(data: &[u8]) -> Vec<&'static str> {
        genops(data).map(|op| op.unwrap().info.name).collect()
    }

    #[test]
    fn reads_a_protocol_4_pickle() {
        // pickle.dumps([1, 'a'], 4) from CPython.
        let data = b"\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01\x8c\x01a\x94e.";
        assert_eq!(
            names(data),
            [
                "PROTO",
                "FRAME",
                "EMPTY_LIST",
                "MEMOIZE",
                "MARK",
                "BININT1",
                "SHORT_BINUNICODE",
                "MEMOIZE",
                "APPENDS",
                "STOP"
            ]
        );
        let ops: Vec<_> = genops(data).map(Result::unwrap).collect();
        assert_eq!(ops[1].arg, Arg::U64(11));
        assert_eq!(ops[6].arg, Arg::Data(b"a"));
        assert_eq!(ops[6].offset, 16);
    }

    #[test]
    fn reads_line_arguments() {
        let ops: Vec<_> = genops(b"cos\nsystem\nI12\n.").map(Result::unwrap).collect();
        assert_eq!(ops[0].arg, Arg::Pair(b"os", b"system"));
        assert_eq!(ops[1].arg, Arg::Line(b"12"));
    }

    #[test]
    fn a_claimed_length_beyond_the_input_is_truncation_not_allocation() {
        let err = genops(b"\x8e\xff\xff\xff\xff\xff\xff\xff\x7f")
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(*err.kind, ErrorKind::Truncated);
    }

    #[test]
    fn counts_are_signed_only_where_cpython_reads_them_signed() {
        let err = genops(b"T\xff\xff\xff\xff").next().unwrap().unwrap_err();
        assert_eq!(*err.kind, ErrorKind::Truncated);
        let err = genops(b"\x8b\x00\x00\x00\x80").next().unwrap().unwrap_err();
        assert_eq!(err.to_string(), "LONG pickle has negative byte count");
    }

    #[test]
    fn unknown_bytes_and_missing_stop_are_reported_with_offsets() {
        let err = genops(b"N\xff").nth(1).unwrap().unwrap_err();
        assert_eq!(err, PickleError::new(ErrorKind::InvalidLoadKey(0xff), 1));
        let err = genops(b"N").nth(1).unwrap().unwrap_err();
        assert_eq!(*err.kind, ErrorKind::RanOutOfInput);
    }
}
