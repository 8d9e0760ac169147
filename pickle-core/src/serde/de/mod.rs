//! Reading a pickle into any type that implements `Deserialize`.
//!
//! The pickle is read into a [`Pickle`] graph first (the decoder every other reader uses, with
//! its limits), then walked: each node the type asks for is classified ([`data`]) as the
//! plain data it stands for, and handed to the visitor ([`node`]).
//!
//! Shared objects are read again wherever they recur, as copies; each repeated container
//! (and each repeated payload above [`SMALL_PAYLOAD`]) is charged against the memory limit
//! again, so a pickle of a few kilobytes that shares a list with itself at every level
//! cannot make billions of copies. A structure that contains itself is an error, or None
//! where it recurs with `replace_recursive_structures`.

mod access;
mod data;
mod node;

use super::{DeOptions, Error};
use crate::value::{NodeId, Pickle, Value};
use node::{Item, NodeDe};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read};

/// Nesting deeper than this is refused (CPython's default recursion limit).
const MAX_DEPTH: usize = 1000;
/// Repeated payloads up to this size are not charged: what they can copy is bounded by the
/// pickle's own length times a constant (each repeat costs the pickle two bytes).
pub(crate) const SMALL_PAYLOAD: usize = 64;

/// Reads the pickle at the start of `data` as a `T`. Bytes after the pickle's STOP are
/// ignored, as `pickle.loads` ignores them.
///
/// ```
/// use pickle_core::serde::{DeOptions, from_slice};
/// use std::collections::BTreeMap;
///
/// // pickle.dumps({'a': [1, 2], 'b': []}, 4)
/// let data = b"\x80\x04\x95\x17\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94]\x94(K\x01K\x02e\x8c\x01b\x94]\x94u.";
/// let map: BTreeMap<String, Vec<i32>> = from_slice(data, DeOptions::new()).unwrap();
/// assert_eq!(map["a"], [1, 2]);
/// ```
pub fn from_slice<T: DeserializeOwned>(data: &[u8], options: DeOptions) -> Result<T, Error> {
    let pickle = crate::value::from_slice(data, &options.get_limits())?;
    read_graph(&pickle, &options)
}

/// Reads one pickle from `reader` as a `T`. The reader is buffered here, so bytes past the
/// pickle may be read from it too; to read several pickles from one stream, give
/// [`from_buf_reader`] the same `BufRead` each time.
pub fn from_reader<R: Read, T: DeserializeOwned>(
    reader: R,
    options: DeOptions,
) -> Result<T, Error> {
    from_buf_reader(BufReader::new(reader), options)
}

/// Reads one pickle from `reader` as a `T`, consuming exactly its bytes.
pub fn from_buf_reader<R: BufRead, T: DeserializeOwned>(
    reader: R,
    options: DeOptions,
) -> Result<T, Error> {
    let pickle = crate::value::read_from(reader, &options.get_limits())?;
    read_graph(&pickle, &options)
}

/// Reads a [`Pickle`] graph as a `T`: one decoded earlier, or built by hand (whose node ids
/// are checked first: one the graph does not have is an error).
pub fn from_pickle<T: DeserializeOwned>(pickle: &Pickle, options: &DeOptions) -> Result<T, Error> {
    check_node_ids(pickle)?;
    read_graph(pickle, options)
}

/// Reads a graph whose node ids are all in it (a decoded one, or one checked).
fn read_graph<T: DeserializeOwned>(pickle: &Pickle, options: &DeOptions) -> Result<T, Error> {
    let mut reader = Reader::new(pickle, options);
    T::deserialize(NodeDe::new(&mut reader, Item::Node(pickle.root)))
}

