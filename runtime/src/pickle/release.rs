//! Giving back many references at once, with the objects ahead of the one being let go
//! already on their way into the cache.
//!
//! At the end of a load or a dump the memo gives back one reference per object: an atomic
//! decrement each (RustPython counts references atomically), most of the objects made or met
//! long before and out of the cache by then. An atomic read-modify-write waits for the loads
//! before it, so each of those misses was paid in turn (7% of a load of 20,000 `__slots__`
//! instances went to that loop, nearly all on the first read of each object). A prefetch is
//! not held up that way: issued a few entries ahead, the misses overlap.

use rustpython_vm::PyObject;

/// How many entries ahead to prefetch: enough misses in flight to cover one's latency.
const AHEAD: usize = 16;

/// Drops every item of `items` in order, keeping the vector's room; `object` names the
/// object an item holds a reference to, if any, and `last_rites` sees each of those objects
/// just before the item is dropped.
pub(crate) fn release_in_order<T>(
    items: &mut Vec<T>,
    object: impl Fn(&T) -> Option<&PyObject>,
    last_rites: impl Fn(&PyObject),
) {
    let mut drain = items.drain(..);
    loop {
        if let Some(ahead) = drain.as_slice().get(AHEAD).and_then(&object) {
            prefetch(ahead);
        }
        let Some(item) = drain.next() else {
            return;
        };
        if let Some(obj) = object(&item) {
            last_rites(obj);
        }
        drop(item);
    }
}

/// Asks the cache for the line holding `obj`'s header (its reference count).
pub(crate) fn prefetch(obj: &PyObject) {
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
