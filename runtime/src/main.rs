//! `brine`: a python-compatible interpreter whose `pickle` is Brine's.

// The allocator RustPython's own binary uses (mimalloc), asked as brine::Mimalloc says why:
// VM objects are small and short-lived, and glibc's malloc spends a third of an unpickling run
// on them. It is built without transparent huge
// pages (the `no_thp` feature): with them the kernel backed every touched 2 MiB of a 9 MiB
// startup heap whole, and a fresh `brine -c pass` held 28 MiB of anonymous memory instead of
// 14.5 MiB; loads lose 0-4% to the extra page faults (bench/workloads.py records, int lists).
#[cfg(not(feature = "accounting-allocator"))]
#[global_allocator]
static GLOBAL: brine::Mimalloc = brine::Mimalloc;

/// The same, inside brine's accounting allocator (what a host with memory limits installs):
/// a build for bench/memory_limit.sh, which measures what the accounting costs.
#[cfg(feature = "accounting-allocator")]
#[global_allocator]
static GLOBAL: brine::Allocator<brine::Mimalloc> = brine::Allocator::new(brine::Mimalloc);

unsafe extern "C" {
    /// mimalloc's `mi_option_set` (in the library the allocator above links).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in the mimalloc 3 that libmimalloc-sys 0.1.49 builds (the pin in
/// Cargo.lock): its position in `mi_option_e`.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// mimalloc hands freed pages back to the system 10 ms after they empty, and a load that
/// follows the freeing of the previous result (a loop of `pickle.loads`) takes them back one
/// page fault at a time: the kernel's page clearing was 12% of a records load's profile.
/// Kept for a second, they are reused: 3 runs of 20 records loads took 56.8 ms each against
/// 63.6 ms; a fresh `brine -c pass` peaks under 1 MiB higher.
fn tune_allocator() {
    // SAFETY: setting an option is allowed at any time; the value is a plain integer.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };
}

/// The pip wheel `ensurepip` installs (build/pip_wheel.rs copies it from RustPython's
/// standard library): in the binary only, so that a host embedding the library does not
/// carry its 1.8 MB.
static PIP_WHEEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pip.whl"));

fn main() -> std::process::ExitCode {
    tune_allocator();
    brine::cli::main_with(brine::cli::Bundled {
        pip_wheel: Some(PIP_WHEEL),
    })
}
