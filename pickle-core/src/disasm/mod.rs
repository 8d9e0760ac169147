//! CPython 3.14's pickletools without a VM: `dis`, a symbolic listing of one pickle with the
//! same stack and memo checks, printed exactly as pickletools prints it, and `optimize`; both
//! fail where pickletools raises, with its exception type and message.

mod annotate;
mod args;
mod optimize;

pub use annotate::summary;
pub use optimize::optimize;

use crate::error::PickleError;
use crate::opcodes::{ArgKind, OpcodeInfo, StackKind, lookup};
use crate::reader::{Arg, SliceSource, Source};
use crate::text::{
    IntLiteral, code_points, float_repr, parse_float_line, parse_int_line, py_repr_code_points,
    raw_unicode_unescape, string_literal,
};
use num_bigint::BigInt;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

/// What the memo holds while disassembling: the kind of stack object stored at each index
/// (any integer: pickletools' memo is a dict). Passing the same memo to several calls
/// continues across pickles (pickletools' `-m`).
pub type DisMemo = HashMap<BigInt, StackKind>;

/// A disassembly that stopped where pickletools raises: the exception's type (`ValueError`,
/// or `UnicodeDecodeError` for text that does not decode) and message. The lines printed
/// before the problem are already in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisError {
    /// The Python exception type pickletools raises.
    pub exception: &'static str,
    /// Its message.
    pub message: String,
}

impl DisError {
    /// An error of Python type `exception`.
    pub fn new(exception: &'static str, message: impl Into<String>) -> Self {
        DisError {
            exception,
            message: message.into(),
        }
    }

    fn value(message: impl Into<String>) -> Self {
        Self::new("ValueError", message)
    }

    fn io(e: std::io::Error) -> Self {
        Self::new("OSError", e.to_string())
    }

    /// A decoding error from the text helpers, with CPython's exception type.
    fn from_text(e: PickleError) -> Self {
        match e.exc_kind() {
            crate::error::PyExcKind::UnicodeDecode => Self::undecodable(e.to_string(), "utf-8"),
            _ => Self::value(e.to_string()),
        }
    }

    /// A UnicodeDecodeError as the VM's pickletools shows it: the exception, then the note
    /// naming the codec.
    fn undecodable(message: String, codec: &str) -> Self {
        Self::new(
            "UnicodeDecodeError",
            format!("{message}\ndecoding with '{codec}' codec failed"),
        )
    }
}

impl std::fmt::Display for DisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.exception, self.message)
    }
}

/// How a listing is laid out: pickletools.dis's `indentlevel` and `annotate` arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisOptions {
    /// Spaces of indentation per open MARK (pickletools' default is 4).
    pub indent_level: usize,
    /// The column for opcode summaries; 0 for none (pickletools' `-a` asks for 30).
    pub annotate: usize,
}

impl Default for DisOptions {
    fn default() -> Self {
        DisOptions {
            indent_level: 4,
            annotate: 0,
        }
    }
}

/// Disassembles the pickle at the start of `data` into `out`, as `pickletools.dis(data,
/// out, memo, indentlevel, annotate)` does, a line at a time (a listing can be far larger
/// than its pickle: each open MARK indents every line). Returns the offset just after STOP.
///
/// ```
/// use pickle_core::disasm::{dis, DisMemo, DisOptions};
/// let mut out = Vec::new();
/// dis(b"K\x05.", &mut out, &mut DisMemo::new(), &DisOptions::default()).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "    0: K    BININT1    5\n    2: .    STOP\nhighest protocol among opcodes = 1\n"
/// );
/// ```
pub fn dis(
    data: &[u8],
    out: &mut dyn Write,
    memo: &mut DisMemo,
    options: &DisOptions,
) -> Result<u64, DisError> {
    let mut annotation = annotate::AnnotationColumn::new(options.annotate);
    let mut src = SliceSource::new(data);
    let mut stack: Vec<StackKind> = Vec::new();
    let mut marks: Vec<u64> = Vec::new();
    let mut max_proto = -1i32;
    loop {
        let DisOp {
            offset,
            code,
            info,
            arg,
        } = next_op(&mut src)?;
        let indent = " ".repeat(options.indent_level * marks.len());
        let mut line = format!("{offset:5}: ");
        let offset_width = line.len();
        let _ = write!(line, "{:<4} {indent}{}", code_repr(code), info.name);
        max_proto = max_proto.max(i32::from(info.proto));
        let mut effect = Effect {
            pop: info.stack_before.len(),
            push: info.stack_after.to_vec(),
        };
        let mut note = None;
        let mut error = mark_effect(info, &mut stack, &mut marks, &mut effect, &mut note);
        error = error
            .or_else(|| memo_effect(info, arg.int.as_ref(), memo, &stack, &mut effect, &mut note));
        if arg.text.is_some() || note.is_some() {
            line.push_str(&" ".repeat(10usize.saturating_sub(info.name.len())));
            for part in [arg.text, note].into_iter().flatten() {
                line.push(' ');
                line.push_str(&part);
            }
        }
        if options.annotate > 0 {
            annotation.annotate(&mut line, offset_width, code);
        }
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(DisError::io)?;
        if let Some(error) = error {
            return Err(DisError::value(error));
        }
        if stack.len() < effect.pop {
            return Err(DisError::value(format!(
                "tries to pop {} items from stack with only {} items",
                effect.pop,
                stack.len()
            )));
        }
        stack.truncate(stack.len() - effect.pop);
        if effect.push.contains(&StackKind::Mark) {
            marks.push(offset);
        }
        stack.extend(effect.push);
        if code == crate::opcodes::op::STOP {
            break;
        }
    }
    writeln!(out, "highest protocol among opcodes = {max_proto}").map_err(DisError::io)?;
    if !stack.is_empty() {
        let names: Vec<&str> = stack.iter().map(|k| k.name()).collect();
        return Err(DisError::value(format!(
            "stack not empty after STOP: [{}]",
            names.join(", ")
        )));
    }
    Ok(src_end(data, &src))
}

