//! Which memo indices a pickle reads back: found by a walk over its opcodes before a
//! one-shot load, so that the load keeps only those (CPython's pickler memoizes every
//! container and most strings, and a typical pickle reads back few of them; keeping the
//! rest costs a reference taken and given back each, and holds objects that could go
//! sooner, an instance's state dict once BUILD has copied it).
//!
//! The walk reads opcodes and their arguments only, as the decoder does, and stops at STOP.
//! Where it cannot tell (an unknown opcode, an argument past the end, an index it does not
//! track), it gives up, and the load keeps everything as before.

use crate::opcodes::{ArgKind, lookup, op};
use crate::text::{IntLiteral, parse_int_line};

/// The memo indices a pickle's GET, BINGET and LONG_BINGET opcodes read.
#[derive(Debug, Clone, Default)]
pub struct MemoReads {
    bits: Vec<u64>,
}

/// [`ARG_WIDTHS`]' marks from here up are no widths but what the walk does with the code.
const MARKS_FROM: u8 = 0xf0;
/// A code that is no opcode.
const UNKNOWN: u8 = 0xff;
/// An opcode whose argument's width is read from the input.
const VARIABLE: u8 = 0xfe;
/// An opcode whose argument is a one-byte length and that many bytes.
const COUNTED1: u8 = 0xfd;
/// STOP, BINGET, LONG_BINGET and GET.
const STOP: u8 = 0xfc;
const BINGET: u8 = 0xfb;
const LONG_BINGET: u8 = 0xfa;
const GET: u8 = 0xf9;

/// Each code's argument width where it is fixed and nothing else is to be done with it (most
/// of a pickle's opcodes: one look in the table, one branch), else what to do.
static ARG_WIDTHS: std::sync::LazyLock<[u8; 256]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|code| match code as u8 {
        op::STOP => STOP,
        op::BINGET => BINGET,
        op::LONG_BINGET => LONG_BINGET,
        op::GET => GET,
        code => match lookup(code).map(|info| info.arg) {
            None => UNKNOWN,
            Some(ArgKind::None) => 0,
            Some(ArgKind::Uint1) => 1,
            Some(ArgKind::Uint2) => 2,
            Some(ArgKind::Int4 | ArgKind::Uint4) => 4,
            Some(ArgKind::Uint8 | ArgKind::Float8) => 8,
            Some(ArgKind::String1 | ArgKind::Bytes1 | ArgKind::Unicodestring1 | ArgKind::Long1) => {
                COUNTED1
            }
            Some(_) => VARIABLE,
        },
    })
});

impl MemoReads {
    /// The indices the pickle at the start of `data` reads; `None` where the walk cannot
    /// tell (the load then keeps every entry).
    pub fn scan(data: &[u8]) -> Option<MemoReads> {
        let mut reads = MemoReads::default();
        // Indices from the pickle's length on (or 65,536, for short ones) are not tracked:
        // a pickle that reads one is loaded keeping everything. The bits take an eighth of
        // the pickle's size at most (or 8 KiB), whatever index a 4-byte argument names.
        let tracked = (data.len() as u64).max(1 << 16);
        let mut at = 0;
        let widths = &*ARG_WIDTHS;
        loop {
            let code = *data.get(at)?;
            let mark = widths[usize::from(code)];
            at += 1;
            if mark < MARKS_FROM {
                at += usize::from(mark);
                if at > data.len() {
                    return None;
                }
                continue;
            }
            // SHORT_BINUNICODE, SHORT_BINBYTES...: most of a pickle's strings, read here
            // before the rarer marks' match.
            if mark == COUNTED1 {
                at += 1 + usize::from(*data.get(at)?);
                if at > data.len() {
                    return None;
                }
                continue;
            }
            let (idx, end) = match mark {
                STOP => return Some(reads),
                BINGET => (u64::from(*data.get(at)?), at + 1),
                LONG_BINGET => {
                    let le = data.get(at..at + 4)?.try_into().ok()?;
                    (u64::from(u32::from_le_bytes(le)), at + 4)
                }
                GET => {
                    let end = arg_end(data, at, ArgKind::DecimalnlShort)?;
                    (decimal_index(&data[at..end])?, end)
                }
                VARIABLE => {
                    at = arg_end(data, at, lookup(code)?.arg)?;
                    continue;
                }
                _ => return None,
            };
            reads.insert(idx, tracked)?;
            at = end;
        }
    }

