//! Python's literals in pickles: Python 2 string literals, float and int lines, and the
//! reprs of floats and strs.

use crate::error::{ErrorKind, PickleError};

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
    fn float_lines_parse() {
        assert_eq!(parse_float_line(b"1e+16", 0).unwrap(), 1e16);
        assert!(parse_float_line(b"nan", 0).unwrap().is_nan());
        assert!(parse_float_line(b"0x10", 0).is_err());
    }
}
