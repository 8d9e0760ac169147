//! A faithful JSON rendering of a pickle graph: every node, with shared nodes written once.
//!
//! The shapes, chosen so that nothing is lost and plain data stays plain JSON:
//!
//! | node | JSON |
//! |---|---|
//! | `None`, `bool`, `int` (any size), finite `float` | `null`, `true`, `5`, `2.5` |
//! | `nan`, `inf`, `-inf` | `{"float": "nan"}` ... |
//! | `str` | a string; one holding lone surrogates (which JSON text cannot keep apart from pairs) is `{"code_points": [...]}` |
//! | `list` | an array |
//! | `tuple`, `set`, `frozenset` | `{"tuple": [...]}`, `{"set": [...]}`, `{"frozenset": [...]}` |
//! | `dict` | `{"dict": [[key, value], ...]}` (any keys, in order) |
//! | `bytes`, `bytearray`, Python 2 string | `{"bytes": s}`, `{"bytearray": s}`, `{"string": s}`, each byte one code point of `s` (latin-1) |
//! | global | `{"global": [module, name]}` |
//! | object | `{"reduce": [func, args]}`, `{"newobj": [cls, args]}`, `{"newobj_ex": [cls, args, kwargs]}`, `{"inst": [module, name, [args...]]}` or `{"obj": [cls, [args...]]}`, then `"append": [...]`, `"setitems": [[k, v], ...]`, `"state": s`, `"state_setter": f` when the pickle applied them |
//! | persistent id, extension code, out-of-band buffer | `{"persistent_id": pid}`, `{"extension": code}`, `{"buffer": index, "readonly": bool}` |
//!
//! A node referred to more than once (memo GETs, cycles) is written where it first appears, as
//! an object with `"$id": n` first (plain forms get their tag: `{"$id": 1, "list": [...]}`,
//! `{"$id": 2, "str": "x"}`), and as `{"$ref": n}` everywhere after.

use super::{Graph, Make, NodeId, Object, Pickle, Value, check_str, missing_node};
use crate::error::{ErrorKind, PickleError, PyExcKind};
use crate::text::{code_points, float_repr};
use std::fmt::Write as _;

/// Nesting deeper than this is refused, as when writing a pickle.
const MAX_DEPTH: usize = 1000;
/// Below this much stack, a new segment is allocated before going deeper.
const STACK_RED_ZONE: usize = 64 * 1024;
/// The size of each new stack segment.
const STACK_GROWTH: usize = 1024 * 1024;

/// Renders `pickle` as one line of JSON (see the module documentation for the shapes).
/// Errors: nesting deeper than 1000, or a node id the graph does not have.
///
/// ```
/// use pickle_core::decoder::Limits;
/// use pickle_core::value::{from_slice, to_json};
///
/// // a = [1]; pickle.dumps((a, a, b'\x00', 2**70), 2)
/// let data = b"\x80\x02(]q\x00K\x01ah\x00c_codecs\nencode\nq\x01X\x01\x00\x00\x00\x00q\x02X\x06\x00\x00\x00latin1q\x03\x86q\x04Rq\x05\x8a\t\x00\x00\x00\x00\x00\x00\x00\x00@tq\x06.";
/// let pickle = from_slice(data, &Limits::UNTRUSTED).unwrap();
/// assert_eq!(
///     to_json(&pickle).unwrap(),
///     r#"{"tuple":[{"$id":1,"list":[1]},{"$ref":1},{"reduce":[{"global":["_codecs","encode"]},{"tuple":["\u0000","latin1"]}]},1180591620717411303424]}"#
/// );
/// ```
pub fn to_json(pickle: &Pickle) -> Result<String, PickleError> {
    let mut writer = JsonWriter {
        graph: &pickle.graph,
        shared: shared_nodes(pickle)?,
        ids: vec![None; pickle.graph.len()],
        next_id: 1,
        depth: 0,
        out: String::new(),
    };
    writer.node(pickle.root)?;
    Ok(writer.out)
}

