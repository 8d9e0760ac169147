//! The unpickler's memo: a dense vector for the indices picklers write (0, 1, 2, ...), with a
//! sparse map for indices far beyond, so that `LONG_BINPUT 4000000000` costs one entry.
//!
//! The dense part never holds more slots than a little past the number of entries, whatever
//! indices the pickle names: a put whose index lies further out goes to the sparse map. (It
//! once grew to any index within 1,024 of its end, so that an 850 KB pickle of LONG_BINPUTs,
//! each 1,023 past the last, made it 2.6 GB.)

use super::memo_reads::MemoReads;
use std::collections::HashMap;

/// How far past the number of entries an index may lie and still be stored densely.
const DENSE_SLACK: u64 = 1024;

/// Memo entries by index.
#[derive(Debug, Clone)]
pub struct Memo<V> {
    /// Kept values by index (`None` where nothing is kept); never longer than `count` plus
    /// [`DENSE_SLACK`].
    dense: Vec<Option<V>>,
    /// Kept values at indices beyond the dense part when they were stored.
    sparse: HashMap<u64, V>,
    /// How many indices hold an entry, kept or counted without its value.
    count: usize,
    /// The indices the pickle reads back, when known (see [`Memo::keeping_only`]).
    reads: Option<MemoReads>,
    /// Indices counted as stored without their value (one bit each), within the same bound
    /// as the dense part.
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

    /// Whether `idx` lies where entries are stored densely (and counted in the bitmap).
    #[inline(always)]
    fn near(&self, idx: u64) -> bool {
        idx < self.count as u64 + DENSE_SLACK
    }

    /// Whether a value stored at `idx` would be counted without being kept
    /// ([`put_unkept`](Self::put_unkept) would take it).
    #[inline]
    pub fn counts_without_value(&self, idx: u64) -> bool {
        !self.keeps(idx) && self.near(idx)
    }

    /// Counts `idx` as stored, keeping nothing there (a value kept there before is dropped);
    /// false (nothing done) for an index too far out, which the caller stores with
    /// [`put`](Self::put).
    #[inline(always)]
    pub fn put_unkept(&mut self, idx: u64) -> bool {
        if !self.near(idx) {
            return false;
        }
        let (word, bit) = ((idx / 64) as usize, 1u64 << (idx % 64));
        if word >= self.unkept.len() {
            self.unkept.resize(word + 1, 0);
        }
        if self.unkept[word] & bit != 0 {
            return true;
        }
        self.unkept[word] |= bit;
        if self.take_kept(idx).is_none() {
            self.count += 1;
        }
        true
    }

    /// Removes and returns the value kept at `idx`.
    #[inline(always)]
    fn take_kept(&mut self, idx: u64) -> Option<V> {
        let dense = self.dense.get_mut(idx as usize).and_then(Option::take);
        if dense.is_some() || self.sparse.is_empty() {
            return dense;
        }
        self.sparse.remove(&idx)
    }

    /// Clears `idx`'s bit in the count of unkept entries; whether it was set.
    fn take_unkept(&mut self, idx: u64) -> bool {
        let (word, bit) = ((idx / 64) as usize, 1u64 << (idx % 64));
        match self.unkept.get_mut(word) {
            Some(w) if *w & bit != 0 => {
                *w &= !bit;
                true
            }
            _ => false,
        }
    }

    /// The entry at `idx`.
    #[inline]
    pub fn get(&self, idx: u64) -> Option<&V> {
        match self.dense.get(idx as usize) {
            Some(Some(value)) => Some(value),
            _ if self.sparse.is_empty() => None,
            _ => self.sparse.get(&idx),
        }
    }

    /// Stores `value` at `idx`, replacing any entry there.
    #[inline]
    pub fn put(&mut self, idx: u64, value: V) {
        let replaced = self.take_kept(idx).is_some() || self.take_unkept(idx);
        self.count += usize::from(!replaced);
        let at = idx as usize;
        if at < self.dense.len() {
            self.dense[at] = Some(value);
        } else if idx < self.count as u64 + DENSE_SLACK {
            self.dense.resize_with(at, || None);
            self.dense.push(Some(value));
        } else {
            self.sparse.insert(idx, value);
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

    /// The kept entries: the dense ones by index (`None` where none is kept) and the sparse
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

    /// Every kept `(index, value)`, dense entries in index order first.
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

    /// Indices that each land just within reach of the last: the dense part and the bitmap
    /// grow with the number of entries, not with the indices named.
    #[test]
    fn spread_out_indices_do_not_grow_the_dense_part() {
        let (mut kept, mut counted) = (Memo::new(), Memo::keeping_only(MemoReads::default()));
        for k in 1..=10_000u64 {
            kept.put(k * 1023, k);
            if !counted.put_unkept(k * 1023) {
                counted.put(k * 1023, k);
            }
        }
        assert_eq!((kept.len(), counted.len()), (10_000, 10_000));
        assert!(kept.dense.len() <= 2048, "{}", kept.dense.len());
        assert!(counted.unkept.len() <= 32, "{}", counted.unkept.len());
        assert_eq!(kept.get(10_000 * 1023), Some(&10_000));
        assert_eq!(counted.get(5000 * 1023), Some(&5000));
    }

    /// An entry stored sparsely stays readable, replaceable and countable once the dense part
    /// has grown past its index.
    #[test]
    fn sparse_entries_survive_the_dense_part_growing_over_them() {
        let mut memo = Memo::new();
        memo.put(2000, 'a');
        for idx in 0..1500 {
            memo.put(idx, 'x');
        }
        memo.put(2500, 'b');
        assert!(memo.dense.len() > 2000);
        assert_eq!((memo.get(2000), memo.len()), (Some(&'a'), 1502));
        memo.put(2000, 'c');
        assert_eq!((memo.get(2000), memo.len()), (Some(&'c'), 1502));
        assert!(
            memo.sparse.is_empty(),
            "moved to the dense part when replaced"
        );
        let mut counted = Memo::keeping_only(MemoReads::default());
        counted.put(3000, 'a');
        for idx in 0..2500 {
            assert!(counted.put_unkept(idx));
        }
        assert!(counted.put_unkept(3000));
        assert_eq!((counted.get(3000), counted.len()), (None, 2501));
    }
}
