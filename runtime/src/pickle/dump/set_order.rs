//! Sets and frozensets written in the order CPython's hash table holds them.
//!
//! CPython writes a set's items as it iterates it, in the order of its hash table; RustPython
//! iterates in insertion order. For elements whose hashes the two agree on (int, bool, float,
//! complex, None, and tuples and frozensets of those: measured equal; str and bytes hashes
//! differ even under the same `PYTHONHASHSEED`, and CPython's own order for them changes from
//! run to run) the table is rebuilt here as CPython's `set_add_entry` would fill it from the
//! elements in insertion order: the same probes, the same growth. A set CPython built another
//! way (copied from another set, or with elements removed) can hold the same elements in
//! another order; its pickle then differs in order only, and loads equal. Iteration inside
//! the VM does not change.

use num_traits::ToPrimitive;
use rustpython_common::hash::{self, PyHash};
use rustpython_vm::builtins::{PyComplex, PyFloat, PyFrozenSet, PyInt, PySet, PyTuple, PyType};
use rustpython_vm::object::Traverse;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::cell::RefCell;

/// CPython's `PySet_MINSIZE`, `LINEAR_PROBES` and `PERTURB_SHIFT`.
const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;
/// Nesting deeper than this (tuples of tuples ...) is left in insertion order.
const MAX_DEPTH: usize = 16;
const EMPTY: u32 = u32::MAX;
/// How many elements ahead the hashing loop prefetches.
const PREFETCH_AHEAD: usize = 16;

/// The order CPython writes a set's elements in: `order[k]` is the index in `items` (insertion
/// order) of the k-th element to write. When every element is an int that fits 64 bits,
/// `ints` holds their values, read once here for hashing, so that they can be written
/// without reading them again.
pub(crate) struct SetOrder {
    pub(crate) order: Vec<u32>,
    pub(crate) ints: Option<Vec<i64>>,
}

impl SetOrder {
    /// The index in `items` of the `k`-th element to write.
    #[inline]
    pub(crate) fn index(order: Option<&SetOrder>, k: usize) -> usize {
        order.map_or(k, |o| o.order[k] as usize)
    }
}

/// CPython's order for a set whose elements are all ints that fit 64 bits (a set of two or
/// more), with their values, read where the set holds them: no reference is taken to each
/// element and given back after, which for a large set had cost about as much as the order
/// itself (two atomic operations on each element's header). None for any other set, or
/// where the set cannot be read in place (another thread is changing it): the caller then
/// copies the elements out.
pub(crate) fn int_set_order(vm: &VirtualMachine, set: &Py<PySet>) -> Option<SetOrder> {
    let len = set.as_object().length(vm).ok()?;
    if len < 2 || len >= EMPTY as usize {
        return None;
    }
    let int_type = vm.ctx.types.int_type;
    let mut ints = Vec::with_capacity(len);
    let mut all_small_ints = true;
    // The set's own traversal (the collector's) lends each element under the set's read
    // lock, in insertion order; it skips them all if a writer holds the lock.
    set.traverse(
        &mut |item| match all_small_ints.then(|| small_int(item, int_type)).flatten() {
            Some(value) => ints.push(value),
            None => all_small_ints = false,
        },
    );
    if !all_small_ints || ints.len() != len {
        return None;
    }
    let hashes: Vec<u64> = ints.iter().map(|&value| int_hash(value)).collect();
    Some(SetOrder {
        order: table_order(&hashes),
        ints: Some(ints),
    })
}

/// `item`'s value when it is an exact int that fits 64 bits.
#[inline]
fn small_int(item: &PyObject, int_type: &Py<PyType>) -> Option<i64> {
    if !item.class().is(int_type) {
        return None;
    }
    item.downcast_ref::<PyInt>()?.as_bigint().to_i64()
}

/// CPython's hash of an int that fits 64 bits (brine's is the same).
#[inline]
fn int_hash(value: i64) -> u64 {
    hash::fix_sentinel(hash::mod_int(value)) as u64
}