    /// Whether a GET reads index `idx`.
    #[inline]
    pub fn reads(&self, idx: u64) -> bool {
        self.bits
            .get((idx / 64) as usize)
            .is_some_and(|word| word & (1 << (idx % 64)) != 0)
    }

    fn insert(&mut self, idx: u64, tracked: u64) -> Option<()> {
        if idx >= tracked {
            return None;
        }
        let word = (idx / 64) as usize;
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        self.bits[word] |= 1 << (idx % 64);
        Some(())
    }
}

/// GET's index as the decoder reads it (`decimal_index`); `None` for a line the decoder
/// refuses, where the load stops anyway.
fn decimal_index(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\n")?;
    match parse_int_line(line, false, 0).ok()? {
        IntLiteral::Small(v) => u64::try_from(v).ok(),
        IntLiteral::Bool(v) => Some(u64::from(v)),
        IntLiteral::Big(_) => None,
    }
}

/// Where the argument of kind `kind` starting at `at` ends (lines with their newline).
fn arg_end(data: &[u8], at: usize, kind: ArgKind) -> Option<usize> {
    use ArgKind as A;
    let fixed = |n: usize| Some(at + n).filter(|&end| end <= data.len());
    let counted = |width: usize| {
        let len = data.get(at..at + width)?;
        let mut le = [0u8; 8];
        le[..width].copy_from_slice(len);
        let len = usize::try_from(u64::from_le_bytes(le)).ok()?;
        at.checked_add(width)?
            .checked_add(len)
            .filter(|&end| end <= data.len())
    };
    let line = |from: usize| memchr::memchr(b'\n', data.get(from..)?).map(|n| from + n + 1);
    match kind {
        A::None => Some(at),
        A::Uint1 => fixed(1),
        A::Uint2 => fixed(2),
        A::Int4 | A::Uint4 => fixed(4),
        A::Uint8 | A::Float8 => fixed(8),
        A::DecimalnlShort
        | A::DecimalnlLong
        | A::Floatnl
        | A::Stringnl
        | A::StringnlNoescape
        | A::Unicodestringnl => line(at),
        A::StringnlNoescapePair => line(line(at)?),
        A::String1 | A::Bytes1 | A::Unicodestring1 | A::Long1 => counted(1),
        // Signed lengths: a negative one is an error the decoder reports.
        A::String4 | A::Long4 => {
            let len = i32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?);
            let len = usize::try_from(len).ok()?;
            Some(at + 4 + len).filter(|&end| end <= data.len())
        }
        A::Bytes4 | A::Unicodestring4 => counted(4),
        A::Bytes8 | A::Bytearray8 | A::Unicodestring8 => counted(8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gets_of_every_kind_are_found() {
        // [x, x, y, y] at protocol 2 with x, y lists: BINGET 2 and BINGET 3.
        let data = b"\x80\x02]q\x00(]q\x01h\x01]q\x02h\x02e.";
        let reads = MemoReads::scan(data).unwrap();
        assert!(!reads.reads(0) && reads.reads(1) && reads.reads(2) && !reads.reads(3));
        let reads = MemoReads::scan(b"(lp0\ng0\nj\x05\x01\x00\x00a.").unwrap();
        assert!(reads.reads(0) && reads.reads(261) && !reads.reads(1));
        // Framed, with payloads that look like GETs.
        let framed =
            b"\x80\x04\x95\x0f\x00\x00\x00\x00\x00\x00\x00\x8c\x02hh\x94C\x02h\x00h\x00\x86.";
        let reads = MemoReads::scan(framed).unwrap();
        assert!(reads.reads(0) && !reads.reads(104));
    }

    #[test]
    fn what_it_cannot_tell_gives_up() {
        assert!(MemoReads::scan(b"]h").is_none(), "an argument past the end");
        assert!(MemoReads::scan(b"]").is_none(), "no STOP");
        assert!(MemoReads::scan(b"\xff.").is_none(), "an unknown opcode");
        assert!(
            MemoReads::scan(b"j\x00\x00\x00\x40.").is_none(),
            "an index not tracked"
        );
        assert!(
            MemoReads::scan(b"T\xff\xff\xff\xffab.").is_none(),
            "a negative length"
        );
        assert!(
            MemoReads::scan(b"X\xff\xff\xff\x7f.").is_none(),
            "a length past the end"
        );
    }
}
