//! serde to and from live Python objects: the same values pickle-core's serde writes and
//! reads, and errors that say where.

use brine::{Error, Object, Runtime};
use num_bigint::BigInt;
use pickle_core::serde::{big_int, to_vec};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::collections::{BTreeMap, HashMap};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Shape {
    Empty,
    Circle(f64),
    Rect(f64, f64),
    Poly {
        points: Vec<(i32, i32)>,
        closed: bool,
    },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Unit;

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meters(f64);

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Record {
    id: u64,
    name: String,
    shapes: Vec<Shape>,
    by_code: BTreeMap<i32, String>,
    by_pair: Vec<((u8, bool), Option<String>)>,
    #[serde(with = "serde_bytes_like")]
    blob: Vec<u8>,
    plain_bytes: Vec<u8>,
    wide: i128,
    wider: u128,
    #[serde(with = "big_int")]
    huge: BigInt,
    ratio: f64,
    missing: Option<i64>,
    unit: Unit,
    length: Meters,
    letter: char,
    nothing: (),
}

/// Vec<u8> written as bytes, as `serde_bytes` would.
mod serde_bytes_like {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_bytes(V)
    }
}

fn record(nan: bool) -> Record {
    Record {
        id: 7,
        name: "naïve — 名前 🎈".into(),
        shapes: vec![
            Shape::Empty,
            Shape::Circle(1.5),
            Shape::Rect(2.0, -3.25),
            Shape::Poly {
                points: vec![(0, 0), (1, -1)],
                closed: true,
            },
        ],
        by_code: BTreeMap::from([(-1, "minus".into()), (404, "missing".into())]),
        by_pair: vec![((7, true), Some("x".into())), ((0, false), None)],
        blob: (0..=255).collect(),
        plain_bytes: vec![0, 255],
        wide: i128::MIN,
        wider: u128::MAX,
        huge: BigInt::from(-3) << 200,
        ratio: if nan { f64::NAN } else { f64::INFINITY },
        missing: None,
        unit: Unit,
        length: Meters(0.5),
        letter: 'é',
        nothing: (),
    }
}

/// What `rt.loads` of pickle-core's bytes for `value` makes, and what `serialize` makes,
/// as Python shows them (repr tells a tuple from a list, an int from a float, NaN too).
fn both_ways<T: Serialize>(rt: &Runtime, value: &T) -> (String, String) {
    let loaded = rt.loads(&to_vec(value, 5).unwrap()).unwrap();
    let made = rt.serialize(value).unwrap();
    (loaded.repr().unwrap(), made.repr().unwrap())
}

fn round_trip<T: Serialize + DeserializeOwned>(rt: &Runtime, value: &T) -> T {
    rt.serialize(value).unwrap().deserialize().unwrap()
}

#[test]
fn serialize_makes_what_loads_of_pickle_cores_bytes_makes() {
    let rt = Runtime::new().unwrap();
    let (loaded, made) = both_ways(&rt, &record(true));
    assert_eq!(made, loaded);
    assert!(made.contains("'ratio': nan"), "{made}");
    for shape in record(false).shapes {
        let (loaded, made) = both_ways(&rt, &shape);
        assert_eq!(made, loaded);
    }
    let keyed: HashMap<(i8, String), Vec<Option<f32>>> =
        HashMap::from([((1, "a".into()), vec![Some(0.5), None])]);
    let (loaded, made) = both_ways(&rt, &keyed);
    assert_eq!(made, loaded);
    assert_eq!(made, "{(1, 'a'): [0.5, None]}");
    // Nesting 100 deep.
    let mut deep = serde_json_like::Value::Leaf(1);
    for _ in 0..100 {
        deep = serde_json_like::Value::List(vec![deep]);
    }
    let (loaded, made) = both_ways(&rt, &deep);
    assert_eq!(made, loaded);
    assert_eq!(round_trip(&rt, &deep), deep);
    // The value equals the loaded one in Python too, types and all.
    let made = rt.serialize(&record(false)).unwrap();
    let loaded = rt.loads(&to_vec(&record(false), 5).unwrap()).unwrap();
    assert!(made.eq(&loaded).unwrap());
}

mod serde_json_like {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    #[serde(untagged)]
    pub enum Value {
        Leaf(i64),
        List(Vec<Value>),
    }
}

