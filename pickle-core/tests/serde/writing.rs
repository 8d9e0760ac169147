//! Writing: streams, protocol limits, what cannot be pickled, and values whose length serde
//! does not know in advance.

use super::golden::{golden, records};
use pickle_core::serde::{DeOptions, PersistentId, SerOptions, from_slice, to_vec, to_writer};
use serde::Serialize;
use serde::ser::SerializeSeq;

#[test]
fn to_writer_streams_the_same_bytes() {
    let value = records(1200);
    for proto in [0, 2, 4, 5] {
        let mut out = Vec::new();
        to_writer(&mut out, &value, proto).unwrap();
        assert!(out == golden("records", proto), "protocol {proto}");
    }
}

/// A writer that counts the calls it gets: frames arrive one by one.
struct Counting {
    writes: usize,
    bytes: Vec<u8>,
}

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn to_writer_hands_over_frames_as_they_close() {
    let mut out = Counting {
        writes: 0,
        bytes: Vec::new(),
    };
    to_writer(&mut out, &records(1200), 4).unwrap();
    assert!(out.bytes == golden("records", 4));
    // About 90 KiB: a full frame, then the rest.
    assert!(out.writes >= 2, "{} writes", out.writes);
}

#[test]
fn protocol_above_5_is_refused() {
    let err = to_vec(&1, 6).unwrap_err();
    assert_eq!(err.to_string(), "pickle protocol must be <= 5");
    assert_eq!(to_vec(&1, SerOptions::new()).unwrap(), b"\x80\x05K\x01.");
    assert_eq!(
        to_vec(&1, SerOptions::new().proto_v2()).unwrap(),
        b"\x80\x02K\x01."
    );
}

#[test]
fn protocol_0_persistent_ids_must_be_ascii_text() {
    for pid in [
        PersistentId("caf\u{e9}".to_string()),
        PersistentId("a\nb".to_string()),
    ] {
        let err = to_vec(&pid, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "persistent IDs in protocol 0 must be ASCII strings"
        );
    }
    let err = to_vec(&PersistentId((1, 2)), 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "persistent IDs in protocol 0 must be ASCII strings"
    );
    assert_eq!(to_vec(&PersistentId(7), 1).unwrap(), b"K\x07Q.");
}

#[derive(Serialize)]
#[serde(untagged)]
enum Nest {
    Int(i32),
    List(Vec<Nest>),
}

#[test]
fn deep_values_are_an_error_not_a_stack_overflow() {
    let mut value = Nest::Int(0);
    for _ in 0..1500 {
        value = Nest::List(vec![value]);
    }
    let err = to_vec(&value, 4).unwrap_err();
    assert_eq!(
        err.to_string(),
        "maximum recursion depth exceeded while pickling an object"
    );
    // Dropped a level at a time, so the test's own stack survives.
    while let Nest::List(mut items) = value {
        value = items.pop().unwrap();
    }
}

/// A sequence whose length serde is not told.
struct Unsized(Vec<i32>);

impl Serialize for Unsized {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for item in &self.0 {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

#[test]
fn sequences_of_unknown_length_are_batched() {
    // With a known length of one, CPython's `x APPEND`; unknown, a batch of one.
    assert_eq!(to_vec(&vec![5], 2).unwrap(), b"\x80\x02]q\x00K\x05a.");
    assert_eq!(
        to_vec(&Unsized(vec![5]), 2).unwrap(),
        b"\x80\x02]q\x00(K\x05e."
    );
    for len in [0, 1, 2, 999, 1000, 1001, 2500] {
        let items: Vec<i32> = (0..len).collect();
        let data = to_vec(&Unsized(items.clone()), 2).unwrap();
        assert_eq!(
            from_slice::<Vec<i32>>(&data, DeOptions::new()).unwrap(),
            items
        );
        if len != 1 {
            assert_eq!(data, to_vec(&items, 2).unwrap(), "{len} items");
        }
    }
}

#[test]
fn a_length_that_lies_is_an_error() {
    struct Liar;
    impl Serialize for Liar {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut seq = serializer.serialize_seq(Some(1))?;
            seq.serialize_element(&1)?;
            seq.serialize_element(&2)?;
            seq.end()
        }
    }
    let err = to_vec(&Liar, 2).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a sequence or map gave more elements than the length it announced"
    );
}

#[test]
fn maps_with_any_keys_round_trip() {
    use std::collections::BTreeMap;
    let map: BTreeMap<(i32, String), Option<f64>> = [
        ((1, "a".to_string()), Some(0.5)),
        ((2, "b".to_string()), None),
    ]
    .into();
    for proto in 0..=5 {
        let data = to_vec(&map, proto).unwrap();
        let back: BTreeMap<(i32, String), Option<f64>> =
            from_slice(&data, DeOptions::new()).unwrap();
        assert_eq!(back, map);
    }
}
