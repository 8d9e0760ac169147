//! Sets and frozensets: CPython's `save_set` and `save_frozenset`, their elements written in
//! the order CPython's hash table holds them (set_order.rs).

use super::save::{Walker, core_err};
use super::set_order::{self, SetOrder};
use pickle_core::encoder::BATCH_SIZE;
use pickle_core::opcodes::op;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyFrozenSet, PySet, PyType};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult};

/// Gives back the references to a set's elements copied out for a dump, prefetching ahead
/// (pickle/release.rs): a large set's elements are out of the cache by then.
fn release(mut items: Vec<PyObjectRef>) {
    crate::pickle::release::release_in_order(&mut items, |item| Some(&**item), |_| {});
}

/// A set's elements in the order they are written (moved, not cloned: each clone is an
/// atomic operation).
fn in_order(items: Vec<PyObjectRef>, order: Option<&SetOrder>) -> Vec<PyObjectRef> {
    let Some(order) = order else {
        return items;
    };
    let mut slots: Vec<Option<PyObjectRef>> = items.into_iter().map(Some).collect();
    order
        .order
        .iter()
        .filter_map(|&i| slots[i as usize].take())
        .collect()
}

impl Walker<'_> {
    pub(super) fn save_set(&mut self, obj: &PyObject) -> PyResult<()> {
        let vm = self.vm;
        let set = obj.downcast_ref::<PySet>().expect("exact set");
        if self.hooks.persistent_id.is_none()
            && let Some(order) = set_order::int_set_order(vm, set)
        {
            return self.save_int_set(set, order);
        }
        let items = set.elements();
        let order = set_order::cpython_order(vm, &items)?;
        if self.enc.proto() < 4 {
            return self.save_set_reduction(vm.ctx.types.set_type, items, order, obj);
        }
        self.enc.op(op::EMPTY_SET);
        self.memo_put(obj)?;
        if items.is_empty() {
            return Ok(());
        }
        let saved = self.save_set_batches(set, items.len(), |walker, range| {
            walker.save_elements(set.as_object(), &items, order.as_ref(), range)
        });
        release(items);
        saved
    }

    /// A set of ints that fit 64 bits, written from the values [`set_order::int_set_order`]
    /// read in place (no persistent id to ask about each).
    fn save_int_set(&mut self, set: &Py<PySet>, order: SetOrder) -> PyResult<()> {
        let obj = set.as_object();
        let ints = order.ints.as_deref().expect("read with the order");
        if self.enc.proto() < 4 {
            let cls = self.vm.ctx.types.set_type;
            return self.save_int_set_reduction(cls, ints, &order.order, obj);
        }
        self.enc.op(op::EMPTY_SET);
        self.memo_put(obj)?;
        self.save_set_batches(set, ints.len(), |walker, range| {
            for &i in &order.order[range] {
                walker.at_opcode_boundary()?;
                walker.enc.int(ints[i as usize]);
            }
            Ok(())
        })
    }

    /// Below protocol 4, CPython's `save_set` saves the reduction `(cls, (list(obj),))`.
    fn save_set_reduction(
        &mut self,
        cls: &'static Py<PyType>,
        items: Vec<PyObjectRef>,
        order: Option<SetOrder>,
        obj: &PyObject,
    ) -> PyResult<()> {
        let ints = order
            .as_ref()
            .and_then(|o| Some((o.ints.as_deref()?, o.order.as_slice())))
            .filter(|_| self.hooks.persistent_id.is_none());
        if let Some((ints, order)) = ints {
            let saved = self.save_int_set_reduction(cls, ints, order, obj);
            release(items);
            return saved;
        }
        let vm = self.vm;
        let list = vm.ctx.new_list(in_order(items, order.as_ref()));
        let args = vm.ctx.new_tuple(vec![list.into()]);
        self.save_simple_reduce(cls.to_owned().into(), args.into(), obj)
    }

    /// The bytes `save_reduce` writes for a set of ints' reduction, written straight from the
    /// values the ordering read, without making the list and its tuple: for 10,000 ints that
    /// is 20,000 atomic reference counts less, and no second look at each int. The list and
    /// the tuple take memo indices, as CPython's temporaries do; nothing can meet them again.
    fn save_int_set_reduction(
        &mut self,
        cls: &'static Py<PyType>,
        ints: &[i64],
        order: &[u32],
        obj: &PyObject,
    ) -> PyResult<()> {
        self.save(cls.as_object(), false)
            .map_err(|e| self.note(e, obj, "reconstructor"))?;
        let small = self.enc.tuple_begin(1);
        self.enc.empty_list();
        self.memo_put_unseen()?;
        if self.enc.bin() {
            // As for an exact list of two or more items: MARK..APPENDS batches, the last one
            // with its MARK whatever its size.
            for batch in order.chunks(BATCH_SIZE) {
                self.enc.op(op::MARK);
                for &i in batch {
                    self.enc.int(ints[i as usize]);
                }
                self.enc.op(op::APPENDS);
            }
        } else {
            for &i in order {
                self.enc.int(ints[i as usize]);
                self.enc.op(op::APPEND);
            }
        }
        self.enc.tuple_end(1, small);
        self.memo_put_unseen()?;
        self.enc.op(op::REDUCE);
        self.memo_put(obj)
    }

    /// The C pickler's batches of ADDITEMS, each written by `write` (the range of the writing
    /// order it covers): a do-while, so a set of exactly 1000·k items ends with an empty
    /// batch.
    fn save_set_batches(
        &mut self,
        set: &Py<PySet>,
        size: usize,
        mut write: impl FnMut(&mut Self, std::ops::Range<usize>) -> PyResult<()>,
    ) -> PyResult<()> {
        let vm = self.vm;
        let mut start = 0;
        loop {
            let end = size.min(start + BATCH_SIZE);
            self.enc.op(op::MARK);
            write(self, start..end)?;
            self.enc.op(op::ADDITEMS);
            if set.as_object().length(vm)? != size {
                return Err(vm.new_runtime_error("set changed size during iteration"));
            }
            if end - start < BATCH_SIZE {
                return Ok(());
            }
            start = end;
        }
    }

    /// Saves the set elements `range` of the writing order: ints whose values the ordering
    /// read are written straight from them (nothing can run between them but a frame's end).
    fn save_elements(
        &mut self,
        set: &PyObject,
        items: &[PyObjectRef],
        order: Option<&SetOrder>,
        range: std::ops::Range<usize>,
    ) -> PyResult<()> {
        let ints = order.and_then(|o| o.ints.as_deref());
        if let Some(ints) = ints.filter(|_| self.hooks.persistent_id.is_none()) {
            for k in range {
                self.at_opcode_boundary()?;
                self.enc.int(ints[SetOrder::index(order, k)]);
            }
            return Ok(());
        }
        for k in range {
            self.save(&items[SetOrder::index(order, k)], false)
                .map_err(|e| self.note_element(e, set))?;
        }
        Ok(())
    }

    pub(crate) fn note_element(&self, e: PyBaseExceptionRef, obj: &PyObject) -> PyBaseExceptionRef {
        self.note(e, obj, "element")
    }

    pub(super) fn save_frozenset(&mut self, obj: &PyObject) -> PyResult<()> {
        let vm = self.vm;
        let items = obj
            .downcast_ref::<PyFrozenSet>()
            .expect("exact frozenset")
            .elements();
        let order = set_order::cpython_order(vm, &items)?;
        if self.enc.proto() < 4 {
            return self.save_set_reduction(vm.ctx.types.frozenset_type, items, order, obj);
        }
        self.enc.op(op::MARK);
        let saved = self.save_elements(obj, &items, order.as_ref(), 0..items.len());
        release(items);
        saved?;
        if let Some(idx) = self.st.memo.get(obj.get_id()) {
            self.enc.op(op::POP_MARK);
            return self.enc.memo_get(idx).map_err(core_err(vm));
        }
        self.enc.op(op::FROZENSET);
        self.memo_put(obj)
    }
}
