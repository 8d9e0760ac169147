//! Each case of tests/serde/generate.py as a Rust value: `to_vec` at every protocol gives
//! CPython's bytes, and `from_slice` of CPython's bytes gives the value back.

use num_bigint::BigInt;
use pickle_core::serde::{DeOptions, Globals, PersistentId, SerOptions, from_slice, to_vec};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::path::PathBuf;

pub fn golden(case: &str, proto: u8) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/serde")
        .join(format!("{case}_p{proto}.pickle"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `value` at every protocol and compares with the case's files; reads each file back.
fn check<T>(case: &str, value: &T, ser: impl Fn(u8) -> SerOptions, de: DeOptions)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    for proto in 0..=5 {
        let expected = golden(case, proto);
        let written = to_vec(value, ser(proto)).unwrap();
        assert!(
            written == expected,
            "{case} protocol {proto}: written\n{}\nCPython\n{}",
            dis(&written),
            dis(&expected)
        );
        let read: T = from_slice(&expected, de.clone()).unwrap();
        assert_eq!(&read, value, "{case} protocol {proto} read back");
    }
}

/// A disassembly, to show where two pickles part.
fn dis(data: &[u8]) -> String {
    let mut out = Vec::new();
    let mut memo = pickle_core::disasm::DisMemo::new();
    match pickle_core::disasm::dis(data, &mut out, &mut memo, &Default::default()) {
        Ok(_) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("{}{e}", String::from_utf8_lossy(&out)),
    }
}

#[derive(Serialize, Deserialize, PartialEq, Debug, Clone)]
pub struct Record {
    pub id: i64,
    pub name: String,
    pub score: f64,
    pub active: bool,
    pub tags: Vec<String>,
    pub parent: Option<i64>,
    pub ratio: (i64, i64),
}

pub fn records(count: i64) -> Vec<Record> {
    (0..count)
        .map(|i| Record {
            id: i,
            name: format!("user{i}"),
            score: i as f64 / 4.0,
            active: i % 3 == 0,
            tags: vec![format!("a{}", i % 7), format!("b{}", i % 11)],
            parent: None,
            ratio: (i, i + 1),
        })
        .collect()
}

#[test]
fn records_as_cpython_writes_them() {
    check(
        "records",
        &records(1200),
        SerOptions::from,
        DeOptions::new(),
    );
}

#[derive(Serialize, Deserialize, Debug)]
struct Scalars {
    flag: bool,
    small: i8,
    byte: u8,
    word: u16,
    int32: i32,
    int64: i64,
    uint64: u64,
    int128: i128,
    uint128: u128,
    #[serde(with = "pickle_core::serde::big_int")]
    big: BigInt,
    half: f64,
    single: f32,
    nan: f64,
    inf: f64,
    ninf: f64,
    negzero: f64,
    letter: char,
    snowman: char,
    empty: String,
    text: String,
    none: Option<i32>,
    some: Option<i32>,
    unit: (),
}

/// Equal, with NaN equal to NaN and -0.0 told from 0.0.
impl PartialEq for Scalars {
    fn eq(&self, other: &Self) -> bool {
        let floats =
            |s: &Self| [s.half, s.single as f64, s.nan, s.inf, s.ninf, s.negzero].map(f64::to_bits);
        let rest = |s: &Self| {
            (
                (s.flag, s.small, s.byte, s.word, s.int32, s.int64, s.uint64),
                (s.int128, s.uint128, s.big.clone(), s.letter, s.snowman),
                (s.empty.clone(), s.text.clone(), s.none, s.some, s.unit),
            )
        };
        floats(self) == floats(other) && rest(self) == rest(other)
    }
}

#[test]
fn scalars_big_ints_and_special_floats() {
    let value = Scalars {
        flag: true,
        small: -5,
        byte: 255,
        word: 65535,
        int32: i32::MIN,
        int64: i64::MIN,
        uint64: u64::MAX,
        int128: i128::MIN,
        uint128: u128::MAX,
        big: -(BigInt::from(1u8) << 200u32) + 1,
        half: 1.5,
        single: 0.1,
        nan: f64::NAN,
        inf: f64::INFINITY,
        ninf: f64::NEG_INFINITY,
        negzero: -0.0,
        letter: 'é',
        snowman: '☃',
        empty: String::new(),
        text: "héllo wörld ☃ 𝄞".into(),
        none: None,
        some: Some(3),
        unit: (),
    };
    check("scalars", &value, SerOptions::from, DeOptions::new());
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct DataBytes {
    #[serde(with = "serde_bytes")]
    data: Vec<u8>,
    #[serde(with = "serde_bytes")]
    empty: Vec<u8>,
    one: ByteBuf,
    again: ByteBuf,
    /// Without serde_bytes, a `Vec<u8>` is a sequence: a list of ints.
    ints: Vec<u8>,
    big: ByteBuf,
}

#[test]
fn bytes_at_every_protocol() {
    let value = DataBytes {
        data: vec![0, 255, 97, 98, 99],
        empty: vec![],
        one: ByteBuf::from(vec![120]),
        again: ByteBuf::from(vec![120]),
        ints: vec![1, 2, 3],
        big: ByteBuf::from((0..=255).chain(0..=255).collect::<Vec<u8>>()),
    };
    check("bytes", &value, SerOptions::from, DeOptions::new());
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
enum Shape {
    Unit,
    Newtype(i32),
    Tuple(i32, String),
    Struct { x: i32, y: i32 },
}

#[test]
fn enums_as_names_and_one_entry_dicts() {
    let value = vec![
        Shape::Unit,
        Shape::Newtype(5),
        Shape::Tuple(1, "ab".into()),
        Shape::Struct { x: 1, y: 2 },
        Shape::Unit,
        Shape::Newtype(-1),
    ];
    check("enums", &value, SerOptions::from, DeOptions::new());
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(untagged)]
enum Nest {
    Int(i32),
    List(Vec<Nest>),
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Collections {
    one_item: Vec<String>,
    thousand: Vec<i32>,
    two_thousand_one: Vec<i32>,
    empty_list: Vec<i32>,
    empty_tuple: [i32; 0],
    single: (i32,),
    triple: (i32, i32, i32),
    quad: (i32, i32, i32, i32),
    nested: (Vec<Nest>, (String, [i32; 0])),
    int_keys: BTreeMap<i32, String>,
    tuple_keys: BTreeMap<(i32, i32), String>,
    one_entry: HashMap<String, i32>,
    thousand_entries: BTreeMap<i32, i32>,
}

#[test]
fn sequences_tuples_and_maps_with_cpythons_batches() {
    let value = Collections {
        one_item: vec!["only".into()],
        thousand: (0..1000).collect(),
        two_thousand_one: (0..2001).collect(),
        empty_list: vec![],
        empty_tuple: [],
        single: (7,),
        triple: (1, 2, 3),
        quad: (1, 2, 3, 4),
        nested: (
            vec![
                Nest::Int(1),
                Nest::List(vec![Nest::Int(2), Nest::List(vec![Nest::Int(3)])]),
            ],
            ("x".into(), []),
        ),
        int_keys: [(1, "one".into()), (2, "two".into())].into(),
        tuple_keys: [((1, 2), "pair".into()), ((3, 4), "other".into())].into(),
        one_entry: [("k".into(), 1)].into(),
        thousand_entries: (0..1000).map(|i| (i, i)).collect(),
    };
    check("collections", &value, SerOptions::from, DeOptions::new());
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Empty {}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Instances {
    point: Point,
    points: Vec<Point>,
    empty: Empty,
}

#[test]
fn structs_as_instances_of_a_class() {
    let value = Instances {
        point: Point { x: 1, y: 2 },
        points: (0..3).map(|i| Point { x: i, y: -i }).collect(),
        empty: Empty {},
    };
    let ser = |proto| {
        SerOptions::new()
            .protocol(proto)
            .struct_as_class("Point", "geometry", "Point")
            .struct_as_class("Empty", "geometry", "Empty")
    };
    check(
        "instances",
        &value,
        ser,
        DeOptions::new().globals(Globals::Reduce),
    );
}

#[test]
fn persistent_ids_both_ways() {
    let value = (PersistentId("storage0".to_string()), 5);
    let expected = golden("persistent", 0);
    assert_eq!(to_vec(&value, 0).unwrap(), expected);
    let read: (PersistentId<String>, i32) = from_slice(&expected, DeOptions::new()).unwrap();
    assert_eq!(read, value);
    let value = (PersistentId(("storage".to_string(), 0u32)), 5);
    for proto in 1..=5 {
        let expected = golden("persistent", proto);
        assert_eq!(to_vec(&value, proto).unwrap(), expected, "protocol {proto}");
        let read: (PersistentId<(String, u32)>, i32) =
            from_slice(&expected, DeOptions::new()).unwrap();
        assert_eq!(read, value);
    }
}
