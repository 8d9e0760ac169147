//! BUILD: a state applied to an instance as CPython's `load_build` applies it (a
//! `__setstate__` called, or the dict part into `__dict__` with its str keys interned and the
//! slot part set), and the shortcut for an instance's dict state written as SETITEMS then BUILD.

use super::VmBuilder;
use crate::pickle::errors::new_unpickling_error;
use crate::pickle::load::object_slots::gets_as_object;
use rustpython_vm::builtins::{PyDict, PyStr, PyTuple};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, identifier};

/// Where the pairs of a SETITEMS that a BUILD follows go (see [`VmBuilder::pairs_target`]).
pub(super) enum PairsTarget {
    /// Into the dict, which BUILD then applies as usual.
    TheDict,
    /// Into the dict, which goes to this `__setstate__` (found in the instance dict).
    Setstate(PyObjectRef),
    /// Into the instance's `__dict__`: the dict is not needed.
    InstanceDict,
}

impl VmBuilder<'_> {
    /// `getattr(obj, '__setstate__', None)`. Most classes have none, and where the class's
    /// attribute look-up is object's own, what the VM's look-up would do then is one look in
    /// the instance's dict; done here, it skips the VM's search of its table of interned
    /// names for the name (already interned) on every BUILD.
    pub(super) fn setstate_of(&self, obj: &PyObject) -> PyResult<Option<PyObjectRef>> {
        let vm = self.vm;
        let name = identifier!(vm, __setstate__);
        let cls = obj.class();
        if !gets_as_object(vm, cls) || cls.get_attr(name).is_some() {
            return vm.get_attribute_opt(obj, name);
        }
        let Some(dict) = obj.dict() else {
            return Ok(None);
        };
        match dict.get_item_opt(name, vm) {
            Err(e) if e.fast_isinstance(vm.ctx.exceptions.attribute_error) => Ok(None),
            found => found,
        }
    }

    /// BUILD without `__setstate__`: update `__dict__` (interning str keys), then set the slot
    /// state's attributes; None skips either part.
    pub(super) fn build_default(&mut self, obj: &PyObjectRef, state: PyObjectRef) -> PyResult<()> {
        let vm = self.vm;
        let (state, slots) = match state.downcast_ref::<PyTuple>().map(|t| t.as_slice()) {
            Some([s, slots]) => (s.clone(), Some(slots.clone())),
            _ => (state, None),
        };
        // As CPython's C load_build: any state but None (even an empty dict) goes to __dict__.
        if !vm.is_none(&state) {
            let Some(state) = state.downcast_ref::<PyDict>() else {
                return Err(new_unpickling_error(vm, "state is not a dictionary"));
            };
            self.update_instance_dict(obj, state.items_vec())?;
        }
        if let Some(slots) = slots.filter(|s| !vm.is_none(s)) {
            let Some(slots) = slots.downcast_ref::<PyDict>() else {
                return Err(new_unpickling_error(vm, "slot state is not a dictionary"));
            };
            for (key, value) in slots.items_vec() {
                match self.attribute_names.intern(vm, &key) {
                    Some(name) => self.slot_setters.set(vm, obj, name, value)?,
                    None => obj.set_attr(&*key.str(vm)?, value, vm)?,
                }
            }
        }
        Ok(())
    }

    /// `obj.__dict__[key] = value` for each pair, str keys interned, as BUILD applies a
    /// dict state.
    pub(super) fn update_instance_dict(
        &mut self,
        obj: &PyObjectRef,
        pairs: impl IntoIterator<Item = (PyObjectRef, PyObjectRef)>,
    ) -> PyResult<()> {
        let vm = self.vm;
        let inst_dict: PyObjectRef = match obj.dict() {
            Some(d) => d.into(),
            None => obj.get_attr(identifier!(vm, __dict__), vm)?,
        };
        let exact = inst_dict.downcast_ref_if_exact::<PyDict>(vm);
        for (key, value) in pairs {
            let key = match self.attribute_names.intern(vm, &key) {
                Some(name) => name.to_owned().into(),
                None => key,
            };
            match exact {
                Some(d) => self.set_in_exact(d, &key, value)?,
                None => inst_dict.set_item(&*key, value, vm)?,
            }
        }
        Ok(())
    }

    /// Where SETITEMS of `pairs` into `state` followed by BUILD of `state` on `obj` sends the
    /// pairs. Straight to the instance's `__dict__` only when that cannot show: `state` is an
    /// empty dict no one else holds (the memo kept no reference: see `MemoReads`), every key
    /// is an exact str (hashing and comparing them runs no Python code, so the order of the
    /// look-ups cannot show), and `obj`'s class looks attributes up as `object` does and has
    /// no `__setstate__` (so BUILD's look-up runs no code: only the instance dict is looked
    /// in, here, once).
    pub(super) fn pairs_target(
        &self,
        obj: &PyObject,
        state: &PyObject,
        pairs: &[PyObjectRef],
    ) -> PyResult<PairsTarget> {
        let vm = self.vm;
        let private_empty_dict = state.strong_count() == 1
            && state
                .downcast_ref_if_exact::<PyDict>(vm)
                .is_some_and(|d| d.is_empty());
        let str_keys = pairs
            .iter()
            .step_by(2)
            .all(|key| key.downcast_ref_if_exact::<PyStr>(vm).is_some());
        let cls = obj.class();
        if self.opts.noload
            || !private_empty_dict
            || !str_keys
            || !gets_as_object(vm, cls)
            || cls.get_attr(identifier!(vm, __setstate__)).is_some()
        {
            return Ok(PairsTarget::TheDict);
        }
        Ok(match self.setstate_of(obj)? {
            Some(setstate) => PairsTarget::Setstate(setstate),
            None => PairsTarget::InstanceDict,
        })
    }
}
