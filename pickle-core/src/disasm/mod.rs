//! `pickletools.dis` (CPython 3.14's): a symbolic listing of one pickle, with the same stack
//! and memo checks, printed exactly as pickletools prints it.

use crate::error::{ErrorKind, PickleError};
use crate::opcodes::{ArgKind, OpcodeInfo, StackKind};
use crate::reader::{Arg, SliceSource, read_op};
use crate::text::{
    IntLiteral, code_points, float_repr, parse_float_line, parse_int_line, py_repr_code_points,
    raw_unicode_unescape, string_literal,
};
use std::collections::HashMap;
use std::fmt::Write;

/// What the memo holds while disassembling: the kind of stack object stored at each index.
/// Passing the same memo to several calls continues across pickles (pickletools' `-m`).
pub type DisMemo = HashMap<i128, StackKind>;

/// A disassembly that stopped: pickletools' `ValueError` message. The lines printed before the
/// problem are already in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisError(pub String);

impl std::fmt::Display for DisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Disassembles the pickle at the start of `data` into `out`, as `pickletools.dis(data,
/// out, memo, indentlevel)` does. Returns the offset just after STOP.
pub fn dis(
    data: &[u8],
    out: &mut String,
    memo: &mut DisMemo,
    indent_level: usize,
) -> Result<u64, DisError> {
    let mut src = SliceSource::new(data);
    let mut stack: Vec<StackKind> = Vec::new();
    let mut marks: Vec<u64> = Vec::new();
    let mut max_proto = -1i32;
    loop {
        let op = match read_op(&mut src) {
            Ok(Some(op)) => op,
            Ok(None) => return Err(DisError("pickle exhausted before seeing STOP".into())),
            Err(e) => return Err(DisError(reader_message(&e, data))),
        };
        let info = op.info;
        let _ = write!(
            out,
            "{:5}: {:<4} {}{}",
            op.offset,
            code_repr(info.code),
            " ".repeat(indent_level * marks.len()),
            info.name
        );
        max_proto = max_proto.max(i32::from(info.proto));
        let mut effect = Effect {
            pop: info.stack_before.len(),
            push: info.stack_after.to_vec(),
        };
        let mut note = None;
        let mut error = mark_effect(info, &mut stack, &mut marks, &mut effect, &mut note);
        let arg = arg_repr(info, &op.arg).map_err(|e| DisError(e.to_string()))?;
        error = error.or_else(|| memo_effect(info, arg.int, memo, &stack, &mut effect, &mut note));
        if arg.text.is_some() || note.is_some() {
            out.push_str(&" ".repeat(10usize.saturating_sub(info.name.len())));
            for part in [arg.text, note].into_iter().flatten() {
                out.push(' ');
                out.push_str(&part);
            }
        }
        out.push('\n');
        if let Some(error) = error {
            return Err(DisError(error));
        }
        if stack.len() < effect.pop {
            return Err(DisError(format!(
                "tries to pop {} items from stack with only {} items",
                effect.pop,
                stack.len()
            )));
        }
        stack.truncate(stack.len() - effect.pop);
        if effect.push.contains(&StackKind::Mark) {
            marks.push(op.offset);
        }
        stack.extend(effect.push);
        if info.code == crate::opcodes::op::STOP {
            break;
        }
    }
    let _ = writeln!(out, "highest protocol among opcodes = {max_proto}");
    if !stack.is_empty() {
        let names: Vec<&str> = stack.iter().map(|k| k.name()).collect();
        return Err(DisError(format!(
            "stack not empty after STOP: [{}]",
            names.join(", ")
        )));
    }
    Ok(src_end(data, &src))
}

fn src_end(data: &[u8], src: &SliceSource<'_>) -> u64 {
    (data.len() - src.remaining().len()) as u64
}

/// How many stack items an opcode pops and what it pushes, after marks are accounted for.
struct Effect {
    pop: usize,
    push: Vec<StackKind>,
}

/// An opcode that consumes a mark (or POP on a mark) pops everything down to it.
fn mark_effect(
    info: &OpcodeInfo,
    stack: &mut Vec<StackKind>,
    marks: &mut Vec<u64>,
    effect: &mut Effect,
    note: &mut Option<String>,
) -> Option<String> {
    let uses_mark = info.stack_before.contains(&StackKind::Mark)
        || (info.name == "POP" && stack.last() == Some(&StackKind::Mark));
    if !uses_mark {
        return None;
    }
    let Some(mark_at) = marks.pop() else {
        return Some("no MARK exists on stack".into());
    };
    *note = Some(format!("(MARK at {mark_at})"));
    while stack.last().is_some_and(|k| *k != StackKind::Mark) {
        stack.pop();
    }
    stack.pop();
    effect.pop = info
        .stack_before
        .iter()
        .position(|k| *k == StackKind::Mark)
        .unwrap_or(0);
    None
}

