//! Short, Python-like descriptions of graph nodes for reports: enough to recognise a value,
//! bounded in depth and length however large or cyclic the graph is.

use crate::disasm::bytes_repr;
use crate::text::{code_points, float_repr, py_repr_code_points};
use crate::value::{Graph, Make, NodeId, Value};

/// Containers deeper than this are shown as `...`.
const MAX_DEPTH: usize = 3;
/// Containers show at most this many items.
const MAX_ITEMS: usize = 8;
/// Descriptions are cut to this many characters.
const MAX_CHARS: usize = 200;

/// `repr()`-like text for node `id`: globals as `module.name`, calls as `f(args)`.
pub fn describe(graph: &Graph, id: NodeId) -> String {
    let mut text = String::new();
    write_node(graph, id, 0, &mut text);
    if text.chars().count() > MAX_CHARS {
        text = text.chars().take(MAX_CHARS - 3).collect();
        text.push_str("...");
    }
    text
}

/// `module.name` when node `id` is a global whose parts are text.
pub fn global_name(graph: &Graph, id: NodeId) -> Option<(String, String)> {
    match graph.get(id) {
        Value::Global { module, name } => Some((
            graph.get(*module).as_str()?.to_string(),
            graph.get(*name).as_str()?.to_string(),
        )),
        _ => None,
    }
}

fn write_node(graph: &Graph, id: NodeId, depth: usize, out: &mut String) {
    // Calls of calls nest without containers: the depth bound covers them too.
    if out.len() > MAX_CHARS * 4 || depth > MAX_DEPTH + 2 {
        out.push_str("...");
        return;
    }
    match graph.get(id) {
        Value::None => out.push_str("None"),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::BigInt(big) => out.push_str(&big.to_string()),
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(text) => out.push_str(&py_repr_code_points(code_points(text))),
        // A Python 2 string is a str to a default loader (encoding='ASCII') when it can be.
        Value::Legacy(data) if data.is_ascii() => {
            out.push_str(&py_repr_code_points(data.iter().map(|&b| u32::from(b))))
        }
        Value::Bytes(data) | Value::Legacy(data) => out.push_str(&bytes_repr(data)),
        Value::ByteArray(data) => {
            out.push_str("bytearray(");
            out.push_str(&bytes_repr(data));
            out.push(')');
        }
        Value::Tuple(items) => {
            let trailing = if items.len() == 1 { "," } else { "" };
            sequence(graph, items, depth, ("(", trailing, ")"), out)
        }
        Value::List(items) => sequence(graph, items, depth, ("[", "", "]"), out),
        Value::Set(items) if items.is_empty() => out.push_str("set()"),
        Value::Set(items) => sequence(graph, items, depth, ("{", "", "}"), out),
        Value::FrozenSet(items) => sequence(graph, items, depth, ("frozenset({", "", "})"), out),
        Value::Dict(pairs) => dict(graph, pairs, depth, out),
        Value::Global { .. } => match global_name(graph, id) {
            Some((module, name)) => {
                out.push_str(&module);
                out.push('.');
                out.push_str(&name);
            }
            None => out.push_str("<global>"),
        },
        Value::Object(object) => call(graph, &object.make, depth, out),
        Value::PersistentId(pid) => {
            out.push_str("persistent_load(");
            write_node(graph, *pid, depth + 1, out);
            out.push(')');
        }
        Value::Extension(code) => out.push_str(&format!("<extension {code}>")),
        Value::Buffer { index, .. } => out.push_str(&format!("<buffer {index}>")),
    }
}

fn sequence(
    graph: &Graph,
    items: &[NodeId],
    depth: usize,
    (open, trailing, close): (&str, &str, &str),
    out: &mut String,
) {
    out.push_str(open);
    if depth >= MAX_DEPTH && !items.is_empty() {
        out.push_str("...");
    } else {
        for (i, &item) in items.iter().take(MAX_ITEMS).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_node(graph, item, depth + 1, out);
        }
        if items.len() > MAX_ITEMS {
            out.push_str(", ...");
        }
        out.push_str(trailing);
    }
    out.push_str(close);
}

fn dict(graph: &Graph, pairs: &[(NodeId, NodeId)], depth: usize, out: &mut String) {
    out.push('{');
    if depth >= MAX_DEPTH && !pairs.is_empty() {
        out.push_str("...");
    } else {
        for (i, &(key, value)) in pairs.iter().take(MAX_ITEMS).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_node(graph, key, depth + 1, out);
            out.push_str(": ");
            write_node(graph, value, depth + 1, out);
        }
        if pairs.len() > MAX_ITEMS {
            out.push_str(", ...");
        }
    }
    out.push('}');
}

/// An object as the call that made it: `f(args)`, `cls.__new__(cls, args)`.
fn call(graph: &Graph, make: &Make, depth: usize, out: &mut String) {
    let (callee, args): (String, Vec<NodeId>) = match make {
        Make::Reduce { func, args } => {
            (describe_at(graph, *func, depth), tuple_items(graph, *args))
        }
        Make::NewObj { cls, args } | Make::NewObjEx { cls, args, .. } => (
            format!("{}.__new__", describe_at(graph, *cls, depth)),
            tuple_items(graph, *args),
        ),
        Make::Inst { module, name, args } => (format!("{module}.{name}"), args.clone()),
        Make::Obj { cls, args } => (describe_at(graph, *cls, depth), args.clone()),
    };
    out.push_str(&callee);
    sequence(graph, &args, depth, ("(", "", ")"), out);
}

fn describe_at(graph: &Graph, id: NodeId, depth: usize) -> String {
    let mut text = String::new();
    write_node(graph, id, depth + 1, &mut text);
    text
}

/// A call's arguments: the tuple's items, or the one non-tuple argument itself.
fn tuple_items(graph: &Graph, args: NodeId) -> Vec<NodeId> {
    match graph.get(args) {
        Value::Tuple(items) => items.clone(),
        _ => vec![args],
    }
}
