//! The pickle opcode table as data: one row per opcode of protocols 0–5.
//!
//! The rows drive the decoder's dispatch, the disassembler, the inspector and protocol
//! inference, so those can never disagree about what an opcode is.

/// How an opcode's argument is laid out in the stream (the names are pickletools').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// No argument.
    None,
    /// One unsigned byte.
    Uint1,
    /// Two bytes, unsigned little-endian.
    Uint2,
    /// Four bytes, signed little-endian.
    Int4,
    /// Four bytes, unsigned little-endian.
    Uint4,
    /// Eight bytes, unsigned little-endian.
    Uint8,
    /// A decimal integer up to a newline (`I01`/`I00` are booleans).
    DecimalnlShort,
    /// A decimal integer up to a newline, optionally ending in `L`.
    DecimalnlLong,
    /// A float repr up to a newline.
    Floatnl,
    /// Eight bytes, a big-endian IEEE double.
    Float8,
    /// A quoted, escaped string literal up to a newline.
    Stringnl,
    /// Raw text up to a newline.
    StringnlNoescape,
    /// Two lines of raw text.
    StringnlNoescapePair,
    /// A one-byte length, then that many bytes of 8-bit string.
    String1,
    /// A signed four-byte length, then that many bytes of 8-bit string.
    String4,
    /// A one-byte length, then that many bytes.
    Bytes1,
    /// A four-byte length, then that many bytes.
    Bytes4,
    /// An eight-byte length, then that many bytes.
    Bytes8,
    /// An eight-byte length, then that many bytes of a bytearray.
    Bytearray8,
    /// Raw-unicode-escaped text up to a newline.
    Unicodestringnl,
    /// A one-byte length, then that many bytes of UTF-8.
    Unicodestring1,
    /// A four-byte length, then that many bytes of UTF-8.
    Unicodestring4,
    /// An eight-byte length, then that many bytes of UTF-8.
    Unicodestring8,
    /// A one-byte length, then a little-endian two's-complement integer.
    Long1,
    /// A signed four-byte length, then a little-endian two's-complement integer.
    Long4,
}

impl ArgKind {
    /// The pickletools name of this argument kind.
    pub fn name(self) -> &'static str {
        use ArgKind::*;
        match self {
            None => "None",
            Uint1 => "uint1",
            Uint2 => "uint2",
            Int4 => "int4",
            Uint4 => "uint4",
            Uint8 => "uint8",
            DecimalnlShort => "decimalnl_short",
            DecimalnlLong => "decimalnl_long",
            Floatnl => "floatnl",
            Float8 => "float8",
            Stringnl => "stringnl",
            StringnlNoescape => "stringnl_noescape",
            StringnlNoescapePair => "stringnl_noescape_pair",
            String1 => "string1",
            String4 => "string4",
            Bytes1 => "bytes1",
            Bytes4 => "bytes4",
            Bytes8 => "bytes8",
            Bytearray8 => "bytearray8",
            Unicodestringnl => "unicodestringnl",
            Unicodestring1 => "unicodestring1",
            Unicodestring4 => "unicodestring4",
            Unicodestring8 => "unicodestring8",
            Long1 => "long1",
            Long4 => "long4",
        }
    }
}

/// What an opcode takes from or leaves on the stack (the names are pickletools').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackKind {
    /// `int`
    Int,
    /// `int_or_bool`
    IntOrBool,
    /// `bool`
    Bool,
    /// `float`
    Float,
    /// `bytes_or_str`
    BytesOrStr,
    /// `bytes`
    Bytes,
    /// `bytearray`
    Bytearray,
    /// `buffer`
    Buffer,
    /// `str`
    Str,
    /// `None`
    NoneValue,
    /// `tuple`
    Tuple,
    /// `list`
    List,
    /// `dict`
    Dict,
    /// `set`
    Set,
    /// `frozenset`
    Frozenset,
    /// `any`
    Any,
    /// `mark`
    Mark,
    /// `stackslice`
    StackSlice,
}

