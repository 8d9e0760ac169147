//! Property: any graph written at a protocol, read back and written again, gives the same
//! bytes (so the reader keeps every value, type and sharing the writer put in). Graphs are
//! random but reproducible: every kind of built-in value, shared nodes, and cycles.

mod support;

use support::Rng;

use num_bigint::BigInt;
use pickle_core::decoder::Limits;
use pickle_core::value::{Graph, NodeId, Pickle, Value, from_slice, to_vec};

const TEXTS: [&str; 6] = [
    "",
    "a",
    "plain text",
    "caf\u{e9}",
    "\u{4e2d}\u{6587}",
    "smile \u{1f600}",
];

const SPECIAL_FLOATS: [f64; 7] = [
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    1e16,
    5e-324,
];

fn float(rng: &mut Rng) -> f64 {
    if rng.below(4) == 0 {
        SPECIAL_FLOATS[rng.below(SPECIAL_FLOATS.len())]
    } else {
        (rng.next() as i64 as f64) / 1e6
    }
}

fn atom(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::None,
        1 => Value::Bool(rng.below(2) == 1),
        2 => Value::Int(rng.next() as i64 >> rng.below(64)),
        3 => Value::BigInt(
            BigInt::from(rng.next())
                * BigInt::from(rng.next())
                * if rng.below(2) == 0 { -1 } else { 1 },
        ),
        4 => Value::Float(float(rng)),
        5 | 6 => Value::str(TEXTS[rng.below(TEXTS.len())]),
        7 => Value::Bytes((0..rng.below(300)).map(|_| rng.next() as u8).collect()),
        _ => Value::ByteArray((0..rng.below(20)).map(|_| rng.next() as u8).collect()),
    }
}

/// A random graph of about `size` nodes: containers draw their elements from nodes made
/// earlier (so sharing is common), and some lists later receive themselves or a tuple holding
/// them (cycles).
fn random_graph(rng: &mut Rng, size: usize) -> Pickle {
    let mut graph = Graph::new();
    let mut made: Vec<NodeId> = Vec::new();
    let mut lists: Vec<NodeId> = Vec::new();
    for _ in 0..size {
        let pick = |rng: &mut Rng| {
            if made.is_empty() {
                None
            } else {
                Some(made[rng.below(made.len())])
            }
        };
        let count = rng.below(6);
        let value = match rng.below(10) {
            0..=3 => atom(rng),
            4 => Value::Tuple((0..count).filter_map(|_| pick(rng)).collect()),
            5 => Value::List((0..count).filter_map(|_| pick(rng)).collect()),
            6 => Value::Dict(
                (0..count)
                    .filter_map(|_| Some((pick(rng)?, pick(rng)?)))
                    .collect(),
            ),
            7 => Value::Set((0..count).filter_map(|_| pick(rng)).collect()),
            8 => Value::FrozenSet((0..count).filter_map(|_| pick(rng)).collect()),
            _ => Value::List(Vec::new()),
        };
        let is_list = matches!(value, Value::List(_));
        let id = graph.add(value);
        if is_list {
            lists.push(id);
        }
        made.push(id);
    }
    for &list in lists.iter().take(3) {
        let wrapper = graph.add(Value::Tuple(vec![list]));
        if let Value::List(items) = graph.get_mut(list) {
            items.push(list);
            items.push(wrapper);
        }
    }
    let root = graph.add(Value::List(made.clone()));
    Pickle { graph, root }
}

#[test]
fn written_graphs_read_back_to_the_same_bytes() {
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let size = 5 + rng.below(60);
        let pickle = random_graph(&mut rng, size);
        for proto in 0..=5 {
            let first = to_vec(&pickle, proto)
                .unwrap_or_else(|e| panic!("seed {seed}, protocol {proto}: {e}"));
            let read = from_slice(&first, &Limits::default())
                .unwrap_or_else(|e| panic!("seed {seed}, protocol {proto}: {e}"));
            let second = to_vec(&read, proto).unwrap();
            assert!(
                first == second,
                "seed {seed}, protocol {proto}: a round trip changed the bytes"
            );
        }
    }
}

/// The writer's short-string path copies in overlapping pieces of fixed size: every length
/// around its bounds, and past the 256 memo indices a BINPUT holds, must read back as written.
#[test]
fn strings_of_every_length_read_back_as_written() {
    let mut rng = Rng(0x5eed);
    let alphabet: Vec<char> = "abcXYZ09 \u{e9}\u{4e2d}\u{1f600}".chars().collect();
    let texts: Vec<String> = (0..600)
        .map(|i| {
            (0..i % 70)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        })
        .collect();
    let mut graph = Graph::new();
    let items = texts.iter().map(|t| graph.add(Value::str(t))).collect();
    let root = graph.add(Value::List(items));
    let pickle = Pickle { graph, root };
    for proto in 0..=5 {
        let data = to_vec(&pickle, proto).unwrap();
        let read = from_slice(&data, &Limits::default()).unwrap();
        let Value::List(items) = read.graph.get(read.root) else {
            panic!("protocol {proto}: not a list");
        };
        let read_texts: Vec<&str> = items
            .iter()
            .map(|&id| read.graph.get(id).as_str().expect("a str"))
            .collect();
        assert_eq!(read_texts, texts, "protocol {proto}");
    }
}
