//! The memo proxies `Pickler.memo` and `Unpickler.memo`: views of a pickler's memo that can be
//! copied to a dict, cleared, and assigned from a dict or another proxy.

pub(crate) use memo_proxies::{PicklerMemoProxy, UnpicklerMemoProxy};

#[rustpython_vm::pymodule(sub, name = "_pickle")]
pub(crate) mod memo_proxies {
    use super::super::dump::pickler::PyPickler;
    use super::super::load::unpickler::PyUnpickler;
    use pickle_core::decoder::Memo;
    use pickle_core::encoder::IdMemo;
    use rustpython_vm::builtins::{PyDict, PyDictRef, PyInt, PyTuple};
    use rustpython_vm::pyclass;
    use rustpython_vm::{
        AsObject, Py, PyObject, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine,
    };

    /// A Pickler memo entry's index, as CPython reads it (`PyLong_AsSsize_t`).
    fn entry_index(vm: &VirtualMachine, obj: &PyObject) -> PyResult<u64> {
        let index = obj.try_index(vm)?;
        num_traits::ToPrimitive::to_u64(index.as_bigint())
            .ok_or_else(|| vm.new_value_error("memo index must be a non-negative integer"))
    }

    /// An Unpickler memo key, with CPython's errors: TypeError for a key that is not an
    /// int, ValueError for a negative one.
    fn memo_key(vm: &VirtualMachine, key: &PyObject) -> PyResult<u64> {
        let Some(key) = key.downcast_ref::<PyInt>() else {
            return Err(vm.new_type_error("memo key must be integers"));
        };
        num_traits::ToPrimitive::to_u64(key.as_bigint())
            .ok_or_else(|| vm.new_value_error("memo key must be positive integers."))
    }

    /// `(dict_type, (), None, None, iter(items))`: how a proxy pickles, as a plain dict.
    fn reduce_as_dict(vm: &VirtualMachine, contents: PyDictRef) -> PyResult<PyObjectRef> {
        let items = vm.call_method(contents.as_object(), "items", ())?;
        let items = items.get_iter(vm)?;
        let parts = vec![
            vm.ctx.types.dict_type.to_owned().into(),
            vm.ctx.empty_tuple.clone().into(),
            vm.ctx.none(),
            vm.ctx.none(),
            items.into(),
        ];
        Ok(vm.ctx.new_tuple(parts).into())
    }

    #[pyattr]
    #[pyclass(module = "_pickle", name = "PicklerMemoProxy")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct PicklerMemoProxy {
        pickler: PyRef<PyPickler>,
    }

    impl PicklerMemoProxy {
        pub(crate) fn new(pickler: PyRef<PyPickler>) -> Self {
            PicklerMemoProxy { pickler }
        }

        /// A memo built from `{id: (index, obj)}` or another proxy.
        pub(crate) fn entries_from(
            value: &PyObject,
            vm: &VirtualMachine,
        ) -> PyResult<(IdMemo, Vec<PyObjectRef>)> {
            let dict = match value.downcast_ref::<PicklerMemoProxy>() {
                Some(proxy) => proxy.to_dict(vm)?,
                None => value.to_owned().downcast::<PyDict>().map_err(|v| {
                    vm.new_type_error(format!(
                        "'memo' attribute must be a PicklerMemoProxy object or dict, not {}",
                        v.class().name()
                    ))
                })?,
            };
            let mut memo = IdMemo::new();
            let mut objects = Vec::new();
            for (_, entry) in dict.items_vec() {
                let pair = entry.downcast_ref::<PyTuple>().filter(|t| t.len() == 2);
                let pair =
                    pair.ok_or_else(|| vm.new_type_error("'memo' values must be 2-item tuples"))?;
                let idx = entry_index(vm, &pair.as_slice()[0])?;
                // As CPython: the object itself keys the new memo (the dict's keys are
                // not read).
                let obj = pair.as_slice()[1].clone();
                memo.put_at(obj.get_id(), idx as usize);
                objects.push(obj);
            }
            Ok((memo, objects))
        }

        fn to_dict(&self, vm: &VirtualMachine) -> PyResult<PyDictRef> {
            let dict = vm.ctx.new_dict();
            let guard = self.pickler.state.lock();
            if let Some(state) = guard.as_ref() {
                for obj in &state.memo_objects {
                    let Some(idx) = state.memo.get(obj.get_id()) else {
                        continue;
                    };
                    let entry = vm
                        .ctx
                        .new_tuple(vec![vm.ctx.new_int(idx).into(), obj.clone()]);
                    dict.set_item(vm.ctx.new_int(obj.get_id()).as_object(), entry.into(), vm)?;
                }
            }
            Ok(dict)
        }
    }

    #[pyclass(flags(DISALLOW_INSTANTIATION))]
    impl PicklerMemoProxy {
        #[pymethod]
        fn copy(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyDictRef> {
            zelf.to_dict(vm)
        }

        #[pymethod]
        fn clear(zelf: &Py<Self>) {
            if let Some(state) = zelf.pickler.state.lock().as_mut() {
                state.clear_memo();
            }
        }

        #[pymethod]
        fn __reduce__(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
            reduce_as_dict(vm, zelf.to_dict(vm)?)
        }
    }

    #[pyattr]
    #[pyclass(module = "_pickle", name = "UnpicklerMemoProxy")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct UnpicklerMemoProxy {
        unpickler: PyRef<PyUnpickler>,
    }

    impl UnpicklerMemoProxy {
        pub(crate) fn new(unpickler: PyRef<PyUnpickler>) -> Self {
            UnpicklerMemoProxy { unpickler }
        }

        /// A memo built from `{index: obj}` or another proxy.
        pub(crate) fn entries_from(
            value: &PyObject,
            vm: &VirtualMachine,
        ) -> PyResult<Memo<PyObjectRef>> {
            let dict = match value.downcast_ref::<UnpicklerMemoProxy>() {
                Some(proxy) => proxy.to_dict(vm)?,
                None => value.to_owned().downcast::<PyDict>().map_err(|v| {
                    vm.new_type_error(format!(
                        "'memo' attribute must be an UnpicklerMemoProxy object or dict, not {}",
                        v.class().name()
                    ))
                })?,
            };
            let mut memo = Memo::new();
            for (key, obj) in dict.items_vec() {
                memo.put(memo_key(vm, &key)?, obj);
            }
            Ok(memo)
        }

        fn to_dict(&self, vm: &VirtualMachine) -> PyResult<PyDictRef> {
            let dict = vm.ctx.new_dict();
            for (idx, obj) in self.unpickler.memo.lock().iter() {
                dict.set_item(vm.ctx.new_int(idx).as_object(), obj.clone(), vm)?;
            }
            Ok(dict)
        }
    }

    #[pyclass(flags(DISALLOW_INSTANTIATION))]
    impl UnpicklerMemoProxy {
        #[pymethod]
        fn copy(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyDictRef> {
            zelf.to_dict(vm)
        }

        #[pymethod]
        fn clear(zelf: &Py<Self>) {
            zelf.unpickler.memo.lock().clear();
        }

        #[pymethod]
        fn __reduce__(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
            reduce_as_dict(vm, zelf.to_dict(vm)?)
        }
    }
}
