//! The generic path: `dispatch_table`, `reducer_override`, `__reduce_ex__`/`__reduce__`, and
//! what their results turn into (REDUCE, NEWOBJ, NEWOBJ_EX, BUILD, batched items).

use super::object_reduce::{Reduced, shadows};
use super::save::{Walker, core_err};
use crate::pickle::errors::{new_pickling_error, type_name};
use pickle_core::encoder::BATCH_SIZE;
use pickle_core::opcodes::op;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyDict, PyStr, PyTuple, PyType};
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, identifier};

/// The parts of a reduce tuple: `(func, args[, state[, listitems[, dictitems[, setter]]]])`.
pub(crate) struct Reduction {
    pub(crate) func: PyObjectRef,
    pub(crate) args: PyObjectRef,
    pub(crate) state: Option<PyObjectRef>,
    pub(crate) listitems: Option<PyObjectRef>,
    pub(crate) dictitems: Option<PyObjectRef>,
    pub(crate) state_setter: Option<PyObjectRef>,
}

impl Reduction {
    /// `func(*args)` with nothing else.
    pub(crate) fn call(func: PyObjectRef, args: PyObjectRef) -> Self {
        Reduction {
            func,
            args,
            state: None,
            listitems: None,
            dictitems: None,
            state_setter: None,
        }
    }
}