/// Which nodes are reached by more than one reference from the root (without recursion: the
/// graph may be nested far deeper than the stack allows). Every node reached is checked to be
/// in the graph, so the rendering after this can index freely.
fn shared_nodes(pickle: &Pickle) -> Result<Vec<bool>, PickleError> {
    let len = pickle.graph.len();
    let mut references = vec![0u8; len];
    let mut pending = vec![pickle.root];
    let mut missing = None;
    match references.get_mut(pickle.root) {
        Some(count) => *count = 1,
        None => return Err(missing_node(pickle.root, len)),
    }
    while let Some(id) = pending.pop() {
        pickle
            .graph
            .get(id)
            .for_each_child(|child| match references.get_mut(child) {
                Some(count) => {
                    *count = count.saturating_add(1);
                    if *count == 1 {
                        pending.push(child);
                    }
                }
                None => missing = Some(child),
            });
        if let Some(child) = missing {
            return Err(missing_node(child, len));
        }
    }
    Ok(references.into_iter().map(|n| n > 1).collect())
}

struct JsonWriter<'a> {
    graph: &'a Graph,
    shared: Vec<bool>,
    /// The `$id` given to each shared node once written.
    ids: Vec<Option<usize>>,
    next_id: usize,
    depth: usize,
    out: String,
}

