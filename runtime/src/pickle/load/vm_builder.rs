//! The decoder's builder for VM objects: what each opcode makes, as CPython's `_pickle` does.

mod build_state;

use super::unpickler::PyUnpickler;
use crate::memory::accounts::{self, Tag};
use crate::pickle::errors::{from_core, new_unpickling_error};
use crate::pickle::kwargs::kwargs_of;
use crate::pickle::lookups::Lookups;
use crate::pickle::names::{get_dotted, map_names, str_pair};
use pickle_core::PickleError;
use pickle_core::decoder::{Builder, Items};
use pickle_core::text::code_points;
use rustpython_common::str::ascii::AsciiStr;
use rustpython_common::wtf8::{CodePoint, Wtf8Buf};
use rustpython_vm::builtins::{
    PyBaseExceptionRef, PyBaseObject, PyByteArray, PyDict, PyDictRef, PyFrozenSet, PyList, PySet,
    PyStr, PyStrRef, PyTuple, PyType, PyTypeRef,
};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{
    AsObject, Py, PyObject, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine,
};

/// A type's `tp_new` slot, as the VM stores it.
type NewFn = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// A load error: from the decoder, or raised by Python code the load ran.
pub(crate) enum LoadError {
    Core(PickleError),
    Py(PyBaseExceptionRef),
}

impl From<PickleError> for LoadError {
    fn from(e: PickleError) -> Self {
        LoadError::Core(e)
    }
}

impl From<PyBaseExceptionRef> for LoadError {
    fn from(e: PyBaseExceptionRef) -> Self {
        LoadError::Py(e)
    }
}

impl LoadError {
    pub(crate) fn into_py(self, vm: &VirtualMachine) -> PyBaseExceptionRef {
        match self {
            LoadError::Core(e) => from_core(vm, &e),
            LoadError::Py(e) => e,
        }
    }
}

type Made = Result<PyObjectRef, LoadError>;

/// `Unpickler` options that shape the objects.
#[derive(Clone)]
pub(crate) struct LoadOptions {
    pub(crate) fix_imports: bool,
    pub(crate) encoding: String,
    pub(crate) errors: String,
    /// An iterator over out-of-band buffers, when `buffers=` was given.
    pub(crate) buffers: Option<PyObjectRef>,
    /// cPickle's `noload()`: data is built, but nothing is imported or called; globals,
    /// calls and extension objects are None, and BUILD and the items appended or set are
    /// dropped. Persistent ids are loaded as usual (that is what noload is for).
    pub(crate) noload: bool,
    /// Map Python 2 names (`fix_imports`) whatever the protocol, for pickles written anew
    /// from a graph that an older protocol's pickle was read into.
    pub(crate) python2_names: bool,
}

impl Default for LoadOptions {
    /// `pickle.loads`'s defaults.
    fn default() -> Self {
        LoadOptions {
            fix_imports: true,
            encoding: "ASCII".into(),
            errors: "strict".into(),
            buffers: None,
            noload: false,
            python2_names: false,
        }
    }
}

/// Overridden `find_class` / `persistent_load` methods of an `Unpickler` subclass or instance,
/// and cPickle's `find_global` attribute.
#[derive(Default)]
pub(crate) struct LoadHooks {
    pub(crate) find_class: Option<PyObjectRef>,
    /// A callable, a list (cPickle: persistent ids are collected in it and stand in for their
    /// objects), or none.
    pub(crate) persistent_load: Option<PyObjectRef>,
    /// cPickle's `find_global`: called with the module and name as written, in place of
    /// `find_class`; None refuses every global.
    pub(crate) find_global: Option<PyObjectRef>,
    /// The `Unpickler`'s protocol, kept up to date as PROTO is read, so that its own
    /// `find_class` (called by an override mid-load, or afterwards) resolves names as the
    /// load does.
    pub(crate) proto: Option<PyRef<PyUnpickler>>,
}

