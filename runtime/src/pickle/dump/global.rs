//! Saving classes, functions and other objects by qualified name.

use super::reduce::Reduction;
use super::save::Walker;
use crate::pickle::errors::new_pickling_error;
use crate::pickle::names::{get_dotted, map_names};
use pickle_core::opcodes::op;
use rustpython_vm::builtins::{PyDict, PyStr, PyStrRef};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine, identifier};

fn repr(vm: &VirtualMachine, obj: &PyObject) -> String {
    obj.repr(vm)
        .map(|r| r.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "<unprintable>".into())
}

impl Walker<'_> {
    /// `type(None)`, `type(NotImplemented)` and `type(...)` reduce to `type(x)`; other
    /// classes are saved by name.
    pub(crate) fn save_type(&mut self, obj: &PyObject) -> PyResult<()> {
        let vm = self.vm;
        let singletons = [
            vm.ctx.none(),
            vm.ctx.not_implemented(),
            vm.ctx.ellipsis.clone().into(),
        ];
        for singleton in singletons {
            if obj.is(singleton.class()) {
                let args = vm.ctx.new_tuple(vec![singleton]);
                let reduction =
                    Reduction::call(vm.ctx.types.type_type.to_owned().into(), args.into());
                return self.save_reduce(reduction, Some(obj));
            }
        }
        self.save_global(obj, None)
    }

    /// pickle.py's `save_global` (CPython 3.14): EXT codes, STACK_GLOBAL from protocol 4,
    /// `getattr` chains for nested names below it, GLOBAL otherwise; then the memo.
    pub(crate) fn save_global(
        &mut self,
        obj: &PyObject,
        name: Option<PyObjectRef>,
    ) -> PyResult<()> {
        let vm = self.vm;
        let given_name = name.is_some();
        let name = match name {
            Some(name) => name,
            None => match vm.get_attribute_opt(obj, identifier!(vm, __qualname__))? {
                Some(qualname) => qualname,
                None => obj.get_attr(identifier!(vm, __name__), vm)?,
            },
        };
        let name: PyStrRef = name.try_into_value(vm)?;
        let name_text = name.to_string_lossy().into_owned();
        let dotted: Vec<&str> = name_text.split('.').collect();
        let module_name = self.whichmodule(obj, &name_text, &dotted)?;
        let module_text = module_name.to_string_lossy().into_owned();
        if self.enc.proto() >= 2 && self.save_extension(&module_name, &name)? {
            return Ok(());
        }
        if self.enc.proto() >= 4 {
            let module_str = self.module_name_object(&module_name, &name_text);
            let name_str = if given_name {
                name.into()
            } else {
                self.qualname_object(obj, &name)
            };
            self.save(&module_str, false)?;
            self.save(&name_str, false)?;
            self.enc.op(op::STACK_GLOBAL);
        } else {
            // GLOBAL's text is UTF-8 (ASCII below protocol 3), with no room for a surrogate.
            let proto = self.enc.proto();
            self.check_identifier(&module_name, "module", proto)?;
            self.check_identifier(&name, "global", proto)?;
            if dotted.len() > 1 {
                self.save_nested_global(&module_text, &dotted)?;
            } else {
                self.save_toplevel_by_name(&module_text, &name_text)?;
            }
        }
        self.memo_put(obj)
    }

    /// The PicklingError for a name GLOBAL cannot write: one with a lone surrogate (the
    /// ASCII check below protocol 3 is made after Python 2's names are mapped).
    fn check_identifier(&self, text: &PyStrRef, what: &str, proto: u8) -> PyResult<()> {
        if text.to_str().is_some() {
            return Ok(());
        }
        let vm = self.vm;
        let msg = format!(
            "can't pickle {what} identifier {} using pickle protocol {proto}",
            repr(vm, text.as_object())
        );
        Err(new_pickling_error(vm, msg))
    }

    /// The module-name string as CPython would hand it over, so that memo hits between
    /// globals match: the interned name (which RustPython gives every module) for classes and
    /// functions written in Python and the static built-in types, one string per group for
    /// the others (module_strings.rs: the types CPython makes in C, the builtins module's
    /// functions).
    fn module_name_object(&mut self, module: &PyStrRef, name: &str) -> PyObjectRef {
        let vm = self.vm;
        let Some(text) = module.to_str() else {
            // Text with a lone surrogate is saved as it is (BINUNICODE allows it).
            return module.clone().into();
        };
        match super::module_strings::group(text, name) {
            0 => vm.ctx.intern_str(text).to_owned().into(),
            group => self.lookups.module_string(vm, text, group),
        }
    }

    /// The qualified-name string as CPython would hand it over: a new string for a static
    /// (non-heap) type, whose `__qualname__` CPython builds on each access; interned for
    /// classes and functions, whose names come from code objects.
    fn qualname_object(&mut self, obj: &PyObject, name: &PyStrRef) -> PyObjectRef {
        let vm = self.vm;
        let Some(name) = name.to_str() else {
            return name.clone().into();
        };
        let static_type = obj
            .downcast_ref::<rustpython_vm::builtins::PyType>()
            .is_some_and(|t| {
                !t.slots
                    .flags
                    .has_feature(rustpython_vm::types::PyTypeFlags::HEAPTYPE)
            });
        if static_type || obj.class().is(vm.ctx.types.builtin_function_or_method_type) {
            return vm.ctx.new_str(name).into();
        }
        vm.ctx.intern_str(name).to_owned().into()
    }

    /// Below protocol 4 a nested name `A.b.c` is written as `getattr(getattr(A, 'b'), 'c')`.
    fn save_nested_global(&mut self, module: &str, dotted: &[&str]) -> PyResult<()> {
        let getattr = self.lookups.getattr(self.vm)?;
        let (first, rest) = dotted.split_first().expect("split gives at least one part");
        for _ in rest {
            self.save(&getattr, false)?;
            if self.enc.proto() < 2 {
                self.enc.op(op::MARK);
            }
        }
        self.save_toplevel_by_name(module, first)?;
        for attr in rest {
            let attr: PyObjectRef = self.vm.ctx.new_str(*attr).into();
            self.save(&attr, false)?;
            self.enc.op(if self.enc.proto() < 2 {
                op::TUPLE
            } else {
                op::TUPLE2
            });
            self.enc.op(op::REDUCE);
        }
        Ok(())
    }

    /// GLOBAL with the names mapped back to Python 2's when `fix_imports` applies; ASCII only
    /// below protocol 3.
    fn save_toplevel_by_name(&mut self, module: &str, name: &str) -> PyResult<()> {
        let vm = self.vm;
        let proto = self.enc.proto();
        let (module, name) = if proto < 3 && self.st.fix_imports {
            self.python2_names(module, name)?
        } else {
            (module.to_owned(), name.to_owned())
        };
        if proto < 3 && !module.is_ascii() {
            let msg = format!(
                "can't pickle module identifier {} using pickle protocol {proto}",
                repr(vm, vm.ctx.new_str(module.as_str()).as_object())
            );
            return Err(new_pickling_error(vm, msg));
        }
        if proto < 3 && !name.is_ascii() {
            let msg = format!(
                "can't pickle global identifier {} using pickle protocol {proto}",
                repr(vm, vm.ctx.new_str(name.as_str()).as_object())
            );
            return Err(new_pickling_error(vm, msg));
        }
        self.enc.global(module.as_bytes(), name.as_bytes());
        Ok(())
    }

    /// `_compat_pickle`'s reverse mappings: Python 3 names back to Python 2's.
    fn python2_names(&mut self, module: &str, name: &str) -> PyResult<(String, String)> {
        let vm = self.vm;
        let (module, name) = (vm.ctx.new_str(module), vm.ctx.new_str(name));
        let (m, n) = map_names(
            vm,
            &mut self.lookups,
            "REVERSE_NAME_MAPPING",
            "REVERSE_IMPORT_MAPPING",
            module,
            name,
        )?;
        Ok((
            m.to_string_lossy().into_owned(),
            n.to_string_lossy().into_owned(),
        ))
    }

    /// Writes EXT1/EXT2/EXT4 when `(module, name)` is in copyreg's extension registry.
    fn save_extension(&mut self, module: &PyStrRef, name: &PyStrRef) -> PyResult<bool> {
        let vm = self.vm;
        let registry = self.lookups.extension_registry(vm)?;
        let Some(registry) = registry.downcast_ref::<PyDict>() else {
            return Ok(false);
        };
        if registry.__len__() == 0 {
            return Ok(false);
        }
        let key = vm
            .ctx
            .new_tuple(vec![module.clone().into(), name.clone().into()]);
        let Some(code) = registry.get_item_opt(key.as_object(), vm)? else {
            return Ok(false);
        };
        // As CPython's C pickler (copyreg.add_extension checks codes, but the registry is a
        // plain dict): an index as a C long, then the range EXT4 can hold.
        let code = code.try_index(vm)?;
        let Some(code) = num_traits::ToPrimitive::to_i64(code.as_bigint()) else {
            return Err(vm.new_overflow_error("Python int too large to convert to C long"));
        };
        match u32::try_from(code) {
            Ok(code @ 1..=0x7fff_ffff) => {
                self.enc.ext(code);
                Ok(true)
            }
            _ => Err(vm.new_runtime_error(format!("extension code {code} is out of range"))),
        }
    }

    /// pickle.py's `whichmodule`, which also checks that the name leads back to `obj`.
    fn whichmodule(&mut self, obj: &PyObject, name: &str, dotted: &[&str]) -> PyResult<PyStrRef> {
        let vm = self.vm;
        let module_name = vm
            .get_attribute_opt(obj, identifier!(vm, __module__))?
            .filter(|m| !vm.is_none(m));
        if dotted.contains(&"<locals>") {
            return Err(new_pickling_error(
                vm,
                format!("Can't pickle local object {}", repr(vm, obj)),
            ));
        }
        let module_name: PyStrRef = match module_name {
            Some(m) => m.try_into_value(vm)?,
            None => self.search_modules(obj, dotted)?,
        };
        let module_text = module_name.to_string_lossy().into_owned();
        let module = match vm.import(&module_name, 0) {
            Ok(m) => m,
            Err(e)
                if [
                    vm.ctx.exceptions.import_error,
                    vm.ctx.exceptions.value_error,
                    vm.ctx.exceptions.key_error,
                ]
                .iter()
                .any(|t| e.fast_isinstance(t)) =>
            {
                let why = e
                    .as_object()
                    .str(vm)
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                return Err(new_pickling_error(
                    vm,
                    format!("Can't pickle {}: {why}", repr(vm, obj)),
                ));
            }
            Err(e) => return Err(e),
        };
        let module = vm
            .sys_module
            .get_attr("modules", vm)?
            .get_item(&*module_name, vm)
            .unwrap_or(module);
        match get_dotted(vm, module, dotted) {
            Ok(found) if found.is(obj) => Ok(module_name),
            Ok(_) => Err(new_pickling_error(
                vm,
                format!(
                    "Can't pickle {}: it's not the same object as {module_text}.{name}",
                    repr(vm, obj)
                ),
            )),
            Err(e) if e.fast_isinstance(vm.ctx.exceptions.attribute_error) => {
                Err(new_pickling_error(
                    vm,
                    format!(
                        "Can't pickle {}: it's not found as {module_text}.{name}",
                        repr(vm, obj)
                    ),
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// For objects without `__module__`: the first module in `sys.modules` that has them.
    fn search_modules(&mut self, obj: &PyObject, dotted: &[&str]) -> PyResult<PyStrRef> {
        let vm = self.vm;
        let modules = vm.sys_module.get_attr("modules", vm)?;
        let modules = modules
            .downcast_ref::<PyDict>()
            .map(|d| d.items_vec())
            .unwrap_or_default();
        for (name, module) in modules {
            let Some(name) = name.downcast_ref::<PyStr>() else {
                continue;
            };
            let skip = matches!(name.to_string_lossy().as_ref(), "__main__" | "__mp_main__");
            if skip || vm.is_none(&module) {
                continue;
            }
            if get_dotted(vm, module, dotted).is_ok_and(|found| found.is(obj)) {
                return Ok(name.to_owned());
            }
        }
        Ok(vm.ctx.new_str("__main__"))
    }
}
