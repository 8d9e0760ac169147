//! Encoder unit tests; every expected byte string is CPython 3.11's `pickle.dumps` output.

use super::*;

fn pickle_of(proto: u8, write: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut enc = Encoder::new(proto);
    enc.begin();
    write(&mut enc);
    enc.end();
    enc.take_output()
}

#[test]
fn integers_use_the_smallest_opcode() {
    let cases: &[(u8, i64, &[u8])] = &[
        (0, 255, b"I255\n."),
        (0, 2147483648, b"L2147483648L\n."),
        (1, 255, b"K\xff."),
        (1, 256, b"M\x00\x01."),
        (1, 65536, b"J\x00\x00\x01\x00."),
        (1, -1, b"J\xff\xff\xff\xff."),
        (1, -2147483649, b"L-2147483649L\n."),
        (2, 2147483648, b"\x80\x02\x8a\x05\x00\x00\x00\x80\x00."),
        (2, -2147483649, b"\x80\x02\x8a\x05\xff\xff\xff\x7f\xff."),
        (2, -549755813888, b"\x80\x02\x8a\x05\x00\x00\x00\x00\x80."),
        (
            2,
            i64::MIN,
            b"\x80\x02\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80.",
        ),
        (4, 255, b"\x80\x04K\xff."),
        (
            4,
            256,
            b"\x80\x04\x95\x04\x00\x00\x00\x00\x00\x00\x00M\x00\x01.",
        ),
        (
            4,
            2147483648,
            b"\x80\x04\x95\x08\x00\x00\x00\x00\x00\x00\x00\x8a\x05\x00\x00\x00\x80\x00.",
        ),
    ];
    for &(proto, value, want) in cases {
        assert_eq!(
            pickle_of(proto, |e| e.int(value)),
            want,
            "{value} at protocol {proto}"
        );
    }
}

#[test]
fn floats_and_booleans() {
    assert_eq!(pickle_of(0, |e| e.float(1e16)), b"F1e+16\n.");
    assert_eq!(
        pickle_of(1, |e| e.float(-0.0)),
        b"G\x80\x00\x00\x00\x00\x00\x00\x00."
    );
    assert_eq!(pickle_of(0, |e| e.bool(true)), b"I01\n.");
    assert_eq!(pickle_of(2, |e| e.bool(false)), b"\x80\x02\x89.");
}

#[test]
fn protocol_0_strings_are_raw_unicode_escaped() {
    let out = pickle_of(0, |e| {
        e.str("a\\\n\u{20ac}\u{1f600}".as_bytes()).unwrap();
        e.memo_put(0).unwrap();
    });
    assert_eq!(out, b"Va\\u005c\\u000a\\u20ac\\U0001f600\np0\n.");
}

/// Latin-1 text written from its bytes (a `bytes` at protocols 0-2) is what the same text
/// written as UTF-8 is, at every protocol, framed or not, short and long.
#[test]
fn latin1_text_is_written_as_its_utf8_would_be() {
    let long: Vec<u8> = (0..70_000u32).map(|i| (i * 37 % 256) as u8).collect();
    for data in [&b"\xff\\\n\x00a"[..], b"plain", &long] {
        let utf8 = crate::text::latin1_to_utf8(data);
        for proto in 0..=5 {
            let mut len = 0;
            let direct = pickle_of(proto, |e| len = e.str_latin1(data).unwrap());
            assert_eq!(
                direct,
                pickle_of(proto, |e| e.str(&utf8).unwrap()),
                "{proto}"
            );
            let payload = if proto == 0 {
                direct.len() - 3
            } else {
                utf8.len()
            };
            assert_eq!(len, payload, "{proto}");
        }
    }
}

#[test]
fn large_payloads_are_written_outside_frames() {
    // pickle.dumps([b"ab", b"x" * 70000, b"cd"], 4)
    let big = vec![b'x'; 70000];
    let out = pickle_of(4, |e| {
        e.op(op::EMPTY_LIST);
        e.memo_put(0).unwrap();
        e.op(op::MARK);
        for (i, data) in [&b"ab"[..], &big, b"cd"].into_iter().enumerate() {
            e.opcode_boundary();
            e.bytes(data).unwrap();
            e.memo_put(i + 1).unwrap();
        }
        e.op(op::APPENDS);
    });
    assert_eq!(out.len(), 70041);
    assert_eq!(
        &out[..25],
        b"\x80\x04\x95\x08\x00\x00\x00\x00\x00\x00\x00]\x94(C\x02ab\x94Bp\x11\x01\x00x"
    );
    assert_eq!(
        &out[out.len() - 20..],
        b"xxx\x95\x08\x00\x00\x00\x00\x00\x00\x00\x94C\x02cd\x94e."
    );
}

#[test]
fn frames_under_four_bytes_lose_their_header() {
    assert_eq!(pickle_of(4, |e| e.none()), b"\x80\x04N.");
}

#[test]
fn frames_are_committed_at_the_target_size() {
    let mut enc = Encoder::new(4);
    enc.begin();
    let chunk = vec![b'y'; 1000];
    let mut commits = 0;
    for _ in 0..70 {
        commits += enc.opcode_boundary() as usize;
        enc.bytes(&chunk).unwrap();
    }
    enc.end();
    assert_eq!(commits, 1);
    let out = enc.take_output();
    let first_len = u64::from_le_bytes(out[3..11].try_into().unwrap()) as usize;
    assert_eq!(first_len, 66 * 1005);
    assert_eq!(out[11 + first_len], op::FRAME);
}

#[test]
fn memo_reads_pick_the_width() {
    let cases: &[(u8, usize, &[u8])] = &[
        (0, 5, b"g5\n"),
        (1, 5, b"h\x05"),
        (3, 300, b"j\x2c\x01\x00\x00"),
    ];
    for &(proto, idx, want) in cases {
        let mut enc = Encoder::new(proto);
        enc.memo_get(idx).unwrap();
        assert_eq!(enc.output(), want, "memo {idx} at protocol {proto}");
    }
}

#[test]
fn extension_codes_pick_the_width() {
    let mut enc = Encoder::new(2);
    enc.ext(5);
    enc.ext(300);
    enc.ext(70000);
    assert_eq!(enc.output(), b"\x82\x05\x83\x2c\x01\x84\x70\x11\x01\x00");
}

#[test]
fn minimal_signed_lengths() {
    assert_eq!(minimal_signed_len(&(-1i64).to_le_bytes()), 1);
    assert_eq!(minimal_signed_len(&128i64.to_le_bytes()), 2);
    assert_eq!(minimal_signed_len(&(-128i64).to_le_bytes()), 1);
    assert_eq!(minimal_signed_len(&(-129i64).to_le_bytes()), 2);
}

#[test]
fn taking_committed_bytes_leaves_the_open_frame_intact() {
    let chunk = vec![b'z'; 1000];
    let mut whole = Encoder::new(4);
    let mut streamed = Encoder::new(4);
    let mut sent = Vec::new();
    for enc in [&mut whole, &mut streamed] {
        enc.begin();
    }
    for _ in 0..200 {
        whole.opcode_boundary();
        whole.bytes(&chunk).unwrap();
        let committed = streamed.opcode_boundary();
        streamed.bytes(&chunk).unwrap();
        if committed {
            // The chunk after the commit opened a new frame; only the committed part goes.
            sent.extend(streamed.take_committed());
        }
    }
    for enc in [&mut whole, &mut streamed] {
        enc.end();
    }
    sent.extend(streamed.take_output());
    assert!(sent.len() > 3 * 65536);
    assert_eq!(sent, whole.take_output());
}
