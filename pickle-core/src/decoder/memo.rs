//! The unpickler's memo: a dense vector for the indices picklers write (0, 1, 2, ...), with a
//! sparse map for indices far beyond, so that `LONG_BINPUT 4000000000` costs one entry.

use std::collections::HashMap;

/// How far past the dense part an index may land and still extend it.
const DENSE_SLACK: u64 = 1024;

/// Memo entries by index.
#[derive(Debug, Clone)]
pub struct Memo<V> {
    dense: Vec<Option<V>>,
    sparse: HashMap<u64, V>,
    count: usize,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            dense: Vec::new(),
            sparse: HashMap::new(),
            count: 0,
        }
    }
}

impl<V> Memo<V> {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry at `idx`.
    #[inline]
    pub fn get(&self, idx: u64) -> Option<&V> {
        match self.dense.get(idx as usize) {
            Some(slot) => slot.as_ref(),
            None => self.sparse.get(&idx),
        }
    }

    /// Stores `value` at `idx`, replacing any entry there.
    #[inline]
    pub fn put(&mut self, idx: u64, value: V) {
        let dense_len = self.dense.len() as u64;
        if idx < dense_len {
            let slot = &mut self.dense[idx as usize];
            self.count += slot.is_none() as usize;
            *slot = Some(value);
        } else if idx < dense_len + DENSE_SLACK && !self.sparse.contains_key(&idx) {
            self.dense.resize_with(idx as usize, || None);
            self.dense.push(Some(value));
            self.count += 1;
        } else if self.sparse.insert(idx, value).is_none() {
            self.count += 1;
        }
    }

    /// How many entries are stored (MEMOIZE stores at this index).
    #[inline]
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the memo is empty.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The entries: the dense ones by index (`None` where none was stored) and the sparse
    /// ones by index, for a caller that releases them in an order of its own.
    pub fn into_parts(self) -> (Vec<Option<V>>, HashMap<u64, V>) {
        (self.dense, self.sparse)
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.dense.clear();
        self.sparse.clear();
        self.count = 0;
    }

    /// Every `(index, value)`, dense entries in index order first.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i as u64, v.as_ref()?)));
        dense.chain(self.sparse.iter().map(|(&i, v)| (i, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_indices_stay_sparse() {
        let mut memo = Memo::new();
        memo.put(0, 'a');
        memo.put(4_000_000_000, 'b');
        memo.put(1, 'c');
        assert_eq!(memo.len(), 3);
        assert_eq!(memo.get(4_000_000_000), Some(&'b'));
        assert_eq!(memo.get(2), None);
        assert!(memo.dense.len() < 4);
    }

    #[test]
    fn replacing_keeps_the_count() {
        let mut memo = Memo::new();
        memo.put(5, 1);
        memo.put(5, 2);
        assert_eq!((memo.len(), memo.get(5)), (1, Some(&2)));
        memo.put(2_000_000, 3);
        memo.put(2_000_000, 4);
        assert_eq!(memo.len(), 2);
    }
}
