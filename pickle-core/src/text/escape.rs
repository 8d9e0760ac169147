//! raw-unicode-escape, the UNICODE opcode's argument at protocol 0, both ways.

use super::latin1::{latin1_to_utf8, latin1_to_utf8_into, utf8_to_latin1};
use super::utf8::{code_points, push_code_point};
use crate::error::{ErrorKind, PickleError};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The argument of a protocol-0 UNICODE opcode, as CPython's pickler writes it: latin-1 for
/// code points below 256, `\uXXXX`/`\UXXXXXXXX` above, and backslash, NUL, CR, LF and
/// U+001A escaped too so the line stays one line.
pub fn raw_unicode_escape(text: &[u8], out: &mut Vec<u8>) {
    // Latin-1 text (every `bytes` pickled at protocol 0) as its bytes first, then each byte
    // as itself or as `\u00XX`; any other text character by character.
    if let Some(latin1) = utf8_to_latin1(text) {
        return escape_latin1(&latin1, out);
    }
    out.reserve(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        rest = &rest[escape_one(rest, out)..];
    }
}

/// Whether a byte below 80 is escaped in the UNICODE opcode's argument: backslash, NUL, LF,
/// CR and U+001A. Compared, not looked up: the loops below vectorize comparisons.
#[inline(always)]
fn is_escaped(b: u8) -> bool {
    (b == b'\\') | (b == 0) | (b == b'\n') | (b == b'\r') | (b == 0x1a)
}

/// The size of the runs [`escape_latin1`] copies whole when none of their bytes is escaped
/// (half of random data's, at this size; 16 and 64 measured slower).
const CLEAN_RUN: usize = 32;

/// Latin-1 bytes as the UNICODE opcode's argument: each byte itself, or `\u00XX` for the
/// five escaped.
pub(crate) fn escape_latin1(latin1: &[u8], out: &mut Vec<u8>) {
    let escaped_count: usize = latin1
        .chunks(255)
        .map(|run| usize::from(run.iter().fold(0u8, |n, &b| n + u8::from(is_escaped(b)))))
        .sum();
    let len = latin1.len() + 5 * escaped_count;
    let start = out.len();
    out.resize(start + len, 0);
    let mut j = start;
    let runs = latin1.chunks_exact(CLEAN_RUN);
    let rest = runs.remainder();
    for run in runs {
        // A run of a fixed size, folded: compared all at once.
        let run: &[u8; CLEAN_RUN] = run.try_into().expect("a whole run");
        if run
            .iter()
            .fold(0u8, |any, &b| any | u8::from(is_escaped(b)))
            == 0
        {
            out[j..j + CLEAN_RUN].copy_from_slice(run);
            j += CLEAN_RUN;
        } else {
            j = escape_run(run, &mut out[..], j);
        }
    }
    j = escape_run(rest, &mut out[..], j);
    debug_assert_eq!(j, start + len);
}

/// Writes `run` (at most [`CLEAN_RUN`] bytes) at `out[j..]` escaped, and returns where it
/// ends: the escaped bytes' positions as the bits of a mask, and the bytes between them
/// copied whole (the escaped bytes are few, even in random data).
fn escape_run(run: &[u8], out: &mut [u8], mut j: usize) -> usize {
    let mut escaped = run
        .iter()
        .enumerate()
        .fold(0u32, |mask, (i, &b)| mask | u32::from(is_escaped(b)) << i);
    let mut from = 0;
    while escaped != 0 {
        let at = escaped.trailing_zeros() as usize;
        escaped &= escaped - 1;
        out[j..j + at - from].copy_from_slice(&run[from..at]);
        j += at - from;
        let b = run[at];
        let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]];
        out[j..j + 6].copy_from_slice(&[b'\\', b'u', b'0', b'0', hex[0], hex[1]]);
        j += 6;
        from = at + 1;
    }
    out[j..j + run.len() - from].copy_from_slice(&run[from..]);
    j + run.len() - from
}

