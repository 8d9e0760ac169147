//! `pickle.loads`: one pickle from a slice, its memo released with prefetching (see
//! [`crate::pickle::release`]).

use super::vm_builder::{LoadError, VmBuilder};
use crate::pickle::release::release_in_order;
use pickle_core::decoder::{Limits, Memo, MemoReads, load};
use pickle_core::opcodes::op;
use pickle_core::reader::SliceSource;
use rustpython_vm::builtins::PyDict;
use rustpython_vm::{AsObject, Context, PyObject, PyObjectRef};

/// Decodes `data` with `builder`, as `pickle_core::decoder::loads` does.
pub(crate) fn loads(
    data: &[u8],
    builder: &mut VmBuilder<'_>,
    limits: &Limits,
) -> Result<PyObjectRef, LoadError> {
    // The memo is the load's alone: it keeps only what the pickle reads back. Protocols 0-1
    // are left out: their GETs are decimal lines, which made the walk cost more than it saved
    // (small bytes at protocol 0 loaded 10% slower).
    let mut memo = match data.first() {
        Some(&op::PROTO) => MemoReads::scan(data).map_or_else(Memo::new, Memo::keeping_only),
        _ => Memo::new(),
    };
    let result = load(&mut SliceSource::new(data), builder, &mut memo, limits);
    release(memo);
    result
}

/// Drops the memo's entries in index order (sparse ones after), prefetching ahead.
fn release(memo: Memo<PyObjectRef>) {
    let (mut dense, sparse) = memo.into_parts();
    release_in_order(&mut dense, |entry| entry.as_deref(), empty_if_unshared);
    drop(sparse);
}

/// Empties a dict only the memo still holds (an instance's state, once BUILD has copied it)
/// before it is freed. RustPython frees a dict by moving its keys and values into a vector
/// grown one push at a time (two allocations for a three-attribute state); emptied first,
/// under the dict's lock, there is nothing to move. No one else can see the dict.
fn empty_if_unshared(obj: &PyObject) {
    // An exact dict only: a subclass's __del__ could look at its items.
    if obj.strong_count() == 1
        && obj.class().is(Context::genesis().types.dict_type)
        && let Some(dict) = obj.downcast_ref::<PyDict>()
    {
        dict.clear();
    }
}
