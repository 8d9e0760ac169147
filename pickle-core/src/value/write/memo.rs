//! The writer's memo: node ids are dense indices, so a vector does what a hash map would,
//! without hashing; objects the writer introduces itself have keys past the graph's ids and
//! live in a small map.

use crate::encoder::IdMemo;

/// Marks a node not (yet) in the memo.
const ABSENT: usize = usize::MAX;

pub(super) struct GraphMemo {
    by_node: Vec<usize>,
    introduced: IdMemo,
    len: usize,
}

impl GraphMemo {
    /// A memo for a graph of `nodes` nodes.
    pub(super) fn new(nodes: usize) -> Self {
        GraphMemo {
            by_node: vec![ABSENT; nodes],
            introduced: IdMemo::new(),
            len: 0,
        }
    }

    /// The memo index of `key`, if it was stored.
    #[inline]
    pub(super) fn get(&self, key: usize) -> Option<usize> {
        match self.by_node.get(key) {
            Some(&ABSENT) => None,
            Some(&idx) => Some(idx),
            None => self.introduced.get(key),
        }
    }

    /// Stores `key` at the next index and returns that index.
    #[inline]
    pub(super) fn put(&mut self, key: usize) -> usize {
        let idx = self.len;
        self.len += 1;
        match self.by_node.get_mut(key) {
            Some(slot) => *slot = idx,
            None => self.introduced.put_at(key, idx),
        }
        idx
    }
}
