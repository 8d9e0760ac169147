//! UTF-8 as pickles carry it: ordinary UTF-8 and the three-byte encodings of lone
//! surrogates that CPython's `surrogatepass` writes.

use super::latin1::is_latin1_utf8;
use crate::error::{ErrorKind, PickleError};

/// Checks that `bytes` is UTF-8 in the generalized sense CPython's `surrogatepass` accepts:
/// ordinary UTF-8 plus three-byte encodings of the surrogates U+D800–U+DFFF. On failure, the
/// error carries CPython's position and reason for its `UnicodeDecodeError`.
pub fn check_surrogatepass_utf8(bytes: &[u8], at: u64) -> Result<(), PickleError> {
    classify_surrogatepass_utf8(bytes, at).map(|_| ())
}

/// What checked text holds, as far as a maker of `str` objects cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// ASCII only.
    Ascii,
    /// UTF-8 whose code points all fit a byte, some above 7F (what every `bytes` pickled
    /// at protocols 1-2 becomes: `_codecs.encode(text, 'latin1')`).
    Latin1,
    /// Any other UTF-8, lone surrogates allowed.
    Other,
}

/// [`check_surrogatepass_utf8`], saying what the text holds when it passes.
pub fn classify_surrogatepass_utf8(bytes: &[u8], at: u64) -> Result<TextKind, PickleError> {
    // The common texts first, each with a check that runs at memory speed: ASCII; latin-1
    // (what every `bytes` pickled at protocols 0-2 becomes); then UTF-8 as Rust has it. Only
    // text with surrogates, or bad text, takes the loop below, which says where it is bad.
    if bytes.is_ascii() {
        return Ok(TextKind::Ascii);
    }
    if is_latin1_utf8(bytes) {
        return Ok(TextKind::Latin1);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(TextKind::Other);
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            i += 1;
            continue;
        }
        let len = sequence_len(bytes, i).map_err(|(end, reason)| {
            let kind = ErrorKind::Undecodable {
                codec: "utf-8",
                data: bytes.to_vec(),
                start: i,
                end,
                reason,
            };
            PickleError::new(kind, at)
        })?;
        i += len;
    }
    Ok(TextKind::Other)
}

/// The length of the valid sequence starting at `bytes[i]`, or where the bad one ends and why.
fn sequence_len(bytes: &[u8], i: usize) -> Result<usize, (usize, &'static str)> {
    let b = bytes[i];
    let (len, lo, hi) = match b {
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xe1..=0xef => (3, 0x80, 0xbf),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return Err((i + 1, "invalid start byte")),
    };
    for k in 1..len {
        let Some(&t) = bytes.get(i + k) else {
            return Err((bytes.len(), "unexpected end of data"));
        };
        let (min, max) = if k == 1 { (lo, hi) } else { (0x80, 0xbf) };
        if t < min || t > max {
            return Err((i + k, "invalid continuation byte"));
        }
    }
    Ok(len)
}

/// Whether `bytes` passes [`check_surrogatepass_utf8`].
pub fn is_surrogatepass_utf8(bytes: &[u8]) -> bool {
    check_surrogatepass_utf8(bytes, 0).is_ok()
}

/// The code points of generalized UTF-8 text (as validated by [`is_surrogatepass_utf8`]).
pub fn code_points(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *bytes.get(i)?;
        let len = match b {
            0..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        let mut cp = if len == 1 {
            u32::from(b)
        } else {
            u32::from(b) & (0x7f >> len)
        };
        for &t in bytes.get(i + 1..i + len).unwrap_or(&[]) {
            cp = (cp << 6) | u32::from(t & 0x3f);
        }
        i += len;
        Some(cp)
    })
}

/// Appends code point `cp` (surrogates allowed) as generalized UTF-8.
#[inline]
pub fn push_code_point(out: &mut Vec<u8>, cp: u32) {
    match cp {
        0..=0x7f => out.push(cp as u8),
        0x80..=0x7ff => out.extend_from_slice(&[0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]),
        0x800..=0xffff => out.extend_from_slice(&[
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn lone_surrogates_are_generalized_utf8() {
        let mut s = Vec::new();
        push_code_point(&mut s, 0xd800);
        assert_eq!(s, b"\xed\xa0\x80");
        assert!(is_surrogatepass_utf8(&s));
        assert_eq!(code_points(&s).collect::<Vec<_>>(), [0xd800]);
        assert!(!is_surrogatepass_utf8(b"\xc0\x80"));
        assert!(!is_surrogatepass_utf8(b"\xe2\x82"));
    }

    #[test]
    fn utf8_errors_carry_cpythons_position_and_reason() {
        let e = check_surrogatepass_utf8(b"ab\xff", 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"
        );
        let e = check_surrogatepass_utf8(b"\xe2\x82", 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"
        );
        let e = check_surrogatepass_utf8(b"\xe2\x28\xa1", 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"
        );
    }
}
