//! `ToPython` / `FromPython`: every listed type both ways, and the errors of a mismatch.

use brine::{Error, FromPython, Object, Runtime, ToPython};
use indexmap::IndexMap;
use num_bigint::BigInt;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;

/// `value` made in Python has `repr` `shown` there, and comes back equal.
fn round_trip<T: ToPython + FromPython + PartialEq + Debug>(rt: &Runtime, value: T, shown: &str) {
    let obj = rt.object(&value).unwrap();
    assert_eq!(obj.repr().unwrap(), shown);
    assert_eq!(obj.extract::<T>().unwrap(), value);
}

#[test]
fn scalars() {
    let rt = Runtime::new().unwrap();
    round_trip(&rt, true, "True");
    round_trip(&rt, -5i8, "-5");
    round_trip(&rt, 60_000u16, "60000");
    round_trip(&rt, i32::MIN, "-2147483648");
    round_trip(&rt, u64::MAX, "18446744073709551615");
    round_trip(&rt, i128::MIN, "-170141183460469231731687303715884105728");
    round_trip(&rt, u128::MAX, "340282366920938463463374607431768211455");
    round_trip(&rt, 7usize, "7");
    round_trip(&rt, -7isize, "-7");
    round_trip(&rt, 255u8, "255");
    round_trip(&rt, 1.5f64, "1.5");
    round_trip(&rt, 0.25f32, "0.25");
    round_trip(&rt, "naïve ☃".to_string(), "'naïve ☃'");
    round_trip(&rt, (), "None");
    let big: BigInt = "-123456789012345678901234567890".parse().unwrap();
    round_trip(&rt, big, "-123456789012345678901234567890");
    assert_eq!(rt.object("borrowed").unwrap().repr().unwrap(), "'borrowed'");
    // NaN and infinities travel as floats.
    assert!(rt.eval::<f64>("float('nan')").unwrap().is_nan());
    assert_eq!(rt.eval::<f64>("float('-inf')").unwrap(), f64::NEG_INFINITY);
    assert_eq!(rt.object(&f64::INFINITY).unwrap().repr().unwrap(), "inf");
    // Floats take ints, as float() does; bool is an int.
    assert_eq!(rt.eval::<f64>("3").unwrap(), 3.0);
    assert_eq!(rt.eval::<i64>("True").unwrap(), 1);
}

#[test]
fn bytes_are_bytes_and_lists_are_lists() {
    let rt = Runtime::new().unwrap();
    round_trip(&rt, vec![0u8, 255, 10], "b'\\x00\\xff\\n'");
    let slice: &[u8] = b"raw";
    assert_eq!(rt.object(slice).unwrap().repr().unwrap(), "b'raw'");
    assert_eq!(rt.eval::<Vec<u8>>("bytearray(b'ab')").unwrap(), b"ab");
    assert_eq!(rt.eval::<Vec<u8>>("memoryview(b'cd')").unwrap(), b"cd");
    round_trip(&rt, vec![1i32, 2, 3], "[1, 2, 3]");
    round_trip(&rt, vec![vec!["a".to_string()], vec![]], "[['a'], []]");
    assert_eq!(rt.object(&[1u16, 2]).unwrap().repr().unwrap(), "[1, 2]");
    // Any iterable but text reads as a Vec.
    assert_eq!(rt.eval::<Vec<i64>>("(1, 2)").unwrap(), [1, 2]);
    assert_eq!(rt.eval::<Vec<i64>>("range(3)").unwrap(), [0, 1, 2]);
    assert_eq!(
        rt.eval::<Vec<i64>>("(i * i for i in range(3))").unwrap(),
        [0, 1, 4]
    );
    let Err(Error::Conversion {
        expected, found, ..
    }) = rt.eval::<Vec<String>>("'abc'")
    else {
        panic!("a str is not a Vec")
    };
    assert_eq!((expected.as_str(), found.as_str()), ("Vec", "str"));
    let Err(Error::Conversion {
        expected, found, ..
    }) = rt.eval::<Vec<u8>>("[1, 2]")
    else {
        panic!("a list is not bytes")
    };
    assert_eq!((expected.as_str(), found.as_str()), ("bytes", "list"));
}

#[test]
fn options_and_tuples() {
    let rt = Runtime::new().unwrap();
    round_trip(&rt, Some(3i64), "3");
    round_trip(&rt, None::<i64>, "None");
    round_trip(&rt, vec![Some(1u8), None], "[1, None]");
    round_trip(&rt, (1i64,), "(1,)");
    round_trip(&rt, (1i64, "two".to_string()), "(1, 'two')");
    round_trip(
        &rt,
        (1u8, 2u16, 3u32, 4u64, 5i8, 6i16, 7i32, 8i64),
        "(1, 2, 3, 4, 5, 6, 7, 8)",
    );
    let Err(err @ Error::Conversion { .. }) = rt.eval::<(i64, i64)>("(1, 2, 3)") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "cannot convert Python tuple to a tuple of 2: it has 3 items"
    );
    let Err(err) = rt.eval::<(i64, i64)>("[1, 2]") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "cannot convert Python list to a tuple of 2"
    );
}