pub(crate) struct VmBuilder<'a> {
    vm: &'a VirtualMachine,
    /// The cycle collector, paused while the builder lives.
    _collector: super::collector::Paused<'a>,
    opts: &'a LoadOptions,
    hooks: LoadHooks,
    proto: u8,
    lookups: Lookups,
    attribute_names: super::attribute_names::AttributeNames,
    class_facts: super::class_facts::ClassFacts,
    slot_setters: super::slot_setters::SlotSetters,
    /// The builtins module's dict, looked up once (see [`Self::set_in_exact`]).
    builtins_dict: PyDictRef,
    /// The memory account the load is charged to, and how it stands (see
    /// [`Self::within_memory_limit`]).
    memory: MemoryWatch,
    /// The last str made from latin-1 text past ASCII, for the `_codecs.encode` that follows.
    latin1_text: super::latin1_text::Latin1Text,
    /// An empty dict no one else holds, for the next EMPTY_DICT (see
    /// `build_state::keep_spare_dict`).
    spare_dict: Option<PyDictRef>,
}

/// How a load keeps within the runtime's memory limit (`Builder::memory_limit`): a large
/// block is checked before it is made, and every [`MemoryWatch::EVERY`] opcodes the
/// account is looked at, so that a load of many small objects past the limit stops too (it
/// runs no Python code, where a run is otherwise stopped).
struct MemoryWatch {
    account: Tag,
    opcodes: u32,
    over: bool,
}

impl MemoryWatch {
    const EVERY: u32 = 4096;
    /// Blocks from this size are checked before they are made.
    const CHECK_FROM: usize = 64 * 1024;
}

impl<'a> VmBuilder<'a> {
    pub(crate) fn new(vm: &'a VirtualMachine, opts: &'a LoadOptions, hooks: LoadHooks) -> Self {
        VmBuilder {
            vm,
            _collector: super::collector::pause(vm),
            opts,
            hooks,
            proto: 0,
            lookups: Lookups::default(),
            attribute_names: Default::default(),
            class_facts: Default::default(),
            slot_setters: Default::default(),
            builtins_dict: vm.builtins.dict(),
            memory: MemoryWatch {
                account: accounts::current(),
                opcodes: 0,
                over: false,
            },
            latin1_text: Default::default(),
            spare_dict: None,
        }
    }

    /// MemoryError when the runtime is past its memory limit, or a block of `size` bytes
    /// about to be made would take it there (the VM would make it infallibly).
    fn within_memory_limit(&self, size: usize) -> Result<(), LoadError> {
        let tag = self.memory.account;
        let refused =
            self.memory.over || (size >= MemoryWatch::CHECK_FROM && !accounts::fits(tag, size));
        if !refused {
            return Ok(());
        }
        Err(self.vm.new_memory_error(crate::memory::refuse(tag)).into())
    }

    /// `dict[key] = value` for an exact dict. `PyDict::set_item` asks at each call whether
    /// the dict is the builtins module's (writes into that one are counted, for
    /// `_testinternalcapi`), a look-up of that module's dict that took 3% of a records load;
    /// the builder looked it up once.
    fn set_in_exact(&self, dict: &Py<PyDict>, key: &PyObject, value: PyObjectRef) -> PyResult<()> {
        let vm = self.vm;
        if dict.as_object().is(self.builtins_dict.as_object()) {
            return dict.set_item(key, value, vm);
        }
        dict.inner_setitem(key, value, vm)
    }

    /// A builder that resolves names as a load at protocol `proto` does (the protocol an
    /// `Unpickler` last read, for its `find_class` method).
    pub(crate) fn at_protocol(mut self, proto: u8) -> Self {
        self.proto = proto;
        self
    }

