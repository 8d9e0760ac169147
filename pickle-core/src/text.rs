//! Text conversions pickle needs: UTF-8 that may hold lone surrogates (what CPython's
//! `surrogatepass` writes), raw-unicode-escape both ways, Python 2 string literals, and
//! Python's float repr.

use crate::error::{ErrorKind, PickleError};

/// Checks that `bytes` is UTF-8 in the generalized sense CPython's `surrogatepass` accepts:
/// ordinary UTF-8 plus three-byte encodings of the surrogates U+D800–U+DFFF. On failure, the
/// error carries CPython's position and reason for its `UnicodeDecodeError`.
pub fn check_surrogatepass_utf8(bytes: &[u8], at: u64) -> Result<(), PickleError> {
    // The common texts first, each with a check that runs at memory speed: ASCII; latin-1
    // (what every `bytes` pickled at protocols 0-2 becomes); then UTF-8 as Rust has it. Only
    // text with surrogates, or bad text, takes the loop below, which says where it is bad.
    if bytes.is_ascii() || is_latin1_utf8(bytes) || std::str::from_utf8(bytes).is_ok() {
        return Ok(());
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
    Ok(())
}

/// Whether `bytes` is UTF-8 whose code points are all below 256: ASCII, and two-byte
/// sequences led by C2 or C3. Each byte is ASCII, such a lead, or a continuation (80-BF);
/// a byte is a continuation exactly when the byte before it is a lead; the last is no lead.
/// The bytes are read in blocks with no branch on their values, so that the loop vectorizes
/// (random bytes pickled at protocol 2 are half leads, in an order no predictor learns).
fn is_latin1_utf8(bytes: &[u8]) -> bool {
    const BLOCK: usize = 4096;
    let lead = |b: u8| b & 0xfe == 0xc2;
    let continuation = |b: u8| b & 0xc0 == 0x80;
    let other = |b: u8| b >= 0xc0 && !lead(b);
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return true;
    };
    if continuation(first) || other(first) || lead(last) {
        return false;
    }
    // Pairs (byte before, byte), block by block, so that text that is not latin-1 (CJK, say)
    // stops at its first block.
    let mut start = 0;
    while start + 1 < bytes.len() {
        let end = (start + BLOCK).min(bytes.len() - 1);
        let bad = bytes[start..end]
            .iter()
            .zip(&bytes[start + 1..end + 1])
            .fold(false, |bad, (&before, &b)| {
                bad | (continuation(b) != lead(before)) | other(b)
            });
        if bad {
            return false;
        }
        start = end;
    }
    true
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

/// The size of the blocks the latin-1 conversions copy whole when they are ASCII.
const ASCII_BLOCK: usize = 64;

/// `data.decode('latin1')` as UTF-8: each byte is the code point of the same value.
pub fn latin1_to_utf8(data: &[u8]) -> Vec<u8> {
    let mut utf8 = Vec::new();
    latin1_to_utf8_into(data, &mut utf8);
    utf8
}

/// Appends `data.decode('latin1')` as UTF-8 to `out`.
fn latin1_to_utf8_into(data: &[u8], out: &mut Vec<u8>) {
    // Two bytes written for every byte, the second kept only for a byte above 7F: no branch
    // on the bytes (random data is half high bytes, in no order a predictor learns).
    let mut len = out.len();
    out.resize(len + data.len() * 2, 0);
    for block in data.chunks(ASCII_BLOCK) {
        if block.is_ascii() {
            out[len..len + block.len()].copy_from_slice(block);
            len += block.len();
            continue;
        }
        for &b in block {
            let high = usize::from(b >= 0x80);
            let pair = &mut out[len..len + 2];
            pair[0] = if high == 1 { 0xc0 | (b >> 6) } else { b };
            pair[1] = 0x80 | (b & 0x3f);
            len += 1 + high;
        }
    }
    out.truncate(len);
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

/// The argument of a protocol-0 UNICODE opcode, as CPython's pickler writes it: latin-1 for
/// code points below 256, `\uXXXX`/`\UXXXXXXXX` above, and backslash, NUL, CR, LF and
/// U+001A escaped too so the line stays one line.
pub fn raw_unicode_escape(text: &[u8], out: &mut Vec<u8>) {
    if is_latin1_utf8(text) {
        return latin1_escape(text, out);
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

/// [`raw_unicode_escape`] of latin-1 text (every `bytes` pickled at protocol 0): its bytes
/// first, then each of them as itself or as `\u00XX`.
fn latin1_escape(text: &[u8], out: &mut Vec<u8>) {
    match utf8_to_latin1(text) {
        Some(latin1) => escape_latin1(&latin1, out),
        None => unreachable!("checked as latin-1 by the caller"),
    }
}

/// Latin-1 bytes as the UNICODE opcode's argument: each byte itself, or `\u00XX` for the
/// five escaped. Every byte writes one word, the byte or the escape chosen by a mask, and
/// moves the output by 1 or 6: no branch on the bytes' values.
fn escape_latin1(latin1: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
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
/// below 256 but the escaped five, `\\uXXXX`, `\\UXXXXXXXX`); the bytes of `text` it took.
fn escape_one(text: &[u8], out: &mut Vec<u8>) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
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
    } else if cp >= 256 || matches!(cp, 0x5c | 0 | 0x0a | 0x0d | 0x1a) {
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

/// The latin-1 character UTF-8 byte `b` starts, given the byte after it: `b` itself, or the
/// code point of a two-byte sequence led by C2 or C3. Chosen by a mask, not a branch: the
/// compiler made a branch of the plain `if`, which random bytes mispredict half the time.
#[inline(always)]
fn latin1_character(b: u8, next: u8) -> u8 {
    let lead = 0u8.wrapping_sub(u8::from(b & 0xfe == 0xc2));
    let two = ((b & 0x03) << 6) | (next & 0x3f);
    (two & lead) | (b & !lead)
}

/// The latin-1 bytes of UTF-8 (or WTF-8) text whose code points all fit a byte (what
/// `_codecs.encode(text, 'latin1')` makes of a protocol 0-2 pickle's `bytes`); `None` for any
/// other text. Each byte that starts a character writes one byte and a continuation byte
/// none, every position written alike, so that nothing depends on the bytes' values but
/// how far the output moves.
pub fn utf8_to_latin1(text: &[u8]) -> Option<Vec<u8>> {
    if text.is_ascii() {
        return Some(text.to_vec());
    }
    // Checked first, in the pass that vectorizes (checking in the loops below cost random
    // data half again).
    if !is_latin1_utf8(text) {
        return None;
    }
    let (&last, body) = text.split_last()?;
    let mut out = vec![0; text.len()];
    let mut j = 0;
    for (k, block) in body.chunks(ASCII_BLOCK).enumerate() {
        if block.is_ascii() {
            // Blocks of ASCII (half of `bytes(range(256)) * n`) are copied whole.
            out[j..j + block.len()].copy_from_slice(block);
            j += block.len();
            continue;
        }
        if block[0] & 0xfe == 0xc2 && block.len() % 2 == 0 && block.iter().all(|&b| b >= 0x80) {
            // Whole two-byte characters from a lead on (valid text alternates them): one
            // byte from each pair, at a fixed stride.
            for pair in block.chunks_exact(2) {
                out[j] = latin1_character(pair[0], pair[1]);
                j += 1;
            }
            continue;
        }
        let at = k * ASCII_BLOCK;
        for (i, &b) in block.iter().enumerate() {
            out[j] = latin1_character(b, text[at + i + 1]);
            j += usize::from(b & 0xc0 != 0x80);
        }
    }
    if last & 0xc0 != 0x80 {
        out[j] = last;
        j += 1;
    }
    out.truncate(j);
    Some(out)
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

/// Decodes the argument of a STRING opcode: a quoted Python 2 literal with backslash escapes.
pub fn string_literal(line: &[u8], at: u64) -> Result<Vec<u8>, PickleError> {
    let quoted =
        line.len() >= 2 && line[0] == line[line.len() - 1] && (line[0] == b'\'' || line[0] == b'"');
    if !quoted {
        return Err(PickleError::new(ErrorKind::StringNotQuoted, at));
    }
    unescape_bytes(&line[1..line.len() - 1], at)
}

/// Python's bytes-literal escapes: `\\ \' \" \a \b \f \n \r \t \v \xhh \ooo` and
/// backslash-newline; any other backslash stays as it is.
fn unescape_bytes(body: &[u8], at: u64) -> Result<Vec<u8>, PickleError> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        if i == body.len() {
            // As CPython's bytes-literal decoder.
            let msg = "Trailing \\ in string".to_string();
            return Err(PickleError::new(
                ErrorKind::Other(crate::error::PyExcKind::Value, msg),
                at,
            ));
        }
        let e = body[i];
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match body.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(value as u8);
            }
            b'x' => {
                let digits = body
                    .get(i..i + 2)
                    .filter(|d| d.iter().all(u8::is_ascii_hexdigit));
                let Some(digits) = digits else {
                    let msg = format!("invalid \\x escape at position {}", i - 2);
                    return Err(PickleError::new(
                        ErrorKind::Other(crate::error::PyExcKind::Value, msg),
                        at,
                    ));
                };
                out.push(
                    u8::from_str_radix(std::str::from_utf8(digits).expect("hex"), 16).expect("hex"),
                );
                i += 2;
            }
            _ => out.extend_from_slice(&[b'\\', e]),
        }
    }
    Ok(out)
}

/// `repr(x)` for a Python float: the shortest digits that round-trip, positional notation for
/// decimal exponents from -4 to 15 and scientific (`1e+16`, `1.5e-05`) outside that.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "1.2345e-5" or "-0e0".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (head, tail) = digits.split_at(1);
        let frac = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{head}{frac}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point as usize >= digits.len() {
        format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// Parses a float line as CPython's FLOAT opcode does (`float()` of the text).
pub fn parse_float_line(line: &[u8], at: u64) -> Result<f64, PickleError> {
    let text = std::str::from_utf8(line).unwrap_or("");
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    let special = matches!(unsigned, "inf" | "infinity" | "nan");
    let parsed = if special
        || trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        lower.parse::<f64>().ok()
    } else {
        None
    };
    parsed.ok_or_else(|| {
        let shown = format!("{}\n", String::from_utf8_lossy(line));
        let msg = format!("could not convert string to float: {}", py_str_repr(&shown));
        PickleError::new(ErrorKind::BadLiteral(msg), at)
    })
}

/// Python's `repr()` of a `str`: single quotes unless the text has a single quote and no
/// double quote; backslash escapes for the backslash, the quote, `\t \n \r`, and for
/// non-printable characters (`\xNN`, `\uNNNN`, `\UNNNNNNNN`).
pub fn py_str_repr(text: &str) -> String {
    py_repr_code_points(text.chars().map(u32::from))
}

/// [`py_str_repr`] for code points, which may include lone surrogates (unprintable, so shown
/// as `\udXXX`).
pub fn py_repr_code_points(code_points: impl Iterator<Item = u32>) -> String {
    let cps: Vec<u32> = code_points.collect();
    let has = |c: char| cps.contains(&u32::from(c));
    let quote = if has('\'') && !has('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(cps.len() + 2);
    out.push(quote);
    for &cp in &cps {
        match char::from_u32(cp) {
            Some('\\') => out.push_str("\\\\"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some(c) if c == quote => {
                out.push('\\');
                out.push(c);
            }
            Some(c) if is_printable(c) => out.push(c),
            _ if cp < 0x100 => out.push_str(&format!("\\x{cp:02x}")),
            _ if cp < 0x10000 => out.push_str(&format!("\\u{cp:04x}")),
            _ => out.push_str(&format!("\\U{cp:08x}")),
        }
    }
    out.push(quote);
    out
}

/// An approximation of `str.isprintable` per character: not a control, format, separator
/// (other than space), private-use or unassigned-looking code point.
fn is_printable(c: char) -> bool {
    let cp = c as u32;
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || (0xad == cp)
        || (0x200b..=0x200f).contains(&cp)
        || (0x2028..=0x202e).contains(&cp)
        || (0x2060..=0x206f).contains(&cp)
        || cp == 0xfeff
        || (0xe000..=0xf8ff).contains(&cp)
        || (0xfff0..=0xfffb).contains(&cp)
        || cp >= 0xf0000)
}

/// A decimal integer literal from an INT or LONG line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntLiteral {
    /// `I01` / `I00`, which Python 2 wrote for booleans.
    Bool(bool),
    /// Fits in 64 bits.
    Small(i64),
    /// Does not fit; little-endian two's-complement bytes.
    Big(Vec<u8>),
}

/// Parses the argument of INT (`long_suffix` false) or LONG (true: a trailing `L` is allowed).
pub fn parse_int_line(line: &[u8], long_suffix: bool, at: u64) -> Result<IntLiteral, PickleError> {
    if !long_suffix && (line == b"01" || line == b"00") {
        return Ok(IntLiteral::Bool(line == b"01"));
    }
    let body = if long_suffix {
        line.strip_suffix(b"L").unwrap_or(line)
    } else {
        line
    };
    let text = std::str::from_utf8(body).unwrap_or("").trim();
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let valid = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__");
    if !valid {
        let shown = String::from_utf8_lossy(body);
        let msg = if long_suffix {
            format!("invalid literal for int() with base 10: '{shown}'")
        } else {
            "could not convert string to int".to_string()
        };
        return Err(PickleError::new(ErrorKind::BadLiteral(msg), at));
    }
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    if let Ok(v) = clean.parse::<i64>() {
        return Ok(IntLiteral::Small(v));
    }
    let big: num_bigint::BigInt = clean.parse().expect("validated decimal digits");
    Ok(IntLiteral::Big(big.to_signed_bytes_le()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), for texts of every shape.
    struct Bytes(u64);

    impl Bytes {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// Generalized UTF-8 of `n` code points drawn from ASCII (the escaped ones among
        /// them), latin-1, the BMP, surrogates and the astral planes.
        fn text(&mut self, n: usize) -> Vec<u8> {
            let mut out = Vec::new();
            for _ in 0..n {
                let cp = match self.next() % 6 {
                    0 => [0, 0x0a, 0x0d, 0x1a, 0x5c][(self.next() % 5) as usize],
                    1 => (self.next() % 0x80) as u32,
                    2 | 3 => 0x80 + (self.next() % 0x80) as u32,
                    4 => 0x100 + (self.next() % 0xff00) as u32,
                    _ => 0x10000 + (self.next() % 0x100000) as u32,
                };
                push_code_point(&mut out, cp);
            }
            out
        }
    }

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
    fn utf8_to_latin1_undoes_latin1_to_utf8_and_refuses_wider_text() {
        let mut random = Bytes(11);
        let data: Vec<u8> = (0..=255)
            .chain((0..10_000).map(|_| random.next() as u8))
            .collect();
        assert_eq!(utf8_to_latin1(&latin1_to_utf8(&data)), Some(data));
        assert_eq!(utf8_to_latin1(b"plain"), Some(b"plain".to_vec()));
        assert_eq!(utf8_to_latin1("é€".as_bytes()), None);
        assert_eq!(utf8_to_latin1("\u{100}".as_bytes()), None);
        assert_eq!(utf8_to_latin1("x🎈".as_bytes()), None);
        assert_eq!(
            utf8_to_latin1(&[b'a', 0xc3]),
            None,
            "a lead byte at the end"
        );
        assert_eq!(utf8_to_latin1(b"\xed\xa0\x80"), None, "a surrogate");
    }

    #[test]
    fn latin1_to_utf8_is_each_bytes_code_point() {
        let mut random = Bytes(7);
        let data: Vec<u8> = (0..=255)
            .chain((0..10_000).map(|_| random.next() as u8))
            .collect();
        let expected: String = data.iter().map(|&b| char::from(b)).collect();
        assert_eq!(latin1_to_utf8(&data), expected.into_bytes());
        assert_eq!(latin1_to_utf8(&[]), b"");
    }

    /// The latin-1 check agrees with its definition (valid UTF-8, every code point below 256)
    /// over random bytes, text with one byte changed, and lengths around its blocks.
    #[test]
    fn the_latin1_check_agrees_with_its_definition() {
        let definition = |bytes: &[u8]| {
            std::str::from_utf8(bytes).is_ok_and(|s| s.chars().all(|c| (c as u32) < 256))
        };
        let mut random = Bytes(42);
        for len in [0, 1, 2, 3, 4095, 4096, 4097, 4098, 8192, 8193, 12_289] {
            let data: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
            let text = latin1_to_utf8(&data);
            assert!(is_latin1_utf8(&text), "{len}");
            for at in [
                0,
                text.len() / 2,
                text.len().saturating_sub(1),
                4095,
                4096,
                4097,
            ] {
                for bad in [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4, 0xe2, 0xff, b'a'] {
                    let mut changed = text.clone();
                    if let Some(byte) = changed.get_mut(at) {
                        *byte = bad;
                        assert_eq!(
                            is_latin1_utf8(&changed),
                            definition(&changed),
                            "{len} {at} {bad:x}"
                        );
                    }
                }
            }
            assert_eq!(is_latin1_utf8(&data), definition(&data), "{len} random");
            assert_eq!(
                utf8_to_latin1(&data).is_some(),
                definition(&data),
                "{len} random"
            );
            // The blocks of whole two-byte characters, and of ASCII, that the conversion
            // takes at a stride.
            let pattern: Vec<u8> = (0..=255u8).cycle().take(len).collect();
            assert_eq!(utf8_to_latin1(&latin1_to_utf8(&pattern)), Some(pattern));
            // Blocks that start in the middle of a character.
            let shifted: Vec<u8> = std::iter::once(b'a')
                .chain(std::iter::repeat_n(0xe9, len))
                .collect();
            assert_eq!(utf8_to_latin1(&latin1_to_utf8(&shifted)), Some(shifted));
        }
        for pair in 0..=u16::MAX {
            let bytes = pair.to_be_bytes();
            assert_eq!(is_latin1_utf8(&bytes), definition(&bytes), "{bytes:x?}");
            assert_eq!(
                utf8_to_latin1(&bytes).is_some(),
                definition(&bytes),
                "{bytes:x?}"
            );
        }
        assert!(!is_latin1_utf8("€".as_bytes()));
    }

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123456789.125, "123456789.125"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (2.5e-300, "2.5e-300"),
            (-1e100, "-1e+100"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want);
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
    fn string_literals_unescape_like_python_2() {
        assert_eq!(
            string_literal(b"'a\\nb\\x41\\101\\q'", 0).unwrap(),
            b"a\nbAA\\q"
        );
        assert_eq!(string_literal(b"\"it's\"", 0).unwrap(), b"it's");
        let trailing = string_literal(b"'\\'", 0).unwrap_err();
        assert_eq!(trailing.to_string(), "Trailing \\ in string");
        assert_eq!(trailing.exc_kind(), crate::error::PyExcKind::Value);
        assert_eq!(
            *string_literal(b"'abc", 0).unwrap_err().kind,
            ErrorKind::StringNotQuoted
        );
    }

    #[test]
    fn int_lines_parse_booleans_small_and_big() {
        assert_eq!(
            parse_int_line(b"01", false, 0).unwrap(),
            IntLiteral::Bool(true)
        );
        assert_eq!(
            parse_int_line(b"-42", false, 0).unwrap(),
            IntLiteral::Small(-42)
        );
        assert_eq!(
            parse_int_line(b"18446744073709551616L", true, 0).unwrap(),
            IntLiteral::Big(vec![0, 0, 0, 0, 0, 0, 0, 0, 1])
        );
        assert!(parse_int_line(b"12x", false, 0).is_err());
    }

    #[test]
    fn str_repr_matches_python() {
        assert_eq!(py_str_repr("abc\n"), "'abc\\n'");
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("both '\""), "'both \\'\"'");
        assert_eq!(
            py_str_repr("\u{0}\u{7f}\u{e9}\u{20ac}"),
            "'\\x00\\x7f\u{e9}\u{20ac}'"
        );
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

    #[test]
    fn float_lines_parse() {
        assert_eq!(parse_float_line(b"1e+16", 0).unwrap(), 1e16);
        assert!(parse_float_line(b"nan", 0).unwrap().is_nan());
        assert!(parse_float_line(b"0x10", 0).is_err());
    }
}
