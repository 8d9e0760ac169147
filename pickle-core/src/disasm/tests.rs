//! Disassembly tests; expected listings are CPython's `pickletools.dis` output.

use super::*;

fn listing(data: &[u8]) -> (String, Result<u64, DisError>) {
    let mut out = Vec::new();
    let result = dis(data, &mut out, &mut DisMemo::new(), &DisOptions::default());
    (String::from_utf8(out).unwrap(), result)
}

#[test]
fn lists_a_protocol_4_pickle_as_pickletools_does() {
    // pickletools.dis(pickle.dumps([1, 'a', (2.5, None, True), {'k': b'v'}], 4))
    let data = b"\x80\x04\x95#\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01\x8c\x01a\x94G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87\x94}\x94\x8c\x01k\x94C\x01v\x94se.";
    let (out, result) = listing(data);
    assert_eq!(result, Ok(data.len() as u64));
    assert_eq!(
        out,
        "    0: \\x80 PROTO      4
    2: \\x95 FRAME      35
   11: ]    EMPTY_LIST
   12: \\x94 MEMOIZE    (as 0)
   13: (    MARK
   14: K        BININT1    1
   16: \\x8c     SHORT_BINUNICODE 'a'
   19: \\x94     MEMOIZE    (as 1)
   20: G        BINFLOAT   2.5
   29: N        NONE
   30: \\x88     NEWTRUE
   31: \\x87     TUPLE3
   32: \\x94     MEMOIZE    (as 2)
   33: }        EMPTY_DICT
   34: \\x94     MEMOIZE    (as 3)
   35: \\x8c     SHORT_BINUNICODE 'k'
   38: \\x94     MEMOIZE    (as 4)
   39: C        SHORT_BINBYTES b'v'
   42: \\x94     MEMOIZE    (as 5)
   43: s        SETITEM
   44: e        APPENDS    (MARK at 13)
   45: .    STOP
highest protocol among opcodes = 4
"
    );
}

#[test]
fn memo_and_stack_errors_come_after_the_offending_line() {
    let (out, result) = listing(b"h\x05.");
    assert_eq!(out, "    0: h    BINGET     5\n");
    assert_eq!(
        result,
        Err(DisError::value("memo key 5 has never been stored into"))
    );
    let (out, result) = listing(b"NN.");
    assert!(out.ends_with("highest protocol among opcodes = 0\n"));
    assert_eq!(
        result,
        Err(DisError::value("stack not empty after STOP: [None]"))
    );
    let (_, result) = listing(b"a.");
    assert_eq!(
        result,
        Err(DisError::value(
            "tries to pop 2 items from stack with only 0 items"
        ))
    );
}

#[test]
fn python_2_strings_show_as_ascii_of_latin1() {
    let (out, _) = listing(b"S'caf\\xe9'\np0\n.");
    assert!(out.contains("STRING     'caf\\xe9'"), "{out}");
    let (out, _) = listing(b"X\x03\x00\x00\x00\xed\xa0\x80.");
    assert!(out.contains("BINUNICODE '\\ud800'"), "{out}");
}

#[test]
fn argument_errors_are_pickletools_own() {
    let cases: [(&[u8], &str); 8] = [
        (
            b"B\xff\xff\xff\xffabc",
            "ValueError: expected 4294967295 bytes in a bytes4, but only 3 remain",
        ),
        (
            b"T\xff\xff\xff\xff",
            "ValueError: string4 byte count < 0: -1",
        ),
        (
            b"\x8a\x05ab",
            "ValueError: not enough data in stream to read long1",
        ),
        (
            b"J\x01",
            "ValueError: not enough data in stream to read int4",
        ),
        (
            b"Iabc\n.",
            "ValueError: invalid literal for int() with base 10: b'abc'",
        ),
        (
            b"F1.2.3\n.",
            "ValueError: could not convert string to float: b'1.2.3'",
        ),
        (b"Sabc\n.", "ValueError: no string quotes around b'abc'"),
        (
            b"I12",
            "ValueError: no newline found when trying to read stringnl",
        ),
    ];
    for (data, want) in cases {
        let (out, result) = listing(data);
        assert_eq!(
            out, "",
            "nothing is printed for an opcode whose argument fails"
        );
        assert_eq!(result.unwrap_err().to_string(), want);
    }
}

