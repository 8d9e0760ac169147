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
fn a_tuple_that_is_not_its_announced_length_is_an_error() {
    /// Announces `announced` elements and gives `given`.
    struct Tuple {
        announced: usize,
        given: usize,
    }
    impl Serialize for Tuple {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeTuple;
            let mut tuple = serializer.serialize_tuple(self.announced)?;
            for i in 0..self.given {
                tuple.serialize_element(&i)?;
            }
            tuple.end()
        }
    }
    let message = |announced, given| {
        let value = Tuple { announced, given };
        to_vec(&value, 2).unwrap_err().to_string()
    };
    assert_eq!(message(2, 3), "a tuple of length 2 gave 3 elements");
    assert_eq!(message(5, 1), "a tuple of length 5 gave 1 elements");
    let huge = usize::MAX >> 8;
    assert_eq!(
        message(huge, 0),
        format!("a tuple of length {huge} gave 0 elements")
    );
    assert_eq!(
        message(usize::MAX, 0),
        format!("a tuple of length {} is too long", usize::MAX)
    );
    let value = Tuple {
        announced: 3,
        given: 3,
    };
    assert_eq!(
        to_vec(&value, 2).unwrap(),
        b"\x80\x02K\x00K\x01K\x02\x87q\x00."
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

#[test]
fn one_object_strings_are_fetched_from_the_memo_after_their_first_time() {
    // CPython keeps one object of the empty string and of each character below U+0100, so
    // a repeat is a memo fetch; U+0100 and above are fresh objects, written each time.
    // pickle.dumps([chr(233), chr(233), chr(120), chr(120), str(), str(), chr(255),
    //               chr(255), chr(256), chr(256), chr(128), chr(128)], 4), and at 2.
    let texts: Vec<String> = [233u32, 233, 120, 120]
        .iter()
        .map(|&c| char::from_u32(c).unwrap().to_string())
        .chain([String::new(), String::new()])
        .chain(
            [255u32, 255, 256, 256, 128, 128]
                .iter()
                .map(|&c| char::from_u32(c).unwrap().to_string()),
        )
        .collect();
    assert_eq!(
        to_vec(&texts, 4).unwrap(),
        b"\x80\x04\x95/\x00\x00\x00\x00\x00\x00\x00]\x94(\x8c\x02\xc3\xa9\x94h\x01\x8c\x01x\
          \x94h\x02\x8c\x00\x94h\x03\x8c\x02\xc3\xbf\x94h\x04\x8c\x02\xc4\x80\x94\x8c\x02\
          \xc4\x80\x94\x8c\x02\xc2\x80\x94h\x07e."
    );
    assert_eq!(
        to_vec(&texts, 2).unwrap(),
        b"\x80\x02]q\x00(X\x02\x00\x00\x00\xc3\xa9q\x01h\x01X\x01\x00\x00\x00xq\x02h\x02X\
          \x00\x00\x00\x00q\x03h\x03X\x02\x00\x00\x00\xc3\xbfq\x04h\x04X\x02\x00\x00\x00\
          \xc4\x80q\x05X\x02\x00\x00\x00\xc4\x80q\x06X\x02\x00\x00\x00\xc2\x80q\x07h\x07e."
    );
}

/// A struct whose field names are given at run time: `names` in order, each set to its index.
struct ManyFields(&'static [&'static str]);

impl Serialize for ManyFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("ManyFields", self.0.len())?;
        for (value, name) in self.0.iter().enumerate() {
            fields.serialize_field(name, &value)?;
        }
        fields.end()
    }
}

#[test]
fn field_names_past_the_name_cache_are_still_fetched_from_the_memo() {
    // 1,500 names, more than the writer's cache of names by address holds: each is written
    // once and fetched from the memo afterwards, as CPython does with a dict's interned
    // keys. The graph writer, given one Str node per name, writes what CPython writes.
    use pickle_core::value::{Graph, Pickle, Value};
    let names: Vec<&'static str> = (0..1500)
        .map(|i| &*Box::leak(format!("field_{i}").into_boxed_str()))
        .collect();
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    let records = vec![ManyFields(names), ManyFields(names), ManyFields(names)];

    let mut graph = Graph::new();
    let keys: Vec<_> = names
        .iter()
        .map(|name| graph.add(Value::str(name)))
        .collect();
    let dicts: Vec<_> = (0..records.len())
        .map(|_| {
            let pairs = keys
                .iter()
                .enumerate()
                .map(|(i, &key)| (key, graph.add(Value::Int(i as i64))))
                .collect();
            graph.add(Value::Dict(pairs))
        })
        .collect();
    let root = graph.add(Value::List(dicts));
    let pickle = Pickle { graph, root };
    for proto in [2, 4] {
        let written = to_vec(&records, proto).unwrap();
        let expected = pickle_core::value::to_vec(&pickle, proto).unwrap();
        // Not assert_eq!: a difference would print two 40 KB vectors.
        assert!(written == expected, "protocol {proto}: the bytes differ");
    }
}

