//! BUILD: a state applied to an instance as CPython's `load_build` applies it (a
//! `__setstate__` called, or the dict part into `__dict__` with its str keys interned and the
//! slot part set), and the shortcut for an instance's state written as SETITEMS then BUILD
//! (SETITEMS, TUPLE2, BUILD for `__slots__`): where no one else can see the dict the SETITEMS
//! fills, its pairs go to the instance as BUILD would take them from the dict, and the dict is
//! never filled (it was made, filled, copied and freed for every instance).

use super::{LoadError, VmBuilder};
use crate::pickle::errors::new_unpickling_error;
use crate::pickle::load::object_slots::gets_as_object;
use pickle_core::decoder::{Builder, Items};
use rustpython_vm::builtins::{PyDict, PyStr, PyTuple};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, identifier};

/// Keys beyond this many are not checked for repeats: such a state goes the usual way.
const DISTINCT_KEYS_CHECKED: usize = 16;

/// Where the pairs of a SETITEMS that a BUILD follows go (see [`VmBuilder::pairs_target`]).
enum PairsTarget {
    /// Into the dict, which BUILD then applies as usual.
    TheDict,
    /// Into the dict, which goes to this `__setstate__` (found in the instance dict).
    Setstate(PyObjectRef),
    /// Into the instance's `__dict__`: the dict is not needed.
    InstanceDict,
}

impl VmBuilder<'_> {
    /// `getattr(obj, '__setstate__', None)`. Most classes have none (asked once per class
    /// version: see `class_facts`), and where the class's attribute look-up is object's own,
    /// what the VM's look-up would do then is one look in the instance's dict; done here, it
    /// skips the VM's search of its table of interned names for the name (already interned)
    /// on every BUILD.
    pub(super) fn setstate_of(&mut self, obj: &PyObject) -> PyResult<Option<PyObjectRef>> {
        let vm = self.vm;
        let name = identifier!(vm, __setstate__);
        let cls = obj.class();
        if !gets_as_object(vm, cls) || self.class_facts.of(vm, cls).class_setstate {
            return vm.get_attribute_opt(obj, name);
        }
        self.instance_setstate(obj)
    }

    /// `__setstate__` in the instance's dict, where the class has none and looks attributes
    /// up as `object` does.
    fn instance_setstate(&self, obj: &PyObject) -> PyResult<Option<PyObjectRef>> {
        let vm = self.vm;
        // An instance just made by `object.__new__` has an empty dict.
        let Some(dict) = obj.dict().filter(|d| !d.is_empty()) else {
            return Ok(None);
        };
        match dict.get_item_opt(identifier!(vm, __setstate__), vm) {
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
            self.set_slot_state(obj, slots.items_vec())?;
        }
        Ok(())
    }

    /// `setattr(obj, key, value)` for each pair, as BUILD applies a slot state: str keys
    /// interned and set through the class's descriptors.
    fn set_slot_state(
        &mut self,
        obj: &PyObjectRef,
        pairs: impl IntoIterator<Item = (PyObjectRef, PyObjectRef)>,
    ) -> PyResult<()> {
        let vm = self.vm;
        for (key, value) in pairs {
            match self.attribute_names.intern(vm, &key) {
                Some(name) => self.slot_setters.set(vm, obj, name, value)?,
                None => obj.set_attr(&*key.str(vm)?, value, vm)?,
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
    fn pairs_target(
        &mut self,
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
            || self.class_facts.of(vm, cls).class_setstate
        {
            return Ok(PairsTarget::TheDict);
        }
        Ok(match self.instance_setstate(obj)? {
            Some(setstate) => PairsTarget::Setstate(setstate),
            None => PairsTarget::InstanceDict,
        })
    }

    /// SETITEMS of `pairs` into `state`, then BUILD of `state` on `obj`.
    pub(super) fn dict_state_from_pairs(
        &mut self,
        obj: &PyObjectRef,
        state: PyObjectRef,
        pairs: Items<'_, PyObjectRef>,
    ) -> Result<(), LoadError> {
        match self.pairs_target(obj, &state, pairs.as_slice())? {
            PairsTarget::TheDict => {
                self.set_items(&state, pairs)?;
                self.build(obj, state)
            }
            PairsTarget::Setstate(setstate) => {
                self.set_items(&state, pairs)?;
                setstate.call((state,), self.vm)?;
                Ok(())
            }
            PairsTarget::InstanceDict => {
                self.update_instance_dict(obj, in_pairs(pairs))?;
                self.keep_spare_dict(state);
                Ok(())
            }
        }
    }

    /// Keeps `state`, the empty dict of a state that went straight to an instance, for the
    /// next EMPTY_DICT to use, when no one else holds it: no one has seen it, so the dict the
    /// next EMPTY_DICT gives is as new as a fresh one, without being made (allocated, tracked
    /// by the collector) and freed once per instance.
    fn keep_spare_dict(&mut self, state: PyObjectRef) {
        if state.strong_count() == 1
            && let Some(dict) = state.downcast_exact::<PyDict>(self.vm).ok()
            && dict.is_empty()
        {
            self.spare_dict = Some(dict.into_pyref());
        }
    }

    /// SETITEMS of `pairs` into `slots`, TUPLE2 of `dict_state` and `slots`, then BUILD of
    /// the tuple on `obj`. The pairs are set straight on the instance only when the dict
    /// state is None and no key repeats: each is set through its descriptor, which for a
    /// property runs code, so a repeated key would run it once more than CPython does.
    pub(super) fn slot_state_from_pairs(
        &mut self,
        obj: &PyObjectRef,
        dict_state: PyObjectRef,
        slots: PyObjectRef,
        pairs: Items<'_, PyObjectRef>,
    ) -> Result<(), LoadError> {
        let vm = self.vm;
        let target = self.pairs_target(obj, &slots, pairs.as_slice())?;
        if matches!(target, PairsTarget::InstanceDict)
            && vm.is_none(&dict_state)
            && distinct_keys(pairs.as_slice())
        {
            self.set_slot_state(obj, in_pairs(pairs))?;
            self.keep_spare_dict(slots);
            return Ok(());
        }
        self.set_items(&slots, pairs)?;
        let state: PyObjectRef = vm.ctx.new_tuple(vec![dict_state, slots]).into();
        match target {
            PairsTarget::TheDict => self.build(obj, state),
            PairsTarget::Setstate(setstate) => {
                setstate.call((state,), vm)?;
                Ok(())
            }
            // The look-up for `__setstate__` was made and found none.
            PairsTarget::InstanceDict => Ok(self.build_default(obj, state)?),
        }
    }
}

/// Flat key, value, key, value... as pairs.
fn in_pairs(
    mut flat: Items<'_, PyObjectRef>,
) -> impl Iterator<Item = (PyObjectRef, PyObjectRef)> + '_ {
    std::iter::from_fn(move || Some((flat.next()?, flat.next()?)))
}

/// No key of flat `pairs` (exact strs) comes twice; false for more than
/// [`DISTINCT_KEYS_CHECKED`] keys.
fn distinct_keys(pairs: &[PyObjectRef]) -> bool {
    // Per slot instance, on the load's hot path: no vector, the keys walked in place.
    let keys = || {
        pairs
            .iter()
            .step_by(2)
            .filter_map(|key| key.downcast_ref::<PyStr>())
    };
    pairs.len() <= 2 * DISTINCT_KEYS_CHECKED
        && keys().count() * 2 == pairs.len()
        && keys()
            .enumerate()
            .all(|(i, a)| keys().take(i).all(|b| a.as_wtf8() != b.as_wtf8()))
}
