//! `brine`: a python-compatible interpreter whose `pickle` is Brine's.
//!
//! Command line, REPL, `sys.argv`, `PYTHONPATH` and exit status are RustPython's `python`
//! front end; what this binary adds is the interpreter it runs.

use brine::interpreter::{PickleImpl, builder};

fn main() -> std::process::ExitCode {
    rustpython::run(builder(PickleImpl::from_env()))
}
