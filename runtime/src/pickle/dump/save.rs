//! The pickling walk over VM objects: CPython's `save()` order, exact-type fast paths for the
//! built-in types, and the encoder from `pickle-core` choosing the bytes.

use crate::pickle::buffer::PyPickleBuffer;
use crate::pickle::errors::{from_core, with_note};
use pickle_core::PickleError;
use pickle_core::encoder::{BATCH_SIZE, Encoder, FRAME_SIZE_TARGET, IdMemo, minimal_signed_len};
use pickle_core::opcodes::op;
use rustpython_vm::builtins::{
    PyBaseExceptionRef, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyStr, PyTuple,
    PyType,
};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::collections::HashSet;

/// How many items ahead a list's run of atoms prefetches, and from what length: a short
/// list's items are mostly in the cache already, and asking costs it a few percent.
const LIST_PREFETCH_AHEAD: usize = 16;
const LIST_PREFETCH_MIN_LEN: usize = 1000;

/// Past this nesting depth, fast mode tracks containers to refuse cycles (CPython's limit).
const FAST_NESTING_LIMIT: usize = 50;

/// Why a run of atoms saved under a list borrow stopped.
enum RunEnd {
    /// The batch is full, or a committed frame waits to be flushed.
    Pause,
    /// No items are left.
    ListEnd,
    /// This item may run Python code; it is saved with the list released.
    Other(PyObjectRef),
}

/// What a pickler keeps between `dump` calls: its options and its memo.
#[derive(Debug, Default)]
pub(crate) struct PicklerState {
    pub(crate) proto: u8,
    pub(crate) fix_imports: bool,
    pub(crate) fast: bool,
    pub(crate) memo: IdMemo,
    /// Every memoised object, kept alive (as CPython's memo does) so identities stay unique.
    pub(crate) memo_objects: Vec<PyObjectRef>,
    /// No Python code can read the memo (a one-shot dump): temporaries may take memo indices
    /// without being stored (see `slot_state`).
    pub(crate) private_memo: bool,
}

impl PicklerState {
    pub(crate) fn new(proto: u8, fix_imports: bool) -> Self {
        PicklerState {
            proto,
            fix_imports,
            ..Default::default()
        }
    }

    /// Empties the memo, giving its references back with prefetching (see
    /// [`crate::pickle::release`]) and keeping its room.
    pub(crate) fn clear_memo(&mut self) {
        self.memo.clear();
        crate::pickle::release::release_in_order(&mut self.memo_objects, |obj| Some(obj), |_| {});
    }

    /// Runs `f` with a state for one dump (`pickle.dumps`, `pickle.dump`, the embedding's
    /// `dumps`), whose memo is the last one-shot dump's on this thread, emptied. A fresh table
    /// grows by rehashing at 4, 8, 16... entries: a tenth of the time of dumping a few dozen
    /// objects (pyperformance's pickle shapes). A memo grown past [`SPARE_MEMO_MAX`] entries is
    /// not kept, so a large dump does not leave a large table behind.
    pub(crate) fn one_shot<R>(proto: u8, fix_imports: bool, f: impl FnOnce(&mut Self) -> R) -> R {
        let (memo, memo_objects) = SPARE_MEMO.take().unwrap_or_default();
        let mut state = PicklerState {
            proto,
            fix_imports,
            memo,
            memo_objects,
            private_memo: true,
            ..Default::default()
        };
        let result = f(&mut state);
        state.clear_memo();
        if state.memo.capacity() <= SPARE_MEMO_MAX {
            SPARE_MEMO.set(Some((state.memo, state.memo_objects)));
        }
        result
    }
}

/// The most memo entries a spare memo keeps room for: about 1.5 MiB with the vector of
/// objects, enough for the 18,000 memo entries of bench/workloads.py's nested_dicts (whose
/// table, regrown for every dump, was 5% of its time) or the 20,000 of small_bytes.
const SPARE_MEMO_MAX: usize = 1 << 16;

