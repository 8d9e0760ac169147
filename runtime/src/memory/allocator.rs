//! [`Allocator`]: the global allocator that lets runtimes have memory limits.

use super::accounts::{self, Tag};
use std::alloc::{GlobalAlloc, Layout, System};

/// The process's global allocator, wrapped so that every allocation is charged to the
/// runtime running on the allocating thread: what [`Builder::memory_limit`] and
/// [`Runtime::memory_used`] need. A host installs it once, in its binary:
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: brine::Allocator = brine::Allocator::system();
/// ```
///
/// or around another allocator (`brine::Allocator::new(brine::Mimalloc)`).
///
/// Each allocation carries 8 bytes more (16 or its alignment, for alignments above 8): the
/// account it was charged to, so that it is credited back to that runtime whichever thread
/// frees it. Allocations made outside any runtime are charged to no one. What it costs is
/// in BENCHMARKS.md ("memory_limit").
///
/// [`Builder::memory_limit`]: crate::Builder::memory_limit
/// [`Runtime::memory_used`]: crate::Runtime::memory_used
#[derive(Debug, Default)]
pub struct Allocator<A = System> {
    inner: A,
}

impl Allocator<System> {
    /// Around the system allocator.
    pub const fn system() -> Self {
        Allocator { inner: System }
    }
}

impl<A> Allocator<A> {
    /// Around `inner`.
    pub const fn new(inner: A) -> Self {
        Allocator { inner }
    }
}

/// Where the tag goes: the bytes in front of the block's start, as many as keep the
/// block's alignment (and at least the tag's 8).
fn header(align: usize) -> usize {
    align.max(size_of::<u64>())
}

/// What a block of `outer` bytes (with its tag) is charged: its size as an allocator
/// keeps it, with a word of its own bookkeeping, rounded to 16 bytes and at least 32, as
/// glibc's malloc and mimalloc keep small blocks. Counting the bare request would let a
/// script of many small objects hold a third more than its limit.
fn charged(outer: usize) -> usize {
    (outer.saturating_add(8 + 15) & !15).max(32)
}

/// The layout asked of the inner allocator for `layout` with its header.
fn outer(layout: Layout) -> Option<Layout> {
    let size = layout.size().checked_add(header(layout.align()))?;
    Layout::from_size_align(size, layout.align()).ok()
}

/// Writes `tag` in front of the block at `base`; returns the block the caller gets.
///
/// # Safety
/// `base` was just allocated with [`outer`] of a layout of alignment `align`.
unsafe fn tagged(base: *mut u8, align: usize, tag: Tag) -> *mut u8 {
    if base.is_null() {
        return base;
    }
    // SAFETY: the header lies inside the allocation, and `ptr` is aligned to at least 8.
    unsafe {
        let ptr = base.add(header(align));
        ptr.cast::<u64>().sub(1).write(tag.bits());
        ptr
    }
}

/// The tag of a block this allocator gave out.
///
/// # Safety
/// `ptr` came from [`tagged`].
unsafe fn tag_of(ptr: *mut u8) -> Tag {
    // SAFETY: written by `tagged` in the block's header.
    Tag::from_bits(unsafe { ptr.cast::<u64>().sub(1).read() })
}

// SAFETY: every block handed out is the inner allocator's block offset by the header, which
// keeps the requested alignment (the header is a multiple of it), and is freed or resized
// through the inner allocator with the same outer layout.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Allocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with a layout of nonzero size.
        unsafe { self.allocate(layout, |outer| self.inner.alloc(outer)) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`; the header is written after zeroing.
        unsafe { self.allocate(layout, |outer| self.inner.alloc_zeroed(outer)) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let outer = outer(layout).expect("the layout was valid when allocated");
        // SAFETY: `ptr` is ours, allocated with `layout`.
        unsafe {
            accounts::credit(tag_of(ptr), charged(outer.size()));
            self.inner.dealloc(ptr.sub(header(layout.align())), outer);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = outer(layout).expect("the layout was valid when allocated");
        let head = header(layout.align());
        let new_size = new_size
            .checked_add(head)
            .filter(|size| Layout::from_size_align(*size, layout.align()).is_ok());
        let Some(new_size) = new_size else {
            return std::ptr::null_mut();
        };
        // SAFETY: `ptr` is ours, allocated with `layout`; realloc keeps the header's bytes.
        unsafe {
            let tag = tag_of(ptr);
            let (old_charge, new_charge) = (charged(old.size()), charged(new_size));
            let growth = new_charge.saturating_sub(old_charge);
            if growth > 0 && accounts::refuses(tag, growth) {
                return std::ptr::null_mut();
            }
            let base = self.inner.realloc(ptr.sub(head), old, new_size);
            if base.is_null() {
                return base;
            }
            if new_charge >= old_charge {
                accounts::charge(tag, new_charge - old_charge);
            } else {
                accounts::credit(tag, old_charge - new_charge);
            }
            base.add(head)
        }
    }
}

impl<A: GlobalAlloc> Allocator<A> {
    /// Allocates `layout` with its header through `inner`, charged to the thread's account.
    ///
    /// # Safety
    /// As [`GlobalAlloc::alloc`].
    unsafe fn allocate(&self, layout: Layout, inner: impl FnOnce(Layout) -> *mut u8) -> *mut u8 {
        accounts::mark_installed();
        let Some(outer) = outer(layout) else {
            return std::ptr::null_mut();
        };
        let tag = accounts::current();
        if tag != Tag::NONE && accounts::refuses(tag, charged(outer.size())) {
            return std::ptr::null_mut();
        }
        // SAFETY: `outer` has nonzero size; the header fits in it.
        let ptr = unsafe { tagged(inner(outer), layout.align(), tag) };
        if !ptr.is_null() && tag != Tag::NONE {
            accounts::charge(tag, charged(outer.size()));
        }
        ptr
    }
}
