//! CPython's `object.__reduce_ex__`, computed natively for objects whose class keeps it.
//!
//! Two reasons: RustPython's own reducers differ from CPython's for a few builtins (`bytes`
//! has `__reduce_ex__`/`__reduce__` that CPython lacks and a `__getnewargs__` that returns the
//! byte values; `set`/`frozenset.__reduce__` give `{}` where CPython's `object_getstate` gives
//! `None`), and a Python-level call per instance is what makes pickling instances slow. The rules are typeobject.c's: `__reduce__` overridden on the class
//! is called; otherwise protocols 0-1 go through `copyreg._reduce_ex`, and 2+ reduce to
//! `copyreg.__newobj__`/`__newobj_ex__` with `__getnewargs[_ex]__` and `object_getstate`.

use super::reduce::Reduction;
use super::save::Walker;
use super::slot_state::{SlotState, State};
use rustpython_vm::builtins::{PyDict, PyDictRef, PyList, PyStr, PyStrInterned, PyTuple, PyType};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine, identifier};

/// How an object reduces.
pub(crate) enum Reduced {
    /// Saved by name (a class, or a reducer that returned a string is `Value`).
    Global,
    /// A reduce value from Python code, to be checked and saved.
    Value(PyObjectRef),
    /// `object.__reduce_ex__`'s tuple for protocol 2+, computed natively.
    Newobj(Reduction),
    /// `(copyreg.__newobj__, (cls,), state)`, written without building the tuple.
    PlainNewobj(State),
}

/// `cls.<name>` found through the MRO, compared with `object.<name>`.
pub(super) fn is_objects(
    vm: &VirtualMachine,
    cls: &Py<PyType>,
    name: &'static PyStrInterned,
) -> bool {
    match (cls.get_attr(name), vm.ctx.types.object_type.get_attr(name)) {
        (Some(found), Some(base)) => found.is(&base),
        _ => false,
    }
}

/// Whether the instance dict `dict` holds `name`, shadowing the class's attribute.
pub(crate) fn shadows(
    vm: &VirtualMachine,
    dict: Option<&Py<PyDict>>,
    name: &'static PyStrInterned,
) -> bool {
    dict.is_some_and(|d| d.get_item_opt(&**name, vm).ok().flatten().is_some())
}

/// Whether `cls.<name>` is RustPython's `bytes.<name>`, a reducer CPython does not have (it
/// reduces bytes subclasses through `object.__reduce_ex__` and `bytes.__getnewargs__`).
pub(super) fn is_rustpython_bytes_reducer(
    vm: &VirtualMachine,
    cls: &Py<PyType>,
    name: &'static PyStrInterned,
) -> bool {
    match (cls.get_attr(name), vm.ctx.types.bytes_type.get_attr(name)) {
        (Some(found), Some(bytes_own)) => {
            found.is(&bytes_own)
                && !bytes_own.is(&vm
                    .ctx
                    .types
                    .object_type
                    .get_attr(name)
                    .unwrap_or_else(|| vm.ctx.none()))
        }
        _ => false,
    }
}

/// `set.__reduce__` / `frozenset.__reduce__`, whose state CPython computes with
/// `object_getstate` (None for an empty `__dict__`).
pub(super) fn is_set_reduce(vm: &VirtualMachine, reduce: &PyObject) -> bool {
    let name = identifier!(vm, __reduce__);
    [vm.ctx.types.set_type, vm.ctx.types.frozenset_type]
        .iter()
        .any(|t| t.get_attr(name).is_some_and(|r| r.is(reduce)))
}

