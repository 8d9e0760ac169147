//! First, a check of the lock file that saves a host from a page of type errors
//! (build/lock_check.rs), and the pip wheel `ensurepip` installs, for the binary to carry
//! (build/pip_wheel.rs). The shims in stdlib-shims/ are compiled into the binary by
//! `py_freeze!`; rebuild when they change. And two link options for the binaries, both about
//! what a start costs:
//!
//! - Relative relocations are packed (DT_RELR) where the C library that will load them can
//!   read that: brine is a position-independent executable with about 51,000 pointers to fix
//!   up at every start, and as 24-byte RELA entries their table is 1.2 MiB that the dynamic
//!   loader reads (and keeps resident) before `main`; packed, it is 15 KiB. glibc reads packed
//!   relocations from 2.36 on and refuses to start a binary that has them before that, so they
//!   are asked for only when building for this machine and its glibc is new enough.
//! - Release builds lay out first, side by side, the functions a start runs (the list in
//!   link/startup-order.txt, made by link/startup_order.py), so that the kernel, which maps
//!   64 KiB of code around each page fault, maps about 5 MiB of code rather than 14. Only with
//!   the toolchain's own linker (rust-lld, the default for x86_64 Linux), which takes the list.

use std::process::Command;

#[path = "build/lock_check.rs"]
mod lock_check;
#[path = "build/pip_wheel.rs"]
mod pip_wheel;

/// The first glibc whose dynamic loader applies packed relative relocations.
const GLIBC_WITH_RELR: (u32, u32) = (2, 36);
/// The functions a start runs, in the order the linker lays them out.
const STARTUP_ORDER: &str = "link/startup-order.txt";

fn main() {
    lock_check::check();
    pip_wheel::copy(&env("OUT_DIR"));
    println!("cargo:rerun-if-changed=stdlib-shims");
    println!("cargo:rerun-if-changed={STARTUP_ORDER}");
    if packed_relocations_supported() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    if env("PROFILE") == "release" && default_linker() {
        // A copy in the build's own directory: cargo keeps this script's output across
        // checkouts that share a target directory (a `git worktree` built into it), and a
        // path into the checkout that ran it last fails the link once that one is gone.
        let list = format!("{}/startup-order.txt", env("OUT_DIR"));
        let source = format!("{}/{STARTUP_ORDER}", env("CARGO_MANIFEST_DIR"));
        std::fs::copy(&source, &list).expect("link/startup-order.txt is in the package");
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={list}");
        // Names the build does not have (the list is older than the code) are skipped.
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// Whether the binaries are linked by rust-lld: x86_64 Linux, no linker chosen by the user.
fn default_linker() -> bool {
    let target = env("TARGET");
    let linker_var = format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_uppercase().replace('-', "_")
    );
    target == "x86_64-unknown-linux-gnu"
        && std::env::var_os(linker_var).is_none()
        && !env("CARGO_ENCODED_RUSTFLAGS").contains("link")
}

/// Whether the binaries are built for the machine building them, a Linux with glibc 2.36 or
/// later.
fn packed_relocations_supported() -> bool {
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
