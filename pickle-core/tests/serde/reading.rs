//! Reading: CPython's pickles of built-in and library types, the globals policies, Python 2
//! strings, shared and recursive structures, persistent ids, and what is refused.

use super::golden::golden;
use pickle_core::decoder::Limits;
use pickle_core::serde::{DeOptions, Encoding, Error, ErrorKind, Globals, from_reader, from_slice};
use pickle_core::value::{Graph, Pickle, Value};
use serde::Deserialize;
use serde_bytes::ByteBuf;
use std::collections::{BTreeMap, BTreeSet, HashMap};

// Pickles CPython 3.11 wrote (pickle.dumps(value, protocol)).
const DATE_P2: &[u8] = b"\x80\x02cdatetime\ndate\nq\x00c_codecs\nencode\nq\x01X\x05\x00\x00\x00\x07\xc3\xa9\x01\x02q\x02X\x06\x00\x00\x00latin1q\x03\x86q\x04Rq\x05\x85q\x06Rq\x07.";
const DECIMAL_P2: &[u8] =
    b"\x80\x02cdecimal\nDecimal\nq\x00X\x03\x00\x00\x001.5q\x01\x85q\x02Rq\x03.";
const ORDERED_DICT_P2: &[u8] = b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(X\x01\x00\x00\x00aq\x02K\x01X\x01\x00\x00\x00bq\x03K\x02u.";
/// `shapes.P(1, 2)`, a namedtuple.
const NAMEDTUPLE_P4: &[u8] = b"\x80\x04\x95\x18\x00\x00\x00\x00\x00\x00\x00\x8c\x06shapes\x94\x8c\x01P\x94\x93\x94K\x01K\x02\x86\x94\x81\x94.";
const SET_P2: &[u8] = b"\x80\x02c__builtin__\nset\nq\x00]q\x01(K\x01K\x02K\x03e\x85q\x02Rq\x03.";
const SET_P4: &[u8] = b"\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00\x8f\x94(K\x01K\x02K\x03\x90.";
const FROZENSET_P0: &[u8] = b"c__builtin__\nfrozenset\np0\n((lp1\nI1\natp2\nRp3\n.";
const BYTEARRAY_P2: &[u8] = b"\x80\x02c__builtin__\nbytearray\nq\x00c_codecs\nencode\nq\x01X\x02\x00\x00\x00abq\x02X\x06\x00\x00\x00latin1q\x03\x86q\x04Rq\x05\x85q\x06Rq\x07.";
const BYTEARRAY_P5: &[u8] =
    b"\x80\x05\x95\r\x00\x00\x00\x00\x00\x00\x00\x96\x02\x00\x00\x00\x00\x00\x00\x00ab\x94.";
/// `x = [1, 2]; [x, x]`
const SHARED_P2: &[u8] = b"\x80\x02]q\x00(]q\x01(K\x01K\x02eh\x01e.";
/// `l = [1]; l.append(l)`
const LIST_CYCLE_P2: &[u8] = b"\x80\x02]q\x00(K\x01h\x00e.";
/// `d = {}; d['self'] = d`
const DICT_CYCLE_P2: &[u8] = b"\x80\x02}q\x00X\x04\x00\x00\x00selfq\x01h\x00s.";
/// Python 2.7's `pickle.dumps({'name': 'caf\xc3\xa9'}, 2)`: 8-bit strings.
const PY2_STRINGS: &[u8] = b"\x80\x02}q\x00U\x04nameq\x01U\x05caf\xc3\xa9q\x02s.";

fn message(e: Error) -> String {
    e.to_string()
}

#[derive(Deserialize, Debug, PartialEq)]
struct Reduced<A, S> {
    module: String,
    name: String,
    args: A,
    state: S,
}

#[test]
fn globals_are_refused_by_default_with_the_name() {
    let err = from_slice::<ByteBuf>(DATE_P2, DeOptions::new()).unwrap_err();
    assert_eq!(
        message(err),
        "global 'datetime.date' refused (DeOptions::globals: Globals::Reduce hands it to the \
         type, Globals::ReplaceWithNone reads it as None)"
    );
}

#[test]
fn globals_replaced_with_none() {
    let options = DeOptions::new().replace_unresolved_globals();
    let read: Vec<Option<i32>> = from_slice(
        b"\x80\x02]q\x00(K\x01cdatetime\ndate\n)Re.",
        options.clone(),
    )
    .unwrap();
    assert_eq!(read, [Some(1), None]);
    assert_eq!(from_slice::<()>(DATE_P2, options).unwrap(), ());
}

#[test]
fn reduced_objects_reach_the_type() {
    let options = DeOptions::new().globals(Globals::Reduce);
    // As a whole: module, name, args, state.
    let date: Reduced<(ByteBuf,), Option<()>> = from_slice(DATE_P2, options.clone()).unwrap();
    assert_eq!(
        (date.module.as_str(), date.name.as_str()),
        ("datetime", "date")
    );
    assert_eq!(date.args.0.as_ref(), b"\x07\xe9\x01\x02");
    assert_eq!(date.state, None);
    // A newtype takes the one argument.
    #[derive(Deserialize)]
    struct Date(ByteBuf);
    let Date(bytes) = from_slice(DATE_P2, options.clone()).unwrap();
    assert_eq!(bytes.as_ref(), [7, 233, 1, 2]);
    #[derive(Deserialize)]
    struct Decimal(String);
    assert_eq!(
        from_slice::<Decimal>(DECIMAL_P2, options.clone())
            .unwrap()
            .0,
        "1.5"
    );
    // A map takes the items set on it.
    let odict: BTreeMap<String, i32> = from_slice(ORDERED_DICT_P2, options.clone()).unwrap();
    assert_eq!(odict, [("a".to_string(), 1), ("b".to_string(), 2)].into());
    // A struct without state takes the arguments in order; a tuple too.
    #[derive(Deserialize, Debug, PartialEq)]
    struct P {
        x: i32,
        y: i32,
    }
    assert_eq!(
        from_slice::<P>(NAMEDTUPLE_P4, options.clone()).unwrap(),
        P { x: 1, y: 2 }
    );
    assert_eq!(
        from_slice::<(i32, i32)>(NAMEDTUPLE_P4, options.clone()).unwrap(),
        (1, 2)
    );
    // An instance's state is its fields, at every protocol.
    #[derive(Deserialize, Debug, PartialEq)]
    struct Point {
        x: i32,
        y: i32,
    }
    #[derive(Deserialize, Debug, PartialEq)]
    struct Instances {
        point: Point,
    }
    for proto in 0..=5 {
        let read: Instances = from_slice(&golden("instances", proto), options.clone()).unwrap();
        assert_eq!(read.point, Point { x: 1, y: 2 }, "protocol {proto}");
    }
}

#[test]
fn an_instance_read_whole_names_its_class() {
    #[derive(Deserialize)]
    struct Instances {
        point: Reduced<Vec<i32>, BTreeMap<String, i32>>,
    }
    let options = DeOptions::new().globals(Globals::Reduce);
    for proto in 0..=5 {
        let read: Instances = from_slice(&golden("instances", proto), options.clone()).unwrap();
        let point = read.point;
        assert_eq!(
            (point.module.as_str(), point.name.as_str()),
            ("geometry", "Point")
        );
        assert!(point.args.is_empty(), "protocol {proto}: {:?}", point.args);
        assert_eq!(
            point.state,
            [("x".to_string(), 1), ("y".to_string(), 2)].into()
        );
    }
}

#[test]
fn built_in_types_written_as_calls_are_data_whatever_the_policy() {
    let options = DeOptions::new();
    for data in [SET_P2, SET_P4] {
        let set: BTreeSet<i32> = from_slice(data, options.clone()).unwrap();
        assert_eq!(set, [1, 2, 3].into());
    }
    assert_eq!(
        from_slice::<Vec<i32>>(FROZENSET_P0, options.clone()).unwrap(),
        [1]
    );
    for data in [BYTEARRAY_P2, BYTEARRAY_P5] {
        assert_eq!(
            from_slice::<ByteBuf>(data, options.clone())
                .unwrap()
                .as_ref(),
            b"ab"
        );
        // A plain Vec<u8> reads bytes as its sequence.
        assert_eq!(from_slice::<Vec<u8>>(data, options.clone()).unwrap(), b"ab");
    }
    for proto in 0..=2 {
        #[derive(Deserialize)]
        struct Bytes {
            data: ByteBuf,
            empty: ByteBuf,
        }
        let read: Bytes = from_slice(&golden("bytes", proto), options.clone()).unwrap();
        assert_eq!(
            (read.data.as_ref(), read.empty.as_ref()),
            (&[0, 255, 97, 98, 99][..], &[][..])
        );
    }
}

#[test]
fn python2_strings_follow_the_encoding() {
    let err = from_slice::<HashMap<String, String>>(PY2_STRINGS, DeOptions::new()).unwrap_err();
    assert_eq!(
        message(err),
        "'ascii' codec can't decode byte 0xc3 in position 3: ordinal not in range(128)"
    );
    let utf8: HashMap<String, String> =
        from_slice(PY2_STRINGS, DeOptions::new().decode_strings()).unwrap();
    assert_eq!(utf8["name"], "café");
    let latin1: HashMap<String, String> =
        from_slice(PY2_STRINGS, DeOptions::new().encoding(Encoding::Latin1)).unwrap();
    assert_eq!(latin1["name"], "cafÃ©");
    let raw: HashMap<ByteBuf, ByteBuf> =
        from_slice(PY2_STRINGS, DeOptions::new().encoding(Encoding::Bytes)).unwrap();
    assert_eq!(
        raw[&ByteBuf::from(b"name".to_vec())].as_ref(),
        b"caf\xc3\xa9"
    );
    // Asked for bytes, a Python 2 string gives its bytes whatever the encoding.
    let bytes: HashMap<String, ByteBuf> = from_slice(PY2_STRINGS, DeOptions::new()).unwrap();
    assert_eq!(bytes["name"].as_ref(), b"caf\xc3\xa9");
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(untagged)]
enum Nest {
    Int(i32),
    List(Vec<Nest>),
}

#[test]
fn shared_objects_are_copied_and_cycles_refused() {
    let read: Vec<Vec<i32>> = from_slice(SHARED_P2, DeOptions::new()).unwrap();
    assert_eq!(read, [[1, 2], [1, 2]]);
    let err = from_slice::<Nest>(LIST_CYCLE_P2, DeOptions::new()).unwrap_err();
    assert!(message(err).starts_with("recursive structure: the object contains itself"));
    #[derive(Deserialize, Debug, PartialEq)]
    struct Node {
        #[serde(rename = "self")]
        me: Option<Box<Node>>,
    }
    assert!(from_slice::<Node>(DICT_CYCLE_P2, DeOptions::new()).is_err());
    let read: Node = from_slice(
        DICT_CYCLE_P2,
        DeOptions::new().replace_recursive_structures(),
    )
    .unwrap();
    assert_eq!(read, Node { me: None });
}

/// `[l40, l40]` where each `l{n+1}` is `[l{n}, l{n}]`: 2^41 lists, in a few hundred bytes.
fn doubling_pickle(levels: usize) -> Vec<u8> {
    let mut graph = Graph::new();
    let mut top = graph.add(Value::List(vec![]));
    for _ in 0..levels {
        top = graph.add(Value::List(vec![top, top]));
    }
    pickle_core::value::to_vec(&Pickle { graph, root: top }, 4).unwrap()
}

#[test]
fn copies_of_shared_objects_count_against_the_memory_limit() {
    let data = doubling_pickle(40);
    assert!(data.len() < 400);
    let start = std::time::Instant::now();
    let err = from_slice::<Nest>(&data, DeOptions::new()).unwrap_err();
    assert!(
        message(err).starts_with("memory limit exceeded"),
        "{}",
        start.elapsed().as_millis()
    );
    // A few levels are fine, and a higher limit allows more.
    let small = doubling_pickle(4);
    assert!(from_slice::<Nest>(&small, DeOptions::new()).is_ok());
    let tight = Limits {
        max_memory: 1000,
        ..Limits::UNTRUSTED
    };
    assert!(from_slice::<Nest>(&doubling_pickle(8), DeOptions::new().limits(tight)).is_err());
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let mut data = b"\x80\x02".to_vec();
    data.extend(std::iter::repeat_n(b']', depth));
    data.extend(std::iter::repeat_n(b'a', depth - 1));
    data.push(b'.');
    let err = from_slice::<Nest>(&data, DeOptions::new().limits(Limits::UNLIMITED)).unwrap_err();
    assert_eq!(
        message(err),
        "maximum recursion depth exceeded while reading a pickle"
    );
}

#[test]
fn persistent_ids_go_to_the_callback() {
    let data = golden("persistent", 2);
    let err = from_slice::<(i64, i32)>(&data, DeOptions::new()).unwrap_err();
    assert_eq!(
        message(err),
        "A load persistent id instruction was encountered, but no persistent_load function \
         was specified."
    );
    let options = DeOptions::new().persistent_load(|pid| {
        let (kind, key): (String, u32) = pid.deserialize().map_err(|e| e.to_string())?;
        assert_eq!(kind, "storage");
        Ok(Some(Value::Int(1000 + i64::from(key))))
    });
    assert_eq!(from_slice::<(i64, i32)>(&data, options).unwrap(), (1000, 5));
    // None keeps the id in place.
    let options = DeOptions::new().persistent_load(|_| Ok(None));
    let read: ((String, u32), i32) = from_slice(&data, options).unwrap();
    assert_eq!(read, (("storage".into(), 0), 5));
    let options = DeOptions::new().persistent_load(|_| Err("no such storage".into()));
    assert_eq!(
        message(from_slice::<(i64, i32)>(&data, options).unwrap_err()),
        "no such storage"
    );
}

#[test]
fn what_does_not_fit_says_so() {
    // pickle.dumps(2**200, 2)
    let big = b"\x80\x02\x8a\x1a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01.";
    let err = from_slice::<i128>(big, DeOptions::new()).unwrap_err();
    assert!(message(err).contains("does not fit in 128 bits (pickle_core::serde::big_int"));
    let err = from_slice::<u8>(b"\x80\x02M\x00\x01.", DeOptions::new()).unwrap_err();
    assert_eq!(message(err), "invalid value: integer `256`, expected u8");
    let err = from_slice::<String>(b"\x80\x02K\x01.", DeOptions::new()).unwrap_err();
    assert_eq!(message(err), "invalid type: integer `1`, expected a string");
    // A lone surrogate cannot be a Rust string.
    let err = from_slice::<String>(b"\x80\x02X\x03\x00\x00\x00\xed\xa0\x80.", DeOptions::new())
        .unwrap_err();
    assert!(message(err).contains("lone surrogate"));
    // The pickle's own errors are CPython's.
    let err = from_slice::<i32>(b"\x80\x02K", DeOptions::new()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Pickle(_)));
    assert_eq!(message(err), "pickle data was truncated");
    let err = from_slice::<i32>(b"\x80\x02\x82\x01.", DeOptions::new()).unwrap_err();
    assert!(message(err).starts_with("extension code 1"));
}

