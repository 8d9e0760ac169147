//! A pickle as data: a graph of [`Value`] nodes, with no Python anywhere.
//!
//! Nodes live in an arena and refer to each other by [`NodeId`], so shared references and
//! cycles are kept exactly as the pickle has them: a memo GET of an object gives the same node
//! again. Globals, calls (REDUCE, NEWOBJ, INST, OBJ) with the state and items applied to them,
//! persistent ids, extension codes and out-of-band buffers are kept as data; nothing is run.
//!
//! ```
//! use pickle_core::decoder::Limits;
//! use pickle_core::value::{Value, from_slice, to_vec};
//!
//! // l = [1, 'a']; l.append(l); pickle.dumps(l, 2) from CPython
//! let data = b"\x80\x02]q\x00(K\x01X\x01\x00\x00\x00aq\x01h\x00e.";
//! let pickle = from_slice(data, &Limits::UNTRUSTED).unwrap();
//! let Value::List(items) = pickle.graph.get(pickle.root) else { panic!() };
//! assert_eq!(items[2], pickle.root); // the cycle is a reference to the same node
//! assert_eq!(pickle.graph.get(items[1]).as_str(), Some("a"));
//! assert_eq!(to_vec(&pickle, 2).unwrap(), data); // written back as CPython wrote it
//! ```

mod incremental;
mod json;
pub(crate) mod read;
mod write;

pub use incremental::GraphReader;
pub use json::{json_string, to_json};
pub use read::{from_slice, read_from};
pub use write::{to_vec, write_into};

use crate::error::{ErrorKind, PickleError, PyExcKind};
use num_bigint::BigInt;

/// The index of a node in a [`Graph`].
pub type NodeId = usize;

/// One node of a pickle graph.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A larger integer.
    BigInt(BigInt),
    /// A float.
    Float(f64),
    /// A `str`, as UTF-8 in which lone surrogates may appear (use [`Value::as_str`] for
    /// ordinary text). The writers refuse any other bytes.
    Str(Vec<u8>),
    /// A `bytes`.
    Bytes(Vec<u8>),
    /// A `bytearray`.
    ByteArray(Vec<u8>),
    /// A Python 2 string (STRING, BINSTRING, SHORT_BINSTRING), kept as its bytes.
    Legacy(Vec<u8>),
    /// A tuple.
    Tuple(Vec<NodeId>),
    /// A list.
    List(Vec<NodeId>),
    /// A dict, as its key/value pairs in order (any keys, even ones Rust cannot hash).
    Dict(Vec<(NodeId, NodeId)>),
    /// A set.
    Set(Vec<NodeId>),
    /// A frozenset.
    FrozenSet(Vec<NodeId>),
    /// A global named by module and qualified name (both `Str` nodes).
    Global {
        /// The module name node.
        module: NodeId,
        /// The qualified name node.
        name: NodeId,
    },
    /// An object made by a call, with what the pickle applied to it afterwards (boxed: the
    /// other kinds of node are far smaller, and a graph holds millions of them).
    Object(Box<Object>),
    /// An object the pickler replaced by a persistent id (the id's node).
    PersistentId(NodeId),
    /// An object from the extension registry, by code.
    Extension(i32),
    /// An out-of-band buffer (protocol 5): the n-th NEXT_BUFFER of the pickle.
    Buffer {
        /// Which buffer, counting from 0.
        index: usize,
        /// Whether READONLY_BUFFER was applied.
        readonly: bool,
    },
}

impl Value {
    /// The text of a `Str` node that is ordinary UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }

    /// A `Str` node for `text`.
    pub fn str(text: &str) -> Value {
        Value::Str(text.as_bytes().to_vec())
    }

    /// Calls `f` with every node this one refers to, in the order a pickle writes them.
    pub fn for_each_child(&self, mut f: impl FnMut(NodeId)) {
        match self {
            Value::Tuple(v) | Value::List(v) | Value::Set(v) | Value::FrozenSet(v) => {
                v.iter().copied().for_each(f)
            }
            Value::Dict(pairs) => pairs.iter().for_each(|&(k, v)| {
                f(k);
                f(v);
            }),
            Value::Global { module, name } => {
                f(*module);
                f(*name);
            }
            Value::Object(object) => object.for_each_child(f),
            Value::PersistentId(pid) => f(*pid),
            _ => {}
        }
    }
}

/// How an [`Value::Object`] was made.
#[derive(Debug, Clone, PartialEq)]
pub enum Make {
    /// REDUCE: `func(*args)`.
    Reduce {
        /// The callable.
        func: NodeId,
        /// The argument tuple.
        args: NodeId,
    },
    /// NEWOBJ: `cls.__new__(cls, *args)`.
    NewObj {
        /// The class.
        cls: NodeId,
        /// The argument tuple.
        args: NodeId,
    },
    /// NEWOBJ_EX: `cls.__new__(cls, *args, **kwargs)`.
    NewObjEx {
        /// The class.
        cls: NodeId,
        /// The argument tuple.
        args: NodeId,
        /// The keyword dict.
        kwargs: NodeId,
    },
    /// INST: the class named by module and name, called with the marked arguments.
    Inst {
        /// The module name.
        module: String,
        /// The class name.
        name: String,
        /// The arguments.
        args: Vec<NodeId>,
    },
    /// OBJ: a class from the stack, called with the marked arguments.
    Obj {
        /// The class.
        cls: NodeId,
        /// The arguments.
        args: Vec<NodeId>,
    },
}