impl Walker<'_> {
    /// `object.__reduce_ex__(obj, proto)` as CPython computes it; `dict` is the instance's
    /// `__dict__`, as just read by the caller.
    pub(crate) fn object_reduce_ex(
        &mut self,
        obj: &PyObject,
        dict: Option<PyDictRef>,
    ) -> PyResult<Reduced> {
        let vm = self.vm;
        let plan = self.class_plans.of(vm, obj.class());
        if plan.reduce_overridden {
            let value = vm.call_method(obj, "__reduce__", ())?;
            return Ok(Reduced::Value(if plan.set_reduce {
                self.cpython_set_state(obj, value)?
            } else {
                value
            }));
        }
        if self.enc.proto() < 2 {
            let reduce_ex = self.lookups.copyreg_attr(vm, "_reduce_ex")?;
            return reduce_ex
                .call((obj.to_owned(), self.enc.proto()), vm)
                .map(Reduced::Value);
        }
        self.reduce_newobj(obj, dict)
    }

    /// A set subclass's reduce value with CPython's state: `object_getstate` of the instance.
    fn cpython_set_state(&mut self, obj: &PyObject, value: PyObjectRef) -> PyResult<PyObjectRef> {
        let vm = self.vm;
        let Some(parts) = value.downcast_ref::<PyTuple>() else {
            return Ok(value);
        };
        let mut parts = parts.as_slice().to_vec();
        if parts.len() >= 3 {
            parts[2] = self
                .object_getstate(obj, obj.dict(), false)?
                .into_object(vm)?;
        }
        Ok(vm.ctx.new_tuple(parts).into())
    }

    /// typeobject.c's `reduce_newobj`, writing plain instances directly.
    fn reduce_newobj(&mut self, obj: &PyObject, dict: Option<PyDictRef>) -> PyResult<Reduced> {
        let vm = self.vm;
        let cls = obj.class();
        if cls.slots.new.load().is_none() {
            return Err(vm.new_type_error(format!("cannot pickle '{}' object", tp_name(vm, cls))));
        }
        let (args, kwargs) = self.new_arguments(obj)?;
        let is_list = obj.downcast_ref::<PyList>().is_some();
        let is_dict = obj.downcast_ref::<PyDict>().is_some();
        let required = !(args.is_some() || is_list || is_dict);
        // `__getnewargs[_ex]__` is Python code, which may have replaced the `__dict__`.
        let plan = self.class_plans.of(vm, cls);
        let dict = if plan.has_getnewargs_ex || plan.has_getnewargs {
            obj.dict()
        } else {
            dict
        };
        let state = self.object_getstate(obj, dict, required)?;
        if args.is_none() && !is_list && !is_dict {
            return Ok(Reduced::PlainNewobj(state));
        }
        let state = state.into_object(vm)?;
        let cls_obj: PyObjectRef = cls.to_owned().into();
        let args = args.unwrap_or_else(|| vm.ctx.empty_tuple.clone());
        let (func, new_args) = match kwargs.filter(|k| k.__len__() > 0) {
            None => {
                let mut items = vec![cls_obj];
                items.extend(args.as_slice().iter().cloned());
                (
                    self.lookups.copyreg_attr(vm, "__newobj__")?,
                    vm.ctx.new_tuple(items),
                )
            }
            Some(kwargs) => {
                let items = vec![cls_obj, args.into(), kwargs.into()];
                (
                    self.lookups.copyreg_attr(vm, "__newobj_ex__")?,
                    vm.ctx.new_tuple(items),
                )
            }
        };
        let listitems = if is_list {
            Some(obj.get_iter(vm)?.into())
        } else {
            None
        };
        let dictitems = if is_dict {
            Some(vm.call_method(obj, "items", ())?.get_iter(vm)?.into())
        } else {
            None
        };
        let none = |v: &PyObjectRef| vm.is_none(v);
        let reduction = Reduction {
            func,
            args: new_args.into(),
            state: Some(state).filter(|s| !none(s)),
            listitems,
            dictitems,
            state_setter: None,
        };
        Ok(Reduced::Newobj(reduction))
    }

    /// What `save_reduce` writes for `(copyreg.__newobj__, (cls,), state)`: the class, an
    /// empty tuple, NEWOBJ, the memo, and BUILD when there is state.
    pub(crate) fn save_plain_newobj(&mut self, obj: &PyObject, state: State) -> PyResult<()> {
        let vm = self.vm;
        self.save(obj.class().as_object(), false)
            .map_err(|e| self.note(e, obj, "class"))?;
        self.enc.empty_tuple();
        self.enc.op(pickle_core::opcodes::op::NEWOBJ);
        match self.st.memo.get(obj.get_id()) {
            Some(idx) => {
                self.enc.op(pickle_core::opcodes::op::POP);
                self.enc.memo_get(idx).map_err(super::save::core_err(vm))?;
            }
            None => self.memo_put(obj)?,
        }
        if state.is_some(vm) {
            self.save_instance_state(state)
                .map_err(|e| self.note(e, obj, "state"))?;
            self.enc.op(pickle_core::opcodes::op::BUILD);
        }
        Ok(())
    }

    /// `_PyObject_GetNewArguments`: `__getnewargs_ex__`, else `__getnewargs__`, checked.
    fn new_arguments(
        &mut self,
        obj: &PyObject,
    ) -> PyResult<(
        Option<rustpython_vm::builtins::PyTupleRef>,
        Option<rustpython_vm::builtins::PyDictRef>,
    )> {
        let vm = self.vm;
        let plan = self.class_plans.of(vm, obj.class());
        if plan.has_getnewargs_ex {
            let value = vm.call_method(obj, "__getnewargs_ex__", ())?;
            let Some(pair) = value.downcast_ref::<PyTuple>() else {
                return Err(vm.new_type_error(format!(
                    "__getnewargs_ex__ should return a tuple, not '{}'",
                    value.class().name()
                )));
            };
            let [args, kwargs] = pair.as_slice() else {
                return Err(vm.new_type_error(format!(
                    "__getnewargs_ex__ should return a tuple of length 2, not {}",
                    pair.len()
                )));
            };
            let args = args.clone().downcast::<PyTuple>().map_err(|a| {
                vm.new_type_error(format!("first item of the tuple returned by __getnewargs_ex__ must be a tuple, not '{}'", a.class().name()))
            })?;
            let kwargs = kwargs.clone().downcast::<PyDict>().map_err(|k| {
                vm.new_type_error(format!("second item of the tuple returned by __getnewargs_ex__ must be a dict, not '{}'", k.class().name()))
            })?;
            return Ok((Some(args), Some(kwargs)));
        }
        if plan.bytes_getnewargs {
            // RustPython's bytes.__getnewargs__ gives the byte values; CPython's gives
            // (bytes(self),).
            let data = obj
                .downcast_ref::<rustpython_vm::builtins::PyBytes>()
                .expect("a bytes subclass")
                .as_bytes()
                .to_vec();
            return Ok((
                Some(vm.ctx.new_tuple(vec![vm.ctx.new_bytes(data).into()])),
                None,
            ));
        }
        if plan.has_getnewargs {
            let value = vm.call_method(obj, "__getnewargs__", ())?;
            let args = value.downcast::<PyTuple>().map_err(|v| {
                vm.new_type_error(format!(
                    "__getnewargs__ should return a tuple, not '{}'",
                    v.class().name()
                ))
            })?;
            return Ok((Some(args), None));
        }
        Ok((None, None))
    }

    /// `object_getstate`: a `__getstate__` override's result, else the default state. `dict`
    /// is the instance's `__dict__`, read since the last Python code ran.
    pub(crate) fn object_getstate(
        &mut self,
        obj: &PyObject,
        dict: Option<PyDictRef>,
        required: bool,
    ) -> PyResult<State> {
        let vm = self.vm;
        let plan = self.class_plans.of(vm, obj.class());
        if !plan.object_getstate || shadows(vm, dict.as_deref(), identifier!(vm, __getstate__)) {
            return vm.call_method(obj, "__getstate__", ()).map(State::Object);
        }
        self.default_state(obj, dict, required)
    }

    /// `object_getstate_default`: the instance `__dict__` (None when empty), paired with a dict
    /// of the slots that are set, when the class has slots.
    fn default_state(
        &mut self,
        obj: &PyObject,
        dict: Option<PyDictRef>,
        required: bool,
    ) -> PyResult<State> {
        let vm = self.vm;
        let cls = obj.class();
        if required && variable_size(vm, cls) {
            return Err(vm.new_type_error(format!("cannot pickle {} objects", tp_name(vm, cls))));
        }
        let plan = self.class_plans.of(vm, cls);
        if required && plan.has_native_base {
            return Err(vm.new_type_error(format!("cannot pickle '{}' object", tp_name(vm, cls))));
        }
        let state: PyObjectRef = match dict {
            Some(d) if d.__len__() > 0 => d.into(),
            _ => vm.ctx.none(),
        };
        if plan.no_slot_names {
            return Ok(State::Object(state));
        }
        let slot_names = self.slot_names(cls)?;
        let mut slots = Vec::with_capacity(slot_names.len());
        for name in slot_names {
            match obj.get_attr(&name, vm) {
                Ok(value) => slots.push((name.into(), value)),
                Err(e) if e.fast_isinstance(vm.ctx.exceptions.attribute_error) => {}
                Err(e) => return Err(e),
            }
        }
        if slots.is_empty() {
            return Ok(State::Object(state));
        }
        Ok(State::Slots(SlotState {
            dict_state: state,
            slots,
        }))
    }

    /// `copyreg._slotnames(cls)`, read from the class's cached `__slotnames__` when present.
    fn slot_names(&mut self, cls: &Py<PyType>) -> PyResult<Vec<rustpython_vm::builtins::PyStrRef>> {
        let vm = self.vm;
        let cached = cls.get_direct_attr(identifier!(vm, __slotnames__));
        let names = match cached {
            Some(names) => names,
            None => self
                .lookups
                .copyreg_attr(vm, "_slotnames")?
                .call((cls.to_owned(),), vm)?,
        };
        if vm.is_none(&names) {
            return Ok(Vec::new());
        }
        let list = names.downcast_ref::<PyList>().ok_or_else(|| {
            vm.new_type_error(format!(
                "copyreg._slotnames didn't return a list or None, not {}",
                names.class().name()
            ))
        })?;
        list.borrow_vec()
            .iter()
            .map(|n| {
                n.clone()
                    .downcast::<PyStr>()
                    .map_err(|_| vm.new_type_error("__slotnames__ should hold strings"))
            })
            .collect()
    }
}