    fn text(&self, raw: &[u8]) -> PyObjectRef {
        // Most pickled text is ASCII: made as such, the str skips UTF-8 validation and the
        // count of its characters that a `&str` needs.
        if let Ok(ascii) = AsciiStr::from_ascii(raw) {
            return self.vm.ctx.new_str(ascii).into();
        }
        // Only the decoder calls this (`Builder::str`), with text it has checked as UTF-8
        // that may hold lone surrogates; a surrogate's first byte is ED. Text without that
        // byte is UTF-8 as Rust has it, and checking it again had cost as much as the
        // decoder's own check (a third of a protocol-2 load of binary data).
        if !raw.contains(&0xED) {
            debug_assert!(std::str::from_utf8(raw).is_ok());
            // SAFETY: checked by the decoder as UTF-8 with surrogates allowed, and with no
            // ED byte it holds no surrogate: it is valid UTF-8.
            let text = unsafe { std::str::from_utf8_unchecked(raw) };
            return self.vm.ctx.new_str(text).into();
        }
        match std::str::from_utf8(raw) {
            Ok(s) => self.vm.ctx.new_str(s).into(),
            Err(_) => {
                let mut buf = Wtf8Buf::with_capacity(raw.len());
                for cp in code_points(raw) {
                    buf.push(CodePoint::from_u32(cp).expect("validated code point"));
                }
                self.vm.ctx.new_str(buf).into()
            }
        }
    }

