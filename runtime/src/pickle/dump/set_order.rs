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

use rustpython_vm::builtins::{PyComplex, PyFloat, PyFrozenSet, PyTuple};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// CPython's `PySet_MINSIZE`, `LINEAR_PROBES` and `PERTURB_SHIFT`.
const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;
/// Nesting deeper than this (tuples of tuples ...) is left in insertion order.
const MAX_DEPTH: usize = 16;
const EMPTY: u32 = u32::MAX;

/// Puts `items` (a set's elements, in insertion order) in CPython's order, where every
/// element's hash is CPython's.
pub(crate) fn cpython_order(vm: &VirtualMachine, items: &mut Vec<PyObjectRef>) -> PyResult<()> {
    if items.len() < 2 || items.len() >= EMPTY as usize {
        return Ok(());
    }
    if !items.iter().all(|item| hash_is_cpythons(item, vm, 0)) {
        return Ok(());
    }
    let hashes = items
        .iter()
        .map(|item| item.hash(vm).map(|h| h as u64))
        .collect::<PyResult<Vec<u64>>>()?;
    let mut slots: Vec<Option<PyObjectRef>> = std::mem::take(items).into_iter().map(Some).collect();
    *items = table_order(&hashes)
        .into_iter()
        .filter_map(|index| slots[index as usize].take())
        .collect();
    Ok(())
}

/// Whether `obj`'s hash is the one CPython gives an equal object.
fn hash_is_cpythons(obj: &PyObject, vm: &VirtualMachine, depth: usize) -> bool {
    let types = &vm.ctx.types;
    let class = obj.class();
    if class.is(types.int_type) || class.is(types.bool_type) || vm.is_none(&obj.to_owned()) {
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
    let mut table = vec![EMPTY; MIN_SIZE];
    let mut used = 0usize;
    for (index, &hash) in hashes.iter().enumerate() {
        insert(&mut table, hash, index as u32);
        used += 1;
        let mask = table.len() - 1;
        // CPython's set_add_entry: grow when fill*5 >= mask*3 (no deletions: fill == used).
        if used * 5 >= mask * 3 {
            let minused = if used > 50_000 { used * 2 } else { used * 4 };
            table = resized(&table, minused, hashes);
        }
    }
    table.into_iter().filter(|&slot| slot != EMPTY).collect()
}

/// CPython's probe sequence: the slot, up to nine after it when they fit, then the perturbed
/// jump.
fn insert(table: &mut [u32], hash: u64, index: u32) {
    let mask = table.len() - 1;
    let mut i = (hash as usize) & mask;
    let mut perturb = hash;
    loop {
        let probes = if i + LINEAR_PROBES <= mask {
            LINEAR_PROBES
        } else {
            0
        };
        if let Some(slot) = table[i..=i + probes]
            .iter_mut()
            .find(|slot| **slot == EMPTY)
        {
            *slot = index;
            return;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i
            .wrapping_mul(5)
            .wrapping_add(1)
            .wrapping_add(perturb as usize))
            & mask;
    }
}

/// CPython's `set_table_resize`: the smallest power of two above `minused`, filled from the
/// old table in its order.
fn resized(old: &[u32], minused: usize, hashes: &[u64]) -> Vec<u32> {
    let mut size = MIN_SIZE;
    while size <= minused {
        size <<= 1;
    }
    let mut table = vec![EMPTY; size];
    for &index in old.iter().filter(|&&slot| slot != EMPTY) {
        insert(&mut table, hashes[index as usize], index);
    }
    table
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
    fn small_ints_land_where_cpython_puts_them() {
        // CPython 3.13: list({5, 3, 1, 33, 65}) == [65, 1, 3, 33, 5]
        assert_eq!(order(&[5, 3, 1, 33, 65]), [65, 1, 3, 33, 5]);
        // list({8, 16, 0, 24, 1, 40, 9}) == [0, 1, 16, 24, 40, 8, 9]
        assert_eq!(order(&[8, 16, 0, 24, 1, 40, 9]), [0, 1, 16, 24, 40, 8, 9]);
    }
}