impl StackKind {
    /// The pickletools name of this stack object.
    pub fn name(self) -> &'static str {
        use StackKind::*;
        match self {
            Int => "int",
            IntOrBool => "int_or_bool",
            Bool => "bool",
            Float => "float",
            BytesOrStr => "bytes_or_str",
            Bytes => "bytes",
            Bytearray => "bytearray",
            Buffer => "buffer",
            Str => "str",
            NoneValue => "None",
            Tuple => "tuple",
            List => "list",
            Dict => "dict",
            Set => "set",
            Frozenset => "frozenset",
            Any => "any",
            Mark => "mark",
            StackSlice => "stackslice",
        }
    }
}

/// One row of the opcode table.
#[derive(Debug, Clone, Copy)]
pub struct OpcodeInfo {
    /// The opcode byte.
    pub code: u8,
    /// The pickletools name, e.g. `SHORT_BINUNICODE`.
    pub name: &'static str,
    /// The argument's layout.
    pub arg: ArgKind,
    /// What the opcode consumes, bottom first.
    pub stack_before: &'static [StackKind],
    /// What the opcode leaves, bottom first.
    pub stack_after: &'static [StackKind],
    /// The first protocol that has this opcode.
    pub proto: u8,
    /// A one-line description.
    pub doc: &'static str,
}

/// The opcode bytes, by name.
#[allow(missing_docs)]
pub mod op {
    pub const MARK: u8 = b'(';
    pub const STOP: u8 = b'.';
    pub const POP: u8 = b'0';
    pub const POP_MARK: u8 = b'1';
    pub const DUP: u8 = b'2';
    pub const FLOAT: u8 = b'F';
    pub const INT: u8 = b'I';
    pub const BININT: u8 = b'J';
    pub const BININT1: u8 = b'K';
    pub const LONG: u8 = b'L';
    pub const BININT2: u8 = b'M';
    pub const NONE: u8 = b'N';
    pub const PERSID: u8 = b'P';
    pub const BINPERSID: u8 = b'Q';
    pub const REDUCE: u8 = b'R';
    pub const STRING: u8 = b'S';
    pub const BINSTRING: u8 = b'T';
    pub const SHORT_BINSTRING: u8 = b'U';
    pub const UNICODE: u8 = b'V';
    pub const BINUNICODE: u8 = b'X';
    pub const APPEND: u8 = b'a';
    pub const BUILD: u8 = b'b';
    pub const GLOBAL: u8 = b'c';
    pub const DICT: u8 = b'd';
    pub const EMPTY_DICT: u8 = b'}';
    pub const APPENDS: u8 = b'e';
    pub const GET: u8 = b'g';
    pub const BINGET: u8 = b'h';
    pub const INST: u8 = b'i';
    pub const LONG_BINGET: u8 = b'j';
    pub const LIST: u8 = b'l';
    pub const EMPTY_LIST: u8 = b']';
    pub const OBJ: u8 = b'o';
    pub const PUT: u8 = b'p';
    pub const BINPUT: u8 = b'q';
    pub const LONG_BINPUT: u8 = b'r';
    pub const SETITEM: u8 = b's';
    pub const TUPLE: u8 = b't';
    pub const EMPTY_TUPLE: u8 = b')';
    pub const SETITEMS: u8 = b'u';
    pub const BINFLOAT: u8 = b'G';
    pub const PROTO: u8 = 0x80;
    pub const NEWOBJ: u8 = 0x81;
    pub const EXT1: u8 = 0x82;
    pub const EXT2: u8 = 0x83;
    pub const EXT4: u8 = 0x84;
    pub const TUPLE1: u8 = 0x85;
    pub const TUPLE2: u8 = 0x86;
    pub const TUPLE3: u8 = 0x87;
    pub const NEWTRUE: u8 = 0x88;
    pub const NEWFALSE: u8 = 0x89;
    pub const LONG1: u8 = 0x8a;
    pub const LONG4: u8 = 0x8b;
    pub const BINBYTES: u8 = b'B';
    pub const SHORT_BINBYTES: u8 = b'C';
    pub const SHORT_BINUNICODE: u8 = 0x8c;
    pub const BINUNICODE8: u8 = 0x8d;
    pub const BINBYTES8: u8 = 0x8e;
    pub const EMPTY_SET: u8 = 0x8f;
    pub const ADDITEMS: u8 = 0x90;
    pub const FROZENSET: u8 = 0x91;
    pub const NEWOBJ_EX: u8 = 0x92;
    pub const STACK_GLOBAL: u8 = 0x93;
    pub const MEMOIZE: u8 = 0x94;
    pub const FRAME: u8 = 0x95;
    pub const BYTEARRAY8: u8 = 0x96;
    pub const NEXT_BUFFER: u8 = 0x97;
    pub const READONLY_BUFFER: u8 = 0x98;
}