    fn utf8_name(&self, raw: &[u8]) -> PyResult<PyStrRef> {
        let vm = self.vm;
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(vm.ctx.new_str(s)),
            Err(e) => {
                let start = e.valid_up_to();
                let end = start + e.error_len().unwrap_or(raw.len() - start);
                let reason = if e.error_len().is_some() {
                    "invalid start byte"
                } else {
                    "unexpected end of data"
                };
                Err(vm.new_unicode_decode_error(
                    vm.ctx.new_str("utf-8"),
                    vm.ctx.new_bytes(raw.to_vec()),
                    start,
                    end,
                    vm.ctx.new_str(reason),
                ))
            }
        }
    }

    /// `find_class`: cPickle's `find_global` when set, the override when there is one, else
    /// pickle.py's default.
    pub(crate) fn find_class(&mut self, module: PyStrRef, name: PyStrRef) -> Made {
        if let Some(find_global) = &self.hooks.find_global {
            if self.vm.is_none(find_global) {
                let msg = "Global and instance pickles are not supported.";
                return Err(new_unpickling_error(self.vm, msg).into());
            }
            return Ok(find_global.call((module, name), self.vm)?);
        }
        if let Some(hook) = &self.hooks.find_class {
            return Ok(hook.call((module, name), self.vm)?);
        }
        Ok(self.default_find_class(module, name)?)
    }

    fn default_find_class(&mut self, module: PyStrRef, name: PyStrRef) -> PyResult {
        let vm = self.vm;
        let python2 = self.proto < 3 || self.opts.python2_names;
        let (module, name) = if python2 && self.opts.fix_imports {
            self.python3_names(module, name)?
        } else {
            (module, name)
        };
        vm.import(&module, 0)?;
        let loaded = vm
            .sys_module
            .get_attr("modules", vm)?
            .get_item(&*module, vm)?;
        let name_text = name.to_string_lossy();
        if self.proto >= 4 && name_text.contains('.') {
            let dotted: Vec<&str> = name_text.split('.').collect();
            return get_dotted(vm, loaded, &dotted).map_err(|e| {
                if !e.fast_isinstance(vm.ctx.exceptions.attribute_error) {
                    return e;
                }
                let (n, m) = (name.as_object().repr(vm), module.as_object().repr(vm));
                let shown = |r: PyResult<PyStrRef>| {
                    r.map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                vm.new_attribute_error(format!(
                    "Can't resolve path {} on module {}",
                    shown(n),
                    shown(m)
                ))
            });
        }
        loaded.get_attr(&name, vm)
    }

    /// `_compat_pickle`'s forward mappings: Python 2 names to Python 3's.
    fn python3_names(
        &mut self,
        module: PyStrRef,
        name: PyStrRef,
    ) -> PyResult<(PyStrRef, PyStrRef)> {
        map_names(
            self.vm,
            &mut self.lookups,
            "NAME_MAPPING",
            "IMPORT_MAPPING",
            module,
            name,
        )
    }

    fn persistent_load(&mut self, pid: PyObjectRef) -> Made {
        match &self.hooks.persistent_load {
            Some(hook) => match hook.downcast_ref::<PyList>() {
                Some(ids) => {
                    ids.borrow_vec_mut().push(pid.clone());
                    Ok(pid)
                }
                None => Ok(hook.call((pid,), self.vm)?),
            },
            None => {
                Err(new_unpickling_error(self.vm, crate::pickle::errors::NO_PERSISTENT_LOAD).into())
            }
        }
    }

    /// INST and OBJ: `cls(*args)`, or `cls.__new__(cls)` for a class with no arguments and
    /// no `__getinitargs__`.
    fn instantiate(&mut self, cls: PyObjectRef, args: Vec<PyObjectRef>) -> Made {
        let vm = self.vm;
        let plain_class = args.is_empty()
            && cls.downcast_ref::<PyType>().is_some()
            && vm.get_attribute_opt(&cls, "__getinitargs__")?.is_none();
        if plain_class {
            return Ok(vm.call_method(&cls, "__new__", (cls.clone(),))?);
        }
        Ok(cls.call(FuncArgs::from(args), vm)?)
    }

    fn new_object(
        &mut self,
        cls: PyObjectRef,
        args: PyObjectRef,
        kwargs: Option<PyObjectRef>,
        opcode: &str,
    ) -> Made {
        let vm = self.vm;
        let Some(cls_type) = cls.downcast_ref::<PyType>() else {
            let msg = format!(
                "{opcode} class argument must be a type, not {}",
                cls.class().name()
            );
            return Err(new_unpickling_error(vm, msg).into());
        };
        let Some(args) = args.downcast_ref::<PyTuple>() else {
            let msg = format!(
                "{opcode} args argument must be a tuple, not {}",
                args.class().name()
            );
            return Err(new_unpickling_error(vm, msg).into());
        };
        let kwargs = match kwargs {
            Some(kw) => kwargs_of(vm, &kw)?,
            None => Default::default(),
        };
        // As CPython's load_newobj: the type's tp_new slot, which for a class with a Python
        // __new__ is the wrapper that calls it.
        let Some(new) = cls_type.slots.new.load() else {
            let msg = format!(
                "{opcode} class argument '{}' doesn't have __new__",
                cls_type.name()
            );
            return Err(new_unpickling_error(vm, msg).into());
        };
        if args.is_empty() && kwargs.is_empty() && self.allocates_as_object(cls_type, new) {
            return Ok(self.new_plain_instance(cls_type));
        }
        let args = FuncArgs::new(args.as_slice().to_vec(), kwargs);
        Ok(new(cls_type.to_owned(), args, vm)?)
    }

    /// `new` is `object.__new__`'s slot and, called with no arguments, it would do nothing but
    /// allocate: the class has no `__abstractmethods__` to refuse over.
    fn allocates_as_object(&mut self, cls: &Py<PyType>, new: NewFn) -> bool {
        let object_new = self.vm.ctx.types.object_type.slots.new.load();
        object_new.is_some_and(|object_new| object_new as usize == new as usize)
            && !self.class_facts.of(self.vm, cls).abstract_methods
    }

    /// What `object.__new__(cls)` makes, made as it makes it (an instance with an empty
    /// `__dict__` when the class has one), without the call (its arguments, and the look-up
    /// of `__abstractmethods__` on every instance).
    fn new_plain_instance(&self, cls: &Py<PyType>) -> PyObjectRef {
        let has_dict = cls.slots.flags.has_feature(PyTypeFlags::HAS_DICT);
        let dict = has_dict.then(|| self.vm.ctx.new_dict());
        PyRef::new_ref(PyBaseObject, cls.to_owned(), dict).into()
    }

    /// Protocols 0-2 write `bytes` as `_codecs.encode(text, 'latin1')`: made here without
    /// the call when `func` is that function and every code point fits a byte (otherwise
    /// the call runs, and raises what it raises).
    fn latin1_bytes(
        &mut self,
        func: &PyObjectRef,
        args: &[PyObjectRef],
    ) -> PyResult<Option<PyObjectRef>> {
        let vm = self.vm;
        let [text, encoding] = args else {
            return Ok(None);
        };
        let (Some(text), Some(encoding)) = (
            text.downcast_ref_if_exact::<PyStr>(vm),
            encoding.downcast_ref_if_exact::<PyStr>(vm),
        ) else {
            return Ok(None);
        };
        if !matches!(encoding.as_wtf8().as_bytes(), b"latin1" | b"latin-1")
            || !func.is(&self.lookups.codecs_encode(vm)?)
        {
            return Ok(None);
        }
        let bytes = match self.latin1_text.take_bytes(text) {
            Some(bytes) => Some(bytes),
            None => pickle_core::text::utf8_to_latin1(text.as_wtf8().as_bytes()),
        };
        Ok(bytes.map(|b| vm.ctx.new_bytes(b).into()))
    }

    fn decode_legacy(&mut self, data: &[u8]) -> PyResult {
        let vm = self.vm;
        let encoding = self.opts.encoding.to_ascii_lowercase();
        match encoding.as_str() {
            "bytes" => return Ok(vm.ctx.new_bytes(data.to_vec()).into()),
            "ascii" if data.is_ascii() => {
                return Ok(vm
                    .ctx
                    .new_str(std::str::from_utf8(data).expect("ascii"))
                    .into());
            }
            "latin1" | "latin-1" | "iso-8859-1" => {
                return Ok(vm
                    .ctx
                    .new_str(data.iter().map(|&b| char::from(b)).collect::<String>())
                    .into());
            }
            _ => {}
        }
        let errors = vm.ctx.new_utf8_str(self.opts.errors.as_str());
        let decoded = vm.state.codec_registry.decode_text(
            vm.ctx.new_bytes(data.to_vec()).into(),
            &self.opts.encoding,
            Some(errors),
            vm,
        )?;
        Ok(decoded.into())
    }
}

