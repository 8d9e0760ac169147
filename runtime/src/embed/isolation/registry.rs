//! Which interpreters are isolated. The guards on built-in types (see
//! [`type_guards`](super::type_guards)) are process-wide, since every runtime shares
//! RustPython's types; they ask this whether the interpreter running them is isolated.

use parking_lot::RwLock;
use rustpython_vm::VirtualMachine;
use std::sync::Arc;

/// The isolated interpreters, by the address of their global state.
static ISOLATED: RwLock<Vec<usize>> = RwLock::new(Vec::new());

fn key(vm: &VirtualMachine) -> usize {
    Arc::as_ptr(&vm.state) as usize
}

/// Whether `vm` belongs to an isolated runtime.
pub(crate) fn is_isolated(vm: &VirtualMachine) -> bool {
    let isolated = ISOLATED.read();
    !isolated.is_empty() && isolated.contains(&key(vm))
}

/// Marks `vm`'s interpreter isolated, for as long as it lives.
pub(crate) fn add(vm: &VirtualMachine) {
    ISOLATED.write().push(key(vm));
}

/// Forgets the interpreter whose global state is at `state` (it is being finalized).
pub(crate) fn forget(state: usize) {
    ISOLATED.write().retain(|k| *k != state);
}
