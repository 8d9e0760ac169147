//! Module attributes a dump or load needs, fetched once per dump/load rather than per object.

use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// Lazily fetched module attributes.
#[derive(Default)]
pub(crate) struct Lookups {
    latin1: Option<PyObjectRef>,
    module_strings: Vec<(String, u8, PyObjectRef)>,
    codecs_encode: Option<PyObjectRef>,
    getattr: Option<PyObjectRef>,
    copyreg: Option<PyObjectRef>,
    compat: Option<PyObjectRef>,
    dispatch_table: Option<PyObjectRef>,
    extension_registry: Option<PyObjectRef>,
}

/// The value in `slot`, fetched into it the first time.
fn cached(
    slot: &mut Option<PyObjectRef>,
    fetch: impl FnOnce() -> PyResult<PyObjectRef>,
) -> PyResult<&PyObjectRef> {
    match slot {
        Some(value) => Ok(value),
        None => Ok(slot.insert(fetch()?)),
    }
}

/// The `copyreg` module, imported into `slot` the first time.
fn copyreg_module<'a>(
    slot: &'a mut Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<&'a PyObjectRef> {
    cached(slot, || vm.import("copyreg", 0))
}

/// `copyreg.<name>`, fetched into `slot` the first time.
fn copyreg_cached<'a>(
    copyreg: &mut Option<PyObjectRef>,
    slot: &'a mut Option<PyObjectRef>,
    vm: &VirtualMachine,
    name: &'static str,
) -> PyResult<&'a PyObjectRef> {
    cached(slot, || copyreg_module(copyreg, vm)?.get_attr(name, vm))
}

impl Lookups {
    /// The one `'latin1'` string all of a dump's `_codecs.encode` reductions share (CPython
    /// uses an interned constant, so its second use is a memo hit).
    pub(crate) fn latin1(&mut self, vm: &VirtualMachine) -> PyObjectRef {
        self.latin1
            .get_or_insert_with(|| vm.ctx.intern_str("latin1").to_owned().into())
            .clone()
    }

    /// The one module-name string a dump gives the globals of `module`'s `group`: an object
    /// of its own, not the interned name (see dump/module_strings.rs).
    pub(crate) fn module_string(
        &mut self,
        vm: &VirtualMachine,
        module: &str,
        group: u8,
    ) -> PyObjectRef {
        let known = self
            .module_strings
            .iter()
            .find(|(m, g, _)| m == module && *g == group);
        if let Some((_, _, string)) = known {
            return string.clone();
        }
        let string: PyObjectRef = vm.ctx.new_str(module).into();
        self.module_strings
            .push((module.to_owned(), group, string.clone()));
        string
    }

    pub(crate) fn codecs_encode(&mut self, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        cached(&mut self.codecs_encode, || {
            vm.import("_codecs", 0)?.get_attr("encode", vm)
        })
        .cloned()
    }

    /// `builtins.getattr`, for nested names below protocol 4.
    pub(crate) fn getattr(&mut self, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        cached(&mut self.getattr, || {
            vm.builtins.as_object().get_attr("getattr", vm)
        })
        .cloned()
    }

    /// `copyreg.dispatch_table`, fetched once per dump as CPython's C pickler fetches it once
    /// (registrations mutate that dict, so they are seen). Lent, not cloned: it is asked for
    /// per object, and each clone and release of a reference is two atomic operations.
    pub(crate) fn dispatch_table(&mut self, vm: &VirtualMachine) -> PyResult<&PyObjectRef> {
        copyreg_cached(
            &mut self.copyreg,
            &mut self.dispatch_table,
            vm,
            "dispatch_table",
        )
    }

    /// `copyreg._extension_registry`, fetched once per dump like `dispatch_table`.
    pub(crate) fn extension_registry(&mut self, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let name = "_extension_registry";
        copyreg_cached(&mut self.copyreg, &mut self.extension_registry, vm, name).cloned()
    }

    /// `copyreg.<name>` for attributes used rarely (`_reduce_ex`, `__newobj__`, ...).
    pub(crate) fn copyreg_attr(
        &mut self,
        vm: &VirtualMachine,
        name: &'static str,
    ) -> PyResult<PyObjectRef> {
        copyreg_module(&mut self.copyreg, vm)?.get_attr(name, vm)
    }

    /// `_compat_pickle.<name>` (the Python 2 name mappings).
    pub(crate) fn compat_attr(
        &mut self,
        vm: &VirtualMachine,
        name: &'static str,
    ) -> PyResult<PyObjectRef> {
        cached(&mut self.compat, || vm.import("_compat_pickle", 0))?.get_attr(name, vm)
    }
}