fn src_end(data: &[u8], src: &SliceSource<'_>) -> u64 {
    (data.len() - src.remaining().len()) as u64
}

/// One opcode as pickletools' genops yields it.
struct DisOp {
    offset: u64,
    code: u8,
    info: &'static OpcodeInfo,
    arg: ArgText,
}

/// Reads the next opcode and its argument; as in pickletools' genops, the argument is read
/// (and must make sense) before anything is done with the opcode.
fn next_op(src: &mut SliceSource<'_>) -> Result<DisOp, DisError> {
    let offset = Source::<PickleError>::position(src);
    let Some(code) = Source::<PickleError>::next_byte(src).expect("slices do not fail") else {
        return Err(DisError::value("pickle exhausted before seeing STOP"));
    };
    let Some(info) = lookup(code) else {
        return Err(DisError::value(format!(
            "at position {offset}, opcode {} unknown",
            bytes_repr(&[code])
        )));
    };
    let raw = args::read_dis_arg(src, info.arg)?;
    let arg = arg_repr(info, &raw)?;
    Ok(DisOp {
        offset,
        code,
        info,
        arg,
    })
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
    arg: Option<&BigInt>,
    memo: &mut DisMemo,
    stack: &[StackKind],
    effect: &mut Effect,
    note: &mut Option<String>,
) -> Option<String> {
    match info.name {
        "PUT" | "BINPUT" | "LONG_BINPUT" | "MEMOIZE" => {
            let idx = if info.name == "MEMOIZE" {
                *note = Some(format!("(as {})", memo.len()));
                BigInt::from(memo.len())
            } else {
                arg.expect("memo opcodes have integer arguments").clone()
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
            match memo.get(idx) {
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
    int: Option<BigInt>,
}

fn shown(text: String) -> ArgText {
    ArgText {
        text: Some(text),
        int: None,
    }
}

fn arg_repr(info: &OpcodeInfo, arg: &Arg<'_>) -> Result<ArgText, DisError> {
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
                int: Some(BigInt::from(*i)),
            });
        }
        (_, Arg::U64(u)) => {
            return Ok(ArgText {
                text: Some(u.to_string()),
                int: Some(BigInt::from(*u)),
            });
        }
        (_, Arg::Float(f)) => float_repr(*f),
        (DecimalnlShort | DecimalnlLong, Arg::Line(line)) => {
            return decimal_repr(line, info.arg == DecimalnlLong);
        }
        (Floatnl, Arg::Line(line)) => match parse_float_line(line, 0) {
            Ok(value) => float_repr(value),
            Err(_) => {
                return Err(DisError::value(format!(
                    "could not convert string to float: {}",
                    bytes_repr(line)
                )));
            }
        },
        (Stringnl, Arg::Line(line)) => {
            let body = args::strip_quotes(line)?;
            let quoted = [b"'".as_slice(), body, b"'"].concat();
            latin1_ascii_repr(&string_literal(&quoted, 0).map_err(DisError::from_text)?)
        }
        (StringnlNoescape, Arg::Line(line)) => py_repr_code_points(code_points(line)),
        (StringnlNoescapePair, Arg::Pair(a, b)) => {
            py_repr_code_points(code_points(&[*a, b" ", *b].concat()))
        }
        (Unicodestringnl, Arg::Line(line)) => {
            let text = raw_unicode_unescape(line, 0)
                .map_err(|e| DisError::undecodable(e.to_string(), "raw-unicode-escape"))?;
            py_repr_code_points(code_points(&text))
        }
        (String1 | String4, Arg::Data(d)) => latin1_ascii_repr(d),
        (Bytes1 | Bytes4 | Bytes8, Arg::Data(d)) => bytes_repr(d),
        (Bytearray8, Arg::Data(d)) => format!("bytearray({})", bytes_repr(d)),
        (Unicodestring1 | Unicodestring4 | Unicodestring8, Arg::Data(d)) => {
            crate::text::check_surrogatepass_utf8(d, 0).map_err(DisError::from_text)?;
            py_repr_code_points(code_points(d))
        }
        (Long1 | Long4, Arg::Data(d)) => BigInt::from_signed_bytes_le(d).to_string(),
        (kind, arg) => unreachable!("the reader gives {arg:?} for {kind:?}"),
    };
    Ok(shown(text))
}

/// INT/LONG arguments: `I01`/`I00` are True/False; otherwise the integer.
fn decimal_repr(line: &[u8], long: bool) -> Result<ArgText, DisError> {
    let digits = if long {
        line.strip_suffix(b"L").unwrap_or(line)
    } else {
        line
    };
    let literal = parse_int_line(line, long, 0).map_err(|_| {
        DisError::value(format!(
            "invalid literal for int() with base 10: {}",
            bytes_repr(digits)
        ))
    })?;
    Ok(match literal {
        // pickletools reads `01`/`00` as True/False even as memo indices, where they equal 1/0.
        IntLiteral::Bool(b) => ArgText {
            text: Some(if b { "True" } else { "False" }.into()),
            int: Some(BigInt::from(u8::from(b))),
        },
        IntLiteral::Small(v) => ArgText {
            text: Some(v.to_string()),
            int: Some(BigInt::from(v)),
        },
        IntLiteral::Big(le) => {
            let big = BigInt::from_signed_bytes_le(&le);
            ArgText {
                text: Some(big.to_string()),
                int: Some(big),
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

#[cfg(test)]
mod tests;
