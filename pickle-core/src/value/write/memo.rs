//! The writer's memo: node ids are dense indices, so a vector does what a hash map would,
//! without hashing (a pass counting references first would cost more: it reads the whole
//! arena). Objects the writer introduces itself have keys past the graph's ids, and live in a
//! small map, as would indices past `u32` range.

use super::NodeId;
use crate::encoder::IdMemo;

pub(super) struct GraphMemo {
    /// Memo index + 1 per node, 0 for none: a zeroed vector costs nothing to set up.
    by_node: Vec<u32>,
    others: IdMemo,
    len: usize,
}

impl GraphMemo {
    /// A memo for a graph of `nodes` nodes.
    pub(super) fn new(nodes: usize) -> Self {
        GraphMemo {
            by_node: vec![0; nodes],
            others: IdMemo::new(),
            len: 0,
        }
    }

    /// The memo index of `key`, if it was stored.
    #[inline]
    pub(super) fn get(&self, key: NodeId) -> Option<usize> {
        match self.by_node.get(key) {
            Some(&0) if self.len < u32::MAX as usize => None,
            Some(&0) | None => self.others.get(key),
            Some(&stored) => Some(stored as usize - 1),
        }
    }

    /// `Ok` with the memo index of `key` if it was stored; else stores it at the next index
    /// and returns that as `Err`. One lookup for the common first visit.
    #[inline]
    pub(super) fn get_or_put(&mut self, key: NodeId) -> Result<usize, usize> {
        match self.by_node.get_mut(key) {
            Some(slot) if *slot != 0 => Ok(*slot as usize - 1),
            Some(slot) if self.len < u32::MAX as usize - 1 => {
                self.len += 1;
                *slot = self.len as u32;
                Err(self.len - 1)
            }
            _ => match self.get(key) {
                Some(idx) => Ok(idx),
                None => Err(self.put(key)),
            },
        }
    }

    /// Stores `key` at the next index and returns that index.
    #[inline]
    pub(super) fn put(&mut self, key: NodeId) -> usize {
        let idx = self.len;
        self.len += 1;
        match (self.by_node.get_mut(key), u32::try_from(self.len)) {
            (Some(slot), Ok(stored)) => *slot = stored,
            _ => self.others.put_at(key, idx),
        }
        idx
    }
}
