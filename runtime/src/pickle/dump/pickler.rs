//! The `Pickler` class: options and memo kept between `dump` calls, hooks found on the instance
//! or its subclass.

pub(crate) use pickler_class::PyPickler;

#[rustpython_vm::pymodule(sub, name = "_pickle")]
pub(crate) mod pickler_class {
    use super::super::save::{Hooks, PicklerState, Walker};
    use crate::pickle::errors::new_pickling_error;
    use crate::pickle::memo::PicklerMemoProxy;
    use crate::pickle::options::{file_write, resolve_buffer_callback, resolve_protocol};
    use rustpython_common::lock::PyMutex;
    use rustpython_vm::builtins::PyType;
    use rustpython_vm::function::{FuncArgs, PySetterValue};
    use rustpython_vm::types::{Constructor, Initializer};
    use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine};
    use rustpython_vm::{FromArgs, pyclass};

    /// Pickler(file, protocol=None, fix_imports=True, buffer_callback=None)
    ///
    /// Writes pickles to file, an object with a write(bytes) method; each dump() writes one.
    /// The memo lives as long as the pickler: an object dumped twice is written once and then
    /// referred to. Subclasses may define persistent_id(obj), reducer_override(obj) and
    /// dispatch_table.
    #[pyattr]
    #[pyclass(module = "_pickle", name = "Pickler")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct PyPickler {
        /// `None` until `__init__` ran; taken out while a dump runs.
        pub(crate) state: PyMutex<Option<PicklerState>>,
        write: PyMutex<Option<PyObjectRef>>,
        buffer_callback: PyMutex<Option<PyObjectRef>>,
    }

    #[derive(FromArgs)]
    pub(crate) struct PicklerArgs {
        #[pyarg(any)]
        file: PyObjectRef,
        #[pyarg(any, optional)]
        protocol: Option<PyObjectRef>,
        #[pyarg(any, default = true)]
        fix_imports: bool,
        #[pyarg(any, optional)]
        buffer_callback: Option<PyObjectRef>,
    }

    impl Constructor for PyPickler {
        type Args = FuncArgs;

        fn py_new(_cls: &Py<PyType>, _args: FuncArgs, _vm: &VirtualMachine) -> PyResult<Self> {
            Ok(PyPickler {
                state: PyMutex::new(None),
                write: PyMutex::new(None),
                buffer_callback: PyMutex::new(None),
            })
        }
    }

    impl Initializer for PyPickler {
        type Args = PicklerArgs;

        fn init(zelf: &Py<Self>, args: PicklerArgs, vm: &VirtualMachine) -> PyResult<()> {
            let proto = resolve_protocol(vm, args.protocol)?;
            let buffer_callback = resolve_buffer_callback(vm, args.buffer_callback, proto)?;
            let write = file_write(vm, &args.file)?;
            *zelf.state.lock() = Some(PicklerState::new(proto, args.fix_imports));
            *zelf.write.lock() = Some(write);
            *zelf.buffer_callback.lock() = buffer_callback;
            Ok(())
        }
    }

    impl PyPickler {
        /// The hooks as the instance has them now: an instance attribute, a subclass override,
        /// or nothing when only our default method is there.
        fn hooks(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<Hooks> {
            let obj = zelf.as_object();
            let own_class = PyPickler::class(&vm.ctx);
            let overridden = |name: &'static str| -> PyResult<Option<PyObjectRef>> {
                let in_dict = obj
                    .dict()
                    .and_then(|d| d.get_item_opt(name, vm).ok().flatten());
                if in_dict.is_some() {
                    return Ok(in_dict);
                }
                let found = obj.class().get_attr(vm.ctx.intern_str(name));
                let default = own_class.get_attr(vm.ctx.intern_str(name));
                match (found, default) {
                    (Some(f), Some(d)) if f.is(&d) => Ok(None),
                    (None, _) => Ok(None),
                    _ => vm.get_attribute_opt(obj, name),
                }
            };
            Ok(Hooks {
                persistent_id: overridden("persistent_id")?,
                reducer_override: vm.get_attribute_opt(obj, "reducer_override")?,
                dispatch_table: vm.get_attribute_opt(obj, "dispatch_table")?,
                buffer_callback: zelf.buffer_callback.lock().clone(),
            })
        }
    }

    #[pyclass(with(Constructor, Initializer), flags(BASETYPE, HAS_DICT))]
    impl PyPickler {
        /// Writes the pickle of obj to the pickler's file.
        #[pymethod]
        fn dump(zelf: PyRef<Self>, obj: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
            let Some(mut state) = zelf.state.lock().take() else {
                let msg = format!(
                    "Pickler.__init__() was not called by {}.__init__()",
                    zelf.class().name()
                );
                return Err(new_pickling_error(vm, msg));
            };
            let hooks = Self::hooks(&zelf, vm);
            let write = zelf.write.lock().clone();
            let result =
                hooks.and_then(|hooks| Walker::new(vm, &mut state, hooks, write).dump(&obj));
            *zelf.state.lock() = Some(state);
            result.map(drop)
        }

        /// Forgets the objects already pickled: the next dump() writes them again in full.
        #[pymethod]
        fn clear_memo(zelf: &Py<Self>) {
            if let Some(state) = zelf.state.lock().as_mut() {
                state.clear_memo();
            }
        }

        /// The default hook: no object has a persistent id.
        #[pymethod]
        fn persistent_id(_zelf: &Py<Self>, _obj: PyObjectRef, vm: &VirtualMachine) -> PyObjectRef {
            vm.ctx.none()
        }

        #[pygetset]
        fn memo(zelf: PyRef<Self>) -> PicklerMemoProxy {
            PicklerMemoProxy::new(zelf)
        }

        #[pygetset(setter)]
        fn set_memo(zelf: &Py<Self>, value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
            let PySetterValue::Assign(value) = value else {
                return Err(vm.new_type_error("attribute deletion is not supported"));
            };
            let (memo, objects) = PicklerMemoProxy::entries_from(&value, vm)?;
            let mut guard = zelf.state.lock();
            let state = guard
                .as_mut()
                .ok_or_else(|| new_pickling_error(vm, "Pickler.__init__() was not called"))?;
            state.memo = memo;
            state.memo_objects = objects;
            Ok(())
        }

        #[pygetset]
        fn fast(zelf: &Py<Self>) -> bool {
            zelf.state.lock().as_ref().is_some_and(|s| s.fast)
        }

        #[pygetset(setter)]
        fn set_fast(
            zelf: &Py<Self>,
            value: PySetterValue<bool>,
            vm: &VirtualMachine,
        ) -> PyResult<()> {
            let PySetterValue::Assign(value) = value else {
                return Err(vm.new_type_error("attribute deletion is not supported"));
            };
            if let Some(state) = zelf.state.lock().as_mut() {
                state.fast = value;
            }
            Ok(())
        }

        #[pygetset]
        fn bin(zelf: &Py<Self>) -> bool {
            zelf.state.lock().as_ref().is_some_and(|s| s.proto >= 1)
        }
    }
}
