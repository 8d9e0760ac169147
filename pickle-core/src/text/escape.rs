//! raw-unicode-escape, the UNICODE opcode's argument at protocol 0, both ways.

use super::latin1::{latin1_to_utf8_into, utf8_to_latin1};
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
/// CR and U+001A.
const ESCAPED: [bool; 256] = {
    let mut escaped = [false; 256];
    let mut k = 0;
    while k < 5 {
        escaped[[0x5c, 0, 0x0a, 0x0d, 0x1a][k]] = true;
        k += 1;
    }
    escaped
};

/// Latin-1 bytes as the UNICODE opcode's argument: each byte itself, or `\u00XX` for the
/// five escaped. Every byte writes one word, the byte or the escape chosen by a mask, and
/// moves the output by 1 or 6: no branch on the bytes' values.
fn escape_latin1(latin1: &[u8], out: &mut Vec<u8>) {
    const ESCAPE_PREFIX: u64 = u32::from_le_bytes(*b"\\u00") as u64;
    let escaped = |b: u8| usize::from(ESCAPED[usize::from(b)]);
    let len = latin1.len() + 5 * latin1.iter().map(|&b| escaped(b)).sum::<usize>();
    let start = out.len();
    out.resize(start + len + 8, 0);
    let mut j = start;
    for &b in latin1 {
        let escape = ESCAPE_PREFIX
            | u64::from(HEX[usize::from(b >> 4)]) << 32
            | u64::from(HEX[usize::from(b & 0xf)]) << 40;
        let mask = 0u64.wrapping_sub(escaped(b) as u64);
        let word = (escape & mask) | (u64::from(b) & !mask);
        out[j..j + 8].copy_from_slice(&word.to_le_bytes());
        j += 1 + 5 * escaped(b);
    }
    out.truncate(start + len);
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
    } else if cp >= 256 || ESCAPED[cp as usize] {
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

/// Decodes raw-unicode-escape (the UNICODE opcode's argument) into generalized UTF-8.
/// `\u` and `\U` escape only after an odd number of backslashes, as in CPython.
pub fn raw_unicode_unescape(raw: &[u8], at: u64) -> Result<Vec<u8>, PickleError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        // Up to the next backslash, each byte is the code point of its value: written as
        // latin-1 to UTF-8 is, with no branch on the bytes.
        let plain = raw[i..]
            .iter()
            .position(|&b| b == b'\\')
            .unwrap_or(raw.len() - i);
        latin1_to_utf8_into(&raw[i..i + plain], &mut out);
        i += plain;
        if i == raw.len() {
            break;
        }
        let run_start = i;
        while i < raw.len() && raw[i] == b'\\' {
            i += 1;
        }
        let run = i - run_start;
        let escape = run % 2 == 1 && matches!(raw.get(i), Some(b'u' | b'U'));
        out.extend(std::iter::repeat_n(b'\\', run - escape as usize));
        if !escape {
            continue;
        }
        let width = if raw[i] == b'u' { 4 } else { 8 };
        let hex = raw[i + 1..]
            .iter()
            .take(width)
            .take_while(|d| d.is_ascii_hexdigit())
            .count();
        // CPython's error spans the backslash up to the last hex digit read.
        let undecodable = |reason| {
            let kind = ErrorKind::Undecodable {
                codec: "rawunicodeescape",
                data: raw.to_vec(),
                start: i - 1,
                end: i + 1 + hex,
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
        let digits = &raw[i + 1..i + 1 + width];
        let cp =
            u32::from_str_radix(std::str::from_utf8(digits).expect("hex digits"), 16).expect("hex");
        if cp > 0x10ffff {
            return Err(undecodable("\\Uxxxxxxxx out of range"));
        }
        push_code_point(&mut out, cp);
        i += 1 + width;
    }
    Ok(out)
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