impl Walker<'_> {
    /// Everything that is not an exact built-in container: reducer_override, types and
    /// functions by name, then the reduce protocol.
    pub(crate) fn save_by_reduction(&mut self, obj: &PyObject, cls: &Py<PyType>) -> PyResult<()> {
        let vm = self.vm;
        let mut reduced = None;
        if let Some(hook) = self.hooks.reducer_override.clone() {
            let value = hook.call((obj.to_owned(),), vm)?;
            if !value.is(&vm.ctx.not_implemented) {
                reduced = Some(Reduced::Value(value));
            }
        }
        let reduced = match reduced {
            Some(reduced) => reduced,
            None if cls.is(vm.ctx.types.type_type) => return self.save_type(obj),
            None if cls.is(vm.ctx.types.function_type) => return self.save_global(obj, None),
            None => self.reduce_value(obj, cls)?,
        };
        // Errors while writing the reduction carry CPython's note; errors computing it do not.
        let written = match reduced {
            Reduced::Global => return self.save_global(obj, None),
            Reduced::Value(value) if value.downcast_ref::<PyStr>().is_some() => {
                return self.save_global(obj, Some(value));
            }
            Reduced::Value(value) => self.save_reduce_value(obj, value),
            Reduced::Newobj(reduction) => self.save_reduce(reduction, Some(obj)),
            Reduced::PlainNewobj(state) => self.save_plain_newobj(obj, state),
        };
        written.map_err(|e| self.note(e, obj, "object"))
    }

    pub(crate) fn note(
        &self,
        e: PyBaseExceptionRef,
        obj: &PyObject,
        what: &str,
    ) -> PyBaseExceptionRef {
        self.note_in(e, &type_name(self.vm, obj), what)
    }

    /// Calls the reducer: the dispatch table's entry for the type, else `__reduce_ex__`, else
    /// `__reduce__`. `None` means "a class: save it by name".
    fn reduce_value(&mut self, obj: &PyObject, cls: &Py<PyType>) -> PyResult<Reduced> {
        let vm = self.vm;
        if let Some(reducer) = self.dispatch_entry(cls)? {
            return reducer.call((obj.to_owned(),), vm).map(Reduced::Value);
        }
        if cls.fast_issubclass(vm.ctx.types.type_type) {
            return Ok(Reduced::Global);
        }
        // object.__reduce_ex__, unless the class or the instance's __dict__ has another.
        if self.class_plans.of(vm, cls).keeps_reduce_ex {
            let dict = obj.dict();
            if !shadows(vm, dict.as_deref(), identifier!(vm, __reduce_ex__)) {
                return self.object_reduce_ex(obj, dict);
            }
        }
        if let Some(reduce_ex) = vm.get_attribute_opt(obj, identifier!(vm, __reduce_ex__))? {
            return reduce_ex.call((self.enc.proto(),), vm).map(Reduced::Value);
        }
        if let Some(reduce) = vm.get_attribute_opt(obj, identifier!(vm, __reduce__))? {
            return reduce.call((), vm).map(Reduced::Value);
        }
        Err(new_pickling_error(
            vm,
            format!("Can't pickle {} object", type_name(vm, cls.as_object())),
        ))
    }

    fn dispatch_entry(&mut self, cls: &Py<PyType>) -> PyResult<Option<PyObjectRef>> {
        let vm = self.vm;
        let table = match &self.hooks.dispatch_table {
            Some(table) => table,
            None => self.lookups.dispatch_table(vm)?,
        };
        if let Some(dict) = table.downcast_ref_if_exact::<PyDict>(vm) {
            return dict.get_item_opt(cls.as_object(), vm);
        }
        match table.get_item(cls.as_object(), vm) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.fast_isinstance(vm.ctx.exceptions.key_error) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save_reduce_value(&mut self, obj: &PyObject, value: PyObjectRef) -> PyResult<()> {
        let vm = self.vm;
        let Some(tuple) = value.downcast_ref::<PyTuple>() else {
            let msg = format!(
                "__reduce__ must return a string or tuple, not {}",
                type_name(vm, &value)
            );
            return Err(new_pickling_error(vm, msg));
        };
        let items = tuple.as_slice();
        if !(2..=6).contains(&items.len()) {
            return Err(new_pickling_error(
                vm,
                "tuple returned by __reduce__ must contain 2 through 6 elements",
            ));
        }
        let optional = |i: usize| items.get(i).filter(|v| !vm.is_none(v)).cloned();
        // As CPython's C pickler: a state setter that cannot be called is refused before
        // anything is written (pickle.py finds out only when loading).
        if let Some(setter) = optional(5).filter(|s| !s.is_callable()) {
            let msg = format!(
                "sixth item of the tuple returned by __reduce__ must be callable, not {}",
                type_name(vm, &setter)
            );
            return Err(new_pickling_error(vm, msg));
        }
        let reduction = Reduction {
            func: items[0].clone(),
            args: items[1].clone(),
            state: optional(2),
            listitems: optional(3),
            dictitems: optional(4),
            state_setter: optional(5),
        };
        self.save_reduce(reduction, Some(obj))
    }

    /// pickle.py's `save_reduce`, with CPython 3.14's checks, messages and notes.
    pub(crate) fn save_reduce(&mut self, r: Reduction, obj: Option<&PyObject>) -> PyResult<()> {
        let vm = self.vm;
        if !r.func.is_callable() {
            let msg = format!(
                "first item of the tuple returned by __reduce__ must be callable, not {}",
                type_name(vm, &r.func)
            );
            return Err(new_pickling_error(vm, msg));
        }
        let Some(args) = r.args.downcast_ref::<PyTuple>() else {
            let msg = format!(
                "second item of the tuple returned by __reduce__ must be a tuple, not {}",
                type_name(vm, &r.args)
            );
            return Err(new_pickling_error(vm, msg));
        };
        let func_name = if self.enc.proto() >= 2 {
            self.name_of(&r.func)?
        } else {
            None
        };
        match func_name.as_deref() {
            Some("__newobj_ex__") => self.save_newobj_ex(args, obj)?,
            Some("__newobj__") => self.save_newobj(args, obj)?,
            _ => self.save_call(&r.func, &r.args, obj)?,
        }
        if let Some(obj) = obj {
            match self.st.memo.get(obj.get_id()) {
                Some(idx) => {
                    self.enc.op(op::POP);
                    self.enc.memo_get(idx).map_err(core_err(vm))?;
                }
                None => self.memo_put(obj)?,
            }
        }
        let target = obj.unwrap_or(&r.func);
        if let Some(items) = r.listitems {
            self.check_iterator(&items, "fourth")?;
            self.batch_appends(items, target)?;
        }
        if let Some(items) = r.dictitems {
            self.check_iterator(&items, "fifth")?;
            self.batch_setitems(items, target)?;
        }
        if let Some(state) = r.state {
            self.save_state(target, state, r.state_setter)?;
        }
        Ok(())
    }

    fn name_of(&self, func: &PyObject) -> PyResult<Option<String>> {
        let name = self
            .vm
            .get_attribute_opt(func, identifier!(self.vm, __name__))?;
        Ok(name.and_then(|n| {
            n.downcast_ref::<PyStr>()
                .map(|s| s.to_string_lossy().into_owned())
        }))
    }

    fn check_iterator(&self, items: &PyObject, which: &str) -> PyResult<()> {
        if items.class().slots.iternext.load().is_some() {
            return Ok(());
        }
        let msg = format!(
            "{which} item of the tuple returned by __reduce__ must be an iterator, not {}",
            type_name(self.vm, items)
        );
        Err(new_pickling_error(self.vm, msg))
    }

    fn save_call(
        &mut self,
        func: &PyObject,
        args: &PyObject,
        obj: Option<&PyObject>,
    ) -> PyResult<()> {
        let target = obj.unwrap_or(func);
        self.save(func, false)
            .map_err(|e| self.note(e, target, "reconstructor"))?;
        self.save(args, false)
            .map_err(|e| self.note(e, target, "reconstructor arguments"))?;
        self.enc.op(op::REDUCE);
        Ok(())
    }

    /// Checks NEWOBJ's class: it must have `__new__` and be the object's class.
    fn check_new_class(&self, cls: &PyObject, obj: Option<&PyObject>, which: &str) -> PyResult<()> {
        let vm = self.vm;
        if vm
            .get_attribute_opt(cls, identifier!(vm, __new__))?
            .is_none()
        {
            return Err(new_pickling_error(
                vm,
                format!("first argument to {which}() has no __new__"),
            ));
        }
        if let Some(obj) = obj {
            let obj_class = obj.get_attr(identifier!(vm, __class__), vm)?;
            if !cls.is(&obj_class) {
                let msg = format!(
                    "first argument to {which}() must be {}, not {}",
                    obj_class.repr(vm)?,
                    cls.repr(vm)?
                );
                return Err(new_pickling_error(vm, msg));
            }
        }
        Ok(())
    }

    fn save_newobj(&mut self, args: &Py<PyTuple>, obj: Option<&PyObject>) -> PyResult<()> {
        let vm = self.vm;
        let Some((cls, rest)) = args.as_slice().split_first() else {
            return Err(new_pickling_error(vm, "__newobj__ arglist is empty"));
        };
        self.check_new_class(cls, obj, "__newobj__")?;
        let target = obj.unwrap_or(cls);
        self.save(cls, false)
            .map_err(|e| self.note(e, target, "class"))?;
        let rest = vm.ctx.new_tuple(rest.to_vec());
        self.save(rest.as_object(), false)
            .map_err(|e| self.note(e, target, "__new__ arguments"))?;
        self.enc.op(op::NEWOBJ);
        Ok(())
    }

    fn save_newobj_ex(&mut self, args: &Py<PyTuple>, obj: Option<&PyObject>) -> PyResult<()> {
        let vm = self.vm;
        let [cls, new_args, kwargs] = args.as_slice() else {
            let msg = format!(
                "length of the NEWOBJ_EX argument tuple must be exactly 3, not {}",
                args.len()
            );
            return Err(new_pickling_error(vm, msg));
        };
        self.check_new_class(cls, obj, "__newobj_ex__")?;
        // As CPython's C pickler, at every protocol: the arguments must be what NEWOBJ_EX
        // (or the partial that stands for it) is given.
        if new_args.downcast_ref::<PyTuple>().is_none() {
            let msg = format!(
                "second argument to __newobj_ex__() must be a tuple, not {}",
                type_name(vm, new_args)
            );
            return Err(new_pickling_error(vm, msg));
        }
        if kwargs.downcast_ref::<PyDict>().is_none() {
            let msg = format!(
                "third argument to __newobj_ex__() must be a dict, not {}",
                type_name(vm, kwargs)
            );
            return Err(new_pickling_error(vm, msg));
        }
        let target = obj.unwrap_or(cls);
        if self.enc.proto() >= 4 {
            self.save(cls, false)
                .map_err(|e| self.note(e, target, "class"))?;
            self.save(new_args, false)
                .map_err(|e| self.note(e, target, "__new__ arguments"))?;
            self.save(kwargs, false)
                .map_err(|e| self.note(e, target, "__new__ arguments"))?;
            self.enc.op(op::NEWOBJ_EX);
            return Ok(());
        }
        // Below protocol 4: functools.partial(cls.__new__, cls, *args, **kwargs)().
        let partial = vm.import("functools", 0)?.get_attr("partial", vm)?;
        let mut call_args = vec![cls.get_attr(identifier!(vm, __new__), vm)?, cls.clone()];
        call_args.extend(vm.extract_elements_with(new_args, Ok)?);
        let kwargs = crate::pickle::kwargs::kwargs_of(vm, kwargs)?;
        let func = partial.call(
            rustpython_vm::function::FuncArgs::new(call_args, kwargs),
            vm,
        )?;
        self.save(&func, false)
            .map_err(|e| self.note(e, target, "reconstructor"))?;
        self.enc.empty_tuple();
        self.enc.op(op::REDUCE);
        Ok(())
    }

    fn save_state(
        &mut self,
        obj: &PyObject,
        state: PyObjectRef,
        setter: Option<PyObjectRef>,
    ) -> PyResult<()> {
        let Some(setter) = setter else {
            self.save(&state, false)
                .map_err(|e| self.note(e, obj, "state"))?;
            self.enc.op(op::BUILD);
            return Ok(());
        };
        self.save(&setter, false)
            .map_err(|e| self.note(e, obj, "state setter"))?;
        self.save(obj, false)?;
        self.save(&state, false)
            .map_err(|e| self.note(e, obj, "state"))?;
        self.enc.op(op::TUPLE2);
        self.enc.op(op::REDUCE);
        self.enc.op(op::POP);
        Ok(())
    }

    fn next_item(&self, iter: &PyObject) -> PyResult<Option<PyObjectRef>> {
        let iter = rustpython_vm::protocol::PyIter::new(iter);
        match iter.next(self.vm)? {
            PyIterReturn::Return(value) => Ok(Some(value)),
            PyIterReturn::StopIteration(_) => Ok(None),
        }
    }

    /// The C pickler's `batch_list` over an iterator: APPEND per item in protocol 0; otherwise
    /// MARK..APPENDS batches, a lone last item getting a bare APPEND.
    pub(crate) fn batch_appends(&mut self, iter: PyObjectRef, obj: &PyObject) -> PyResult<()> {
        let mut index = 0;
        let save = |w: &mut Self, item: &PyObjectRef| {
            let result = w.save(item, false).map_err(|e| w.note_item(e, obj, index));
            index += 1;
            result
        };
        self.batch(|w| w.next_item(&iter), save, op::APPEND, op::APPENDS)
    }

    /// The C pickler's `batch_dict` over an iterator of pairs, batched as `batch_appends`.
    pub(crate) fn batch_setitems(&mut self, iter: PyObjectRef, obj: &PyObject) -> PyResult<()> {
        let save =
            |w: &mut Self, (key, value): &(PyObjectRef, PyObjectRef)| w.save_pair(obj, key, value);
        self.batch(|w| w.next_pair(&iter), save, op::SETITEM, op::SETITEMS)
    }

    /// The batching both use: `one` after each element in protocol 0; otherwise MARK..`many`
    /// batches of 1000, except that a lone element left over gets a bare `one`.
    fn batch<T>(
        &mut self,
        mut next: impl FnMut(&Self) -> PyResult<Option<T>>,
        mut save: impl FnMut(&mut Self, &T) -> PyResult<()>,
        one: u8,
        many: u8,
    ) -> PyResult<()> {
        if !self.enc.bin() {
            while let Some(element) = next(self)? {
                save(self, &element)?;
                self.enc.op(one);
            }
            return Ok(());
        }
        loop {
            let Some(first) = next(self)? else {
                return Ok(());
            };
            let Some(mut element) = next(self)? else {
                save(self, &first)?;
                self.enc.op(one);
                return Ok(());
            };
            self.enc.op(op::MARK);
            save(self, &first)?;
            let mut n = 1;
            loop {
                save(self, &element)?;
                n += 1;
                if n == BATCH_SIZE {
                    break;
                }
                match next(self)? {
                    Some(following) => element = following,
                    None => break,
                }
            }
            self.enc.op(many);
            if n < BATCH_SIZE {
                return Ok(());
            }
        }
    }

    fn next_pair(&self, iter: &PyObject) -> PyResult<Option<(PyObjectRef, PyObjectRef)>> {
        let Some(item) = self.next_item(iter)? else {
            return Ok(None);
        };
        match item.downcast_ref::<PyTuple>().map(|t| t.as_slice()) {
            Some([key, value]) => Ok(Some((key.clone(), value.clone()))),
            _ => Err(self
                .vm
                .new_type_error("dict items iterator must return 2-tuples")),
        }
    }
}
