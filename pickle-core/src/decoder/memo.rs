//! The unpickler's memo: a dense vector for the indices picklers write (0, 1, 2, ...), with a
//! sparse map for indices far beyond, so that `LONG_BINPUT 4000000000` costs one entry.

use super::memo_reads::MemoReads;
use std::collections::HashMap;

/// How far past the dense part an index may land and still extend it.
const DENSE_SLACK: u64 = 1024;

/// Memo entries by index.
#[derive(Debug, Clone)]
pub struct Memo<V> {
    dense: Vec<Option<V>>,
    sparse: HashMap<u64, V>,
    count: usize,
    /// The indices the pickle reads back, when known (see [`Memo::keeping_only`]).
    reads: Option<MemoReads>,
    /// Dense indices counted as stored without their value (one bit each).
    unkept: Vec<u64>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            dense: Vec::new(),
            sparse: HashMap::new(),
            count: 0,
            reads: None,
            unkept: Vec::new(),
        }
    }
}

impl<V> Memo<V> {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty memo for one pickle whose reads are `reads` (see [`MemoReads::scan`]): a
    /// value stored at an index no GET reads is counted (MEMOIZE's next index moves on as
    /// before) but not kept. For a memo no one sees but the load (`pickle.loads`, not an
    /// `Unpickler`, whose memo is an attribute).
    pub fn keeping_only(reads: MemoReads) -> Self {
        Memo {
            reads: Some(reads),
            ..Self::default()
        }
    }

    /// Whether a value stored at `idx` must be kept (always, unless the reads are known).
    #[inline]
    pub fn keeps(&self, idx: u64) -> bool {
        self.reads.as_ref().is_none_or(|reads| reads.reads(idx))
    }

    /// Whether a value stored at `idx` would be counted without being kept
    /// ([`put_unkept`](Self::put_unkept) would take it).
    pub fn counts_without_value(&self, idx: u64) -> bool {
        !self.keeps(idx) && idx < self.dense.len() as u64 + DENSE_SLACK
    }

    /// Counts `idx` as stored, keeping nothing there; false (nothing done) for an index
    /// past the dense part, which the caller stores with [`put`](Self::put).
    #[inline(always)]
    pub fn put_unkept(&mut self, idx: u64) -> bool {
        let dense_len = self.dense.len() as u64;
        let (word, bit) = ((idx / 64) as usize, 1u64 << (idx % 64));
        if idx == dense_len && word <= self.unkept.len() {
            // The next index in order (MEMOIZE, and what picklers write): one push each.
            self.dense.push(None);
            if word == self.unkept.len() {
                self.unkept.push(0);
            }
            self.unkept[word] |= bit;
            self.count += 1;
            return true;
        }
        if idx >= dense_len + DENSE_SLACK {
            return false;
        }
        if idx >= dense_len {
            self.dense.resize_with(idx as usize + 1, || None);
        }
        if word >= self.unkept.len() {
            self.unkept.resize(word + 1, 0);
        }
        let slot = &mut self.dense[idx as usize];
        if slot.take().is_none() && self.unkept[word] & bit == 0 {
            self.count += 1;
        }
        self.unkept[word] |= bit;
        true
    }

    /// Whether dense index `idx` was counted without its value.
    fn is_unkept(&self, idx: usize) -> bool {
        self.unkept
            .get(idx / 64)
            .is_some_and(|word| word & (1 << (idx % 64)) != 0)
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
            let counted = self.is_unkept(idx as usize);
            let slot = &mut self.dense[idx as usize];
            self.count += (slot.is_none() && !counted) as usize;
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
        self.unkept.clear();
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

    /// Entries no GET reads are counted as stored, so that MEMOIZE's indices are those of
    /// a memo that keeps everything, and are not kept.
    #[test]
    fn unread_entries_are_counted_not_kept() {
        let reads = MemoReads::scan(b"h\x01h\x42.").unwrap();
        let mut memo = Memo::keeping_only(reads);
        for (idx, value) in [
            (0, 'a'),
            (1, 'b'),
            (0, 'c'),
            (3, 'd'),
            (66, 'e'),
            (5000, 'f'),
        ] {
            if memo.keeps(idx) || !memo.put_unkept(idx) {
                memo.put(idx, value);
            }
        }
        assert_eq!(memo.len(), 5);
        assert_eq!(memo.get(1), Some(&'b'));
        assert_eq!(memo.get(66), Some(&'e'));
        assert_eq!(memo.get(5000), Some(&'f'), "past the dense part: kept");
        assert_eq!((memo.get(0), memo.get(3)), (None, None));
        // A value stored where one was counted unkept is not counted twice.
        memo.put(3, 'g');
        assert_eq!((memo.len(), memo.get(3)), (5, Some(&'g')));
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