#[test]
fn from_reader_reads_one_pickle() {
    let mut two = golden("records", 4);
    two.extend(b"\x80\x04K\x07.");
    let mut stream = std::io::Cursor::new(two);
    let records: Vec<super::golden::Record> =
        pickle_core::serde::from_buf_reader(&mut stream, DeOptions::new()).unwrap();
    assert_eq!(records, super::golden::records(1200));
    let seven: i32 = from_reader(&mut stream, DeOptions::new()).unwrap();
    assert_eq!(seven, 7);
}

#[test]
fn a_hand_built_graph_naming_a_missing_node_is_an_error() {
    let mut graph = Graph::new();
    let one = graph.add(Value::Int(1));
    let list = graph.add(Value::List(vec![one, 7]));
    let pickle = Pickle { graph, root: list };
    let err = pickle_core::serde::from_pickle::<Vec<i32>>(&pickle, &DeOptions::new()).unwrap_err();
    assert_eq!(
        message(err),
        "node 7 is not in the graph, which has 2 nodes"
    );
    let pickle = Pickle { root: 9, ..pickle };
    let err = pickle_core::serde::from_pickle::<Vec<i32>>(&pickle, &DeOptions::new()).unwrap_err();
    assert_eq!(
        message(err),
        "node 9 is not in the graph, which has 2 nodes"
    );
}
