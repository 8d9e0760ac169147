//! Disassembly tests; expected listings are CPython's `pickletools.dis` output.

use super::*;

fn listing(data: &[u8]) -> (String, Result<u64, DisError>) {
    let mut out = Vec::new();
    let result = dis(data, &mut out, &mut DisMemo::new(), 4);
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
