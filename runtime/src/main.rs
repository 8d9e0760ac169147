//! `brine`: a python-compatible interpreter whose `pickle` is Brine's.

// The allocator RustPython's own binary uses: VM objects are small and short-lived, and glibc's
// malloc spends a third of an unpickling run on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    brine::cli::main()
}
