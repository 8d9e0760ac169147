//! `pickletools.dis(..., annotate=N)`: each line gets its opcode's one-line summary, in a
//! column that follows the listing's width.

use crate::opcodes::op;

/// The first line of pickletools' documentation of each opcode: the text `--annotate` prints.
pub fn summary(code: u8) -> &'static str {
    match code {
        op::INT => "Push an integer or bool.",
        op::BININT => "Push a four-byte signed integer.",
        op::BININT1 => "Push a one-byte unsigned integer.",
        op::BININT2 => "Push a two-byte unsigned integer.",
        op::LONG => "Push a long integer.",
        op::LONG1 => "Long integer using one-byte length.",
        op::LONG4 => "Long integer using four-byte length.",
        op::STRING => "Push a Python string object.",
        op::BINSTRING => "Push a Python string object.",
        op::SHORT_BINSTRING => "Push a Python string object.",
        op::BINBYTES => "Push a Python bytes object.",
        op::SHORT_BINBYTES => "Push a Python bytes object.",
        op::BINBYTES8 => "Push a Python bytes object.",
        op::BYTEARRAY8 => "Push a Python bytearray object.",
        op::NEXT_BUFFER => "Push an out-of-band buffer object.",
        op::READONLY_BUFFER => "Make an out-of-band buffer object read-only.",
        op::NONE => "Push None on the stack.",
        op::NEWTRUE => "Push True onto the stack.",
        op::NEWFALSE => "Push False onto the stack.",
        op::UNICODE => "Push a Python Unicode string object.",
        op::SHORT_BINUNICODE => "Push a Python Unicode string object.",
        op::BINUNICODE => "Push a Python Unicode string object.",
        op::BINUNICODE8 => "Push a Python Unicode string object.",
        op::FLOAT => "Newline-terminated decimal float literal.",
        op::BINFLOAT => "Float stored in binary form, with 8 bytes of data.",
        op::EMPTY_LIST => "Push an empty list.",
        op::APPEND => "Append an object to a list.",
        op::APPENDS => "Extend a list by a slice of stack objects.",
        op::LIST => "Build a list out of the topmost stack slice, after markobject.",
        op::EMPTY_TUPLE => "Push an empty tuple.",
        op::TUPLE => "Build a tuple out of the topmost stack slice, after markobject.",
        op::TUPLE1 => "Build a one-tuple out of the topmost item on the stack.",
        op::TUPLE2 => "Build a two-tuple out of the top two items on the stack.",
        op::TUPLE3 => "Build a three-tuple out of the top three items on the stack.",
        op::EMPTY_DICT => "Push an empty dict.",
        op::DICT => "Build a dict out of the topmost stack slice, after markobject.",
        op::SETITEM => "Add a key+value pair to an existing dict.",
        op::SETITEMS => "Add an arbitrary number of key+value pairs to an existing dict.",
        op::EMPTY_SET => "Push an empty set.",
        op::ADDITEMS => "Add an arbitrary number of items to an existing set.",
        op::FROZENSET => "Build a frozenset out of the topmost slice, after markobject.",
        op::POP => "Discard the top stack item, shrinking the stack by one item.",
        op::DUP => "Push the top stack item onto the stack again, duplicating it.",
        op::MARK => "Push markobject onto the stack.",
        op::POP_MARK => "Pop all the stack objects at and above the topmost markobject.",
        op::GET => "Read an object from the memo and push it on the stack.",
        op::BINGET => "Read an object from the memo and push it on the stack.",
        op::LONG_BINGET => "Read an object from the memo and push it on the stack.",
        op::PUT => "Store the stack top into the memo.  The stack is not popped.",
        op::BINPUT => "Store the stack top into the memo.  The stack is not popped.",
        op::LONG_BINPUT => "Store the stack top into the memo.  The stack is not popped.",
        op::MEMOIZE => "Store the stack top into the memo.  The stack is not popped.",
        op::EXT1 => "Extension code.",
        op::EXT2 => "Extension code.",
        op::EXT4 => "Extension code.",
        op::GLOBAL => "Push a global object (module.attr) on the stack.",
        op::STACK_GLOBAL => "Push a global object (module.attr) on the stack.",
        op::REDUCE => "Push an object built from a callable and an argument tuple.",
        op::BUILD => "Finish building an object, via __setstate__ or dict update.",
        op::INST => "Build a class instance.",
        op::OBJ => "Build a class instance.",
        op::NEWOBJ => "Build an object instance.",
        op::NEWOBJ_EX => "Build an object instance.",
        op::PROTO => "Protocol version indicator.",
        op::STOP => "Stop the unpickling machine.",
        op::FRAME => "Indicate the beginning of a new frame.",
        op::PERSID => "Push an object identified by a persistent ID.",
        op::BINPERSID => "Push an object identified by a persistent ID.",
        _ => "",
    }
}

/// Where the summaries go: pickletools starts at the requested column, then follows each
/// line's end, going back to the requested column when a line runs past 50 characters.
#[derive(Debug, Clone, Copy)]
pub struct AnnotationColumn {
    requested: usize,
    current: usize,
}

impl AnnotationColumn {
    /// A column that starts at `requested` (pickletools' command line asks for 30).
    pub fn new(requested: usize) -> Self {
        AnnotationColumn {
            requested,
            current: requested,
        }
    }

    /// Pads `line` to the column and appends the summary of `code`. The first `offset_width`
    /// bytes (the `"    0: "` offset, ASCII) are not counted: pickletools prints them apart.
    pub fn annotate(&mut self, line: &mut String, offset_width: usize, code: u8) {
        // Python's len(): code points, not bytes.
        let width = line[offset_width..].chars().count();
        let padded = width.max(self.current);
        line.extend(std::iter::repeat_n(' ', padded - width));
        self.current = if padded > 50 { self.requested } else { padded };
        line.push(' ');
        line.push_str(summary(code));
    }
}
