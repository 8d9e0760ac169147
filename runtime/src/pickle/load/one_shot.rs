//! `pickle.loads`: one pickle from a slice, its memo released with prefetching (see
//! [`crate::pickle::release`]).

use super::vm_builder::{LoadError, VmBuilder};
use crate::pickle::release::release_in_order;
use pickle_core::decoder::{Limits, Memo, load};
use pickle_core::reader::SliceSource;
use rustpython_vm::PyObjectRef;

/// Decodes `data` with `builder`, as `pickle_core::decoder::loads` does.
pub(crate) fn loads(
    data: &[u8],
    builder: &mut VmBuilder<'_>,
    limits: &Limits,
) -> Result<PyObjectRef, LoadError> {
    let mut memo = Memo::new();
    let result = load(&mut SliceSource::new(data), builder, &mut memo, limits);
    release(memo);
    result
}

/// Drops the memo's entries in index order (sparse ones after), prefetching ahead.
fn release(memo: Memo<PyObjectRef>) {
    let (mut dense, sparse) = memo.into_parts();
    release_in_order(&mut dense, |entry| entry.as_deref());
    drop(sparse);
}