thread_local! {
    /// See [`PicklerState::one_shot`]: empty (no object is kept alive), only its room is.
    /// Taken while a dump runs, so a dump inside it (a `__reduce__` that pickles) makes its own.
    static SPARE_MEMO: std::cell::Cell<Option<(IdMemo, Vec<PyObjectRef>)>> =
        const { std::cell::Cell::new(None) };
}

/// The customisation hooks of a `Pickler`, resolved before a dump.
#[derive(Default)]
pub(crate) struct Hooks {
    pub(crate) persistent_id: Option<PyObjectRef>,
    pub(crate) reducer_override: Option<PyObjectRef>,
    pub(crate) dispatch_table: Option<PyObjectRef>,
    pub(crate) buffer_callback: Option<PyObjectRef>,
}

/// One dump in progress.
pub(crate) struct Walker<'a> {
    pub(crate) vm: &'a VirtualMachine,
    pub(crate) enc: Encoder,
    pub(crate) st: &'a mut PicklerState,
    pub(crate) hooks: Hooks,
    /// `file.write`, when committed frames stream to a file as they fill.
    sink: Option<PyObjectRef>,
    fast_nesting: usize,
    fast_ids: HashSet<usize>,
    /// A frame was committed while a list's items were borrowed; flush once they are not.
    pending_flush: bool,
    pub(crate) lookups: crate::pickle::lookups::Lookups,
    /// What each class met decides about its instances' reduction.
    pub(crate) class_plans: super::class_plan::ClassPlans,
    /// The cycle collector, paused while the walk lives: the reduce tuples and states it
    /// makes are temporaries, freed when it ends (2-4% of instances' dumps went to
    /// collections that found nothing to free).
    _collector: crate::pickle::load::collector::Paused<'a>,
}

pub(crate) fn core_err(
    vm: &VirtualMachine,
) -> impl Fn(PickleError) -> rustpython_vm::builtins::PyBaseExceptionRef + '_ {
    move |e| from_core(vm, &e)
}

impl<'a> Walker<'a> {
    pub(crate) fn new(
        vm: &'a VirtualMachine,
        st: &'a mut PicklerState,
        hooks: Hooks,
        sink: Option<PyObjectRef>,
    ) -> Self {
        let enc = Encoder::new(st.proto);
        Walker {
            vm,
            enc,
            st,
            hooks,
            sink,
            fast_nesting: 0,
            fast_ids: HashSet::new(),
            pending_flush: false,
            lookups: Default::default(),
            class_plans: Default::default(),
            _collector: crate::pickle::load::collector::pause(vm),
        }
    }

    /// Writes one whole pickle of `obj`; returns the bytes not yet sent to the sink.
    pub(crate) fn dump(mut self, obj: &PyObject) -> PyResult<Vec<u8>> {
        self.enc.begin();
        self.save(obj, false)?;
        self.enc.end();
        let rest = self.enc.take_output();
        match self.sink.take() {
            Some(write) => {
                write.call((self.vm.ctx.new_bytes(rest),), self.vm)?;
                Ok(Vec::new())
            }
            None => Ok(rest),
        }
    }

    fn flush_committed(&mut self) -> PyResult<()> {
        self.pending_flush = false;
        if let Some(write) = &self.sink {
            let data = self.enc.take_committed();
            write.call((self.vm.ctx.new_bytes(data),), self.vm)?;
        }
        Ok(())
    }

    /// CPython's `save`: persistent ids, atoms, the memo, then everything else.
    pub(crate) fn save(&mut self, obj: &PyObject, pers_save: bool) -> PyResult<()> {
        self.at_opcode_boundary()?;
        if !pers_save && self.hooks.persistent_id.is_some() && self.save_persistent_id(obj)? {
            return Ok(());
        }
        if self.save_atom(obj)? {
            return Ok(());
        }
        let vm = self.vm;
        let cls = obj.class();
        if let Some(idx) = self.st.memo.get(obj.get_id()) {
            return self.enc.memo_get(idx).map_err(core_err(vm));
        }
        if cls.is(vm.ctx.types.bytes_type) {
            return self.save_bytes(obj);
        }
        vm.with_recursion("while pickling an object", || self.save_compound(obj, cls))
    }