fn annotated(data: &[u8], annotate: usize) -> String {
    let mut out = Vec::new();
    let options = DisOptions {
        annotate,
        ..DisOptions::default()
    };
    dis(data, &mut out, &mut DisMemo::new(), &options).unwrap();
    String::from_utf8(out).unwrap()
}

/// `--annotate` (column 30): summaries follow each line's end until a line passes 50.
#[test]
fn annotates_at_pickletools_columns() {
    // pickletools.dis(pickle.dumps([1, 'a', (2.5, None, True), {'k': b'v'}], 4), annotate=30)
    let data = b"\x80\x04\x95#\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01\x8c\x01a\x94G@\x04\x00\x00\x00\x00\x00\x00N\x88\x87\x94}\x94\x8c\x01k\x94C\x01v\x94se.";
    assert_eq!(
        annotated(data, 30),
        "    0: \\x80 PROTO      4              Protocol version indicator.
    2: \\x95 FRAME      35             Indicate the beginning of a new frame.
   11: ]    EMPTY_LIST                Push an empty list.
   12: \\x94 MEMOIZE    (as 0)         Store the stack top into the memo.  The stack is not popped.
   13: (    MARK                      Push markobject onto the stack.
   14: K        BININT1    1          Push a one-byte unsigned integer.
   16: \\x8c     SHORT_BINUNICODE 'a'  Push a Python Unicode string object.
   19: \\x94     MEMOIZE    (as 1)     Store the stack top into the memo.  The stack is not popped.
   20: G        BINFLOAT   2.5        Float stored in binary form, with 8 bytes of data.
   29: N        NONE                  Push None on the stack.
   30: \\x88     NEWTRUE               Push True onto the stack.
   31: \\x87     TUPLE3                Build a three-tuple out of the top three items on the stack.
   32: \\x94     MEMOIZE    (as 2)     Store the stack top into the memo.  The stack is not popped.
   33: }        EMPTY_DICT            Push an empty dict.
   34: \\x94     MEMOIZE    (as 3)     Store the stack top into the memo.  The stack is not popped.
   35: \\x8c     SHORT_BINUNICODE 'k'  Push a Python Unicode string object.
   38: \\x94     MEMOIZE    (as 4)     Store the stack top into the memo.  The stack is not popped.
   39: C        SHORT_BINBYTES b'v'   Push a Python bytes object.
   42: \\x94     MEMOIZE    (as 5)     Store the stack top into the memo.  The stack is not popped.
   43: s        SETITEM               Add a key+value pair to an existing dict.
   44: e        APPENDS    (MARK at 13) Extend a list by a slice of stack objects.
   45: .    STOP                        Stop the unpickling machine.
highest protocol among opcodes = 4
"
    );
}

/// With annotate=1 the column grows with long lines; widths count characters, not bytes.
#[test]
fn annotation_columns_count_characters() {
    let data = "(lp0\nVd\u{e9}j\u{e0} vu, une tr\u{e8}s longue cha\u{ee}ne\np1\naI1\na.";
    let latin1: Vec<u8> = data.chars().map(|c| c as u32 as u8).collect();
    assert_eq!(annotated(&latin1, 1), "    0: (    MARK Push markobject onto the stack.
    1: l        LIST       (MARK at 0) Build a list out of the topmost stack slice, after markobject.
    2: p    PUT        0               Store the stack top into the memo.  The stack is not popped.
    5: V    UNICODE    'déjà vu, une très longue chaîne' Push a Python Unicode string object.
   38: p    PUT        1                                 Store the stack top into the memo.  The stack is not popped.
   41: a    APPEND                                       Append an object to a list.
   42: I    INT        1                                 Push an integer or bool.
   45: a    APPEND                                       Append an object to a list.
   46: .    STOP                                         Stop the unpickling machine.
highest protocol among opcodes = 0
");
}

/// pickletools reads a PUT index of `01` as True, which the memo then finds as 1.
#[test]
fn boolean_memo_indices_are_the_integers_they_equal() {
    let (out, result) = listing(b"Np01\n0g1\n.");
    assert_eq!(result, Ok(10));
    assert_eq!(
        out,
        "    0: N    NONE
    1: p    PUT        True
    5: 0    POP
    6: g    GET        1
    9: .    STOP
highest protocol among opcodes = 0
"
    );
}
