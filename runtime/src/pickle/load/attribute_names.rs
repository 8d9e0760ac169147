//! The attribute names BUILD sets, interned once per load.
//!
//! CPython's `load_build` interns every str key of an instance's state before setting it. The
//! instances of one load share their key objects (after the first, each key is a memo
//! reference to the same str), so the interned name is found once per key object and reused,
//! instead of hashing and looking up the text in the interpreter's pool per instance.

use rustpython_vm::builtins::{PyStr, PyStrInterned};
use rustpython_vm::{AsObject, PyObjectRef, VirtualMachine};

/// Key objects remembered per load: enough for the attributes of a few classes; keys beyond
/// it are interned each time, as before.
const CAPACITY: usize = 32;

#[derive(Default)]
pub(crate) struct AttributeNames {
    /// Each key object (held, so that its identity stays unique) with its interned name.
    seen: Vec<(PyObjectRef, &'static PyStrInterned)>,
}

impl AttributeNames {
    /// The interned name of `key` when it is an exact str; None otherwise (the key is used
    /// as it is).
    pub(crate) fn intern(
        &mut self,
        vm: &VirtualMachine,
        key: &PyObjectRef,
    ) -> Option<&'static PyStrInterned> {
        let text = key.downcast_ref_if_exact::<PyStr>(vm)?;
        if let Some((_, name)) = self.seen.iter().find(|(seen, _)| seen.is(key)) {
            return Some(name);
        }
        let name = vm.ctx.intern_str(text.as_wtf8());
        if self.seen.len() < CAPACITY {
            self.seen.push((key.clone(), name));
        }
        Some(name)
    }
}