/// CPython's order for a set's `items` (in insertion order), where every element's hash is
/// CPython's; None where insertion order stays.
pub(crate) fn cpython_order(
    vm: &VirtualMachine,
    items: &[PyObjectRef],
) -> PyResult<Option<SetOrder>> {
    if items.len() < 2 || items.len() >= EMPTY as usize {
        return Ok(None);
    }
    let int_type = vm.ctx.types.int_type;
    let mut hashes = Vec::with_capacity(items.len());
    let mut ints = Vec::with_capacity(items.len());
    for (k, item) in items.iter().enumerate() {
        // The elements are scattered through memory: their headers are asked for ahead.
        if let Some(ahead) = items.get(k + PREFETCH_AHEAD) {
            crate::pickle::release::prefetch(ahead);
        }
        if let Some(value) = small_int(item, int_type) {
            ints.push(value);
            hashes.push(int_hash(value));
            continue;
        }
        match cpython_hash(item, vm)? {
            Some(hash) => hashes.push(hash as u64),
            None => return Ok(None),
        }
    }
    let ints = (ints.len() == items.len()).then_some(ints);
    Ok(Some(SetOrder {
        order: table_order(&hashes),
        ints,
    }))
}

/// `obj`'s hash if it is the one CPython gives an equal object, else None.
fn cpython_hash(obj: &PyObject, vm: &VirtualMachine) -> PyResult<Option<PyHash>> {
    if hash_is_cpythons(obj, vm, 0) {
        return obj.hash(vm).map(Some);
    }
    Ok(None)
}

/// Whether `obj`'s hash is the one CPython gives an equal object.
fn hash_is_cpythons(obj: &PyObject, vm: &VirtualMachine, depth: usize) -> bool {
    let types = &vm.ctx.types;
    let class = obj.class();
    if class.is(types.int_type) || class.is(types.bool_type) || vm.is_none(obj) {
        return true;
    }
    if class.is(types.float_type) {
        // A NaN's hash is its address in CPython.
        return obj
            .downcast_ref::<PyFloat>()
            .is_some_and(|f| !f.to_f64().is_nan());
    }
    if class.is(types.complex_type) {
        return obj
            .downcast_ref::<PyComplex>()
            .is_some_and(|c| !c.to_complex64().re.is_nan() && !c.to_complex64().im.is_nan());
    }
    if depth >= MAX_DEPTH {
        return false;
    }
    if class.is(types.tuple_type) {
        let tuple = obj.downcast_ref::<PyTuple>().expect("exact tuple");
        return tuple
            .iter()
            .all(|item| hash_is_cpythons(item, vm, depth + 1));
    }
    if class.is(types.frozenset_type) {
        let set = obj.downcast_ref::<PyFrozenSet>().expect("exact frozenset");
        return set
            .elements()
            .iter()
            .all(|item| hash_is_cpythons(item, vm, depth + 1));
    }
    false
}

/// The order of CPython's table after inserting `hashes` one by one (all distinct elements):
/// indices into `hashes`.
fn table_order(hashes: &[u64]) -> Vec<u32> {
    thread_local! {
        /// The table and a spare, kept from one set to the next: fresh tables of a large set's
        /// size cost more to get from the allocator than to fill.
        static TABLES: RefCell<(Vec<u32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }
    TABLES.with_borrow_mut(|(table, spare)| fill_table(hashes, table, spare))
}

fn fill_table(hashes: &[u64], table: &mut Vec<u32>, spare: &mut Vec<u32>) -> Vec<u32> {
    table.clear();
    table.resize(MIN_SIZE, EMPTY);
    let mut mask = MIN_SIZE - 1;
    // CPython's set_add_entry grows the table when fill*5 >= mask*3 (no deletions here, so
    // fill is the number of elements).
    let mut grow_at = (mask * 3).div_ceil(5);
    for (index, &hash) in hashes.iter().enumerate() {
        insert(table, mask, hash, index as u32);
        let used = index + 1;
        if used >= grow_at {
            // set_table_resize: the smallest power of two above `minused`, filled from the old
            // table in its order.
            let minused = if used > 50_000 { used * 2 } else { used * 4 };
            let size = (minused + 1).next_power_of_two().max(MIN_SIZE);
            spare.clear();
            spare.resize(size, EMPTY);
            mask = size - 1;
            grow_at = (mask * 3).div_ceil(5);
            for old in occupied(table, used) {
                insert(spare, mask, hashes[old as usize], old);
            }
            std::mem::swap(table, spare);
        }
    }
    occupied(table, hashes.len())
}

/// The table's `len` occupied slots in order: eight at a time with AVX2 where the processor
/// has it (a third of the slots hold an element, in no pattern a branch predictor learns;
/// gathering them was about half of the table's cost, 20 us of a 10,000-element set's
/// 32,768 slots scanned one by one against 4 us eight at a time, measured apart).
fn occupied(table: &[u32], len: usize) -> Vec<u32> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        return unsafe { occupied_avx2(table, len) };
    }
    occupied_one_by_one(table, len)
}