/// PUT/BINPUT/LONG_BINPUT/MEMOIZE store the top kind; GET/BINGET/LONG_BINGET push it.
fn memo_effect(
    info: &OpcodeInfo,
    arg: Option<i128>,
    memo: &mut DisMemo,
    stack: &[StackKind],
    effect: &mut Effect,
    note: &mut Option<String>,
) -> Option<String> {
    match info.name {
        "PUT" | "BINPUT" | "LONG_BINPUT" | "MEMOIZE" => {
            let idx = if info.name == "MEMOIZE" {
                *note = Some(format!("(as {})", memo.len()));
                memo.len() as i128
            } else {
                arg.expect("memo opcodes have integer arguments")
            };
            match stack.last() {
                None => Some("stack is empty -- can't store into memo".into()),
                Some(StackKind::Mark) => Some("can't store markobject in the memo".into()),
                Some(&top) => {
                    memo.insert(idx, top);
                    None
                }
            }
        }
        "GET" | "BINGET" | "LONG_BINGET" => {
            let idx = arg.expect("memo opcodes have integer arguments");
            match memo.get(&idx) {
                Some(&kind) => {
                    effect.push = vec![kind];
                    None
                }
                None => Some(format!("memo key {idx} has never been stored into")),
            }
        }
        _ => None,
    }
}

/// An argument as pickletools shows it, and its integer value when it has one.
struct ArgText {
    text: Option<String>,
    int: Option<i128>,
}

fn shown(text: String) -> ArgText {
    ArgText {
        text: Some(text),
        int: None,
    }
}

fn arg_repr(info: &OpcodeInfo, arg: &Arg<'_>) -> Result<ArgText, PickleError> {
    use ArgKind::{
        Bytearray8, Bytes1, Bytes4, Bytes8, DecimalnlLong, DecimalnlShort, Floatnl, Long1, Long4,
        String1, String4, Stringnl, StringnlNoescape, StringnlNoescapePair, Unicodestring1,
        Unicodestring4, Unicodestring8, Unicodestringnl,
    };
    let text = match (info.arg, arg) {
        (ArgKind::None, _) => {
            return Ok(ArgText {
                text: None,
                int: None,
            });
        }
        (_, Arg::Int(i)) => {
            return Ok(ArgText {
                text: Some(i.to_string()),
                int: Some(i128::from(*i)),
            });
        }
        (_, Arg::U64(u)) => {
            return Ok(ArgText {
                text: Some(u.to_string()),
                int: Some(i128::from(*u)),
            });
        }
        (_, Arg::Float(f)) => float_repr(*f),
        (DecimalnlShort | DecimalnlLong, Arg::Line(line)) => {
            return decimal_repr(line, info.arg == DecimalnlLong);
        }
        (Floatnl, Arg::Line(line)) => float_repr(parse_float_line(line, 0)?),
        (Stringnl, Arg::Line(line)) => latin1_ascii_repr(&string_literal(line, 0)?),
        (StringnlNoescape, Arg::Line(line)) => py_repr_code_points(code_points(line)),
        (StringnlNoescapePair, Arg::Pair(a, b)) => {
            py_repr_code_points(code_points(&[*a, b" ", *b].concat()))
        }
        (Unicodestringnl, Arg::Line(line)) => {
            py_repr_code_points(code_points(&raw_unicode_unescape(line, 0)?))
        }
        (String1 | String4, Arg::Data(d)) => latin1_ascii_repr(d),
        (Bytes1 | Bytes4 | Bytes8, Arg::Data(d)) => bytes_repr(d),
        (Bytearray8, Arg::Data(d)) => format!("bytearray({})", bytes_repr(d)),
        (Unicodestring1 | Unicodestring4 | Unicodestring8, Arg::Data(d)) => {
            crate::text::check_surrogatepass_utf8(d, 0)?;
            py_repr_code_points(code_points(d))
        }
        (Long1 | Long4, Arg::Data(d)) => num_bigint::BigInt::from_signed_bytes_le(d).to_string(),
        (kind, arg) => unreachable!("the reader gives {arg:?} for {kind:?}"),
    };
    Ok(shown(text))
}

/// INT/LONG arguments: `I01`/`I00` are True/False; otherwise the integer.
fn decimal_repr(line: &[u8], long: bool) -> Result<ArgText, PickleError> {
    Ok(match parse_int_line(line, long, 0)? {
        IntLiteral::Bool(b) => shown(if b { "True" } else { "False" }.into()),
        IntLiteral::Small(v) => ArgText {
            text: Some(v.to_string()),
            int: Some(i128::from(v)),
        },
        IntLiteral::Big(le) => {
            let big = num_bigint::BigInt::from_signed_bytes_le(&le);
            ArgText {
                text: Some(big.to_string()),
                int: big.to_string().parse().ok(),
            }
        }
    })
}

/// An opcode byte as `repr(code)[1:-1]` shows its one-character string.
fn code_repr(code: u8) -> String {
    match code {
        b'\\' => "\\\\".into(),
        b'\'' => "\\'".into(),
        0x20..=0x7e => char::from(code).to_string(),
        _ => format!("\\x{code:02x}"),
    }
}

/// `repr(bytes)`.
pub fn bytes_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(char::from(quote));
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b if b == quote => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(char::from(quote));
    out
}

/// `ascii(data.decode('latin-1'))`: the Python 2 string opcodes' arguments.
fn latin1_ascii_repr(data: &[u8]) -> String {
    let repr = py_repr_code_points(data.iter().map(|&b| u32::from(b)));
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
    }
    out
}

/// The reader's errors as pickletools' readers word them.
fn reader_message(e: &PickleError, data: &[u8]) -> String {
    match &e.kind {
        ErrorKind::InvalidLoadKey(b) => format!(
            "at position {}, opcode {} unknown",
            e.offset,
            bytes_repr(&[*b])
        ),
        ErrorKind::RanOutOfInput => "pickle exhausted before seeing STOP".into(),
        _ if e.offset as usize >= data.len() => "pickle exhausted before seeing STOP".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
