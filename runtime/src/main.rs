//! `brine`: a python-compatible interpreter whose `pickle` is Brine's.
//!
//! Command line, REPL, `sys.argv`, `PYTHONPATH` and exit status are RustPython's `python`
//! front end; what this binary adds is the interpreter it runs.

use brine::interpreter::{PickleImpl, builder};

// The allocator RustPython's own binary uses: VM objects are small and short-lived, and glibc's
// malloc spends a third of an unpickling run on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    rustpython::run(builder(PickleImpl::from_env()))
}
