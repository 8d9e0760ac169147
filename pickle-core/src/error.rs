//! Typed errors with the byte offset where they happened. `Display` gives CPython's message.

use std::fmt;

/// Which Python exception an error corresponds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyExcKind {
    /// `pickle.UnpicklingError`
    Unpickling,
    /// `pickle.PicklingError`
    Pickling,
    /// `EOFError`
    Eof,
    /// `ValueError`
    Value,
    /// `OverflowError`
    Overflow,
    /// `MemoryError`
    Memory,
    /// `RecursionError`
    Recursion,
    /// `UnicodeDecodeError`
    UnicodeDecode,
    /// `TypeError`
    Type,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input ended where an opcode was expected.
    RanOutOfInput,
    /// The input ended inside an opcode's argument.
    Truncated,
    /// A byte that is not an opcode.
    InvalidLoadKey(u8),
    /// An opcode needed more stack items than there were.
    StackUnderflow,
    /// An opcode needed items but found a mark first.
    UnexpectedMark,
    /// An opcode needed a mark and there was none.
    NoMark,
    /// A memo read of an index that was never stored.
    MemoMissing(u64),
    /// PROTO named a protocol above 5.
    UnsupportedProtocol(u8),
    /// A counted opcode claimed a negative length.
    NegativeCount(&'static str),
    /// STRING's argument was not a quoted literal.
    StringNotQuoted,
    /// A decimal or float literal did not parse; carries CPython's whole message.
    BadLiteral(String),
    /// Text that had to be UTF-8 (or ASCII) was not.
    BadText(&'static str),
    /// A str payload that does not decode: not UTF-8 (lone surrogates allowed), or not
    /// raw-unicode-escape. CPython's UnicodeDecodeError.
    Undecodable {
        /// The codec's name as the exception gives it (`utf-8`, `rawunicodeescape`).
        codec: &'static str,
        /// The whole payload.
        data: Vec<u8>,
        /// Where the bad sequence starts.
        start: usize,
        /// Where it ends.
        end: usize,
        /// CPython's reason text.
        reason: &'static str,
    },
    /// A frame length that cannot be represented.
    FrameTooLarge,
    /// A negative PUT index.
    NegativePut(&'static str),
    /// STACK_GLOBAL found something other than two strings.
    StackGlobalNeedsStr,
    /// A resource limit was exceeded.
    LimitExceeded(&'static str),
    /// A free-form message (used by callers for their own checks).
    Other(PyExcKind, String),
}

/// An error with the byte offset of the opcode that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickleError {
    /// What went wrong (boxed: errors are rare, and every `Result` the machine passes
    /// around is as large as its error).
    pub kind: Box<ErrorKind>,
    /// Offset of the opcode (or of the end of input) in the stream.
    pub offset: u64,
}

impl PickleError {
    /// An error at `offset`.
    pub fn new(kind: ErrorKind, offset: u64) -> Self {
        PickleError {
            kind: Box::new(kind),
            offset,
        }
    }

    /// The Python exception type CPython raises for this error.
    pub fn exc_kind(&self) -> PyExcKind {
        use ErrorKind::*;
        match self.kind.as_ref() {
            RanOutOfInput => PyExcKind::Eof,
            UnsupportedProtocol(_) | BadLiteral(_) | NegativePut(_) => PyExcKind::Value,
            Undecodable { .. } => PyExcKind::UnicodeDecode,
            FrameTooLarge => PyExcKind::Overflow,
            LimitExceeded(_) => PyExcKind::Memory,
            Other(kind, _) => *kind,
            _ => PyExcKind::Unpickling,
        }
    }
}

impl fmt::Display for PickleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match self.kind.as_ref() {
            RanOutOfInput => f.write_str("Ran out of input"),
            Truncated => f.write_str("pickle data was truncated"),
            // Printable ASCII other than quote and backslash as itself, anything else as \xNN.
            InvalidLoadKey(b) if (0x20..=0x7e).contains(b) && *b != b'\'' && *b != b'\\' => {
                write!(f, "invalid load key, '{}'.", char::from(*b))
            }
            InvalidLoadKey(b) => write!(f, "invalid load key, '\\x{b:02x}'."),
            StackUnderflow => f.write_str("unpickling stack underflow"),
            UnexpectedMark => f.write_str("unexpected MARK found"),
            NoMark => f.write_str("could not find MARK"),
            MemoMissing(idx) => write!(f, "Memo value not found at index {idx}"),
            UnsupportedProtocol(p) => write!(f, "unsupported pickle protocol: {p}"),
            NegativeCount(what) => write!(f, "{what} pickle has negative byte count"),
            StringNotQuoted => f.write_str("the STRING opcode argument must be quoted"),
            BadLiteral(msg) => f.write_str(msg),
            BadText(msg) => f.write_str(msg),
            Undecodable {
                codec,
                data,
                start,
                end,
                reason,
            } if end - start == 1 => {
                write!(
                    f,
                    "'{codec}' codec can't decode byte 0x{:02x} in position {start}: {reason}",
                    data[*start]
                )
            }
            Undecodable {
                codec,
                start,
                end,
                reason,
                ..
            } => {
                write!(
                    f,
                    "'{codec}' codec can't decode bytes in position {start}-{}: {reason}",
                    end - 1
                )
            }
            FrameTooLarge => f.write_str("FRAME length exceeds system's maximum"),
            NegativePut(what) => write!(f, "negative {what} argument"),
            StackGlobalNeedsStr => f.write_str("STACK_GLOBAL requires str"),
            LimitExceeded(what) => write!(f, "unpickling exceeded the {what} limit"),
            Other(_, msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for PickleError {}

/// Results whose error is a [`PickleError`].
pub type Result<T, E = PickleError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_cpython() {
        let e = |k| PickleError::new(k, 0).to_string();
        assert_eq!(e(ErrorKind::InvalidLoadKey(b'z')), "invalid load key, 'z'.");
        assert_eq!(
            e(ErrorKind::InvalidLoadKey(0xff)),
            "invalid load key, '\\xff'."
        );
        assert_eq!(
            e(ErrorKind::InvalidLoadKey(b'\'')),
            "invalid load key, '\\x27'."
        );
        assert_eq!(e(ErrorKind::InvalidLoadKey(b' ')), "invalid load key, ' '.");
        assert_eq!(
            e(ErrorKind::MemoMissing(7)),
            "Memo value not found at index 7"
        );
        assert_eq!(
            e(ErrorKind::UnsupportedProtocol(6)),
            "unsupported pickle protocol: 6"
        );
        assert_eq!(e(ErrorKind::RanOutOfInput), "Ran out of input");
    }

    #[test]
    fn kinds_map_to_python_exceptions() {
        let k = |k| PickleError::new(k, 3).exc_kind();
        assert_eq!(k(ErrorKind::RanOutOfInput), PyExcKind::Eof);
        assert_eq!(k(ErrorKind::Truncated), PyExcKind::Unpickling);
        assert_eq!(k(ErrorKind::UnsupportedProtocol(9)), PyExcKind::Value);
    }
}
