//! [`Mimalloc`]: mimalloc as a global allocator, asked for word-aligned blocks the way its own
//! `malloc` is asked.

use std::alloc::{GlobalAlloc, Layout};

/// Every block mimalloc hands out is aligned to a machine word: its size classes are whole
/// words and its pages start aligned.
const WORD: usize = size_of::<usize>();

unsafe extern "C" {
    // mimalloc's own entry points, in the library the `mimalloc` crate links.
    fn mi_malloc(size: usize) -> *mut u8;
    fn mi_zalloc(size: usize) -> *mut u8;
    fn mi_realloc(ptr: *mut u8, new_size: usize) -> *mut u8;
    fn mi_free(ptr: *mut u8);
}

/// mimalloc, the allocator the `brine` binary uses, for a host's `#[global_allocator]`:
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: brine::Mimalloc = brine::Mimalloc;
/// ```
///
/// (or, with memory limits, `brine::Allocator::new(brine::Mimalloc)`).
///
/// Why not `mimalloc::MiMalloc`: it asks for every block through `mi_malloc_aligned`, even
/// at the word alignment every block has anyway. In mimalloc 3 (what `libmimalloc-sys` 0.1.49
/// builds) that call is quick only while the page of the block's exact size has a free block;
/// otherwise it treats a size that is not a power of two as unaligned and takes a block
/// `alignment - 1` bytes larger, from the next size class. Its exact-size pages then never
/// fill, so nearly every VM object (most sizes are not powers of two) took the slow path:
/// about 140 instructions per allocation instead of 26, a fifth of the instructions of a
/// protocol-4 load of 200,000 ints (BENCHMARKS.md, "The allocator"), and an 80-byte object
/// took a 96-byte block. Here word-aligned requests go to `mi_malloc`; larger alignments
/// still go through `mimalloc::MiMalloc`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Mimalloc;

// SAFETY: every request is passed to mimalloc whole; word-aligned requests get blocks that
// mimalloc aligns to a word at least, the others mimalloc's aligned entry points. Blocks from
// either are freed by `mi_free`, as mimalloc allows.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: a plain allocation of the requested size.
            unsafe { mi_malloc(layout.size()) }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: as in `alloc`.
            unsafe { mi_zalloc(layout.size()) }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from mimalloc (either path above).
        unsafe { mi_free(ptr) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: `ptr` came from mimalloc; the new block keeps word alignment.
            unsafe { mi_realloc(ptr, new_size) }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn mi_usable_size(ptr: *const u8) -> usize;
    }

    /// Allocates `layout` on a thread of its own (mimalloc's pages are per thread, so no
    /// other test's blocks are there) and returns what the block can hold.
    fn usable_size_on_fresh_thread(
        allocator: impl GlobalAlloc + Send + 'static,
        layout: Layout,
    ) -> usize {
        std::thread::spawn(move || unsafe {
            let block = allocator.alloc(layout);
            assert!(!block.is_null());
            assert_eq!(block as usize % layout.align(), 0);
            let usable = mi_usable_size(block);
            allocator.dealloc(block, layout);
            usable
        })
        .join()
        .unwrap()
    }

    #[test]
    fn a_word_aligned_block_takes_its_own_size_class() {
        // 80 bytes is a size class of its own; mimalloc::MiMalloc's aligned request took a
        // block of the next class, 96 bytes.
        let layout = Layout::from_size_align(80, 8).unwrap();
        assert_eq!(usable_size_on_fresh_thread(Mimalloc, layout), 80);
    }

    #[test]
    fn blocks_keep_every_alignment_and_their_contents() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 7, 8, 9, 24, 72, 80, 100, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let block = Mimalloc.alloc(layout);
                    assert_eq!(block as usize % align, 0, "{size} bytes at {align}");
                    block.write_bytes(0xA5, size);
                    let grown = Mimalloc.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "{size} bytes at {align}, grown");
                    let kept = std::slice::from_raw_parts(grown, size);
                    assert!(kept.iter().all(|&b| b == 0xA5), "{size} bytes at {align}");
                    Mimalloc.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0);
                    assert!(
                        std::slice::from_raw_parts(zeroed, size)
                            .iter()
                            .all(|&b| b == 0)
                    );
                    Mimalloc.dealloc(zeroed, layout);
                }
            }
        }
    }
}
