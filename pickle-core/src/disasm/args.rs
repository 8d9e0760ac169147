//! Reading an opcode's argument as pickletools' readers do: the same bytes the shared reader
//! takes, but pickletools' own error messages and exception types, and its view of counts
//! (BINSTRING's is signed there).

use super::{DisError, bytes_repr};
use crate::error::PickleError;
use crate::opcodes::ArgKind;
use crate::reader::{Arg, SliceSource, read_le};

fn value_error(msg: String) -> DisError {
    DisError::new("ValueError", msg)
}

/// A fixed-width field, or pickletools' "not enough data" for `what`.
fn fixed<const N: usize>(src: &mut SliceSource<'_>, what: &str) -> Result<u64, DisError> {
    if src.remaining().len() < N {
        return Err(value_error(format!(
            "not enough data in stream to read {what}"
        )));
    }
    Ok(read_le::<PickleError, _, N>(src).expect("length checked"))
}

/// A newline-terminated field, or pickletools' "no newline" for `what`.
fn line<'a>(src: &mut SliceSource<'a>, what: &str) -> Result<&'a [u8], DisError> {
    src.take_line_slice()
        .map_err(|_| value_error(format!("no newline found when trying to read {what}")))
}

/// `n` bytes of a counted field named `what`, or pickletools' "expected ... remain".
fn counted<'a>(src: &mut SliceSource<'a>, n: u64, what: &str) -> Result<&'a [u8], DisError> {
    let left = src.remaining().len() as u64;
    if n > left {
        return Err(value_error(format!(
            "expected {n} bytes in a {what}, but only {left} remain"
        )));
    }
    Ok(src.take_slice(n).expect("length checked"))
}

/// The count of a counted field: width from the kind, with pickletools' checks.
fn count(src: &mut SliceSource<'_>, kind: ArgKind, what: &str) -> Result<u64, DisError> {
    use ArgKind::{
        Bytearray8, Bytes1, Bytes4, Bytes8, Long1, Long4, String1, String4, Unicodestring1,
        Unicodestring4, Unicodestring8,
    };
    let n = match kind {
        String1 | Bytes1 | Unicodestring1 | Long1 => fixed::<1>(src, "uint1")?,
        Bytes4 | Unicodestring4 => fixed::<4>(src, "uint4")?,
        String4 | Long4 => {
            let n = fixed::<4>(src, "int4")? as u32 as i32;
            if n < 0 {
                return Err(value_error(format!("{what} byte count < 0: {n}")));
            }
            n as u64
        }
        Bytes8 | Bytearray8 | Unicodestring8 => fixed::<8>(src, "uint8")?,
        _ => unreachable!("count of a non-counted kind"),
    };
    if n > isize::MAX as u64 {
        return Err(value_error(format!("{what} byte count > sys.maxsize: {n}")));
    }
    Ok(n)
}

/// Reads the argument of `kind` with pickletools' checks and messages.
pub(super) fn read_dis_arg<'a>(
    src: &mut SliceSource<'a>,
    kind: ArgKind,
) -> Result<Arg<'a>, DisError> {
    use ArgKind::*;
    Ok(match kind {
        None => Arg::None,
        Uint1 => Arg::Int(fixed::<1>(src, "uint1")? as i64),
        Uint2 => Arg::Int(fixed::<2>(src, "uint2")? as i64),
        Int4 => Arg::Int(fixed::<4>(src, "int4")? as u32 as i32 as i64),
        Uint4 => Arg::Int(fixed::<4>(src, "uint4")? as i64),
        Uint8 => Arg::U64(fixed::<8>(src, "uint8")?),
        Float8 => Arg::Float(f64::from_bits(fixed::<8>(src, "float8")?.swap_bytes())),
        Unicodestringnl => Arg::Line(line(src, "unicodestringnl")?),
        DecimalnlShort | DecimalnlLong | Floatnl | Stringnl | StringnlNoescape => {
            Arg::Line(line(src, "stringnl")?)
        }
        StringnlNoescapePair => {
            let first = line(src, "stringnl")?;
            Arg::Pair(first, line(src, "stringnl")?)
        }
        Long1 | Long4 => {
            let what = if kind == Long1 { "long1" } else { "long4" };
            let n = count(src, kind, what)?;
            let left = src.remaining().len() as u64;
            if n > left {
                return Err(value_error(format!(
                    "not enough data in stream to read {what}"
                )));
            }
            Arg::Data(src.take_slice(n).expect("length checked"))
        }
        _ => {
            let what = kind.name();
            let n = count(src, kind, what)?;
            Arg::Data(counted(src, n, what)?)
        }
    })
}

/// STRING's argument: quotes checked as pickletools checks them (double quote first).
pub(super) fn strip_quotes(data: &[u8]) -> Result<&[u8], DisError> {
    for quote in [b'"', b'\''] {
        if data.first() == Some(&quote) {
            if data.last() != Some(&quote) {
                return Err(value_error(format!(
                    "string quote {} not found at both ends of {}",
                    bytes_repr(&[quote]),
                    bytes_repr(data)
                )));
            }
            // A lone quote both starts and ends the line: the string is empty.
            return Ok(data.get(1..data.len() - 1).unwrap_or(&[]));
        }
    }
    Err(value_error(format!(
        "no string quotes around {}",
        bytes_repr(data)
    )))
}