/// CPython's `tp_name`, as its messages show a type: `module.name` for a static type outside
/// builtins (`_thread.lock`), the bare name for builtins and for classes defined in Python.
fn tp_name(vm: &VirtualMachine, cls: &Py<PyType>) -> String {
    let heap = cls
        .slots
        .flags
        .has_feature(rustpython_vm::types::PyTypeFlags::HEAPTYPE);
    let module = cls
        .as_object()
        .get_attr("__module__", vm)
        .ok()
        .and_then(|m| m.downcast::<PyStr>().ok());
    match module {
        Some(m) if !heap && m.as_wtf8() != "builtins" => {
            format!("{}.{}", m.to_string_lossy(), cls.name())
        }
        _ => cls.name().to_string(),
    }
}

/// The first non-heap type in `cls`'s MRO other than `object`: a builtin whose instances carry
/// state the default reduction cannot see (CPython's basicsize check).
pub(super) fn native_base(
    vm: &VirtualMachine,
    cls: &Py<PyType>,
) -> Option<rustpython_vm::builtins::PyTypeRef> {
    let heap = rustpython_vm::types::PyTypeFlags::HEAPTYPE;
    cls.mro
        .read()
        .iter()
        .chain(std::iter::once(&cls.to_owned()))
        .find(|t| !t.slots.flags.has_feature(heap))
        .filter(|t| !t.is(vm.ctx.types.object_type))
        .cloned()
}

/// Whether CPython lays instances of `cls` out with a variable-size part (`tp_itemsize`):
/// subclasses of int, tuple, bytes and memoryview, which `object_getstate_default` refuses
/// first ("cannot pickle memoryview objects") when it needs a state.
fn variable_size(vm: &VirtualMachine, cls: &Py<PyType>) -> bool {
    let types = &vm.ctx.types;
    [
        types.int_type,
        types.tuple_type,
        types.bytes_type,
        types.memoryview_type,
    ]
    .iter()
    .any(|base| cls.fast_issubclass(*base))
}
