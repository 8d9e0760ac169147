//! Disassembly tests; expected listings are CPython's `pickletools.dis` output.

use super::*;

fn listing(data: &[u8]) -> (String, Result<u64, DisError>) {
    let mut out = String::new();
    let result = dis(data, &mut out, &mut DisMemo::new(), 4);
    (out, result)
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
        Err(DisError("memo key 5 has never been stored into".into()))
    );
    let (out, result) = listing(b"NN.");
    assert!(out.ends_with("highest protocol among opcodes = 0\n"));
    assert_eq!(
        result,
        Err(DisError("stack not empty after STOP: [None]".into()))
    );
    let (_, result) = listing(b"a.");
    assert_eq!(
        result,
        Err(DisError(
            "tries to pop 2 items from stack with only 0 items".into()
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