/// An object made by a call, and what APPEND(S), SETITEM(S) and BUILD applied to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The call that made it.
    pub make: Make,
    /// Items appended (APPEND/APPENDS), in order.
    pub items: Vec<NodeId>,
    /// Key/value pairs set (SETITEM/SETITEMS), in order.
    pub pairs: Vec<(NodeId, NodeId)>,
    /// The state given by BUILD, or passed to `state_setter`.
    pub state: Option<NodeId>,
    /// A callable that applied the state instead of BUILD: `state_setter(obj, state)`.
    pub state_setter: Option<NodeId>,
}

impl Object {
    /// An object made by `make`, with nothing applied yet.
    pub fn new(make: Make) -> Self {
        Object {
            make,
            items: Vec::new(),
            pairs: Vec::new(),
            state: None,
            state_setter: None,
        }
    }

    fn for_each_child(&self, mut f: impl FnMut(NodeId)) {
        match &self.make {
            Make::Reduce { func: a, args: b } | Make::NewObj { cls: a, args: b } => {
                f(*a);
                f(*b);
            }
            Make::NewObjEx { cls, args, kwargs } => {
                [*cls, *args, *kwargs].into_iter().for_each(&mut f)
            }
            Make::Inst { args, .. } => args.iter().copied().for_each(&mut f),
            Make::Obj { cls, args } => {
                f(*cls);
                args.iter().copied().for_each(&mut f);
            }
        }
        self.items.iter().copied().for_each(&mut f);
        self.pairs.iter().for_each(|&(k, v)| {
            f(k);
            f(v);
        });
        self.state_setter.into_iter().chain(self.state).for_each(f);
    }
}

/// The error for a node id past the end of a graph (one built by hand can hold such an id):
/// writers report it rather than panic.
#[cold]
fn missing_node(id: NodeId, len: usize) -> PickleError {
    let msg = format!("node {id} is not in the graph, which has {len} nodes");
    PickleError::new(ErrorKind::Other(PyExcKind::Value, msg), 0)
}

/// Checks a `Str` node's bytes are what the reader makes, UTF-8 in which lone surrogates may
/// appear: a graph built by hand can hold other bytes, which writers refuse rather than pass
/// on as text no reader accepts. Only graphs marked `unchecked_text` need it.
fn check_str(id: NodeId, text: &[u8]) -> Result<(), PickleError> {
    if crate::text::is_surrogatepass_utf8(text) {
        return Ok(());
    }
    let msg = format!("node {id} is a str whose bytes are not UTF-8");
    Err(PickleError::new(ErrorKind::Other(PyExcKind::Value, msg), 0))
}

/// The nodes of a pickle.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    nodes: Vec<Value>,
    /// Bytes of text and binary payload added so far: with the node count, what a writer
    /// needs to size its output once rather than grow it many times.
    payload_bytes: usize,
    /// Whether a `Str` node may hold bytes the reader would not have made: set when one is
    /// added, or any node lent mutably, through the public API; the writers then check each
    /// string (a read graph's strings were checked as they were read).
    unchecked_text: bool,
}

impl PartialEq for Graph {
    fn eq(&self, other: &Self) -> bool {
        self.nodes == other.nodes
    }
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node and returns its id.
    pub fn add(&mut self, value: Value) -> NodeId {
        if matches!(value, Value::Str(_)) {
            self.unchecked_text = true;
        }
        self.push(value)
    }

    /// Adds a node the reader made.
    fn push(&mut self, value: Value) -> NodeId {
        if let Value::Str(b) | Value::Bytes(b) | Value::ByteArray(b) | Value::Legacy(b) = &value {
            self.payload_bytes += b.len();
        }
        self.nodes.push(value);
        self.nodes.len() - 1
    }

    /// About how many bytes a pickle of the whole graph takes: the payloads, and a header,
    /// an opcode and a memo store for each node. A guess for sizing buffers, not a bound.
    pub fn size_hint(&self) -> usize {
        self.payload_bytes
            .saturating_add(self.nodes.len().saturating_mul(10))
    }

    /// The node `id`. Panics if the graph has no such node.
    pub fn get(&self, id: NodeId) -> &Value {
        &self.nodes[id]
    }

    /// The node `id`, mutably. Panics if the graph has no such node.
    pub fn get_mut(&mut self, id: NodeId) -> &mut Value {
        self.unchecked_text = true;
        &mut self.nodes[id]
    }

    /// The node `id`, mutably, for the reader (which puts no text in place this way).
    fn node_mut(&mut self, id: NodeId) -> &mut Value {
        &mut self.nodes[id]
    }

    /// How many nodes there are.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// A whole pickle: its graph and the node STOP returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Pickle {
    /// All nodes.
    pub graph: Graph,
    /// The pickled object.
    pub root: NodeId,
}

#[cfg(test)]
mod tests;
