//! Giving the frozen standard library's pages back after the interpreter has indexed it.
//!
//! RustPython finds a frozen module by name in a table it fills, when an interpreter is built,
//! by walking the whole frozen library: 718 compressed modules, one after another in the
//! binary's read-only data. The walk reads every module's header and so maps nearly every page
//! of the library (the kernel maps 64 KiB around each fault): 9.8 MiB of a fresh
//! `brine -c pass`'s resident memory, of which the modules it imports need a few hundred KiB.
//! Once the table holds its slices, the pages can go back to the page cache: they are clean
//! file pages, so a later import that decodes a module faults its pages in again from the
//! binary, with the same bytes.

/// Inward alignment for the range given back: a multiple of every page size Linux uses
/// (4, 16 and 64 KiB), so no page outside the library is touched.
const ALIGN: usize = 64 * 1024;

#[cfg(target_os = "linux")]
unsafe extern "C" {
    fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: std::ffi::c_int)
    -> std::ffi::c_int;
}

/// `MADV_DONTNEED`: drop the mappings; clean file pages are read again on the next access.
#[cfg(target_os = "linux")]
const MADV_DONTNEED: std::ffi::c_int = 4;

/// Unmaps the pages wholly inside `bytes`, which must be read-only data of the binary (never
/// written, so what a later access reads back is what was there). Best effort: a refusal by
/// the kernel only leaves the pages resident.
pub(crate) fn release(bytes: &'static [u8]) {
    let start = (bytes.as_ptr() as usize).next_multiple_of(ALIGN);
    let end = (bytes.as_ptr() as usize + bytes.len()) / ALIGN * ALIGN;
    if end <= start {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: the range lies inside a `'static` immutable byte slice of the executable's
    // read-only data; dropping its mappings discards no writes, and every reader (Rust or the
    // kernel) sees the same bytes after the page is faulted in again.
    unsafe {
        madvise(start as *mut std::ffi::c_void, end - start, MADV_DONTNEED);
    }
}