/// Writes the first code point of `text` as the UNICODE opcode's argument has it (itself
/// below 256 but the escaped five, `\uXXXX`, `\UXXXXXXXX`); the bytes of `text` it took.
fn escape_one(text: &[u8], out: &mut Vec<u8>) -> usize {
    let width = match text[0] {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
    .min(text.len());
    let cp = code_points(&text[..width]).next().unwrap_or(0);
    let digits = if cp >= 0x10000 {
        out.extend_from_slice(b"\\U");
        8
    } else if cp >= 256 || is_escaped(cp as u8) {
        out.extend_from_slice(b"\\u");
        4
    } else {
        out.push(cp as u8);
        return width;
    };
    out.extend(
        (0..digits)
            .rev()
            .map(|shift| HEX[((cp >> (shift * 4)) & 0xf) as usize]),
    );
    width
}

/// The UNICODE opcode's argument decoded: latin-1 bytes while every code point fits a byte
/// (protocol 0's text of every `bytes`), else generalized UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unescaped {
    /// Every code point below 256, as its byte.
    Latin1(Vec<u8>),
    /// Generalized UTF-8 (lone surrogates allowed).
    Utf8(Vec<u8>),
}

/// Decodes raw-unicode-escape into latin-1 while the text allows it, and from its first
/// wider (or bad) escape on into generalized UTF-8, as [`raw_unicode_unescape`] does: the
/// text is read once, whichever it turns out to be.
pub fn raw_unicode_unescape_text(raw: &[u8], at: u64) -> Result<Unescaped, PickleError> {
    // Written at `j` into room for the whole argument: escapes only shorten it.
    let mut out = vec![0; raw.len()];
    let (mut i, mut j) = (0, 0);
    while let Some(plain) = copy_to_backslash(&raw[i..], &mut out[j..]) {
        i += plain;
        j += plain;
        let (run, escape) = backslash_run(raw, &mut i);
        let literal = run - usize::from(escape);
        out[j..j + literal].fill(b'\\');
        j += literal;
        if !escape {
            continue;
        }
        let width = escape_width(raw[i]);
        match raw.get(i + 1..i + 1 + width).and_then(hex_value) {
            Some(cp) if cp < 256 => {
                out[j] = cp as u8;
                j += 1;
                i += 1 + width;
            }
            // Wider text, or an escape to report: on in UTF-8 from this escape.
            _ => {
                let mut utf8 = latin1_to_utf8(&out[..j]);
                decode_escape(raw, &mut i, at, &mut utf8)?;
                return unescape_to_utf8(raw, i, utf8, at).map(Unescaped::Utf8);
            }
        }
    }
    // The last search copied the rest.
    out.truncate(j + raw.len() - i);
    Ok(Unescaped::Latin1(out))
}

/// Copies `raw` up to its first backslash to the front of `out` (as long as `raw` at least);
/// where that backslash is, if there is one. In windows of [`CLEAN_RUN`] bytes, each
/// searched in one vectorized comparison and copied in one fixed-size move: random bytes
/// escaped have a backslash every 50 bytes or so, where a call of `memchr` and one of
/// `memcpy` for what it skipped had cost more than the search.
fn copy_to_backslash(raw: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut i = 0;
    for window in raw.chunks_exact(CLEAN_RUN) {
        let window: &[u8; CLEAN_RUN] = window.try_into().expect("a whole window");
        if window.iter().fold(false, |any, &b| any | (b == b'\\')) {
            break;
        }
        out[i..i + CLEAN_RUN].copy_from_slice(window);
        i += CLEAN_RUN;
    }
    let rest = &raw[i..];
    let at = rest.iter().position(|&b| b == b'\\');
    let plain = at.unwrap_or(rest.len());
    out[i..i + plain].copy_from_slice(&rest[..plain]);
    at.map(|at| i + at)
}

/// Skips the run of backslashes at `raw[*i]`; how many there were, and whether the last of
/// them starts an escape: `\\u` and `\\U` escape only after an odd number of backslashes,
/// as in CPython.
fn backslash_run(raw: &[u8], i: &mut usize) -> (usize, bool) {
    let run = raw[*i..].iter().take_while(|&&b| b == b'\\').count();
    *i += run;
    let escape = run % 2 == 1 && matches!(raw.get(*i), Some(b'u' | b'U'));
    (run, escape)
}

/// The number of hex digits after `u` (4) or `U` (8).
fn escape_width(letter: u8) -> usize {
    if letter == b'u' { 4 } else { 8 }
}

/// The value of hex digits, `None` if any is not one.
fn hex_value(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |value, &d| {
        Some(value << 4 | char::from(d).to_digit(16)?)
    })
}