impl JsonWriter<'_> {
    fn node(&mut self, id: NodeId) -> Result<(), PickleError> {
        if let Some(n) = self.ids[id] {
            let _ = write!(self.out, "{{\"$ref\":{n}}}");
            return Ok(());
        }
        let label = self.shared[id].then(|| {
            self.ids[id] = Some(self.next_id);
            self.next_id += 1;
            self.next_id - 1
        });
        if self.depth >= MAX_DEPTH {
            return Err(PickleError::new(
                ErrorKind::Other(
                    PyExcKind::Recursion,
                    "maximum nesting depth exceeded while writing JSON".into(),
                ),
                0,
            ));
        }
        let node = self.graph.get(id);
        if let Value::Str(text) = node
            && self.graph.unchecked_text
        {
            check_str(id, text)?;
        }
        self.depth += 1;
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.value(node, label));
        self.depth -= 1;
        result
    }

    /// Opens `{"$id": n, "tag": ` (or `{"tag": `).
    fn open(&mut self, label: Option<usize>, tag: &str) {
        self.out.push('{');
        if let Some(n) = label {
            let _ = write!(self.out, "\"$id\":{n},");
        }
        let _ = write!(self.out, "\"{tag}\":");
    }

    /// A node whose plain form is a bare JSON value: tagged only when shared.
    fn plain(&mut self, label: Option<usize>, tag: &str, body: &str) {
        match label {
            Some(_) => {
                self.open(label, tag);
                self.out.push_str(body);
                self.out.push('}');
            }
            None => self.out.push_str(body),
        }
    }

    fn value(&mut self, value: &Value, label: Option<usize>) -> Result<(), PickleError> {
        match value {
            Value::None => self.plain(label, "none", "null"),
            Value::Bool(b) => self.plain(label, "bool", if *b { "true" } else { "false" }),
            Value::Int(i) => self.plain(label, "int", &i.to_string()),
            Value::BigInt(big) => self.plain(label, "int", &big.to_string()),
            Value::Float(f) if f.is_finite() => self.plain(label, "float", &float_repr(*f)),
            Value::Float(f) => {
                self.open(label, "float");
                let _ = write!(self.out, "\"{}\"}}", float_repr(*f));
            }
            Value::Str(text) => match std::str::from_utf8(text) {
                Ok(text) => self.plain(label, "str", &json_string(text.chars().map(u32::from))),
                Err(_) => {
                    self.open(label, "code_points");
                    let points: Vec<String> = code_points(text).map(|c| c.to_string()).collect();
                    let _ = write!(self.out, "[{}]}}", points.join(","));
                }
            },
            Value::Bytes(data) => self.latin1(label, "bytes", data),
            Value::ByteArray(data) => self.latin1(label, "bytearray", data),
            Value::Legacy(data) => self.latin1(label, "string", data),
            Value::List(items) => {
                if label.is_some() {
                    self.open(label, "list");
                }
                self.array(items)?;
                if label.is_some() {
                    self.out.push('}');
                }
            }
            Value::Tuple(items) => self.tagged_array(label, "tuple", items)?,
            Value::Set(items) => self.tagged_array(label, "set", items)?,
            Value::FrozenSet(items) => self.tagged_array(label, "frozenset", items)?,
            Value::Dict(pairs) => {
                self.open(label, "dict");
                self.pairs(pairs)?;
                self.out.push('}');
            }
            Value::Global { module, name } => {
                self.tagged_array(label, "global", &[*module, *name])?
            }
            Value::Object(object) => self.object(label, object)?,
            Value::PersistentId(pid) => {
                self.open(label, "persistent_id");
                self.node(*pid)?;
                self.out.push('}');
            }
            Value::Extension(code) => {
                self.open(label, "extension");
                let _ = write!(self.out, "{code}}}");
            }
            Value::Buffer { index, readonly } => {
                self.open(label, "buffer");
                let _ = write!(self.out, "{index},\"readonly\":{readonly}}}");
            }
        }
        Ok(())
    }

    fn latin1(&mut self, label: Option<usize>, tag: &str, data: &[u8]) {
        self.open(label, tag);
        self.out
            .push_str(&json_string(data.iter().map(|&b| u32::from(b))));
        self.out.push('}');
    }

    /// `[...]` with `each` writing every element.
    fn sequence<T>(
        &mut self,
        items: &[T],
        mut each: impl FnMut(&mut Self, &T) -> Result<(), PickleError>,
    ) -> Result<(), PickleError> {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            each(self, item)?;
        }
        self.out.push(']');
        Ok(())
    }

    fn array(&mut self, items: &[NodeId]) -> Result<(), PickleError> {
        self.sequence(items, |w, &item| w.node(item))
    }

    fn tagged_array(
        &mut self,
        label: Option<usize>,
        tag: &str,
        items: &[NodeId],
    ) -> Result<(), PickleError> {
        self.open_tagged_array(label, tag, items)?;
        self.out.push('}');
        Ok(())
    }

    /// `{"tag": [items...]` with the object left open (for what was applied to an object).
    fn open_tagged_array(
        &mut self,
        label: Option<usize>,
        tag: &str,
        items: &[NodeId],
    ) -> Result<(), PickleError> {
        self.open(label, tag);
        self.array(items)
    }

    fn pairs(&mut self, pairs: &[(NodeId, NodeId)]) -> Result<(), PickleError> {
        self.sequence(pairs, |w, &(key, value)| w.array(&[key, value]))
    }

    fn object(&mut self, label: Option<usize>, object: &Object) -> Result<(), PickleError> {
        match &object.make {
            Make::Reduce { func, args } => {
                self.open_tagged_array(label, "reduce", &[*func, *args])?
            }
            Make::NewObj { cls, args } => {
                self.open_tagged_array(label, "newobj", &[*cls, *args])?
            }
            Make::NewObjEx { cls, args, kwargs } => {
                self.open_tagged_array(label, "newobj_ex", &[*cls, *args, *kwargs])?
            }
            Make::Inst { module, name, args } => {
                self.open(label, "inst");
                let module = json_string(module.chars().map(u32::from));
                let name = json_string(name.chars().map(u32::from));
                let _ = write!(self.out, "[{module},{name},");
                self.array(args)?;
                self.out.push(']');
            }
            Make::Obj { cls, args } => {
                self.open(label, "obj");
                self.out.push('[');
                self.node(*cls)?;
                self.out.push(',');
                self.array(args)?;
                self.out.push(']');
            }
        }
        if !object.items.is_empty() {
            self.out.push_str(",\"append\":");
            self.array(&object.items)?;
        }
        if !object.pairs.is_empty() {
            self.out.push_str(",\"setitems\":");
            self.pairs(&object.pairs)?;
        }
        if let Some(state) = object.state {
            self.out.push_str(",\"state\":");
            self.node(state)?;
        }
        if let Some(setter) = object.state_setter {
            self.out.push_str(",\"state_setter\":");
            self.node(setter)?;
        }
        self.out.push('}');
        Ok(())
    }
}

/// A JSON string literal of the code points (no surrogates): UTF-8 text, with quotes,
/// backslashes and control characters escaped.
pub fn json_string(code_points: impl Iterator<Item = u32>) -> String {
    let mut out = String::from("\"");
    for cp in code_points {
        match char::from_u32(cp) {
            Some('"') => out.push_str("\\\""),
            Some('\\') => out.push_str("\\\\"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some(c) if cp >= 0x20 => out.push(c),
            _ => {
                let _ = write!(out, "\\u{cp:04x}");
            }
        }
    }
    out.push('"');
    out
}
