//! The decoding limits of each runtime: what `pickle.loads`, `pickle.load` and
//! `Unpickler.load` may consume there. Kept outside the VM, by interpreter, so that no
//! script can read or change its own; an interpreter with none set loads as CPython does,
//! unbounded.

use parking_lot::RwLock;
use pickle_core::decoder::Limits;
use rustpython_vm::VirtualMachine;
use std::sync::Arc;

/// The limits set, by the address of the interpreter's global state.
static BY_INTERPRETER: RwLock<Vec<(usize, Limits)>> = RwLock::new(Vec::new());

/// The key of `vm`'s interpreter in the registries kept outside the VM: the address of its
/// global state.
pub(crate) fn interpreter(vm: &VirtualMachine) -> usize {
    Arc::as_ptr(&vm.state) as usize
}

/// The limits of loads in `vm`'s interpreter.
pub(crate) fn of(vm: &VirtualMachine) -> Limits {
    let set = BY_INTERPRETER.read();
    if set.is_empty() {
        return Limits::UNLIMITED;
    }
    let key = interpreter(vm);
    set.iter()
        .find(|(k, _)| *k == key)
        .map_or(Limits::UNLIMITED, |(_, limits)| *limits)
}

/// Sets the limits of `vm`'s interpreter, for as long as it lives.
pub(crate) fn set(vm: &VirtualMachine, limits: Limits) {
    let key = interpreter(vm);
    let mut set = BY_INTERPRETER.write();
    set.retain(|(k, _)| *k != key);
    set.push((key, limits));
}

/// Forgets the limits of the interpreter whose global state is at `state` (it is being
/// finalized; another may be made at the same address).
pub(crate) fn forget(state: usize) {
    BY_INTERPRETER.write().retain(|(k, _)| *k != state);
}
