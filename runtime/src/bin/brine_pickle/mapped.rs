//! A file mapped into memory, read only, for `inspect`: a model file of gigabytes is mostly
//! tensor bytes the inspection never touches, and a mapping brings in only the pages it
//! reads (headers, the central directory, the pickles), where reading the file would bring
//! in all of it.
//!
//! The one risk of a mapping: if another process truncates the file while it is inspected,
//! touching a page past the new end raises SIGBUS. That needs write access to the file
//! during the scan, which could as well change its content after the scan.

use std::fs::File;
use std::ops::Deref;

/// The bytes of a file: mapped where the platform allows, read otherwise.
pub enum Mapped {
    #[cfg(unix)]
    Map {
        ptr: *mut std::ffi::c_void,
        len: usize,
    },
    Read(Vec<u8>),
}

#[cfg(unix)]
unsafe extern "C" {
    fn mmap(
        addr: *mut std::ffi::c_void,
        len: usize,
        prot: std::ffi::c_int,
        flags: std::ffi::c_int,
        fd: std::ffi::c_int,
        offset: i64,
    ) -> *mut std::ffi::c_void;
    fn munmap(addr: *mut std::ffi::c_void, len: usize) -> std::ffi::c_int;
}

/// Files smaller than this are read: their pages are all read anyway, and a mapping costs
/// two system calls and, when other threads run, every core's translations of it flushed
/// when it is unmapped (a directory of 1,000 small pickles scanned on two threads took
/// longer than on one).
const READ_BELOW: usize = 1 << 20;

/// `PROT_READ` and `MAP_PRIVATE`, the same on Linux and the BSDs.
#[cfg(unix)]
const PROT_READ: std::ffi::c_int = 1;
#[cfg(unix)]
const MAP_PRIVATE: std::ffi::c_int = 2;

impl Mapped {
    /// Maps `file` (a small, empty or unmappable file is read instead).
    pub fn new(mut file: File) -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            let len = usize::try_from(file.metadata()?.len()).unwrap_or(0);
            if len >= READ_BELOW {
                // SAFETY: a fresh read-only private mapping of a file we hold open; its
                // length is the file's; it is unmapped once, in Drop.
                let ptr = unsafe {
                    mmap(
                        std::ptr::null_mut(),
                        len,
                        PROT_READ,
                        MAP_PRIVATE,
                        file.as_raw_fd(),
                        0,
                    )
                };
                if ptr as isize != -1 {
                    return Ok(Mapped::Map { ptr, len });
                }
            }
        }
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut data)?;
        Ok(Mapped::Read(data))
    }
}

impl Deref for Mapped {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(unix)]
            // SAFETY: the mapping is `len` readable bytes and lives as long as `self`.
            Mapped::Map { ptr, len } => unsafe {
                std::slice::from_raw_parts(*ptr as *const u8, *len)
            },
            Mapped::Read(data) => data,
        }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Mapped::Map { ptr, len } = self {
            // SAFETY: the mapping made in `new`, unmapped once.
            unsafe { munmap(*ptr, *len) };
        }
    }
}