/// [`occupied`] without a branch per slot: each slot is written, and the end moves on only
/// past an occupied one.
fn occupied_one_by_one(table: &[u32], len: usize) -> Vec<u32> {
    let mut order = vec![0; len + 1];
    let mut end = 0;
    for &slot in table {
        order[end.min(len)] = slot;
        end += usize::from(slot != EMPTY);
    }
    order.truncate(len);
    order
}

/// For each mask of eight occupied lanes, the lanes in order, packed to the front.
const LEFT_PACK: [[u32; 8]; 256] = {
    let mut lut = [[0; 8]; 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut lane, mut packed) = (0, 0);
        while lane < 8 {
            if mask & (1 << lane) != 0 {
                lut[mask][packed] = lane as u32;
                packed += 1;
            }
            lane += 1;
        }
        mask += 1;
    }
    lut
};

/// [`occupied`] eight slots at a time: the occupied ones of each eight are packed to the
/// front by a permutation and stored whole; the end moves on by how many there were.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn occupied_avx2(table: &[u32], len: usize) -> Vec<u32> {
    use std::arch::x86_64::{
        __m256i, _mm256_castsi256_ps, _mm256_cmpeq_epi32, _mm256_loadu_si256, _mm256_movemask_ps,
        _mm256_permutevar8x32_epi32, _mm256_set1_epi32, _mm256_storeu_si256,
    };
    // Room for a whole store of eight at every position up to `len`.
    let mut order: Vec<u32> = vec![0; len + 8];
    let empty = _mm256_set1_epi32(EMPTY as i32);
    let mut end = 0;
    let chunks = table.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        // SAFETY: `chunk` is eight u32s; `order` has eight u32s from `end.min(len)` on.
        unsafe {
            let slots = _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>());
            let empties = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(slots, empty)));
            let taken = !empties as u8;
            let lanes =
                _mm256_loadu_si256(LEFT_PACK[usize::from(taken)].as_ptr().cast::<__m256i>());
            let at = order.as_mut_ptr().add(end.min(len));
            _mm256_storeu_si256(
                at.cast::<__m256i>(),
                _mm256_permutevar8x32_epi32(slots, lanes),
            );
            end += taken.count_ones() as usize;
        }
    }
    for &slot in rest {
        order[end.min(len)] = slot;
        end += usize::from(slot != EMPTY);
    }
    order.truncate(len);
    order
}

/// CPython's probe sequence: the slot, up to nine after it when they fit, then the perturbed
/// jump.
#[inline]
fn insert(table: &mut [u32], mask: usize, hash: u64, index: u32) {
    let mut i = (hash as usize) & mask;
    let mut perturb = hash;
    loop {
        if table[i] == EMPTY {
            table[i] = index;
            return;
        }
        if i + LINEAR_PROBES <= mask {
            for slot in &mut table[i + 1..=i + LINEAR_PROBES] {
                if *slot == EMPTY {
                    *slot = index;
                    return;
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::table_order;

    fn order(values: &[i64]) -> Vec<i64> {
        let hashes: Vec<u64> = values.iter().map(|&v| v as u64).collect();
        table_order(&hashes)
            .into_iter()
            .map(|i| values[i as usize])
            .collect()
    }

    #[test]
    fn slots_are_gathered_alike_eight_at_a_time_and_one_by_one() {
        let mut table = vec![super::EMPTY; 64];
        let taken = [0, 1, 7, 8, 9, 15, 16, 17, 18, 19, 20, 21, 22, 23, 40, 63];
        for (k, &slot) in taken.iter().enumerate() {
            table[slot] = 100 + k as u32;
        }
        let want: Vec<u32> = (0..taken.len() as u32).map(|k| 100 + k).collect();
        assert_eq!(super::occupied_one_by_one(&table, taken.len()), want);
        assert_eq!(super::occupied(&table, taken.len()), want);
    }

    #[test]
    fn small_ints_land_where_cpython_puts_them() {
        // CPython 3.13: list({5, 3, 1, 33, 65}) == [65, 1, 3, 33, 5]
        assert_eq!(order(&[5, 3, 1, 33, 65]), [65, 1, 3, 33, 5]);
        // Colliding hashes, and a table that grew: list(set([8, 16, 0, 24, 1, 40, 9])) ==
        // [0, 1, 8, 40, 9, 16, 24] (a display of the same constants gives another order:
        // CPython's compiler makes it a frozenset that is then copied).
        assert_eq!(order(&[8, 16, 0, 24, 1, 40, 9]), [0, 1, 8, 40, 9, 16, 24]);
    }
}