use ArgKind as A;
use StackKind as S;

const fn row(
    code: u8,
    name: &'static str,
    arg: ArgKind,
    stack_before: &'static [StackKind],
    stack_after: &'static [StackKind],
    proto: u8,
    doc: &'static str,
) -> OpcodeInfo {
    OpcodeInfo {
        code,
        name,
        arg,
        stack_before,
        stack_after,
        proto,
        doc,
    }
}

/// Every opcode, in the order pickletools lists them.
#[rustfmt::skip]
pub static OPCODES: [OpcodeInfo; 68] = [
    row(op::INT, "INT", A::DecimalnlShort, &[], &[S::IntOrBool], 0, "Push an integer or bool written in decimal."),
    row(op::BININT, "BININT", A::Int4, &[], &[S::Int], 1, "Push a four-byte signed integer."),
    row(op::BININT1, "BININT1", A::Uint1, &[], &[S::Int], 1, "Push a one-byte unsigned integer."),
    row(op::BININT2, "BININT2", A::Uint2, &[], &[S::Int], 1, "Push a two-byte unsigned integer."),
    row(op::LONG, "LONG", A::DecimalnlLong, &[], &[S::Int], 0, "Push a long integer written in decimal."),
    row(op::LONG1, "LONG1", A::Long1, &[], &[S::Int], 2, "Push an integer of up to 255 bytes."),
    row(op::LONG4, "LONG4", A::Long4, &[], &[S::Int], 2, "Push an integer of any size."),
    row(op::STRING, "STRING", A::Stringnl, &[], &[S::BytesOrStr], 0, "Push a quoted Python 2 string."),
    row(op::BINSTRING, "BINSTRING", A::String4, &[], &[S::BytesOrStr], 1, "Push a counted Python 2 string."),
    row(op::SHORT_BINSTRING, "SHORT_BINSTRING", A::String1, &[], &[S::BytesOrStr], 1, "Push a short counted Python 2 string."),
    row(op::BINBYTES, "BINBYTES", A::Bytes4, &[], &[S::Bytes], 3, "Push bytes with a four-byte length."),
    row(op::SHORT_BINBYTES, "SHORT_BINBYTES", A::Bytes1, &[], &[S::Bytes], 3, "Push bytes with a one-byte length."),
    row(op::BINBYTES8, "BINBYTES8", A::Bytes8, &[], &[S::Bytes], 4, "Push bytes with an eight-byte length."),
    row(op::BYTEARRAY8, "BYTEARRAY8", A::Bytearray8, &[], &[S::Bytearray], 5, "Push a bytearray."),
    row(op::NEXT_BUFFER, "NEXT_BUFFER", A::None, &[], &[S::Buffer], 5, "Push the next out-of-band buffer."),
    row(op::READONLY_BUFFER, "READONLY_BUFFER", A::None, &[S::Buffer], &[S::Buffer], 5, "Make the top buffer read-only."),
    row(op::NONE, "NONE", A::None, &[], &[S::NoneValue], 0, "Push None."),
    row(op::NEWTRUE, "NEWTRUE", A::None, &[], &[S::Bool], 2, "Push True."),
    row(op::NEWFALSE, "NEWFALSE", A::None, &[], &[S::Bool], 2, "Push False."),
    row(op::UNICODE, "UNICODE", A::Unicodestringnl, &[], &[S::Str], 0, "Push a raw-unicode-escaped string."),
    row(op::SHORT_BINUNICODE, "SHORT_BINUNICODE", A::Unicodestring1, &[], &[S::Str], 4, "Push a UTF-8 string with a one-byte length."),
    row(op::BINUNICODE, "BINUNICODE", A::Unicodestring4, &[], &[S::Str], 1, "Push a UTF-8 string with a four-byte length."),
    row(op::BINUNICODE8, "BINUNICODE8", A::Unicodestring8, &[], &[S::Str], 4, "Push a UTF-8 string with an eight-byte length."),
    row(op::FLOAT, "FLOAT", A::Floatnl, &[], &[S::Float], 0, "Push a float written as its repr."),
    row(op::BINFLOAT, "BINFLOAT", A::Float8, &[], &[S::Float], 1, "Push a big-endian eight-byte float."),
    row(op::EMPTY_LIST, "EMPTY_LIST", A::None, &[], &[S::List], 1, "Push an empty list."),
    row(op::APPEND, "APPEND", A::None, &[S::List, S::Any], &[S::List], 0, "Append the top item to the list below it."),
    row(op::APPENDS, "APPENDS", A::None, &[S::List, S::Mark, S::StackSlice], &[S::List], 1, "Extend the list below the mark with the items above it."),
    row(op::LIST, "LIST", A::None, &[S::Mark, S::StackSlice], &[S::List], 0, "Build a list of the items above the mark."),
    row(op::EMPTY_TUPLE, "EMPTY_TUPLE", A::None, &[], &[S::Tuple], 1, "Push the empty tuple."),
    row(op::TUPLE, "TUPLE", A::None, &[S::Mark, S::StackSlice], &[S::Tuple], 0, "Build a tuple of the items above the mark."),
    row(op::TUPLE1, "TUPLE1", A::None, &[S::Any], &[S::Tuple], 2, "Build a 1-tuple of the top item."),
    row(op::TUPLE2, "TUPLE2", A::None, &[S::Any, S::Any], &[S::Tuple], 2, "Build a 2-tuple of the top two items."),
    row(op::TUPLE3, "TUPLE3", A::None, &[S::Any, S::Any, S::Any], &[S::Tuple], 2, "Build a 3-tuple of the top three items."),
    row(op::EMPTY_DICT, "EMPTY_DICT", A::None, &[], &[S::Dict], 1, "Push an empty dict."),
    row(op::DICT, "DICT", A::None, &[S::Mark, S::StackSlice], &[S::Dict], 0, "Build a dict of the key/value pairs above the mark."),
    row(op::SETITEM, "SETITEM", A::None, &[S::Dict, S::Any, S::Any], &[S::Dict], 0, "Set one key/value pair in the dict below them."),
    row(op::SETITEMS, "SETITEMS", A::None, &[S::Dict, S::Mark, S::StackSlice], &[S::Dict], 1, "Set the pairs above the mark in the dict below it."),
    row(op::EMPTY_SET, "EMPTY_SET", A::None, &[], &[S::Set], 4, "Push an empty set."),
    row(op::ADDITEMS, "ADDITEMS", A::None, &[S::Set, S::Mark, S::StackSlice], &[S::Set], 4, "Add the items above the mark to the set below it."),
    row(op::FROZENSET, "FROZENSET", A::None, &[S::Mark, S::StackSlice], &[S::Frozenset], 4, "Build a frozenset of the items above the mark."),
    row(op::POP, "POP", A::None, &[S::Any], &[], 0, "Discard the top item."),
    row(op::DUP, "DUP", A::None, &[S::Any], &[S::Any, S::Any], 0, "Push the top item again."),
    row(op::MARK, "MARK", A::None, &[], &[S::Mark], 0, "Push a mark."),
    row(op::POP_MARK, "POP_MARK", A::None, &[S::Mark, S::StackSlice], &[], 1, "Discard everything down to and including the top mark."),
    row(op::GET, "GET", A::DecimalnlShort, &[], &[S::Any], 0, "Push a memo entry; the index is decimal."),
    row(op::BINGET, "BINGET", A::Uint1, &[], &[S::Any], 1, "Push a memo entry; the index is one byte."),
    row(op::LONG_BINGET, "LONG_BINGET", A::Uint4, &[], &[S::Any], 1, "Push a memo entry; the index is four bytes."),
    row(op::PUT, "PUT", A::DecimalnlShort, &[], &[], 0, "Store the top item in the memo; the index is decimal."),
    row(op::BINPUT, "BINPUT", A::Uint1, &[], &[], 1, "Store the top item in the memo; the index is one byte."),
    row(op::LONG_BINPUT, "LONG_BINPUT", A::Uint4, &[], &[], 1, "Store the top item in the memo; the index is four bytes."),
    row(op::MEMOIZE, "MEMOIZE", A::None, &[S::Any], &[S::Any], 4, "Store the top item at the next memo index."),
    row(op::EXT1, "EXT1", A::Uint1, &[], &[S::Any], 2, "Push an object from the extension registry; one-byte code."),
    row(op::EXT2, "EXT2", A::Uint2, &[], &[S::Any], 2, "Push an object from the extension registry; two-byte code."),
    row(op::EXT4, "EXT4", A::Int4, &[], &[S::Any], 2, "Push an object from the extension registry; four-byte code."),
    row(op::GLOBAL, "GLOBAL", A::StringnlNoescapePair, &[], &[S::Any], 0, "Push a global found by module and name."),
    row(op::STACK_GLOBAL, "STACK_GLOBAL", A::None, &[S::Str, S::Str], &[S::Any], 4, "Push a global whose module and name are on the stack."),
    row(op::REDUCE, "REDUCE", A::None, &[S::Any, S::Any], &[S::Any], 0, "Call a callable with an argument tuple."),
    row(op::BUILD, "BUILD", A::None, &[S::Any, S::Any], &[S::Any], 0, "Apply state to an object (__setstate__ or __dict__ update)."),
    row(op::INST, "INST", A::StringnlNoescapePair, &[S::Mark, S::StackSlice], &[S::Any], 0, "Build a class instance from a named class and the items above the mark."),
    row(op::OBJ, "OBJ", A::None, &[S::Mark, S::Any, S::StackSlice], &[S::Any], 1, "Build a class instance from the class and items above the mark."),
    row(op::NEWOBJ, "NEWOBJ", A::None, &[S::Any, S::Any], &[S::Any], 2, "Call cls.__new__(cls, *args)."),
    row(op::NEWOBJ_EX, "NEWOBJ_EX", A::None, &[S::Any, S::Any, S::Any], &[S::Any], 4, "Call cls.__new__(cls, *args, **kwargs)."),
    row(op::PROTO, "PROTO", A::Uint1, &[], &[], 2, "Declare the protocol version."),
    row(op::STOP, "STOP", A::None, &[S::Any], &[], 0, "End of the pickle; the top item is the result."),
    row(op::FRAME, "FRAME", A::Uint8, &[], &[], 4, "Announce the length of the next frame."),
    row(op::PERSID, "PERSID", A::StringnlNoescape, &[], &[S::Any], 0, "Push a persistent object by its id written as text."),
    row(op::BINPERSID, "BINPERSID", A::None, &[S::Any], &[S::Any], 1, "Push a persistent object by the id on the stack."),
];

