//! The pip wheel RustPython's standard library bundles for `ensurepip`, copied into the
//! build's output directory for the `brine` binary to carry (src/main.rs): the frozen standard
//! library holds modules only, not the files beside them.

use std::path::{Path, PathBuf};

/// Copies the bundled wheel to `OUT_DIR/pip.whl` (empty where the standard library has none:
/// `ensurepip` then fails as it would without the wheel).
pub fn copy(out_dir: &str) {
    let bundled = Path::new(rustpython_pylib::LIB_PATH).join("ensurepip/_bundled");
    println!("cargo:rerun-if-changed={}", bundled.display());
    let target = Path::new(out_dir).join("pip.whl");
    match find(&bundled) {
        Some(wheel) => {
            std::fs::copy(&wheel, &target).expect("the bundled pip wheel copies");
        }
        None => std::fs::write(&target, b"").expect("OUT_DIR is writable"),
    }
}

/// `pip-*.whl` in `dir`.
fn find(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("pip-") && name.ends_with(".whl")
        })
}
