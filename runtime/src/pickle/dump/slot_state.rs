//! The default state of an instance whose class has `__slots__`: `(__dict__ or None, {slot:
//! value})`, and how a one-shot dump writes it without making that dict and tuple.
//!
//! CPython's `object_getstate` makes both for every instance, and its pickler writes and
//! memoises them like any dict and tuple. Nothing else refers to them, so no later object of
//! the pickle can be them: where no Python code can read the memo (`pickle.dumps`,
//! `pickle.dump`, the embedding's `dumps`), the same bytes are written from the parts, and
//! the two memo indices are taken without storing an identity. Making, filling, memoising and
//! freeing the two objects was most of a `__slots__` instance's dump.

use super::save::Walker;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// An instance's state as `object_getstate` computes it.
pub(crate) enum State {
    /// What `__getstate__` returned, or the `__dict__` (None when empty) of a class with no
    /// slots set.
    Object(PyObjectRef),
    /// The parts of `(dict_state, {name: value})`, for a class with at least one slot set.
    Slots(SlotState),
}

pub(crate) struct SlotState {
    /// The instance's `__dict__`, or None when it has none or an empty one.
    pub(crate) dict_state: PyObjectRef,
    /// The slots that are set (names, as str), in `__slotnames__` order, with their values.
    pub(crate) slots: Vec<(PyObjectRef, PyObjectRef)>,
}

impl State {
    /// The state as the Python object `object.__getstate__` returns.
    pub(crate) fn into_object(self, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let SlotState { dict_state, slots } = match self {
            State::Object(state) => return Ok(state),
            State::Slots(parts) => parts,
        };
        let dict = vm.ctx.new_dict();
        for (name, value) in slots {
            dict.set_item(&*name, value, vm)?;
        }
        Ok(vm.ctx.new_tuple(vec![dict_state, dict.into()]).into())
    }

    /// Whether BUILD follows: every state but None.
    pub(crate) fn is_some(&self, vm: &VirtualMachine) -> bool {
        match self {
            State::Object(state) => !vm.is_none(state),
            State::Slots(_) => true,
        }
    }
}

impl Walker<'_> {
    /// Saves an instance's state as `save(state)` would.
    pub(crate) fn save_instance_state(&mut self, state: State) -> PyResult<()> {
        let parts = match state {
            State::Slots(parts) if self.writes_unseen_temporaries() => parts,
            state => {
                let state = state.into_object(self.vm)?;
                return self.save(&state, false);
            }
        };
        let vm = self.vm;
        // The tuple's and the dict's `save`: a frame boundary, then one level of recursion.
        self.at_opcode_boundary()?;
        vm.with_recursion("while pickling an object", || {
            let small = self.enc.tuple_begin(2);
            self.save(&parts.dict_state, false)
                .map_err(|e| self.note_in(e, "tuple", "item 0"))?;
            self.at_opcode_boundary()
                .and_then(|()| {
                    vm.with_recursion("while pickling an object", || {
                        self.save_slot_dict(&parts.slots)
                    })
                })
                .map_err(|e| self.note_in(e, "tuple", "item 1"))?;
            self.enc.tuple_end(2, small);
            self.memo_put_unseen()
        })
    }

    /// Whether the temporaries this walk makes may be written without being made: the memo
    /// is the dump's own, nothing sees the objects saved (no `persistent_id`), and it is not
    /// fast mode (which tracks dicts by identity).
    fn writes_unseen_temporaries(&self) -> bool {
        self.st.private_memo
            && !self.st.fast
            && self.hooks.persistent_id.is_none()
            && self.enc.bin()
    }

    /// `save_dict` of a fresh exact dict holding `slots`.
    fn save_slot_dict(&mut self, slots: &[(PyObjectRef, PyObjectRef)]) -> PyResult<()> {
        self.enc.empty_dict();
        self.memo_put_unseen()?;
        self.save_dict_pairs(slots, |w, name, value| {
            w.save(name, false)?;
            w.save(value, false)
                .map_err(|e| w.note_in(e, "dict", &w.key_item(name)))
        })
    }
}
