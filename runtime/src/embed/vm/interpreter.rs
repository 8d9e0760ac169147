//! Building the interpreter: RustPython's standard library with our `_pickle` in place of its
//! own, and the frozen pure-Python standard library.

use rustpython_vm::InterpreterBuilder;
use rustpython_vm::VirtualMachine;
use rustpython_vm::common::rc::PyRc;

/// The environment variable that selects RustPython's own `_pickle` (for side-by-side
/// benchmarks only).
pub(crate) const PICKLE_IMPL_VAR: &str = "BRINE_PICKLE_IMPL";

/// Which native `_pickle` the interpreter registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PickleImpl {
    /// Ours: `pickle-core` bound into the VM.
    Brine,
    /// RustPython 0.6's own, kept only as a benchmark reference.
    RustPython,
}

impl PickleImpl {
    /// The choice the environment makes: `BRINE_PICKLE_IMPL=rustpython` selects RustPython's.
    pub(crate) fn from_env() -> Self {
        match std::env::var(PICKLE_IMPL_VAR).as_deref() {
            Ok("rustpython") => PickleImpl::RustPython,
            _ => PickleImpl::Brine,
        }
    }
}

/// Our Python modules (stdlib-shims/), compiled in.
const SHIMS: &rustpython_vm::frozen::FrozenLib =
    rustpython_vm::py_freeze!(dir = "../../../stdlib-shims");

/// An interpreter builder with the standard library, our shims, and the chosen `_pickle`.
pub(crate) fn interpreter_builder(pickle: PickleImpl) -> InterpreterBuilder {
    let builder = InterpreterBuilder::new();
    let mut defs = rustpython_stdlib::stdlib_module_defs(&builder.ctx);
    if pickle == PickleImpl::Brine {
        defs.retain(|def| def.name.as_str() != "_pickle");
        defs.push(crate::pickle::module_def(&builder.ctx));
        crate::pickle::type_fixes::wrap_module_defs(&mut defs, &builder.ctx);
    }
    #[cfg(feature = "ssl")]
    if !super::tls::provider_installed() {
        defs.retain(|def| def.name.as_str() != "_ssl");
    }
    builder
        .add_native_modules(&defs)
        .add_frozen_modules(super::frozen_pages::standard_library())
        .add_frozen_modules(SHIMS)
        .init_hook(set_frozen_stdlib_dir)
}

/// The frozen standard library still reports a directory, as CPython's does.
fn set_frozen_stdlib_dir(vm: &mut VirtualMachine) {
    let state = PyRc::get_mut(&mut vm.state).expect("no other references during init");
    state.config.paths.stdlib_dir = Some(rustpython_pylib::LIB_PATH.to_owned());
}
