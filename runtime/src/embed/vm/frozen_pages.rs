//! The frozen standard library's index, made once per process without keeping the library
//! resident.
//!
//! RustPython finds a frozen module by name in a table it fills when an interpreter is built:
//! from the (name, code) pairs it is given, whose names it hashes. The library is 718 modules,
//! one after another in the binary's read-only data; walking it reads every module's header,
//! and hashing names that lie in it reads them again, so each maps nearly every page of it
//! (the kernel maps 64 KiB around each fault): 9.8 MiB of a fresh `brine -c pass`'s resident
//! memory, of which the modules it imports need a few hundred KiB.
//!
//! So the library is walked once per process, into an index whose names are copied out of it
//! (about 15 KiB), and the pages walked are given back a megabyte at a time as the walk goes:
//! they are clean file pages, so a later import that decodes a module faults its pages in
//! again from the binary, with the same bytes. Every interpreter is then given the index;
//! the code slices in it point into the library, which is read again only for the modules
//! imported.

use rustpython_vm::frozen::{FrozenLib, FrozenModule};
use std::sync::OnceLock;

/// The frozen modules of the standard library: names copied out, code left in place.
type Index = Box<[(&'static str, FrozenModule)]>;

/// How far the walk goes between two givings back.
const RELEASE_EVERY: usize = 1024 * 1024;

/// The frozen standard library's modules, indexed on the first call (see the module's note).
pub(crate) fn standard_library() -> impl Iterator<Item = (&'static str, FrozenModule)> {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX
        .get_or_init(|| walk(rustpython_pylib::FROZEN_STDLIB))
        .iter()
        .copied()
}

/// Walks `lib` once, copying the names into one string kept for the life of the process and
/// giving the pages walked back as it goes.
fn walk(lib: &'static FrozenLib<[u8]>) -> Index {
    let bytes: &'static [u8] = &lib.bytes;
    let mut entries = Vec::new();
    let mut names = String::new();
    let mut kept_from = 0;
    for (name, module) in lib.decode() {
        names.push_str(name);
        entries.push((names.len() - name.len(), name.len(), module));
        let code = module.code.bytes;
        let walked = code.as_ptr() as usize + code.len() - bytes.as_ptr() as usize;
        if walked - kept_from >= RELEASE_EVERY {
            kept_from = release_walked(bytes, kept_from, walked);
        }
    }
    release_walked(bytes, kept_from, bytes.len());
    let names: &'static str = Box::leak(names.into_boxed_str());
    entries
        .into_iter()
        .map(|(start, len, module)| (&names[start..start + len], module))
        .collect()
}

/// Gives back the pages of `bytes[from..upto]`; returns where the part kept starts (the
/// page `upto` falls inside is kept, to go with what follows it).
fn release_walked(bytes: &'static [u8], from: usize, upto: usize) -> usize {
    release(&bytes[from..upto]);
    let start = bytes.as_ptr() as usize;
    ((start + upto) / ALIGN * ALIGN)
        .saturating_sub(start)
        .max(from)
}

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
fn release(bytes: &'static [u8]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_has_every_module_of_the_library_with_its_name_and_code() {
        let from_library: Vec<_> = rustpython_pylib::FROZEN_STDLIB.decode().collect();
        let indexed: Vec<_> = standard_library().collect();
        assert!(from_library.len() > 700, "{} modules", from_library.len());
        assert_eq!(indexed.len(), from_library.len());
        for ((name, module), (lib_name, lib_module)) in indexed.iter().zip(&from_library) {
            assert_eq!(name, lib_name);
            assert_eq!(module.package, lib_module.package, "{name}");
            assert!(module.code.bytes == lib_module.code.bytes, "{name}");
        }
        // A second interpreter gets the same index (the library is walked once).
        let again: Vec<_> = standard_library().map(|(name, _)| name.as_ptr()).collect();
        let first: Vec<_> = indexed.iter().map(|(name, _)| name.as_ptr()).collect();
        assert_eq!(again, first);
    }
}