#[test]
fn maps_and_sets() {
    let rt = Runtime::new().unwrap();
    let btree: BTreeMap<String, i64> = [("a".into(), 1), ("b".into(), 2)].into();
    round_trip(&rt, btree, "{'a': 1, 'b': 2}");
    let mut index = IndexMap::new();
    index.insert(3i64, "c".to_string());
    index.insert(1i64, "a".to_string());
    round_trip(&rt, index, "{3: 'c', 1: 'a'}");
    let hash: HashMap<(i64, i64), bool> = [((1, 2), true)].into();
    round_trip(&rt, hash, "{(1, 2): True}");
    let set: BTreeSet<i64> = [3, 1].into();
    round_trip(&rt, set, "{1, 3}");
    let hashed: HashSet<String> = ["x".to_string()].into();
    round_trip(&rt, hashed, "{'x'}");
    assert_eq!(
        rt.eval::<BTreeSet<i64>>("frozenset({2, 1})").unwrap(),
        [1, 2].into()
    );
    // Any mapping with items() reads as a map.
    let ordered: IndexMap<String, i64> = rt
        .eval("__import__('collections').OrderedDict([('z', 1), ('y', 2)])")
        .unwrap();
    assert_eq!(ordered.keys().collect::<Vec<_>>(), ["z", "y"]);
    let Err(err) = rt.eval::<HashMap<String, i64>>("{1: 2}") else {
        panic!()
    };
    assert_eq!(err.to_string(), "cannot convert Python int to String");
}

#[test]
fn integers_out_of_range_are_errors_not_wraps() {
    let rt = Runtime::new().unwrap();
    let Err(err @ Error::Conversion { .. }) = rt.eval::<u8>("256") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "cannot convert Python int to u8: 256 is out of range"
    );
    let Err(err) = rt.eval::<u64>("-1") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "cannot convert Python int to u64: -1 is out of range"
    );
    let Err(err) = rt.eval::<i64>("2 ** 63") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "cannot convert Python int to i64: 9223372036854775808 is out of range"
    );
    let Err(err) = rt.eval::<f32>("1e300") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "cannot convert Python float to f32: 1e300 is out of range"
    );
    let Err(err) = rt.eval::<f64>("10 ** 400") else {
        panic!()
    };
    assert!(
        err.to_string()
            .starts_with("cannot convert Python int to f64: 1000")
    );
}

#[test]
fn mismatches_name_what_was_expected_and_found() {
    let rt = Runtime::new().unwrap();
    for (source, expected, found) in [
        ("'1'", "i64", "str"),
        ("1.5", "i32", "float"),
        ("1", "bool", "int"),
        ("None", "String", "NoneType"),
        ("b'x'", "String", "bytes"),
        ("1", "None", "int"),
    ] {
        let result = match expected {
            "i64" => rt.eval::<i64>(source).map(drop),
            "i32" => rt.eval::<i32>(source).map(drop),
            "bool" => rt.eval::<bool>(source).map(drop),
            "String" => rt.eval::<String>(source).map(drop),
            _ => rt.eval::<()>(source),
        };
        let Err(Error::Conversion {
            expected: e,
            found: f,
            ..
        }) = result
        else {
            panic!("{source} as {expected}: {result:?}")
        };
        assert_eq!((e.as_str(), f.as_str()), (expected, found), "{source}");
    }
    // A str holding a lone surrogate cannot be a Rust String.
    let Err(err) = rt.eval::<String>("'\\ud800'") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "cannot convert Python str to String: it holds a lone surrogate, which UTF-8 cannot"
    );
}

/// A type of the user's own, converted with the public API only.
#[derive(Debug, PartialEq)]
struct Point {
    x: i64,
    y: i64,
}

impl ToPython for Point {
    fn to_python(&self, rt: &Runtime) -> Result<Object, Error> {
        rt.call("types.SimpleNamespace", ()).and_then(|ns: Object| {
            ns.set_attr("x", self.x)?;
            ns.set_attr("y", self.y)?;
            Ok(ns)
        })
    }
}

impl FromPython for Point {
    fn from_python(obj: &Object) -> Result<Self, Error> {
        Ok(Point {
            x: obj.get_attr("x")?.extract()?,
            y: obj.get_attr("y")?.extract()?,
        })
    }
}

#[test]
fn user_types_implement_the_traits_and_nest_in_containers() {
    let rt = Runtime::new().unwrap();
    let points = vec![Point { x: 1, y: 2 }, Point { x: -3, y: 4 }];
    let obj = rt.object(&points).unwrap();
    assert_eq!(
        obj.repr().unwrap(),
        "[namespace(x=1, y=2), namespace(x=-3, y=4)]"
    );
    assert_eq!(obj.extract::<Vec<Point>>().unwrap(), points);
    let by_name: BTreeMap<String, Point> = rt
        .eval("{'origin': __import__('types').SimpleNamespace(x=0, y=0)}")
        .unwrap();
    assert_eq!(by_name["origin"], Point { x: 0, y: 0 });
}