impl Builder for VmBuilder<'_> {
    type Value = PyObjectRef;
    type Error = LoadError;

    fn proto(&mut self, proto: u8) {
        self.proto = proto;
        if let Some(unpickler) = &self.hooks.proto {
            unpickler.set_proto(proto);
        }
    }
    fn none(&mut self) -> Made {
        Ok(self.vm.ctx.none())
    }
    fn bool(&mut self, value: bool) -> Made {
        Ok(self.vm.ctx.new_bool(value).into())
    }
    fn int(&mut self, value: i64) -> Made {
        Ok(self.vm.ctx.new_int(value).into())
    }
    fn big_int(&mut self, le: &[u8]) -> Made {
        Ok(self
            .vm
            .ctx
            .new_bigint(&malachite_bigint::BigInt::from_signed_bytes_le(le))
            .into())
    }
    fn float(&mut self, value: f64) -> Made {
        Ok(self.vm.ctx.new_float(value).into())
    }
    fn opcode_at(&mut self, _at: u64) {
        let memory = &mut self.memory;
        memory.opcodes = memory.opcodes.wrapping_add(1);
        if memory.opcodes.is_multiple_of(MemoryWatch::EVERY) && memory.account != Tag::NONE {
            memory.over = accounts::over(memory.account);
        }
    }
    fn str(&mut self, text: &[u8]) -> Made {
        self.within_memory_limit(text.len())?;
        Ok(self.text(text))
    }
    fn str_ascii(&mut self, text: &[u8]) -> Made {
        self.within_memory_limit(text.len())?;
        debug_assert!(text.is_ascii());
        // SAFETY: the decoder checked the text as ASCII (`Builder::str_ascii`).
        let ascii = unsafe { AsciiStr::from_ascii_unchecked(text) };
        Ok(self.vm.ctx.new_str(ascii).into())
    }
    fn str_latin1_utf8(&mut self, text: &[u8]) -> Made {
        self.within_memory_limit(text.len())?;
        debug_assert!(std::str::from_utf8(text).is_ok());
        // SAFETY: the decoder checked the text as UTF-8 whose code points are all below 256
        // (`Builder::str_latin1_utf8`): valid UTF-8, with no surrogate.
        let made = self
            .vm
            .ctx
            .new_str(unsafe { std::str::from_utf8_unchecked(text) });
        self.latin1_text.made(&made, None);
        Ok(made.into())
    }
    fn str_latin1(&mut self, latin1: Vec<u8>) -> Made {
        let utf8_len = pickle_core::text::latin1_utf8_len(&latin1);
        self.within_memory_limit(utf8_len)?;
        if utf8_len == latin1.len() {
            return Ok(self.text(&latin1));
        }
        let utf8 = pickle_core::text::latin1_to_utf8(&latin1);
        debug_assert!(std::str::from_utf8(&utf8).is_ok());
        // SAFETY: every byte became its own code point's UTF-8: valid by construction.
        let made = self
            .vm
            .ctx
            .new_str(unsafe { String::from_utf8_unchecked(utf8) });
        self.latin1_text.made(&made, Some(latin1));
        Ok(made.into())
    }
    fn bytes(&mut self, data: &[u8]) -> Made {
        self.within_memory_limit(data.len())?;
        Ok(self.vm.ctx.new_bytes(data.to_vec()).into())
    }
    fn bytearray(&mut self, data: &[u8]) -> Made {
        self.within_memory_limit(data.len())?;
        Ok(PyByteArray::from(data.to_vec())
            .into_ref(&self.vm.ctx)
            .into())
    }
    fn legacy_string(&mut self, data: &[u8]) -> Made {
        Ok(self.decode_legacy(data)?)
    }
    fn list(&mut self, items: Vec<PyObjectRef>) -> Made {
        self.within_memory_limit(0)?;
        Ok(self.vm.ctx.new_list(items).into())
    }
    fn tuple(&mut self, items: Vec<PyObjectRef>) -> Made {
        self.within_memory_limit(0)?;
        Ok(self.vm.ctx.new_tuple(items).into())
    }
    fn dict(&mut self, pairs: Vec<PyObjectRef>) -> Made {
        self.within_memory_limit(0)?;
        if pairs.is_empty()
            && let Some(spare) = self.spare_dict.take()
        {
            return Ok(spare.into());
        }
        let dict = self.vm.ctx.new_dict();
        for pair in pairs.chunks_exact(2) {
            self.set_in_exact(&dict, &pair[0], pair[1].clone())?;
        }
        Ok(dict.into())
    }
    fn set(&mut self) -> Made {
        Ok(PySet::default().into_ref(&self.vm.ctx).into())
    }
    fn frozenset(&mut self, items: Vec<PyObjectRef>) -> Made {
        Ok(PyFrozenSet::from_iter(self.vm, items)?
            .into_ref(&self.vm.ctx)
            .into())
    }
    fn append(
        &mut self,
        list: &PyObjectRef,
        items: Items<'_, PyObjectRef>,
    ) -> Result<(), LoadError> {
        let vm = self.vm;
        if self.opts.noload {
            return Ok(());
        }
        if let Some(list) = list.downcast_ref_if_exact::<PyList>(vm) {
            list.borrow_vec_mut().extend(items);
            return Ok(());
        }
        // PEP 307: extend() when there is one, else append() per item.
        if let Some(extend) = vm.get_attribute_opt(list, "extend")? {
            extend.call((vm.ctx.new_list(items.collect()),), vm)?;
            return Ok(());
        }
        let append = list.get_attr("append", vm)?;
        for item in items {
            append.call((item,), vm)?;
        }
        Ok(())
    }
    fn set_items(
        &mut self,
        dict: &PyObjectRef,
        pairs: Items<'_, PyObjectRef>,
    ) -> Result<(), LoadError> {
        let vm = self.vm;
        if self.opts.noload {
            return Ok(());
        }
        let exact = dict.downcast_ref_if_exact::<PyDict>(vm);
        let mut pairs = pairs;
        while let (Some(key), Some(value)) = (pairs.next(), pairs.next()) {
            match exact {
                Some(d) => self.set_in_exact(d, &key, value)?,
                None => dict.set_item(&*key, value, vm)?,
            }
        }
        Ok(())
    }
    fn add_items(
        &mut self,
        set: &PyObjectRef,
        items: Items<'_, PyObjectRef>,
    ) -> Result<(), LoadError> {
        let vm = self.vm;
        if self.opts.noload {
            return Ok(());
        }
        if let Some(set) = set.downcast_ref::<PySet>() {
            for item in items {
                set.add(item, vm)?;
            }
            return Ok(());
        }
        let add = set.get_attr("add", vm)?;
        for item in items {
            add.call((item,), vm)?;
        }
        Ok(())
    }
    fn global(&mut self, module: &[u8], name: &[u8]) -> Made {
        if self.opts.noload {
            return Ok(self.vm.ctx.none());
        }
        let (module, name) = (self.utf8_name(module)?, self.utf8_name(name)?);
        self.find_class(module, name)
    }
    fn stack_global(&mut self, module: PyObjectRef, name: PyObjectRef) -> Made {
        let vm = self.vm;
        if self.opts.noload {
            return Ok(vm.ctx.none());
        }
        match (
            module.downcast_exact::<PyStr>(vm),
            name.downcast_exact::<PyStr>(vm),
        ) {
            (Ok(m), Ok(n)) => self.find_class(m.into_pyref(), n.into_pyref()),
            _ => Err(new_unpickling_error(vm, "STACK_GLOBAL requires str").into()),
        }
    }
    fn reduce(&mut self, func: PyObjectRef, args: PyObjectRef) -> Made {
        let vm = self.vm;
        if self.opts.noload {
            return Ok(vm.ctx.none());
        }
        let Some(args) = args.downcast_ref::<PyTuple>() else {
            return Err(vm.new_type_error("argument list must be a tuple").into());
        };
        if let Some(bytes) = self.latin1_bytes(&func, args.as_slice())? {
            return Ok(bytes);
        }
        if let Some(set) = super::set_calls::set_from_list(vm, &func, args)? {
            return Ok(set);
        }
        Ok(func.call(FuncArgs::from(args.as_slice().to_vec()), vm)?)
    }
    fn newobj(&mut self, cls: PyObjectRef, args: PyObjectRef) -> Made {
        if self.opts.noload {
            return Ok(self.vm.ctx.none());
        }
        self.new_object(cls, args, None, "NEWOBJ")
    }
    fn newobj_ex(&mut self, cls: PyObjectRef, args: PyObjectRef, kwargs: PyObjectRef) -> Made {
        if self.opts.noload {
            return Ok(self.vm.ctx.none());
        }
        self.new_object(cls, args, Some(kwargs), "NEWOBJ_EX")
    }
    fn build(&mut self, obj: &PyObjectRef, state: PyObjectRef) -> Result<(), LoadError> {
        let vm = self.vm;
        if self.opts.noload {
            return Ok(());
        }
        if let Some(setstate) = self.setstate_of(obj)? {
            setstate.call((state,), vm)?;
            return Ok(());
        }
        Ok(self.build_default(obj, state)?)
    }
    fn fuses_set_items_with_build(&self) -> bool {
        true
    }
    /// An instance's state written as SETITEMS then BUILD (or SETITEMS, TUPLE2, BUILD for
    /// `__slots__`): see build_state.rs.
    fn build_from_pairs(
        &mut self,
        obj: &PyObjectRef,
        state: PyObjectRef,
        pairs: Items<'_, PyObjectRef>,
    ) -> Result<(), LoadError> {
        self.dict_state_from_pairs(obj, state, pairs)
    }
    fn build_slots_from_pairs(
        &mut self,
        obj: &PyObjectRef,
        dict_state: PyObjectRef,
        slots: PyObjectRef,
        pairs: Items<'_, PyObjectRef>,
    ) -> Result<(), LoadError> {
        self.slot_state_from_pairs(obj, dict_state, slots, pairs)
    }
    fn inst(&mut self, module: &[u8], name: &[u8], args: Vec<PyObjectRef>) -> Made {
        if self.opts.noload {
            return Ok(self.vm.ctx.none());
        }
        let cls = self.global(module, name)?;
        self.instantiate(cls, args)
    }
    fn obj(&mut self, cls: PyObjectRef, args: Vec<PyObjectRef>) -> Made {
        if self.opts.noload {
            // cPickle leaves the class (None, as noload pushes for globals) in place.
            return Ok(cls);
        }
        self.instantiate(cls, args)
    }
    fn persistent_id_text(&mut self, pid: &[u8]) -> Made {
        if !pid.is_ascii() {
            return Err(new_unpickling_error(
                self.vm,
                "persistent IDs in protocol 0 must be ASCII strings",
            )
            .into());
        }
        let pid = self
            .vm
            .ctx
            .new_str(std::str::from_utf8(pid).expect("ascii"))
            .into();
        self.persistent_load(pid)
    }
    fn persistent_id(&mut self, pid: PyObjectRef) -> Made {
        self.persistent_load(pid)
    }
    fn extension(&mut self, code: i32) -> Made {
        let vm = self.vm;
        if self.opts.noload {
            return Ok(vm.ctx.none());
        }
        let key: PyObjectRef = vm.ctx.new_int(code).into();
        let cache = self.lookups.copyreg_attr(vm, "_extension_cache")?;
        if let Some(found) = cache
            .downcast_ref::<PyDict>()
            .map(|d| d.get_item_opt(&*key, vm))
            .transpose()?
            .flatten()
        {
            return Ok(found);
        }
        let inverted = self.lookups.copyreg_attr(vm, "_inverted_registry")?;
        let pair = inverted
            .downcast_ref::<PyDict>()
            .map(|d| d.get_item_opt(&*key, vm))
            .transpose()?
            .flatten();
        let Some(pair) = pair else {
            return Err(vm
                .new_value_error(format!("unregistered extension code {code}"))
                .into());
        };
        let names = str_pair(vm, &pair).ok();
        let Some((module, name)) = names else {
            return Err(vm
                .new_value_error(format!(
                    "_inverted_registry[{code}] isn't a 2-tuple of strings"
                ))
                .into());
        };
        let obj = self.find_class(module, name)?;
        cache.set_item(&*key, obj.clone(), vm)?;
        Ok(obj)
    }
    fn next_buffer(&mut self) -> Made {
        let vm = self.vm;
        let Some(buffers) = &self.opts.buffers else {
            return Err(new_unpickling_error(
                vm,
                "pickle stream refers to out-of-band data but no *buffers* argument was given",
            )
            .into());
        };
        match rustpython_vm::protocol::PyIter::new(buffers.as_object()).next(vm)? {
            rustpython_vm::protocol::PyIterReturn::Return(buffer) => Ok(buffer),
            rustpython_vm::protocol::PyIterReturn::StopIteration(_) => {
                Err(new_unpickling_error(vm, "not enough out-of-band buffers").into())
            }
        }
    }
    /// READONLY_BUFFER: an object already read-only stays as it is; a writable one becomes a
    /// read-only memoryview of it (CPython's load_readonly_buffer).
    fn readonly_buffer(&mut self, buffer: PyObjectRef) -> Made {
        let vm = self.vm;
        let view = vm
            .ctx
            .types
            .memoryview_type
            .as_object()
            .call((buffer.clone(),), vm)?;
        if view.get_attr("readonly", vm)?.try_to_bool(vm)? {
            return Ok(buffer);
        }
        Ok(vm.call_method(&view, "toreadonly", ())?)
    }
}
