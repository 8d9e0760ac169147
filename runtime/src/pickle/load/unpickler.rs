//! The `Unpickler` class: options, a memo kept between `load` calls, and the `find_class` /
//! `persistent_load` hooks a subclass or instance may override.

pub(crate) use unpickler_class::PyUnpickler;

#[rustpython_vm::pymodule(sub, name = "_pickle")]
pub(crate) mod unpickler_class {
    use super::super::file_source::{FileMethods, FileSource};
    use super::super::vm_builder::{LoadHooks, LoadOptions, VmBuilder};
    use crate::pickle::errors::new_unpickling_error;
    use crate::pickle::memo::UnpicklerMemoProxy;
    use pickle_core::decoder::{Memo, load};
    use rustpython_common::lock::PyMutex;
    use rustpython_vm::builtins::{PyStrRef, PyType};
    use rustpython_vm::function::{FuncArgs, PySetterValue};
    use rustpython_vm::types::{Constructor, Initializer};
    use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine};
    use rustpython_vm::{FromArgs, pyclass};
    use std::sync::atomic::{AtomicU8, Ordering};

    /// Unpickler(file, *, fix_imports=True, encoding='ASCII', errors='strict', buffers=())
    ///
    /// Reads pickles from file (with read(), readline() and optionally readinto() and
    /// peek()); each load() reads one. Subclasses may define find_class(module, name) to
    /// control which globals a pickle may use, and persistent_load(pid).
    #[pyattr]
    #[pyclass(module = "_pickle", name = "Unpickler")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct PyUnpickler {
        file: PyMutex<Option<PyObjectRef>>,
        options: PyMutex<Option<LoadOptionsCell>>,
        pub(crate) memo: PyMutex<Memo<PyObjectRef>>,
        /// The protocol of the pickle being (or last) read, as CPython's `self->proto`.
        proto: AtomicU8,
    }

    /// `LoadOptions` behind a Debug impl for the payload derive.
    pub(crate) struct LoadOptionsCell(pub(crate) LoadOptions);

    impl std::fmt::Debug for LoadOptionsCell {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("LoadOptions")
        }
    }

    #[derive(FromArgs)]
    pub(crate) struct LoadKeywords {
        #[pyarg(named, default = true)]
        pub(crate) fix_imports: bool,
        #[pyarg(named, optional)]
        pub(crate) encoding: Option<PyStrRef>,
        #[pyarg(named, optional)]
        pub(crate) errors: Option<PyStrRef>,
        #[pyarg(named, optional)]
        pub(crate) buffers: Option<PyObjectRef>,
    }

    impl LoadKeywords {
        pub(crate) fn into_options(self, vm: &VirtualMachine) -> PyResult<LoadOptions> {
            let buffers = match self.buffers.filter(|b| !vm.is_none(b)) {
                Some(b) => Some(b.get_iter(vm)?.into()),
                None => None,
            };
            let text = |s: Option<PyStrRef>, default: &str| {
                s.map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| default.to_owned())
            };
            Ok(LoadOptions {
                fix_imports: self.fix_imports,
                encoding: text(self.encoding, "ASCII"),
                errors: text(self.errors, "strict"),
                buffers,
                ..LoadOptions::default()
            })
        }
    }

    #[derive(FromArgs)]
    pub(crate) struct UnpicklerArgs {
        #[pyarg(any)]
        file: PyObjectRef,
        #[pyarg(flatten)]
        keywords: LoadKeywords,
    }

    /// `file.read`, `file.readline` and `file.peek` (when present), or CPython's TypeError.
    pub(crate) fn file_methods(vm: &VirtualMachine, file: &PyObjectRef) -> PyResult<FileMethods> {
        let read = vm.get_attribute_opt(file, "read")?;
        let readline = vm.get_attribute_opt(file, "readline")?;
        let peek = vm.get_attribute_opt(file, "peek")?;
        match (read, readline) {
            (Some(read), Some(readline)) => Ok(FileMethods {
                read,
                readline,
                peek,
            }),
            _ => Err(vm.new_type_error("file must have 'read' and 'readline' attributes")),
        }
    }

    /// Reads one pickle from `file` with `options` and `hooks`, updating `memo`.
    pub(crate) fn load_from_file(
        vm: &VirtualMachine,
        file: FileMethods,
        options: &LoadOptions,
        hooks: LoadHooks,
        memo: &mut Memo<PyObjectRef>,
    ) -> PyResult {
        let mut source = FileSource::new(vm, file);
        let mut builder = VmBuilder::new(vm, options, hooks);
        load(
            &mut source,
            &mut builder,
            memo,
            &crate::pickle::limits::of(vm),
        )
        .map_err(|e| e.into_py(vm))
    }

    impl Constructor for PyUnpickler {
        type Args = FuncArgs;

        fn py_new(_cls: &Py<PyType>, _args: FuncArgs, _vm: &VirtualMachine) -> PyResult<Self> {
            Ok(PyUnpickler {
                file: PyMutex::new(None),
                options: PyMutex::new(None),
                memo: PyMutex::new(Memo::new()),
                proto: AtomicU8::new(0),
            })
        }
    }

    impl Initializer for PyUnpickler {
        type Args = UnpicklerArgs;

        fn init(zelf: &Py<Self>, args: UnpicklerArgs, vm: &VirtualMachine) -> PyResult<()> {
            file_methods(vm, &args.file)?;
            let options = args.keywords.into_options(vm)?;
            *zelf.file.lock() = Some(args.file);
            *zelf.options.lock() = Some(LoadOptionsCell(options));
            zelf.memo.lock().clear();
            Ok(())
        }
    }

    impl PyUnpickler {
        pub(crate) fn set_proto(&self, proto: u8) {
            self.proto.store(proto, Ordering::Relaxed);
        }

        /// A hook counts when the instance dict has it or a subclass overrides our method.
        fn hook(
            zelf: &Py<Self>,
            name: &'static str,
            vm: &VirtualMachine,
        ) -> PyResult<Option<PyObjectRef>> {
            let obj = zelf.as_object();
            if let Some(found) = obj
                .dict()
                .and_then(|d| d.get_item_opt(name, vm).ok().flatten())
            {
                return Ok(Some(found));
            }
            let found = obj.class().get_attr(vm.ctx.intern_str(name));
            let default = PyUnpickler::class(&vm.ctx).get_attr(vm.ctx.intern_str(name));
            match (found, default) {
                (Some(f), Some(d)) if !f.is(&d) => vm.get_attribute_opt(obj, name),
                _ => Ok(None),
            }
        }

        /// `load` and `noload`: one pickle from the file, with the hooks the instance has.
        fn run(zelf: PyRef<Self>, noload: bool, vm: &VirtualMachine) -> PyResult {
            let (file, mut options) = match (
                zelf.file.lock().clone(),
                zelf.options.lock().as_ref().map(|o| o.0.clone()),
            ) {
                (Some(file), Some(options)) => (file, options),
                _ => {
                    let msg = format!(
                        "Unpickler.__init__() was not called by {}.__init__()",
                        zelf.class().name()
                    );
                    return Err(new_unpickling_error(vm, msg));
                }
            };
            options.noload = noload;
            let hooks = LoadHooks {
                find_class: Self::hook(&zelf, "find_class", vm)?,
                persistent_load: Self::hook(&zelf, "persistent_load", vm)?,
                // cPickle's attribute; the class itself has none.
                find_global: vm.get_attribute_opt(zelf.as_object(), "find_global")?,
                proto: Some(zelf.clone()),
            };
            // As CPython: each load starts at protocol 0 until PROTO says otherwise.
            zelf.set_proto(0);
            let mut memo = std::mem::take(&mut *zelf.memo.lock());
            let result = file_methods(vm, &file)
                .and_then(|file| load_from_file(vm, file, &options, hooks, &mut memo));
            *zelf.memo.lock() = memo;
            result
        }
    }

    #[pyclass(with(Constructor, Initializer), flags(BASETYPE, HAS_DICT))]
    impl PyUnpickler {
        /// Reads the next pickle from the file and returns the object it describes.
        #[pymethod]
        fn load(zelf: PyRef<Self>, vm: &VirtualMachine) -> PyResult {
            Self::run(zelf, false, vm)
        }

        /// cPickle's `noload()`: reads a pickle through without importing or calling
        /// anything, to collect its persistent ids (with `persistent_load` set to a list).
        #[pymethod]
        fn noload(zelf: PyRef<Self>, vm: &VirtualMachine) -> PyResult {
            Self::run(zelf, true, vm)
        }

        /// Returns the global module.name a pickle refers to, importing module if needed.
        #[pymethod]
        fn find_class(
            zelf: PyRef<Self>,
            module: PyStrRef,
            name: PyStrRef,
            vm: &VirtualMachine,
        ) -> PyResult {
            let options = zelf.options.lock().as_ref().map(|o| o.0.clone());
            let options = options.unwrap_or_default();
            let proto = zelf.proto.load(Ordering::Relaxed);
            let mut builder = VmBuilder::new(vm, &options, LoadHooks::default()).at_protocol(proto);
            builder.find_class(module, name).map_err(|e| e.into_py(vm))
        }

        #[pymethod]
        fn persistent_load(zelf: &Py<Self>, _pid: PyObjectRef, vm: &VirtualMachine) -> PyResult {
            let _ = zelf;
            Err(new_unpickling_error(
                vm,
                crate::pickle::errors::NO_PERSISTENT_LOAD,
            ))
        }

        #[pygetset]
        fn memo(zelf: PyRef<Self>) -> UnpicklerMemoProxy {
            UnpicklerMemoProxy::new(zelf)
        }

        #[pygetset(setter)]
        fn set_memo(zelf: &Py<Self>, value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
            let PySetterValue::Assign(value) = value else {
                return Err(vm.new_type_error("attribute deletion is not supported"));
            };
            *zelf.memo.lock() = UnpicklerMemoProxy::entries_from(&value, vm)?;
            Ok(())
        }
    }
}