    /// What every `save` begins with: a frame that reached its target size is committed, and
    /// sent to the file when there is one.
    #[inline]
    pub(crate) fn at_opcode_boundary(&mut self) -> PyResult<()> {
        if self.enc.opcode_boundary() || self.pending_flush {
            self.flush_committed()?;
        }
        Ok(())
    }

    /// Saves `obj` when it is None, a bool, an exact int, float or str, or exact bytes at
    /// protocol 3 or more: the types whose pickling runs no Python code (but for a payload
    /// streamed to a file, see [`Self::is_streamed_payload`]). Returns false, having written
    /// nothing, for anything else.
    #[inline]
    fn save_atom(&mut self, obj: &PyObject) -> PyResult<bool> {
        let vm = self.vm;
        let cls = obj.class();
        let types = &vm.ctx.types;
        if cls.is(types.int_type) {
            self.save_int(obj.downcast_ref::<PyInt>().expect("exact int"))?;
        } else if cls.is(types.str_type) {
            match self.st.memo.get(obj.get_id()) {
                Some(idx) => self.enc.memo_get(idx).map_err(core_err(vm))?,
                None => self.save_str(obj)?,
            }
        } else if vm.is_none(obj) {
            self.enc.none();
        } else if cls.is(types.float_type) {
            self.enc
                .float(obj.downcast_ref::<PyFloat>().expect("exact float").to_f64());
        } else if cls.is(types.bool_type) {
            self.enc.bool(obj.is(&vm.ctx.true_value));
        } else if cls.is(types.bytes_type) && self.enc.proto() >= 3 {
            match self.st.memo.get(obj.get_id()) {
                Some(idx) => self.enc.memo_get(idx).map_err(core_err(vm))?,
                None => self.save_bytes(obj)?,
            }
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// `save_atom` for an item of a borrowed list: the frame check of `save`, with the file
    /// flush deferred until the list is no longer borrowed.
    #[inline]
    fn save_borrowed_atom(&mut self, obj: &PyObject) -> PyResult<bool> {
        if self.hooks.persistent_id.is_some() || self.is_streamed_payload(obj) {
            return Ok(false);
        }
        if self.enc.opcode_boundary() && self.sink.is_some() {
            self.pending_flush = true;
        }
        self.save_atom(obj)
    }

    fn save_compound(&mut self, obj: &PyObject, cls: &Py<PyType>) -> PyResult<()> {
        let types = &self.vm.ctx.types;
        if cls.is(types.dict_type) {
            self.save_dict(obj)
        } else if cls.is(types.list_type) {
            self.save_list(obj)
        } else if cls.is(types.tuple_type) {
            self.save_tuple(obj.downcast_ref::<PyTuple>().expect("exact tuple"))
        } else if cls.is(types.set_type) {
            self.save_set(obj)
        } else if cls.is(types.frozenset_type) {
            self.save_frozenset(obj)
        } else if cls.is(types.bytearray_type) {
            self.save_bytearray(obj)
        } else if let Some(buffer) = obj.downcast_ref_if_exact::<PyPickleBuffer>(self.vm) {
            self.save_pickle_buffer(obj, buffer)
        } else {
            self.save_by_reduction(obj, cls)
        }
    }

    fn save_int(&mut self, int: &Py<PyInt>) -> PyResult<()> {
        let value = int.as_bigint();
        if let Some(small) = num_traits::ToPrimitive::to_i64(value) {
            self.enc.int(small);
        } else if self.enc.binary_longs() {
            let le = value.to_signed_bytes_le();
            self.enc.long_bytes(&le[..minimal_signed_len(&le)]);
        } else {
            self.enc.long_text(&value.to_string());
        }
        Ok(())
    }

    fn save_str(&mut self, obj: &PyObject) -> PyResult<()> {
        let text = obj.downcast_ref::<PyStr>().expect("exact str");
        self.enc.str(text.as_bytes()).map_err(core_err(self.vm))?;
        if self.enc.bin() {
            self.stream_payload(text.as_bytes().len())?;
        }
        self.memo_put(obj)
    }

    /// As CPython's C pickler dumping to a file: a payload of `FRAME_SIZE_TARGET` bytes or
    /// more (just written, outside any frame) goes to `write` in a call of its own, after
    /// one for everything before it.
    fn stream_payload(&mut self, len: usize) -> PyResult<()> {
        let Some(write) = self.sink.clone().filter(|_| len >= FRAME_SIZE_TARGET) else {
            return Ok(());
        };
        let mut before = self.enc.take_committed();
        let payload = before.split_off(before.len() - len);
        if !before.is_empty() {
            write.call((self.vm.ctx.new_bytes(before),), self.vm)?;
        }
        write.call((self.vm.ctx.new_bytes(payload),), self.vm)?;
        Ok(())
    }

    /// Whether `obj` is a str or bytes whose payload `stream_payload` writes on its own (which
    /// must not happen while a list is borrowed: `write` is Python code).
    fn is_streamed_payload(&self, obj: &PyObject) -> bool {
        if self.sink.is_none() {
            return false;
        }
        let len = if let Some(text) = obj.downcast_ref_if_exact::<PyStr>(self.vm) {
            text.as_bytes().len()
        } else if let Some(data) = obj.downcast_ref_if_exact::<PyBytes>(self.vm) {
            data.as_bytes().len()
        } else {
            return false;
        };
        len >= FRAME_SIZE_TARGET
    }

    fn save_bytes(&mut self, obj: &PyObject) -> PyResult<()> {
        let data = obj
            .downcast_ref::<PyBytes>()
            .expect("exact bytes")
            .as_bytes();
        if self.enc.proto() >= 3 {
            self.enc.bytes(data).map_err(core_err(self.vm))?;
            self.stream_payload(data.len())?;
            return self.memo_put(obj);
        }
        // Protocols 0-2 have no bytes opcode: CPython writes `bytes()` for b'' and
        // `_codecs.encode(data.decode('latin1'), 'latin1')` otherwise.
        let vm = self.vm;
        if data.is_empty() {
            let empty = vm.ctx.empty_tuple.clone().into();
            return self.save_simple_reduce(vm.ctx.types.bytes_type.to_owned().into(), empty, obj);
        }
        if self.hooks.persistent_id.is_none() {
            return self.save_bytes_as_latin1_text(data, obj);
        }
        // `persistent_id` is called with the text and the arguments' tuple: they are made.
        let utf8 = pickle_core::text::latin1_to_utf8(data);
        debug_assert!(std::str::from_utf8(&utf8).is_ok());
        // SAFETY: every byte becomes its own code point's UTF-8 (one or two bytes), which
        // is valid UTF-8 by construction; checking it again cost a fifth of a dump.
        let text = unsafe { String::from_utf8_unchecked(utf8) };
        let args = vm
            .ctx
            .new_tuple(vec![vm.ctx.new_str(text).into(), self.lookups.latin1(vm)]);
        let encode = self.lookups.codecs_encode(vm)?;
        self.save_simple_reduce(encode, args.into(), obj)
    }

    /// `_codecs.encode(data.decode('latin1'), 'latin1')` written as CPython writes it, the
    /// text straight from `data`: the str and the tuple of arguments CPython makes (and
    /// memoizes) are never made here, only given their memo indices. Nothing else can refer
    /// to them, and nothing sees them where no `persistent_id` is called: a `bytes` is
    /// pickled before `reducer_override` is asked, and the reduction is CPython's own.
    fn save_bytes_as_latin1_text(&mut self, data: &[u8], obj: &PyObject) -> PyResult<()> {
        let vm = self.vm;
        let encode = self.lookups.codecs_encode(vm)?;
        self.save(&encode, false)
            .map_err(|e| self.note(e, obj, "reconstructor"))?;
        let small = self.enc.tuple_begin(2);
        self.save_latin1_text(data)
            .map_err(|e| self.note_argument(e, obj, 0))?;
        let latin1 = self.lookups.latin1(vm);
        self.save(&latin1, false)
            .map_err(|e| self.note_argument(e, obj, 1))?;
        self.enc.tuple_end(2, small);
        self.memo_put_unseen()?;
        self.enc.op(op::REDUCE);
        self.memo_put(obj)
    }

    /// The notes an error saving item `i` of `obj`'s reconstructor arguments gets.
    fn note_argument(&self, e: PyBaseExceptionRef, obj: &PyObject, i: usize) -> PyBaseExceptionRef {
        let e = self.note_in(e, "tuple", &format!("item {i}"));
        self.note(e, obj, "reconstructor arguments")
    }

    /// A str of `latin1`'s code points, memoized as [`Self::save_str`] memoizes a str.
    fn save_latin1_text(&mut self, latin1: &[u8]) -> PyResult<()> {
        self.at_opcode_boundary()?;
        let len = self.enc.str_latin1(latin1).map_err(core_err(self.vm))?;
        if self.enc.bin() {
            self.stream_payload(len)?;
        }
        self.memo_put_unseen()
    }

    fn save_bytearray(&mut self, obj: &PyObject) -> PyResult<()> {
        let array = obj.downcast_ref::<PyByteArray>().expect("exact bytearray");
        if self.enc.proto() >= 5 {
            // Written straight from the buffer: no Python code runs while it is borrowed.
            let len = {
                let data = array.borrow_buf();
                self.enc.bytearray(&data);
                data.len()
            };
            self.stream_payload(len)?;
            return self.memo_put(obj);
        }
        let vm = self.vm;
        let data = array.borrow_buf().to_vec();
        let args = if data.is_empty() {
            vec![]
        } else {
            vec![vm.ctx.new_bytes(data).into()]
        };
        self.save_simple_reduce(
            vm.ctx.types.bytearray_type.to_owned().into(),
            vm.ctx.new_tuple(args).into(),
            obj,
        )
    }

    /// Protocol 5's PickleBuffer: in band as bytes (read-only) or bytearray, or out of band
    /// as NEXT_BUFFER (+ READONLY_BUFFER) when `buffer_callback` returns false.
    fn save_pickle_buffer(&mut self, obj: &PyObject, pb: &Py<PyPickleBuffer>) -> PyResult<()> {
        let vm = self.vm;
        if self.enc.proto() < 5 {
            return Err(crate::pickle::errors::new_pickling_error(
                vm,
                "PickleBuffer can only be pickled with protocol >= 5",
            ));
        }
        let buffer = pb.buffer(vm)?;
        if !buffer.desc.is_contiguous() {
            return Err(crate::pickle::errors::new_pickling_error(
                vm,
                "PickleBuffer can not be pickled when pointing to a non-contiguous buffer",
            ));
        }
        let in_band = match self.hooks.buffer_callback.clone() {
            Some(callback) => callback.call((obj.to_owned(),), vm)?.try_to_bool(vm)?,
            None => true,
        };
        let readonly = buffer.desc.readonly;
        if !in_band {
            self.enc.op(op::NEXT_BUFFER);
            if readonly {
                self.enc.op(op::READONLY_BUFFER);
            }
            return Ok(());
        }
        let enc = &mut self.enc;
        let written = buffer.contiguous_or_collect(|bytes| {
            if readonly {
                enc.bytes(bytes)?;
            } else {
                enc.bytearray(bytes);
            }
            Ok(bytes.len())
        });
        let len = written.map_err(core_err(vm))?;
        self.stream_payload(len)?;
        self.memo_put(obj)
    }

    /// `save_reduce(func, args, obj=obj)` for the reductions the pickler itself makes.
    pub(super) fn save_simple_reduce(
        &mut self,
        func: PyObjectRef,
        args: PyObjectRef,
        obj: &PyObject,
    ) -> PyResult<()> {
        let reduction = super::reduce::Reduction::call(func, args);
        self.save_reduce(reduction, Some(obj))
    }

    fn save_tuple(&mut self, tuple: &Py<PyTuple>) -> PyResult<()> {
        let items = tuple.as_slice();
        let obj = tuple.as_object();
        if items.is_empty() {
            self.enc.empty_tuple();
            return Ok(());
        }
        let small = self.enc.tuple_begin(items.len());
        for (i, item) in items.iter().enumerate() {
            self.save(item, false)
                .map_err(|e| self.note_item(e, obj, i))?;
        }
        // A tuple found in the memo now contained itself (through a mutable object): drop what
        // was pushed and fetch the memoised copy, as CPython does.
        if let Some(idx) = self.st.memo.get(obj.get_id()) {
            self.enc.tuple_discard(items.len(), small);
            return self.enc.memo_get(idx).map_err(core_err(self.vm));
        }
        self.enc.tuple_end(items.len(), small);
        self.memo_put(obj)
    }

    /// "when serializing list item 3": the note an error saving part of a container gets.
    pub(crate) fn note_item(
        &self,
        e: PyBaseExceptionRef,
        obj: &PyObject,
        i: usize,
    ) -> PyBaseExceptionRef {
        self.note(e, obj, &format!("item {i}"))
    }

    pub(crate) fn note_key(
        &self,
        e: PyBaseExceptionRef,
        obj: &PyObject,
        key: &PyObject,
    ) -> PyBaseExceptionRef {
        self.note(e, obj, &self.key_item(key))
    }

    /// "item 'key'", as a dict's part is named in a note.
    pub(crate) fn key_item(&self, key: &PyObject) -> String {
        let shown = key
            .repr(self.vm)
            .map(|r| r.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("item {shown}")
    }

    /// "when serializing {container} {what}", for a container named without an object.
    pub(crate) fn note_in(
        &self,
        e: PyBaseExceptionRef,
        container: &str,
        what: &str,
    ) -> PyBaseExceptionRef {
        with_note(self.vm, e, format!("when serializing {container} {what}"))
    }

    fn save_list(&mut self, obj: &PyObject) -> PyResult<()> {
        self.fast_enter(obj)?;
        self.enc.empty_list();
        self.memo_put(obj)?;
        let list = obj.downcast_ref::<PyList>().expect("exact list");
        if self.enc.bin() {
            self.batch_list_exact(list)?;
        } else if list.__len__() > 0 {
            let iter = obj.get_iter(self.vm)?;
            self.batch_appends(iter.into(), obj)?;
        }
        self.fast_leave(obj);
        Ok(())
    }

    /// The C pickler's path for exact lists: nothing for an empty list, one APPEND for a
    /// one-item list, otherwise MARK..APPENDS batches (a trailing batch of one item still gets
    /// its MARK). Each look at the list takes and releases its lock (two atomic operations),
    /// a good part of the cost of a small list: the first look reads the length and saves the
    /// first run of atoms.
    fn batch_list_exact(&mut self, list: &Py<PyList>) -> PyResult<()> {
        let obj = list.as_object();
        let mut first_look = Some(list.borrow_vec());
        let len = first_look.as_ref().map_or(0, |items| items.len());
        if len <= 1 {
            let only = first_look.take().and_then(|items| items.first().cloned());
            if let Some(item) = only {
                self.save(&item, false)
                    .map_err(|e| self.note_item(e, obj, 0))?;
                self.enc.op(op::APPEND);
            }
            return Ok(());
        }
        let mut total = 0;
        loop {
            self.enc.op(op::MARK);
            let mut in_batch = 0;
            while in_batch < BATCH_SIZE {
                // Atoms are saved under one borrow of the list; anything that may run Python
                // code is cloned out and saved with the list released, as CPython reads it live.
                let run_end = {
                    let items = first_look.take().unwrap_or_else(|| list.borrow_vec());
                    let prefetch = items.len() >= LIST_PREFETCH_MIN_LEN;
                    while in_batch < BATCH_SIZE
                        && total < items.len()
                        && !self.pending_flush
                        && self.save_borrowed_atom(&items[total])?
                    {
                        // A long list's items are scattered through memory (a set's reduction
                        // list, below protocol 4, holds them in the table's order): they are
                        // asked for ahead.
                        if let Some(ahead) =
                            items.get(total + LIST_PREFETCH_AHEAD).filter(|_| prefetch)
                        {
                            crate::pickle::release::prefetch(ahead);
                        }
                        total += 1;
                        in_batch += 1;
                    }
                    if in_batch == BATCH_SIZE || self.pending_flush {
                        RunEnd::Pause
                    } else {
                        items
                            .get(total)
                            .cloned()
                            .map_or(RunEnd::ListEnd, RunEnd::Other)
                    }
                };
                match run_end {
                    // A committed frame is sent to the file once the list is released.
                    RunEnd::Pause if self.pending_flush => self.flush_committed()?,
                    RunEnd::Pause => break,
                    // The list ended under the borrow just released, and no Python code
                    // has run since: it has no more items to look for.
                    RunEnd::ListEnd => {
                        self.enc.op(op::APPENDS);
                        return Ok(());
                    }
                    RunEnd::Other(item) => {
                        self.save(&item, false)
                            .map_err(|e| self.note_item(e, obj, total))?;
                        total += 1;
                        in_batch += 1;
                    }
                }
            }
            self.enc.op(op::APPENDS);
            if total >= list.__len__() {
                return Ok(());
            }
        }
    }

    fn save_dict(&mut self, obj: &PyObject) -> PyResult<()> {
        self.fast_enter(obj)?;
        self.enc.empty_dict();
        self.memo_put(obj)?;
        let dict = obj.downcast_ref::<PyDict>().expect("exact dict");
        // Read once: each look takes and releases the dict's lock.
        let size = dict.__len__();
        if size > 0 {
            if self.enc.bin() {
                self.batch_dict_exact(dict, size)?;
            } else {
                let items = self.vm.call_method(obj, "items", ())?;
                self.batch_setitems(items.get_iter(self.vm)?.into(), obj)?;
            }
        }
        self.fast_leave(obj);
        Ok(())
    }

    /// The C pickler's path for exact dicts: SETITEM for one pair, otherwise MARK..SETITEMS
    /// batches of 1000, checking after each batch that the dict kept its size. A dict that fits
    /// one batch has its pairs taken under one lock (a lock and an unlock per pair were a sixth
    /// of the time of dumping small dicts): a pair replaced while they are written is written
    /// as it was when the batch began; a change of size is the same error as CPython's.
    fn batch_dict_exact(&mut self, dict: &Py<PyDict>, size: usize) -> PyResult<()> {
        let obj = dict.as_object();
        if size < BATCH_SIZE {
            let items = dict.items_vec();
            self.save_dict_pairs(&items, |w, key, value| w.save_pair(obj, key, value))?;
            return match size {
                1 => Ok(()),
                _ => self.check_dict_size(dict, size),
            };
        }
        let mut position = 0;
        loop {
            self.enc.op(op::MARK);
            let mut in_batch = 0;
            while let Some((next, key, value)) = dict.next_entry(position) {
                position = next;
                self.save_pair(obj, &key, &value)?;
                in_batch += 1;
                if in_batch == BATCH_SIZE {
                    break;
                }
            }
            self.enc.op(op::SETITEMS);
            self.check_dict_size(dict, size)?;
            if in_batch < BATCH_SIZE {
                return Ok(());
            }
        }
    }

    /// An exact dict's pairs (at least one), taken at once, batched as the C pickler batches
    /// them: SETITEM for a single pair, otherwise MARK..SETITEMS batches of 1000, the last one
    /// empty after 1000·k pairs.
    pub(crate) fn save_dict_pairs(
        &mut self,
        pairs: &[(PyObjectRef, PyObjectRef)],
        mut save_pair: impl FnMut(&mut Self, &PyObject, &PyObject) -> PyResult<()>,
    ) -> PyResult<()> {
        if let [(key, value)] = pairs {
            save_pair(self, key, value)?;
            self.enc.op(op::SETITEM);
            return Ok(());
        }
        let mut batches = pairs.chunks(BATCH_SIZE);
        loop {
            let batch = batches.next().unwrap_or_default();
            self.enc.op(op::MARK);
            for (key, value) in batch {
                save_pair(self, key, value)?;
            }
            self.enc.op(op::SETITEMS);
            if batch.len() < BATCH_SIZE {
                return Ok(());
            }
        }
    }

    /// CPython's check after each batch: the dict still has the size it had when it began.
    fn check_dict_size(&self, dict: &Py<PyDict>, size: usize) -> PyResult<()> {
        if dict.__len__() != size {
            return Err(self
                .vm
                .new_runtime_error("dictionary changed size during iteration"));
        }
        Ok(())
    }

    pub(crate) fn save_pair(
        &mut self,
        obj: &PyObject,
        key: &PyObject,
        value: &PyObject,
    ) -> PyResult<()> {
        self.save(key, false)?;
        self.save(value, false)
            .map_err(|e| self.note_key(e, obj, key))
    }

    /// Stores `obj` at the next memo index (not in fast mode).
    pub(crate) fn memo_put(&mut self, obj: &PyObject) -> PyResult<()> {
        if self.st.fast {
            return Ok(());
        }
        let idx = self.st.memo.put(obj.get_id());
        self.st.memo_objects.push(obj.to_owned());
        self.enc.memo_put(idx).map_err(core_err(self.vm))
    }

    /// `memo_put` of a temporary the pickler made and nothing else refers to: it takes the
    /// next index, as CPython's memo gives it one, but no identity is stored.
    pub(crate) fn memo_put_unseen(&mut self) -> PyResult<()> {
        if self.st.fast {
            return Ok(());
        }
        let idx = self.st.memo.put_unseen();
        self.enc.memo_put(idx).map_err(core_err(self.vm))
    }

    fn fast_enter(&mut self, obj: &PyObject) -> PyResult<()> {
        if !self.st.fast {
            return Ok(());
        }
        self.fast_nesting += 1;
        if self.fast_nesting >= FAST_NESTING_LIMIT && !self.fast_ids.insert(obj.get_id()) {
            let msg = format!(
                "fast mode: can't pickle cyclic objects including object type {} at {:#x}",
                obj.class().name(),
                obj.get_id()
            );
            return Err(self.vm.new_value_error(msg));
        }
        Ok(())
    }

    fn fast_leave(&mut self, obj: &PyObject) {
        if !self.st.fast {
            return;
        }
        if self.fast_nesting >= FAST_NESTING_LIMIT {
            self.fast_ids.remove(&obj.get_id());
        }
        self.fast_nesting -= 1;
    }

    /// Returns true when the `persistent_id` hook gave an id, which is then written.
    fn save_persistent_id(&mut self, obj: &PyObject) -> PyResult<bool> {
        let hook = self.hooks.persistent_id.clone().expect("checked by caller");
        let pid = hook.call((obj.to_owned(),), self.vm)?;
        if self.vm.is_none(&pid) {
            return Ok(false);
        }
        if self.enc.bin() {
            self.save(&pid, true)?;
            self.enc.op(op::BINPERSID);
            return Ok(true);
        }
        let text = pid.str(self.vm)?;
        let text = text.as_bytes();
        if !text.is_ascii() {
            return Err(crate::pickle::errors::new_pickling_error(
                self.vm,
                "persistent IDs in protocol 0 must be ASCII strings",
            ));
        }
        self.enc.persid_text(text);
        Ok(true)
    }
}