static BY_CODE: [Option<&OpcodeInfo>; 256] = {
    let mut table: [Option<&OpcodeInfo>; 256] = [None; 256];
    let mut i = 0;
    while i < OPCODES.len() {
        table[OPCODES[i].code as usize] = Some(&OPCODES[i]);
        i += 1;
    }
    table
};

/// The table row for an opcode byte, or `None` when the byte is not an opcode.
#[inline]
pub fn lookup(code: u8) -> Option<&'static OpcodeInfo> {
    BY_CODE[code as usize]
}

/// The table row for an opcode name.
pub fn by_name(name: &str) -> Option<&'static OpcodeInfo> {
    OPCODES.iter().find(|info| info.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_appears_once() {
        let mut seen = [false; 256];
        for info in &OPCODES {
            assert!(!seen[info.code as usize], "{} repeats a byte", info.name);
            seen[info.code as usize] = true;
        }
        assert_eq!(seen.iter().filter(|s| **s).count(), 68);
    }

    #[test]
    fn lookup_finds_rows_by_byte_and_name() {
        assert_eq!(lookup(0x8c).unwrap().name, "SHORT_BINUNICODE");
        assert_eq!(by_name("STACK_GLOBAL").unwrap().code, 0x93);
        assert!(lookup(0xff).is_none());
        assert!(lookup(b'z').is_none());
    }

    #[test]
    fn protocols_are_within_range() {
        assert!(OPCODES.iter().all(|info| info.proto <= 5));
        assert_eq!(OPCODES.iter().filter(|i| i.proto == 5).count(), 3);
    }
}
