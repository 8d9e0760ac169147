//! Interned names (field, variant, module and class names): written once, then fetched from
//! the memo. A struct's field names are the same `&'static str`s in every record, so they are
//! cached by address, each with its memo fetch ready to store; the writer's table by text is
//! asked once per name.

use super::{Error, Writer};

/// Slots of the address cache of interned strings.
pub(super) const ADDRESS_SLOTS: usize = 256;
/// Slots of the address cache looked at for one name.
const ADDRESS_PROBES: usize = 8;

/// A name in the address cache.
#[derive(Clone, Copy)]
pub(super) struct CachedName {
    /// Where its text starts; 0 for a free slot.
    address: usize,
    len: usize,
    /// Its memo entry.
    idx: usize,
    /// Its memo fetch packed by [`crate::encoder::Encoder::memo_get_packed`] (maybe 0 in protocol 0).
    fetch: u64,
}

impl CachedName {
    pub(super) const FREE: Self = CachedName {
        address: 0,
        len: 0,
        idx: 0,
        fetch: 0,
    };
}

impl<'o> Writer<'o> {
    /// A string CPython interns: written once, then fetched from the memo.
    #[inline(always)]
    pub(super) fn interned(&mut self, text: &'o str) -> Result<(), Error> {
        if self.fast() {
            let cached = &self.address_cache[address_slot(text.as_ptr() as usize)];
            // A cached name's fetch is packed whenever the fast path runs (protocol 2+).
            if cached.address == text.as_ptr() as usize && cached.len == text.len() {
                self.enc.put_packed(cached.fetch);
                return Ok(());
            }
        }
        self.interned_uncached(text)
    }

    /// [`Self::interned`] past its fast path: at a boundary, or past the name's first slot:
    /// the next slots, then the name by text, else written and memoised. A name new to the
    /// cache takes the first free slot probed; with none free (hundreds of names) it is
    /// found by text each time.
    #[inline(never)]
    fn interned_uncached(&mut self, text: &'o str) -> Result<(), Error> {
        self.boundary()?;
        let key = (text.as_ptr() as usize, text.len());
        let first = address_slot(key.0);
        let mut free = None;
        for probe in 0..ADDRESS_PROBES {
            let slot = (first + probe) % ADDRESS_SLOTS;
            let cached = self.address_cache[slot];
            if (cached.address, cached.len) == key {
                return Ok(self.enc.memo_get(cached.idx)?);
            }
            if cached.address == 0 {
                free = Some(slot);
                break;
            }
        }
        let idx = match self.interned.get(text) {
            Some(&idx) => {
                self.enc.memo_get(idx)?;
                idx
            }
            None => {
                let idx = self.next_memo();
                self.interned.insert(text, idx);
                self.enc.str_memoized(text.as_bytes(), idx)?;
                idx
            }
        };
        // A name whose fetch cannot be packed is cached without it in protocol 0 (whose
        // objects never take the fast path that writes it), else not at all.
        let fetch = match (self.enc.bin(), self.enc.memo_get_packed(idx)) {
            (true, None) => return Ok(()),
            (_, fetch) => fetch.unwrap_or(0),
        };
        if let Some(slot) = free {
            self.address_cache[slot] = CachedName {
                address: key.0,
                len: key.1,
                idx,
                fetch,
            };
        }
        Ok(())
    }
}

/// The address cache's slot for a string at `address`: the top bits of a multiplicative
/// hash, so that names a multiple of the table's size apart do not share a slot.
#[inline(always)]
fn address_slot(address: usize) -> usize {
    const BITS: u32 = ADDRESS_SLOTS.trailing_zeros();
    ((address as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opcodes::op;
    use crate::serde::SerOptions;
    use rustc_hash::FxHashMap;

    /// Three names of one text length whose addresses share an address-cache slot.
    fn three_names_in_one_slot(text: &'static str) -> [&'static str; 3] {
        let len = 3;
        let mut by_slot: FxHashMap<usize, Vec<&'static str>> = FxHashMap::default();
        for start in 0..text.len() - len {
            let name = &text[start..start + len];
            let names = by_slot
                .entry(address_slot(name.as_ptr() as usize))
                .or_default();
            names.push(name);
            if let [a, b, c] = names[..] {
                return [a, b, c];
            }
        }
        unreachable!("no slot took three of {} names", text.len())
    }

    #[test]
    fn names_sharing_a_cache_slot_are_each_fetched_from_their_own_memo_entry() {
        let text: &'static str = "abcdefghijklmnopqrstuvwxyz".repeat(400).leak();
        let names = three_names_in_one_slot(text);
        let options = SerOptions::from(4);
        let mut w = Writer::new(&options, None).unwrap();
        w.enc.begin();
        // Each name's first appearance writes it and memoises it (entries 0, 1, 2), the
        // second and third in the slots after their hash's; then each is fetched twice: the
        // first from its slot (the inline path), the others by probing. (A second slot
        // looked at inline cost 3 instructions a name, more than the probing it saves, as
        // few structs have two names in one slot.)
        for name in names.iter().chain(&names).chain(&names) {
            w.interned(name).unwrap();
        }
        w.enc.end();
        let mut body = vec![];
        for name in names {
            body.extend([op::SHORT_BINUNICODE, 3]);
            body.extend(name.as_bytes());
            body.push(op::MEMOIZE);
        }
        for _ in 0..2 {
            body.extend([op::BINGET, 0, op::BINGET, 1, op::BINGET, 2]);
        }
        body.push(op::STOP);
        let mut expected = vec![op::PROTO, 4, op::FRAME];
        expected.extend((body.len() as u64).to_le_bytes());
        expected.extend(body);
        assert_eq!(w.enc.take_output(), expected);
    }
}
