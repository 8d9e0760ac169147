//! `to_json` is faithful: the graph can be rebuilt from the JSON alone, and the rebuilt graph
//! writes CPython's bytes again for every golden pickle, so no node, value or shared
//! reference was lost. Plus the exact rendering of each kind of node.

use pickle_core::decoder::Limits;
use pickle_core::text::push_code_point;
use pickle_core::value::{Graph, Make, NodeId, Object, Pickle, Value, from_slice, to_json, to_vec};
use serde_json::Value as Json;
use std::path::PathBuf;

/// Rebuilds a graph from `to_json`'s output, following the shapes its documentation gives.
struct Rebuild {
    graph: Graph,
    /// The node given each `$id`.
    labels: Vec<Option<NodeId>>,
}

impl Rebuild {
    fn node(&mut self, json: &Json) -> NodeId {
        match json {
            Json::Null => self.graph.add(Value::None),
            Json::Bool(b) => self.graph.add(Value::Bool(*b)),
            Json::Number(n) => self.graph.add(number(&n.to_string())),
            Json::String(s) => self.graph.add(Value::str(s)),
            Json::Array(items) => {
                let items = items.iter().map(|j| self.node(j)).collect();
                self.graph.add(Value::List(items))
            }
            Json::Object(fields) => {
                if let Some(n) = fields.get("$ref") {
                    return self.labels[index(n)].expect("a $ref follows its $id");
                }
                // A placeholder first, so that references inside (cycles) find the node.
                let id = self.graph.add(Value::None);
                if let Some(n) = fields.get("$id") {
                    let n = index(n);
                    self.labels.resize(self.labels.len().max(n + 1), None);
                    self.labels[n] = Some(id);
                }
                let value = self.tagged(fields);
                *self.graph.get_mut(id) = value;
                id
            }
        }
    }

    fn nodes(&mut self, json: &Json) -> Vec<NodeId> {
        json.as_array()
            .unwrap()
            .iter()
            .map(|j| self.node(j))
            .collect()
    }

    fn pairs(&mut self, json: &Json) -> Vec<(NodeId, NodeId)> {
        let pairs = json.as_array().unwrap();
        pairs
            .iter()
            .map(|pair| (self.node(&pair[0]), self.node(&pair[1])))
            .collect()
    }

    fn tagged(&mut self, fields: &serde_json::Map<String, Json>) -> Value {
        let tag = [
            "none",
            "bool",
            "int",
            "float",
            "str",
            "list",
            "code_points",
            "bytes",
            "bytearray",
            "string",
            "tuple",
            "set",
            "frozenset",
            "dict",
            "global",
            "persistent_id",
            "extension",
            "buffer",
            "reduce",
            "newobj",
            "newobj_ex",
            "inst",
            "obj",
        ]
        .into_iter()
        .find(|tag| fields.contains_key(*tag))
        .unwrap_or_else(|| panic!("no known tag in {fields:?}"));
        let body = &fields[tag];
        match tag {
            "none" => Value::None,
            "bool" => Value::Bool(body.as_bool().unwrap()),
            "int" => number(&body.to_string()),
            "float" => match body {
                Json::String(special) => Value::Float(special.parse().unwrap()),
                n => number(&n.to_string()),
            },
            "str" => Value::str(body.as_str().unwrap()),
            "list" => Value::List(self.nodes(body)),
            "code_points" => {
                let mut text = Vec::new();
                for cp in body.as_array().unwrap() {
                    push_code_point(&mut text, cp.to_string().parse().unwrap());
                }
                Value::Str(text)
            }
            "bytes" => Value::Bytes(latin1(body)),
            "bytearray" => Value::ByteArray(latin1(body)),
            "string" => Value::Legacy(latin1(body)),
            "tuple" => Value::Tuple(self.nodes(body)),
            "set" => Value::Set(self.nodes(body)),
            "frozenset" => Value::FrozenSet(self.nodes(body)),
            "dict" => Value::Dict(self.pairs(body)),
            "global" => {
                let parts = self.nodes(body);
                Value::Global {
                    module: parts[0],
                    name: parts[1],
                }
            }
            "persistent_id" => Value::PersistentId(self.node(body)),
            "extension" => Value::Extension(body.to_string().parse().unwrap()),
            "buffer" => Value::Buffer {
                index: index(body),
                readonly: fields["readonly"].as_bool().unwrap(),
            },
            call => Value::Object(Box::new(self.object(call, fields))),
        }
    }

    fn object(&mut self, call: &str, fields: &serde_json::Map<String, Json>) -> Object {
        let body = fields[call].as_array().unwrap();
        let make = match call {
            "reduce" => Make::Reduce {
                func: self.node(&body[0]),
                args: self.node(&body[1]),
            },
            "newobj" => Make::NewObj {
                cls: self.node(&body[0]),
                args: self.node(&body[1]),
            },
            "newobj_ex" => Make::NewObjEx {
                cls: self.node(&body[0]),
                args: self.node(&body[1]),
                kwargs: self.node(&body[2]),
            },
            "inst" => Make::Inst {
                module: body[0].as_str().unwrap().into(),
                name: body[1].as_str().unwrap().into(),
                args: self.nodes(&body[2]),
            },
            _ => Make::Obj {
                cls: self.node(&body[0]),
                args: self.nodes(&body[1]),
            },
        };
        let mut object = Object::new(make);
        if let Some(items) = fields.get("append") {
            object.items = self.nodes(items);
        }
        if let Some(pairs) = fields.get("setitems") {
            object.pairs = self.pairs(pairs);
        }
        object.state = fields.get("state").map(|s| self.node(s));
        object.state_setter = fields.get("state_setter").map(|s| self.node(s));
        object
    }
}

