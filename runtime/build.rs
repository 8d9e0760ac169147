//! The shims in ../stdlib-shims are compiled into the binary by `py_freeze!`; rebuild when
//! they change.
//!
//! The binaries' relative relocations are packed (DT_RELR) where the C library that will load
//! them can read that: brine is a position-independent executable with about 51,000 pointers
//! to fix up at every start, and as 24-byte RELA entries their table is 1.2 MiB that the
//! dynamic loader reads (and keeps resident) before `main`; packed, it is 15 KiB. glibc reads
//! packed relocations from 2.36 on and refuses to start a binary that has them before that,
//! so they are asked for only when building for this machine and its glibc is new enough.

use std::process::Command;

/// The first glibc whose dynamic loader applies packed relative relocations.
const GLIBC_WITH_RELR: (u32, u32) = (2, 36);

fn main() {
    println!("cargo:rerun-if-changed=../stdlib-shims");
    if packed_relocations_supported() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the binaries are built for the machine building them, a Linux with glibc 2.36 or
/// later.
fn packed_relocations_supported() -> bool {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let native = env("TARGET") == env("HOST");
    if !native || env("CARGO_CFG_TARGET_OS") != "linux" || env("CARGO_CFG_TARGET_ENV") != "gnu" {
        return false;
    }
    glibc_version().is_some_and(|version| version >= GLIBC_WITH_RELR)
}

/// The running glibc's version, from `getconf GNU_LIBC_VERSION` ("glibc 2.36").
fn glibc_version() -> Option<(u32, u32)> {
    let output = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let (major, minor) = text.trim().strip_prefix("glibc ")?.split_once('.')?;
    let minor = minor.split('.').next()?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}
