//! A graph built in steps: nodes added directly, and pickles read into the same graph with
//! one memo kept between them (as an `Unpickler` keeps its memo between `load()` calls).
//!
//! This is how a pickler that knows some objects' nodes already (it made them itself) hands
//! the rest to the decoder: the memo entries it made stand for those nodes, and a pickle
//! that fetches them with GET refers to the same nodes.

use super::read::GraphBuilder;
use super::{NodeId, Pickle, Value};
use crate::decoder::{Limits, Memo, load};
use crate::error::PickleError;
use crate::reader::SliceSource;

/// A graph under construction, with the memo of the pickles read into it.
///
/// ```
/// use pickle_core::decoder::Limits;
/// use pickle_core::value::{GraphReader, Value, from_slice};
///
/// // [s, s] for s = 'x', built as `pickle.dumps([s, s], 5)` would be read: the list, then
/// // the str (memoised), then a GET of it, which a pickle fragment supplies.
/// let mut reader = GraphReader::new(&Limits::UNTRUSTED);
/// let list = reader.add(Value::List(vec![]))?;
/// reader.memoize(list);
/// let s = reader.add(Value::str("x"))?;
/// reader.memoize(s);
/// let again = reader.read(b"h\x01.")?; // BINGET 1, STOP
/// reader.replace(list, Value::List(vec![s, again]))?;
/// let built = reader.into_pickle(list);
/// let whole = from_slice(b"\x80\x05]\x94(\x8c\x01x\x94h\x01e.", &Limits::UNTRUSTED)?;
/// assert_eq!(built, whole);
/// # Ok::<(), pickle_core::PickleError>(())
/// ```
pub struct GraphReader {
    builder: GraphBuilder,
    memo: Memo<NodeId>,
    limits: Limits,
}

impl GraphReader {
    /// An empty graph, whose reads (and nodes) are bounded by `limits`.
    pub fn new(limits: &Limits) -> Self {
        GraphReader {
            builder: GraphBuilder::new(limits),
            memo: Memo::new(),
            limits: *limits,
        }
    }

    /// Adds a node, which counts against the memory limit. As with [`Graph::add`], a `Str`
    /// node's bytes are checked when the graph is written.
    ///
    /// [`Graph::add`]: super::Graph::add
    pub fn add(&mut self, value: Value) -> Result<NodeId, PickleError> {
        self.note_text(&value);
        self.builder.add(value)
    }

    /// Replaces a node: a container made empty before its items, filled once they are.
    pub fn replace(&mut self, id: NodeId, value: Value) -> Result<(), PickleError> {
        self.note_text(&value);
        let len = self.builder.graph.len();
        if id >= len {
            return Err(super::missing_node(id, len));
        }
        *self.builder.graph.node_mut(id) = value;
        Ok(())
    }

    /// Text put in by hand is checked by the writers, as the reader's was when read.
    fn note_text(&mut self, value: &Value) {
        if matches!(value, Value::Str(_)) {
            self.builder.graph.unchecked_text = true;
        }
    }

    /// Stores `id` at the next memo index, as MEMOIZE does.
    pub fn memoize(&mut self, id: NodeId) {
        self.memo.put(self.memo.len() as u64, id);
    }

    /// The node at memo index `index`.
    pub fn memo_get(&self, index: usize) -> Option<NodeId> {
        self.memo.get(index as u64).copied()
    }

    /// How many memo entries there are.
    pub fn memo_len(&self) -> usize {
        self.memo.len()
    }

    /// Reads one pickle (opcodes up to STOP, PROTO optional) into the graph, with the memo
    /// as earlier reads and [`memoize`](Self::memoize) calls left it; returns its node.
    pub fn read(&mut self, data: &[u8]) -> Result<NodeId, PickleError> {
        let mut src = SliceSource::new(data);
        load(&mut src, &mut self.builder, &mut self.memo, &self.limits)
    }

    /// The graph, with `root` as the pickled object.
    pub fn into_pickle(self, root: NodeId) -> Pickle {
        Pickle {
            graph: self.builder.graph,
            root,
        }
    }
}