fn index(json: &Json) -> usize {
    json.to_string().parse().unwrap()
}

/// Integers never have a point or exponent in the rendering; floats always do.
fn number(text: &str) -> Value {
    if text.contains(['.', 'e', 'E']) {
        Value::Float(text.parse().unwrap())
    } else if let Ok(i) = text.parse::<i64>() {
        Value::Int(i)
    } else {
        Value::BigInt(text.parse().unwrap())
    }
}

fn latin1(json: &Json) -> Vec<u8> {
    json.as_str()
        .unwrap()
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

fn rebuild(json: &str) -> Pickle {
    // Golden cases nest a thousand deep; the test thread has the stack for it.
    let mut deserializer = serde_json::Deserializer::from_str(json);
    deserializer.disable_recursion_limit();
    let parsed: Json = serde::Deserialize::deserialize(&mut deserializer).expect("valid JSON");
    let mut rebuild = Rebuild {
        graph: Graph::new(),
        labels: Vec::new(),
    };
    let root = rebuild.node(&parsed);
    Pickle {
        graph: rebuild.graph,
        root,
    }
}

#[test]
fn every_golden_pickle_rebuilds_from_its_json() {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(rebuild_the_golden_corpus)
        .unwrap()
        .join()
        .unwrap();
}

fn rebuild_the_golden_corpus() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/corpus");
    let mut checked = 0;
    for proto in 0..=5u8 {
        for entry in std::fs::read_dir(corpus.join(format!("p{proto}"))).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "pickle") {
                continue;
            }
            let data = std::fs::read(&path).unwrap();
            let pickle = from_slice(&data, &Limits::UNLIMITED).unwrap();
            let json = to_json(&pickle).unwrap();
            let rebuilt = rebuild(&json);
            assert_eq!(
                to_vec(&rebuilt, proto).unwrap(),
                to_vec(&pickle, proto).unwrap(),
                "{}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 2800, "{checked}");
}

fn json_of(data: &[u8]) -> String {
    to_json(&from_slice(data, &Limits::UNTRUSTED).unwrap()).unwrap()
}

#[test]
fn plain_data_is_plain_json() {
    // pickle.dumps([None, True, -5, 2**64, 1.5, 1e+16, 'é"\n', {'k': [1]}], 4)
    let data = b"\x80\x04\x95<\x00\x00\x00\x00\x00\x00\x00]\x94(N\x88J\xfb\xff\xff\xff\x8a\t\x00\x00\x00\x00\x00\x00\x00\x00\x01G?\xf8\x00\x00\x00\x00\x00\x00GCA\xc3y7\xe0\x80\x00\x8c\x04\xc3\xa9\"\n\x94}\x94\x8c\x01k\x94]\x94K\x01ase.";
    assert_eq!(
        json_of(data),
        r#"[null,true,-5,18446744073709551616,1.5,1e+16,"é\"\n",{"dict":[["k",[1]]]}]"#
    );
}

#[test]
fn special_floats_bytes_and_surrogates_are_tagged() {
    // pickle.dumps((float('nan'), float('-inf'), b'\xff', bytearray(b'a'), '\ud800'), 5)
    let data = b"\x80\x05\x95+\x00\x00\x00\x00\x00\x00\x00(G\x7f\xf8\x00\x00\x00\x00\x00\x00G\xff\xf0\x00\x00\x00\x00\x00\x00C\x01\xff\x94\x96\x01\x00\x00\x00\x00\x00\x00\x00a\x94\x8c\x03\xed\xa0\x80\x94t\x94.";
    assert_eq!(
        json_of(data),
        r#"{"tuple":[{"float":"nan"},{"float":"-inf"},{"bytes":"ÿ"},{"bytearray":"a"},{"code_points":[55296]}]}"#
    );
}

#[test]
fn cycles_and_shared_nodes_are_written_once() {
    // d = {}; d['self'] = d; s = 'shared'; pickle.dumps([d, s, s], 2)
    let data =
        b"\x80\x02]q\x00(}q\x01X\x04\x00\x00\x00selfq\x02h\x01sX\x06\x00\x00\x00sharedq\x03h\x03e.";
    assert_eq!(
        json_of(data),
        r#"[{"$id":1,"dict":[["self",{"$ref":1}]]},{"$id":2,"str":"shared"},{"$ref":2}]"#
    );
}

#[test]
fn objects_keep_their_call_and_what_was_applied() {
    // Python 2's pickle.dumps(C(), 0) for an old-style class with state, and a persistent id.
    let data = b"(lp0\n(i__main__\nC\np1\n(dp2\nS'x'\np3\nI1\nsbaPkey\np4\na.";
    assert_eq!(
        json_of(data),
        r#"[{"inst":["__main__","C",[]],"state":{"dict":[[{"string":"x"},1]]}},{"persistent_id":"key"}]"#
    );
}