#[test]
fn deserialize_reads_what_serialize_made_and_what_python_wrote() {
    let rt = Runtime::new().unwrap();
    assert_eq!(round_trip(&rt, &record(false)), record(false));
    // The forms pickle-core reads besides the ones it writes: tuples for enums, sequences
    // and instances for structs, sets and tuples for sequences, bytearray for bytes, an int
    // for a float.
    rt.run(
        "class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n\
         shapes = [('Empty',), ('Circle', 2), ('Rect', [1, 2.5])]",
    )
    .unwrap();
    let shapes: Vec<Shape> = rt.eval::<Object>("shapes").unwrap().deserialize().unwrap();
    assert_eq!(
        shapes,
        [Shape::Empty, Shape::Circle(2.0), Shape::Rect(1.0, 2.5)]
    );
    #[derive(Deserialize, Debug, PartialEq)]
    struct Point {
        x: i32,
        y: i32,
    }
    let points: Vec<Point> = rt
        .eval::<Object>("[Point(1, 2), (3, 4), {'y': 6, 'x': 5}]")
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(
        points,
        [
            Point { x: 1, y: 2 },
            Point { x: 3, y: 4 },
            Point { x: 5, y: 6 }
        ]
    );
    let numbers: Vec<u8> = rt
        .eval::<Object>("bytearray(b'\\x00\\xff')")
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(numbers, [0, 255]);
    let sorted: std::collections::BTreeSet<i64> = rt
        .eval::<Object>("{3, 1, 2}")
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(sorted.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn errors_name_the_path_and_the_python_type() {
    let rt = Runtime::new().unwrap();
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        price: f64,
        tags: Vec<String>,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Order {
        records: Vec<Item>,
        totals: HashMap<String, u8>,
    }
    let error = |source: &str| {
        let obj = rt.eval::<Object>(source).unwrap();
        match obj.deserialize::<Order>() {
            Err(err @ Error::Serde { .. }) => err.to_string(),
            other => panic!("{source}: {other:?}"),
        }
    };
    let item = "{'price': 1.0, 'tags': []}";
    assert_eq!(
        error(&format!(
            "{{'records': [{item}, {item}, {item}, {{'price': 'x', 'tags': []}}], 'totals': {{}}}}"
        )),
        "records[3].price: expected float, found str"
    );
    assert_eq!(
        error("{'records': [{'price': 1, 'tags': ['a', 5]}], 'totals': {}}"),
        "records[0].tags[1]: expected str, found int"
    );
    assert_eq!(
        error("{'records': [], 'totals': {'a b': 300}}"),
        "totals['a b']: invalid value: integer `300`, expected u8"
    );
    assert_eq!(
        error("{'records': [{'tags': []}], 'totals': {}}"),
        "records[0]: missing field `price`"
    );
    // A struct read from a sequence takes its fields in order.
    assert_eq!(
        error("[1]"),
        "[0]: expected a list, tuple or set, found int"
    );
    assert_eq!(
        error("[[]]"),
        "invalid length 1, expected struct Order with 2 elements"
    );
    assert_eq!(error("None"), "expected dict, found NoneType");
    let Err(err) = rt
        .eval::<Object>("'Triangle'")
        .unwrap()
        .deserialize::<Shape>()
    else {
        panic!("no such variant")
    };
    assert_eq!(
        err.to_string(),
        "unknown variant `Triangle`, expected one of `Empty`, `Circle`, `Rect`, `Poly`"
    );
    // A value that contains itself, and one nested past the bound, are errors, not a
    // crash.
    let Err(err) = rt
        .eval::<Object>("(lambda l: (l.append(l), l)[1])([])")
        .unwrap()
        .deserialize::<serde_json_like::Value>()
    else {
        panic!("a list containing itself")
    };
    assert!(err.to_string().contains("contains itself"), "{err}");
    rt.run("def deep(n):\n    x = [1]\n    for _ in range(n):\n        x = [x]\n    return x")
        .unwrap();
    let Err(err) = rt
        .eval::<Object>("deep(1200)")
        .unwrap()
        .deserialize::<serde_json_like::Value>()
    else {
        panic!("1,200 nested lists")
    };
    assert!(
        err.to_string()
            .ends_with(": nested deeper than 1000 containers"),
        "{}",
        &err.to_string()[..80]
    );
    let fine: serde_json_like::Value = rt
        .eval::<Object>("deep(900)")
        .unwrap()
        .deserialize()
        .unwrap();
    drop(fine);
    // A persistent id has no Python value outside a pickle.
    let Err(err) = rt.serialize(&pickle_core::serde::PersistentId(1)) else {
        panic!("a persistent id")
    };
    assert!(err.to_string().contains("persistent id"), "{err}");
    // Map keys Python cannot hash.
    let Err(err) = rt.serialize(&BTreeMap::from([(vec![1], 2)])) else {
        panic!("a list key")
    };
    assert_eq!(
        err.to_string(),
        "[[1]]: cannot be a dict key: unhashable type: 'list'"
    );
}