/// An error for the first node id (the root's, or a child's) the graph does not have.
fn check_node_ids(pickle: &Pickle) -> Result<(), Error> {
    let len = pickle.graph.len();
    let mut missing = (pickle.root >= len).then_some(pickle.root);
    for id in 0..len {
        pickle.graph.get(id).for_each_child(|child| {
            if child >= len {
                missing.get_or_insert(child);
            }
        });
    }
    match missing {
        Some(id) => Err(Error::msg(format!(
            "node {id} is not in the graph, which has {len} nodes"
        ))),
        None => Ok(()),
    }
}

/// A persistent id met while reading, as the `persistent_load` callback receives it.
#[derive(Clone, Copy)]
pub struct Pid<'p> {
    pickle: &'p Pickle,
    id: NodeId,
    options: &'p DeOptions,
    /// The read's tracking, lent for the callback: the id is read as part of the read that
    /// met it (same copy budget, same open nodes), with no graph-sized tables of its own.
    tracking: &'p RefCell<Tracking>,
}

impl<'p> Pid<'p> {
    /// The id's node (often a tuple, such as PyTorch's `('storage', cls, key, location,
    /// size)`, or a string).
    pub fn value(&self) -> &'p Value {
        self.pickle.graph.get(self.id)
    }

    /// The graph the id's node belongs to, to follow the node's children.
    pub fn pickle(&self) -> &'p Pickle {
        self.pickle
    }

    /// The id read as a `T`, with the options of the read that met it.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let Ok(mut lent) = self.tracking.try_borrow_mut() else {
            return Err(Error::msg("a persistent id read while it is being read"));
        };
        let mut reader = Reader {
            pickle: self.pickle,
            options: self.options,
            track: std::mem::take(&mut *lent),
        };
        let result = T::deserialize(NodeDe::new(&mut reader, Item::Node(self.id)));
        *lent = reader.track;
        result
    }
}

/// The state of one read: which nodes are open (to find cycles), which were read already
/// (to charge copies), and how deep the read is.
pub(crate) struct Reader<'p> {
    pickle: &'p Pickle,
    options: &'p DeOptions,
    track: Tracking,
}

/// What a read keeps track of as it walks the graph.
#[derive(Default)]
pub(crate) struct Tracking {
    open: Vec<bool>,
    seen: Vec<bool>,
    copy_budget: u64,
    depth: usize,
}

impl<'p> Reader<'p> {
    fn new(pickle: &'p Pickle, options: &'p DeOptions) -> Self {
        let nodes = pickle.graph.len();
        Reader {
            pickle,
            options,
            track: Tracking {
                open: vec![false; nodes],
                seen: vec![false; nodes],
                copy_budget: options.get_limits().max_memory,
                depth: 0,
            },
        }
    }

    /// Charges a repeated read of `id` against the memory limit.
    fn charge_copy(&mut self, id: NodeId) -> Result<(), Error> {
        if !std::mem::replace(&mut self.track.seen[id], true) {
            return Ok(());
        }
        let cost = copy_cost(self.pickle.graph.get(id));
        if cost > self.track.copy_budget {
            let msg = "memory limit exceeded: the pickle shares objects that, copied wherever \
                       they recur, exceed the limit (DeOptions::limits)";
            return Err(Error::msg(msg));
        }
        self.track.copy_budget -= cost;
        Ok(())
    }
}

/// What copying a node again costs, for nodes whose repeats can multiply: containers and
/// large payloads. Small scalars cost nothing.
fn copy_cost(value: &Value) -> u64 {
    let words = |n: usize| 32 + 16 * n as u64;
    match value {
        Value::Tuple(v) | Value::List(v) | Value::Set(v) | Value::FrozenSet(v) => words(v.len()),
        Value::Dict(pairs) => words(2 * pairs.len()),
        Value::Object(o) => words(o.items.len() + 2 * o.pairs.len() + 4),
        Value::Str(b) | Value::Bytes(b) | Value::ByteArray(b) | Value::Legacy(b)
            if b.len() > SMALL_PAYLOAD =>
        {
            32 + b.len() as u64
        }
        _ => 0,
    }
}
