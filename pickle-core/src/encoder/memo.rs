//! The pickler's memo: object identity to memo index.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes an object address: multiply to spread it, then fold the high bits down so that the
/// table's bucket index (the low bits) is well mixed even though addresses are aligned.
#[derive(Default, Clone, Copy, Debug)]
pub struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        let h = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }
}

/// Memo keyed by object identity (an address or any other unique `usize`).
#[derive(Default, Clone, Debug)]
pub struct IdMemo {
    map: HashMap<usize, usize, BuildHasherDefault<AddressHasher>>,
    /// Indices given to objects nobody can meet again (see [`IdMemo::put_unseen`]).
    unseen: usize,
}

impl IdMemo {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// The memo index of `id`, if it was stored.
    #[inline]
    pub fn get(&self, id: usize) -> Option<usize> {
        self.map.get(&id).copied()
    }

    /// How many objects it can hold without growing.
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// Stores `id` at the next index (the number of indices given so far) and returns that
    /// index.
    #[inline]
    pub fn put(&mut self, id: usize) -> usize {
        let idx = self.map.len() + self.unseen;
        self.map.insert(id, idx);
        idx
    }

    /// Takes the next index for an object that cannot be met again in this pickle (a
    /// temporary the pickler made and nothing else refers to), storing no identity for it.
    /// The pickle gets the same memo indices as if it had been stored.
    #[inline]
    pub fn put_unseen(&mut self) -> usize {
        let idx = self.map.len() + self.unseen;
        self.unseen += 1;
        idx
    }

    /// Stores `id` at an explicit index (memo assignment from Python).
    pub fn put_at(&mut self, id: usize, idx: usize) {
        self.map.insert(id, idx);
    }

    /// How many objects are stored (indices taken by [`IdMemo::put_unseen`] not counted).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.map.clear();
        self.unseen = 0;
    }

    /// Every `(id, index)` pair, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.map.iter().map(|(&id, &idx)| (id, idx))
    }
}

#[cfg(test)]
mod tests {
    use super::IdMemo;

    #[test]
    fn unseen_objects_take_indices_but_are_not_found() {
        let mut memo = IdMemo::new();
        assert_eq!(memo.put(0x1000), 0);
        assert_eq!(memo.put_unseen(), 1);
        assert_eq!(memo.put(0x2000), 2);
        assert_eq!((memo.get(0x2000), memo.len()), (Some(2), 2));
        memo.clear();
        assert_eq!(memo.put(0x2000), 0);
    }
}
