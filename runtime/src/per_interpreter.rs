//! What the functions brine puts in place of the VM's own need from their interpreter: the
//! function each replaced, and the like, kept here per interpreter.
//!
//! They cannot hold it themselves: RustPython 0.6 keeps the Rust closure of a native function
//! for the life of the process (`Context::new_method_def` leaks it), so a closure that held
//! the function it replaced kept that function alive after its interpreter was gone, and with
//! it the function's module and everything the module reached. The closures hold a key; the
//! values are dropped once their interpreter is finalized ([`release`]).

use parking_lot::Mutex;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

type Value = Arc<dyn Any + Send + Sync>;

/// The values, by the address of their interpreter's global state and a key.
static KEPT: Mutex<Option<HashMap<(usize, &'static str), Value>>> = Mutex::new(None);

/// The key of `vm`'s interpreter: the address of its global state, which all its threads share.
pub(crate) fn interpreter_key(vm: &VirtualMachine) -> usize {
    Arc::as_ptr(&vm.state) as usize
}

/// Keeps `value` under `key` for `vm`'s interpreter, in place of what was kept there.
pub(crate) fn keep<T: Any + Send + Sync>(vm: &VirtualMachine, key: &'static str, value: T) {
    KEPT.lock()
        .get_or_insert_with(HashMap::new)
        .insert((interpreter_key(vm), key), Arc::new(value));
}

/// What `vm`'s interpreter keeps under `key`, if it is a `T`. Handed out, not lent: the
/// caller may call into Python with it, and that may ask for it again.
pub(crate) fn get<T: Any + Send + Sync>(vm: &VirtualMachine, key: &'static str) -> Option<Arc<T>> {
    let value = KEPT
        .lock()
        .as_ref()?
        .get(&(interpreter_key(vm), key))?
        .clone();
    value.downcast().ok()
}

/// Takes out everything kept for the interpreter whose global state is at `interpreter`: it
/// has been finalized. The caller drops it.
pub(crate) fn release(interpreter: usize) -> Vec<Value> {
    let mut kept = KEPT.lock();
    let Some(map) = kept.as_mut() else {
        return Vec::new();
    };
    let keys: Vec<_> = map.keys().filter(|k| k.0 == interpreter).copied().collect();
    keys.iter().filter_map(|k| map.remove(k)).collect()
}

/// The function brine replaced, kept under `key` for `vm`'s interpreter by [`keep`].
pub(crate) fn original(vm: &VirtualMachine, key: &'static str) -> PyResult<PyObjectRef> {
    match get::<PyObjectRef>(vm, key) {
        Some(original) => Ok((*original).clone()),
        None => Err(vm.new_runtime_error(format!(
            "{key} cannot run: the interpreter it was made for is finalized"
        ))),
    }
}
