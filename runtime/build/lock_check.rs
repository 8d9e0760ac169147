//! The one version pin a manifest cannot carry, checked before it turns into compile errors.
//!
//! RustPython's `pymath` 0.2.0 accepts any `malachite-bigint` 0.x, and Cargo gives each
//! requirement the newest version it allows, whatever other crates in the graph use; so a fresh
//! lock file gives `pymath` the newest (0.14.0 today) while RustPython 0.6.0 hands it 0.12's
//! integers, and `rustpython-stdlib` fails with a page of type errors that do not say why. This
//! build script runs before that crate finishes compiling: if it finds the build's lock file
//! with `pymath` on another `malachite-bigint`, it stops the build with the command that fixes
//! the lock. It finds the lock file beside the target directory (Cargo's default layout); with
//! a target directory elsewhere it finds none and checks nothing. `BRINE_SKIP_LOCK_CHECK=1`
//! turns it off, should it ever find another project's lock file.

use std::path::{Path, PathBuf};

/// The `malachite-bigint` line RustPython 0.6.0 is built against.
const RUSTPYTHON_MALACHITE: &str = "0.12.";

/// Set to 1, the check is skipped; any change of it runs the check again.
const SKIP: &str = "BRINE_SKIP_LOCK_CHECK";

/// Stops the build if the lock file pairs `pymath` with a `malachite-bigint` RustPython 0.6.0
/// cannot pass integers to.
pub fn check() {
    println!("cargo:rerun-if-env-changed={SKIP}");
    if std::env::var_os(SKIP).is_some_and(|value| value == "1") {
        return;
    }
    let Some(lock) = std::env::var_os("OUT_DIR").and_then(|out| lock_file_above(Path::new(&out)))
    else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&lock) else {
        return;
    };
    if !text.contains("\nname = \"brine-runtime\"\n") {
        return; // Some other project's lock file.
    }
    let Some(version) = pymath_malachite(&text) else {
        return;
    };
    if !version.starts_with(RUSTPYTHON_MALACHITE) {
        eprintln!(
            "{} gives pymath malachite-bigint {version}, but RustPython 0.6.0 passes it \
             malachite-bigint 0.12 integers, and rustpython-stdlib would not compile. \
             pymath accepts any 0.x and Cargo picks the newest; brine's manifest cannot \
             change that. Run this once, then build again:\n\n    \
             cargo update malachite-bigint@{version} --precise 0.12.0\n\n\
             (If that is not this build's lock file, set {SKIP}=1.)",
            lock.display()
        );
        std::process::exit(1);
    }
}

/// The nearest `Cargo.lock` in `dir` or a directory above it.
fn lock_file_above(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|lock| lock.is_file())
}

/// The `malachite-bigint` version the lock file gives `pymath`: named in pymath's dependency
/// list when the lock has several (`"malachite-bigint 0.14.0"`), else the only one there is.
fn pymath_malachite(lock: &str) -> Option<String> {
    let pymath = lock
        .split("[[package]]")
        .find(|block| block.contains("\nname = \"pymath\"\n"))?;
    let named = pymath
        .lines()
        .filter_map(|line| line.trim().strip_prefix("\"malachite-bigint"))
        .find_map(|rest| rest.trim_end_matches(['"', ',']).strip_prefix(' '));
    if let Some(version) = named {
        return Some(version.to_string());
    }
    let only = lock
        .split("[[package]]")
        .find(|block| block.contains("\nname = \"malachite-bigint\"\n"))?;
    only.lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"').to_string())
}
