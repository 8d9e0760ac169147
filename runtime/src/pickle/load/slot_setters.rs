//! BUILD's slot state, set through each class's data descriptors found once per load.
//!
//! A `(state, slotstate)` BUILD does `setattr(obj, name, value)` per slot. On a class that
//! left `__setattr__` alone, RustPython's `setattr` finds `name` on the class (its type
//! cache hands the descriptor out with a compare-and-swap and takes it back after) and calls
//! the descriptor's `__set__`. A load sets the same few names on many instances of one
//! class, so the descriptor found for a (class, name) is kept for the load and called
//! directly while the class's version tag says no attribute of it or its bases changed.

use rustpython_vm::builtins::{PyStrInterned, PyTypeRef};
use rustpython_vm::function::PySetterValue;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::atomic::Ordering;

/// A data descriptor's `__set__` slot.
type SetFunc = fn(&PyObject, PyObjectRef, PySetterValue, &VirtualMachine) -> PyResult<()>;

/// (class, name) pairs remembered per load: the slots of a few classes; others are set
/// through `setattr` as before.
const CAPACITY: usize = 16;

struct Setter {
    /// Held, so that its address stays its own for the load.
    class: PyTypeRef,
    /// The class's version tag when `descr` was found on it.
    version: u32,
    name: &'static PyStrInterned,
    descr: PyObjectRef,
    set: SetFunc,
}

impl Setter {
    /// The descriptor's `__set__(obj, value)`.
    fn assign(&self, vm: &VirtualMachine, obj: &PyObjectRef, value: PyObjectRef) -> PyResult<()> {
        (self.set)(&self.descr, obj.clone(), PySetterValue::Assign(value), vm)
    }
}

#[derive(Default)]
pub(crate) struct SlotSetters {
    found: Vec<Setter>,
}

impl SlotSetters {
    /// `setattr(obj, name, value)`.
    pub(crate) fn set(
        &mut self,
        vm: &VirtualMachine,
        obj: &PyObjectRef,
        name: &'static PyStrInterned,
        value: PyObjectRef,
    ) -> PyResult<()> {
        let cls = obj.class();
        // A version of 0 is a class whose attributes are not cached (none assigned yet, or
        // given up on): no shortcut for it.
        let version = cls.tp_version_tag.load(Ordering::Acquire);
        let known = self
            .found
            .iter()
            .position(|s| std::ptr::eq(s.name, name) && s.class.is(cls));
        if let Some(at) = known
            && version != 0
            && self.found[at].version == version
        {
            return self.found[at].assign(vm, obj, value);
        }
        match Self::find(vm, cls.to_owned(), version, name) {
            Some(setter) => {
                let result = setter.assign(vm, obj, value);
                match known {
                    Some(at) => self.found[at] = setter,
                    None if self.found.len() < CAPACITY => self.found.push(setter),
                    None => {}
                }
                result
            }
            None => obj.set_attr(name, value, vm),
        }
    }

    /// The data descriptor that `setattr` on an instance of `cls` would call for `name`:
    /// none when the class overrides `__setattr__`, has no version tag, or has no data
    /// descriptor by that name (the value goes to `__dict__`, or `setattr` raises).
    fn find(
        vm: &VirtualMachine,
        cls: PyTypeRef,
        version: u32,
        name: &'static PyStrInterned,
    ) -> Option<Setter> {
        if version == 0 || !super::object_slots::sets_as_object(vm, &cls) {
            return None;
        }
        let descr = cls.get_attr(name)?;
        let set = descr.class().slots.descr_set.load()?;
        // Finding it ran no Python code, but a tag that moved means it may not be current.
        if cls.tp_version_tag.load(Ordering::Acquire) != version {
            return None;
        }
        Some(Setter {
            class: cls,
            version,
            name,
            descr,
            set,
        })
    }
}
