//! `pickle.loads`: one pickle from a slice, its memo released with the objects ahead of the
//! one being let go already on their way into the cache.
//!
//! At the end of a load every memo entry gives back its reference: one atomic decrement per
//! object, most of them made long before and out of the cache by then. An atomic
//! read-modify-write waits for the loads before it, so each of those misses was paid in turn
//! (7% of a load of 20,000 `__slots__` instances went to that loop, nearly all on the first
//! read of each object). A prefetch is not held up that way: issued a few entries ahead, the
//! misses overlap.

use super::vm_builder::{LoadError, VmBuilder};
use pickle_core::decoder::{Limits, Memo, load};
use pickle_core::reader::SliceSource;
use rustpython_vm::{PyObject, PyObjectRef};

/// How many entries ahead to prefetch: enough misses in flight to cover one's latency.
const AHEAD: usize = 16;

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
    for i in 0..dense.len() {
        if let Some(Some(ahead)) = dense.get(i + AHEAD) {
            prefetch(ahead);
        }
        dense[i] = None;
    }
    drop(sparse);
}

/// Asks the cache for the line holding `obj`'s header (its reference count).
fn prefetch(obj: &PyObject) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let address = (obj as *const PyObject).cast::<i8>();
        // SAFETY: a prefetch reads nothing and cannot fault, whatever the address; the
        // intrinsic is `unsafe` only for its target feature, SSE, which every x86_64 has.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = obj;
}