/// A writer whose disk is full after `room` bytes.
struct Full {
    room: usize,
}

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.room {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ));
        }
        self.room -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_stream_is_an_io_error_of_its_kind() {
    use pickle_core::serde::ErrorKind;
    // The first frame (64 KiB) fits, the second does not.
    let err = to_writer(Full { room: 70_000 }, &records(1200), 4).unwrap_err();
    let ErrorKind::Io(io) = err.kind() else {
        panic!("not an I/O error: {err:?}")
    };
    assert_eq!(io.kind(), std::io::ErrorKind::StorageFull);
    assert_eq!(err.to_string(), "disk full");
    assert!(std::error::Error::source(&err).is_some());
    let ErrorKind::Io(owned) = err.into_kind() else {
        unreachable!()
    };
    assert_eq!(owned.to_string(), "disk full");
}

/// A list that goes on after its elements fail, as a careless `Serialize` might.
struct Stubborn(usize);

impl Serialize for Stubborn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0))?;
        let mut first_error = None;
        for i in 0..self.0 {
            if let Err(e) = seq.serialize_element(&(i as f64, "x".repeat(i % 40))) {
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => seq.end(),
        }
    }
}

#[test]
fn writing_on_after_the_stream_failed_is_still_an_io_error() {
    use pickle_core::serde::ErrorKind;
    // The stream takes the first frame and refuses the rest; the value ignores each refusal
    // and writes on, over the output the writer kept (where the writer must not count on
    // the room the output had before the frame was taken out).
    for proto in [2, 4] {
        let err = to_writer(Full { room: 70_000 }, &Stubborn(20_000), proto).unwrap_err();
        let ErrorKind::Io(io) = err.kind() else {
            panic!("not an I/O error: {err:?}")
        };
        assert_eq!(
            io.kind(),
            std::io::ErrorKind::StorageFull,
            "protocol {proto}"
        );
    }
}

/// A row whose fields go through the writer's slow paths: a big integer and a persistent id.
#[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
struct Unusual {
    #[serde(with = "pickle_core::serde::big_int")]
    big: num_bigint::BigInt,
    pid: PersistentId<String>,
    n: i64,
}

#[test]
fn slow_path_values_across_frame_boundaries_match_the_graph_writer() {
    // Big integers and persistent ids send the writer off its fast path while frames close
    // around them; the bytes must still be what the graph writer (CPython's rules) writes.
    use pickle_core::value::{Graph, Pickle, Value};
    // From 1: every `big` is past 64 bits, as the graph's BigInt nodes assume.
    let rows: Vec<Unusual> = (1..6000i64)
        .map(|i| Unusual {
            big: num_bigint::BigInt::from(i) << 100u32,
            pid: PersistentId(format!("storage{i}")),
            n: i * 1_000_003,
        })
        .collect();
    let mut graph = Graph::new();
    let keys: Vec<_> = ["big", "pid", "n"]
        .iter()
        .map(|k| graph.add(Value::str(k)))
        .collect();
    let dicts: Vec<_> = rows
        .iter()
        .map(|row| {
            let big = graph.add(Value::BigInt(row.big.clone()));
            let id = graph.add(Value::str(&row.pid.0));
            let pid = graph.add(Value::PersistentId(id));
            let n = graph.add(Value::Int(row.n));
            graph.add(Value::Dict(vec![
                (keys[0], big),
                (keys[1], pid),
                (keys[2], n),
            ]))
        })
        .collect();
    let root = graph.add(Value::List(dicts));
    let pickle = Pickle { graph, root };
    for proto in 0..=5 {
        let written = to_vec(&rows, proto).unwrap();
        assert!(written.len() > 150_000, "several frames");
        let expected = pickle_core::value::to_vec(&pickle, proto).unwrap();
        assert!(written == expected, "protocol {proto}: the bytes differ");
        let mut streamed = Vec::new();
        to_writer(&mut streamed, &rows, proto).unwrap();
        assert!(streamed == written, "protocol {proto}: to_writer differs");
        let read: Vec<Unusual> = from_slice(&written, DeOptions::new()).unwrap();
        assert!(read == rows, "protocol {proto}: read back differs");
    }
}