/// Decodes raw-unicode-escape (the UNICODE opcode's argument) into generalized UTF-8.
/// `\\u` and `\\U` escape only after an odd number of backslashes, as in CPython.
pub fn raw_unicode_unescape(raw: &[u8], at: u64) -> Result<Vec<u8>, PickleError> {
    unescape_to_utf8(raw, 0, Vec::with_capacity(raw.len()), at)
}

/// Decodes `raw` from byte `i` on, appending to `out`.
fn unescape_to_utf8(
    raw: &[u8],
    mut i: usize,
    mut out: Vec<u8>,
    at: u64,
) -> Result<Vec<u8>, PickleError> {
    while let Some(plain) = memchr::memchr(b'\\', &raw[i..]) {
        // Up to the next backslash, each byte is the code point of its value.
        latin1_to_utf8_into(&raw[i..i + plain], &mut out);
        i += plain;
        let (run, escape) = backslash_run(raw, &mut i);
        out.extend(std::iter::repeat_n(b'\\', run - usize::from(escape)));
        if escape {
            decode_escape(raw, &mut i, at, &mut out)?;
        }
    }
    latin1_to_utf8_into(&raw[i..], &mut out);
    Ok(out)
}

/// Decodes the escape whose `u` or `U` is at `raw[*i]` onto `out` as UTF-8, and moves `*i`
/// past it; CPython's error where it is truncated or out of range.
fn decode_escape(raw: &[u8], i: &mut usize, at: u64, out: &mut Vec<u8>) -> Result<(), PickleError> {
    let start = *i;
    let width = escape_width(raw[start]);
    let hex = raw[start + 1..]
        .iter()
        .take(width)
        .take_while(|d| d.is_ascii_hexdigit())
        .count();
    // CPython's error spans the backslash up to the last hex digit read.
    let undecodable = |reason| {
        let kind = ErrorKind::Undecodable {
            codec: "rawunicodeescape",
            data: raw.to_vec(),
            start: start - 1,
            end: start + 1 + hex,
            reason,
        };
        PickleError::new(kind, at)
    };
    if hex < width {
        return Err(undecodable(if width == 4 {
            "truncated \\uXXXX escape"
        } else {
            "truncated \\UXXXXXXXX escape"
        }));
    }
    let cp = hex_value(&raw[start + 1..start + 1 + width]).expect("hex digits");
    if cp > 0x10ffff {
        return Err(undecodable("\\Uxxxxxxxx out of range"));
    }
    push_code_point(out, cp);
    *i = start + 1 + width;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::latin1::latin1_to_utf8;
    use crate::text::random_text::Bytes;

    /// Code point by code point, as the escape was written before its fast paths.
    fn escaped_slowly(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for cp in code_points(text) {
            if cp >= 0x10000 {
                out.extend_from_slice(format!("\\U{cp:08x}").as_bytes());
            } else if cp >= 256 || matches!(cp, 0x5c | 0 | 0x0a | 0x0d | 0x1a) {
                out.extend_from_slice(format!("\\u{cp:04x}").as_bytes());
            } else {
                out.push(cp as u8);
            }
        }
        out
    }

    #[test]
    fn the_escape_fast_paths_write_what_the_slow_path_did() {
        let mut random = Bytes(0x9e37_79b9_7f4a_7c15);
        for n in [0, 1, 2, 3, 17, 255, 1000, 5000] {
            let text = random.text(n);
            let mut fast = Vec::new();
            raw_unicode_escape(&text, &mut fast);
            assert_eq!(fast, escaped_slowly(&text), "{text:?}");
            assert_eq!(raw_unicode_unescape(&fast, 0).unwrap(), text);
        }
        let every_byte: Vec<u8> = (0..=255)
            .chain((0..10_000).map(|_| random.next() as u8))
            .collect();
        let text = latin1_to_utf8(&every_byte);
        let mut fast = Vec::new();
        raw_unicode_escape(&text, &mut fast);
        assert_eq!(fast, escaped_slowly(&text));
        assert_eq!(raw_unicode_unescape(&fast, 0).unwrap(), text);
    }

    /// Latin-1 bytes escaped straight (a protocol-0 `bytes`) as the text would be, at every
    /// length around the runs copied whole, with the escaped five dense and sparse.
    #[test]
    fn latin1_escapes_as_its_text_does() {
        let mut random = Bytes(0x2545_f491_4f6c_dd1d);
        for len in (0..100).chain([1000, 4095, 4096, 4097]) {
            for density in [2, 50, 1000] {
                let data: Vec<u8> = (0..len)
                    .map(|_| match random.next() % density {
                        0 => [0, 0x0a, 0x0d, 0x1a, 0x5c][(random.next() % 5) as usize],
                        _ => random.next() as u8,
                    })
                    .collect();
                let mut direct = b"pre".to_vec();
                escape_latin1(&data, &mut direct);
                let expected =
                    [b"pre".as_slice(), &escaped_slowly(&latin1_to_utf8(&data))].concat();
                assert_eq!(direct, expected, "{len} {density}");
                assert_eq!(
                    raw_unicode_unescape_text(&direct[3..], 0),
                    Ok(Unescaped::Latin1(data))
                );
            }
        }
    }

    /// The unescape that stays latin-1 while it can agrees with the general one: latin-1
    /// wherever the text is, and otherwise the same UTF-8 or the same error.
    #[test]
    fn the_latin1_unescape_agrees_with_the_general_one() {
        let pieces: [&[u8]; 14] = [
            b"a",
            b"\\",
            b"\\\\",
            b"\\u",
            b"\\U",
            b"\\u00e9",
            b"\\u00E9",
            b"\\U000000ff",
            b"\\u0100",
            b"\\U0001f600",
            b"\\u12",
            b"\\uzzzz",
            b"\xe9\xff",
            b"u0041",
        ];
        let mut random = Bytes(77);
        for _ in 0..20_000 {
            let raw: Vec<u8> = (0..random.next() % 8)
                .flat_map(|_| pieces[(random.next() % 14) as usize].iter().copied())
                .collect();
            let general = raw_unicode_unescape(&raw, 0);
            let latin1 = general
                .as_deref()
                .ok()
                .and_then(super::super::utf8_to_latin1);
            let text = raw_unicode_unescape_text(&raw, 0);
            // Latin-1 exactly where the general decoding is, and the same text otherwise,
            // errors included.
            match (text, general) {
                (Ok(Unescaped::Latin1(bytes)), _) => assert_eq!(Some(bytes), latin1, "{raw:?}"),
                (Ok(Unescaped::Utf8(utf8)), Ok(expected)) => {
                    assert_eq!((utf8, latin1), (expected, None), "{raw:?}")
                }
                (Err(e), Err(expected)) => assert_eq!(e.to_string(), expected.to_string()),
                (text, general) => panic!("{raw:?}: {text:?} against {general:?}"),
            }
        }
    }

    #[test]
    fn raw_unicode_escape_round_trips() {
        let text = "a\\b\n\u{e9}\u{20ac}\u{1f600}\0\r\u{1a}".as_bytes();
        let mut out = Vec::new();
        raw_unicode_escape(text, &mut out);
        assert_eq!(
            out,
            b"a\\u005cb\\u000a\xe9\\u20ac\\U0001f600\\u0000\\u000d\\u001a"
        );
        assert_eq!(raw_unicode_unescape(&out, 0).unwrap(), text);
    }

    #[test]
    fn raw_unicode_unescape_needs_an_odd_backslash_run() {
        assert_eq!(raw_unicode_unescape(b"\\\\u0041", 0).unwrap(), b"\\\\u0041");
        assert_eq!(raw_unicode_unescape(b"\\\\\\u0041", 0).unwrap(), b"\\\\A");
        assert!(raw_unicode_unescape(b"\\u00", 0).is_err());
    }

    /// The messages of CPython's `bytes.decode('raw-unicode-escape')`.
    #[test]
    fn raw_unicode_escape_errors_name_their_span() {
        let message = |raw: &[u8]| raw_unicode_unescape(raw, 0).unwrap_err().to_string();
        let codec = "'rawunicodeescape' codec can't decode bytes in position";
        assert_eq!(
            message(b"\\u12"),
            format!("{codec} 0-3: truncated \\uXXXX escape")
        );
        assert_eq!(
            message(b"ab\\u1"),
            format!("{codec} 2-4: truncated \\uXXXX escape")
        );
        assert_eq!(
            message(b"x\\U12"),
            format!("{codec} 1-4: truncated \\UXXXXXXXX escape")
        );
        assert_eq!(
            message(b"\\U0011ffff"),
            format!("{codec} 0-9: \\Uxxxxxxxx out of range")
        );
    }
}
