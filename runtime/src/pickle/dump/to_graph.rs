//! VM objects as the pickle-core graph `value::from_slice(&dumps(obj, 5))` reads, built
//! without the bytes in between wherever it can be.
//!
//! The exact built-in types become nodes directly, in the order and with the memo of the
//! save walk. Anything else (an instance, a subclass of a built-in) is saved by the save walk
//! itself, sharing the same memo, and its opcodes are read into the same graph, where a GET
//! of an object the direct walk made finds that object's node: node for node, the graph is
//! the one the whole pickle gives. Once a list, dict or set meets such an item, the save walk
//! takes the rest of its items in one piece (a GET of the container, then APPENDS, SETITEMS or
//! ADDITEMS), so a list of instances is one read, not one per instance.

use super::save::{Hooks, PicklerState, Walker};
use crate::pickle::errors::from_core;
use pickle_core::decoder::Limits;
use pickle_core::encoder::{Encoder, HIGHEST_PROTOCOL};
use pickle_core::opcodes::op;
use pickle_core::value::{GraphReader, NodeId, Pickle, Value};
use rustpython_vm::builtins::{
    PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyStr, PyTuple,
};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// The graph of `obj`.
pub(crate) fn to_graph(vm: &VirtualMachine, obj: &PyObject) -> PyResult<Pickle> {
    let mut state = PicklerState::new(HIGHEST_PROTOCOL, true);
    let mut walk = GraphWalk {
        vm,
        // No PROTO, no frames: the walker writes bare opcodes for one object at a time.
        walker: Walker::new(vm, &mut state, Hooks::default(), None),
        reader: GraphReader::new(&Limits::UNLIMITED),
    };
    let root = walk.node(obj)?;
    Ok(walk.reader.into_pickle(root))
}

struct GraphWalk<'a> {
    vm: &'a VirtualMachine,
    /// The save walk, for what is not plain data; its memo is the one memo of the walk.
    walker: Walker<'a>,
    reader: GraphReader,
}

impl GraphWalk<'_> {
    fn core(
        &self,
    ) -> impl Fn(pickle_core::PickleError) -> rustpython_vm::builtins::PyBaseExceptionRef + '_ {
        move |e| from_core(self.vm, &e)
    }

    fn add(&mut self, value: Value) -> PyResult<NodeId> {
        let added = self.reader.add(value);
        added.map_err(self.core())
    }

    /// Whether `obj` becomes nodes here rather than through the save walk.
    fn direct(&self, obj: &PyObject) -> bool {
        let types = &self.vm.ctx.types;
        let cls = obj.class();
        [
            types.int_type,
            types.str_type,
            types.float_type,
            types.bool_type,
            types.bytes_type,
            types.bytearray_type,
            types.dict_type,
            types.list_type,
            types.tuple_type,
            types.set_type,
            types.frozenset_type,
        ]
        .iter()
        .any(|t| cls.is(*t))
            || self.vm.is_none(obj)
            || self.memoised(obj).is_some()
    }

    /// `save()`'s order: atoms, the memo, bytes, containers, then everything else.
    fn node(&mut self, obj: &PyObject) -> PyResult<NodeId> {
        if let Some(atom) = self.atom(obj)? {
            return Ok(atom);
        }
        if let Some(id) = self.memoised(obj) {
            return Ok(id);
        }
        let types = &self.vm.ctx.types;
        let cls = obj.class();
        if cls.is(types.bytes_type) {
            let data = obj.downcast_ref::<PyBytes>().expect("exact bytes");
            let id = self.add(Value::Bytes(data.as_bytes().to_vec()))?;
            return Ok(self.memoise(obj, id));
        }
        if cls.is(types.bytearray_type) {
            let data = obj.downcast_ref::<PyByteArray>().expect("exact bytearray");
            let id = self.add(Value::ByteArray(data.borrow_buf().to_vec()))?;
            return Ok(self.memoise(obj, id));
        }
        let compound = cls.is(types.dict_type)
            || cls.is(types.list_type)
            || cls.is(types.tuple_type)
            || cls.is(types.set_type)
            || cls.is(types.frozenset_type);
        if !compound {
            return self.saved(obj);
        }
        self.vm
            .with_recursion("while pickling an object", || self.compound(obj))
    }

    /// An object the save walk saves: its opcodes, read into the graph.
    fn saved(&mut self, obj: &PyObject) -> PyResult<NodeId> {
        self.walker.save(obj, false)?;
        self.read_written()
    }

    /// Reads what the save walk has written (the opcodes of one value) into the graph.
    fn read_written(&mut self) -> PyResult<NodeId> {
        let mut ops = self.walker.enc.take_output();
        ops.push(op::STOP);
        let read = self.reader.read(&ops);
        // The next fragment reuses the buffer (most are a few dozen bytes; growing a fresh
        // one each time costs more than the walk of a small instance).
        ops.clear();
        self.walker.enc = Encoder::with_output(HIGHEST_PROTOCOL, ops);
        read.map_err(self.core())
    }

    /// The types whose pickling runs no code and is never memoised, except `str`.
    #[inline]
    fn atom(&mut self, obj: &PyObject) -> PyResult<Option<NodeId>> {
        let vm = self.vm;
        let cls = obj.class();
        let types = &vm.ctx.types;
        let value = if cls.is(types.int_type) {
            let int = obj.downcast_ref::<PyInt>().expect("exact int").as_bigint();
            match num_traits::ToPrimitive::to_i64(int) {
                Some(small) => Value::Int(small),
                None => Value::BigInt(num_bigint::BigInt::from_signed_bytes_le(
                    &int.to_signed_bytes_le(),
                )),
            }
        } else if cls.is(types.str_type) {
            if let Some(id) = self.memoised(obj) {
                return Ok(Some(id));
            }
            let text = obj.downcast_ref::<PyStr>().expect("exact str");
            let id = self.add(Value::Str(text.as_bytes().to_vec()))?;
            return Ok(Some(self.memoise(obj, id)));
        } else if vm.is_none(obj) {
            Value::None
        } else if cls.is(types.float_type) {
            Value::Float(obj.downcast_ref::<PyFloat>().expect("exact float").to_f64())
        } else if cls.is(types.bool_type) {
            Value::Bool(obj.is(&vm.ctx.true_value))
        } else {
            return Ok(None);
        };
        self.add(value).map(Some)
    }

    /// Memoises as the pickler does (and keeps the object alive, as its memo does).
    fn memoise(&mut self, obj: &PyObject, id: NodeId) -> NodeId {
        let state = &mut *self.walker.st;
        state.memo.put(obj.get_id());
        state.memo_objects.push(obj.to_owned());
        self.reader.memoize(id);
        id
    }

    #[inline]
    fn memoised(&self, obj: &PyObject) -> Option<NodeId> {
        let index = self.walker.st.memo.get(obj.get_id())?;
        self.reader.memo_get(index)
    }

    /// Containers: made (and memoised) before their items, except tuples and frozensets,
    /// which are made from items already saved.
    fn compound(&mut self, obj: &PyObject) -> PyResult<NodeId> {
        if let Some(dict) = obj.downcast_ref::<PyDict>() {
            return self.dict(obj, dict);
        }
        if let Some(list) = obj.downcast_ref::<PyList>() {
            return self.list(obj, list);
        }
        if let Some(set) = obj.downcast_ref::<PySet>() {
            return self.set(obj, &set.elements());
        }
        if let Some(tuple) = obj.downcast_ref::<PyTuple>() {
            return self.tuple(obj, tuple.as_slice());
        }
        let frozenset = obj.downcast_ref::<PyFrozenSet>().expect("exact frozenset");
        let items = self.members(obj, &frozenset.elements())?;
        self.made_from_items(obj, items, Value::FrozenSet)
    }

    /// A container's node, memoised, to be filled once its items are made.
    fn container(&mut self, obj: &PyObject, empty: Value) -> PyResult<NodeId> {
        let id = self.add(empty)?;
        Ok(self.memoise(obj, id))
    }

    fn fill(&mut self, id: NodeId, value: Value) -> PyResult<()> {
        let filled = self.reader.replace(id, value);
        filled.map_err(self.core())
    }

    fn dict(&mut self, obj: &PyObject, dict: &PyDict) -> PyResult<NodeId> {
        let id = self.container(obj, Value::Dict(Vec::new()))?;
        let mut pairs = Vec::with_capacity(dict.__len__());
        let mut position = 0;
        while let Some((next, key, value)) = dict.next_entry(position) {
            if !self.direct(&key) || !self.direct(&value) {
                self.fill(id, Value::Dict(pairs))?;
                return self.saved_pairs(obj, dict, position);
            }
            position = next;
            let key_id = self.node(&key)?;
            let value_id = self
                .node(&value)
                .map_err(|e| self.walker.note_key(e, obj, &key))?;
            pairs.push((key_id, value_id));
        }
        self.fill(id, Value::Dict(pairs))?;
        Ok(id)
    }

    fn list(&mut self, obj: &PyObject, list: &PyList) -> PyResult<NodeId> {
        let id = self.container(obj, Value::List(Vec::new()))?;
        let items = self.list_items(obj, list)?;
        let done = items.len();
        self.fill(id, Value::List(items))?;
        if done < list.__len__() {
            return self.saved_items(obj, list, done);
        }
        Ok(id)
    }

    fn set(&mut self, obj: &PyObject, members: &[PyObjectRef]) -> PyResult<NodeId> {
        let id = self.container(obj, Value::Set(Vec::new()))?;
        let mut items = Vec::with_capacity(members.len());
        for (i, member) in members.iter().enumerate() {
            if !self.direct(member) {
                self.fill(id, Value::Set(items))?;
                return self.saved_members(obj, &members[i..]);
            }
            let item = self
                .node(member)
                .map_err(|e| self.walker.note_element(e, obj))?;
            items.push(item);
        }
        self.fill(id, Value::Set(items))?;
        Ok(id)
    }

    fn tuple(&mut self, obj: &PyObject, members: &[PyObjectRef]) -> PyResult<NodeId> {
        if members.is_empty() {
            // EMPTY_TUPLE, which the pickler does not memoise.
            return self.add(Value::Tuple(Vec::new()));
        }
        let mut items = Vec::with_capacity(members.len());
        for (i, item) in members.iter().enumerate() {
            let id = self
                .node(item)
                .map_err(|e| self.walker.note_item(e, obj, i))?;
            items.push(id);
        }
        self.made_from_items(obj, items, Value::Tuple)
    }

    /// A tuple or frozenset from its saved items. When saving them memoised the object
    /// itself (it contains itself through a mutable object), the pickler drops the items and
    /// fetches the memoised object; the items' nodes stay in the graph, as a reader keeps
    /// what it popped.
    fn made_from_items(
        &mut self,
        obj: &PyObject,
        items: Vec<NodeId>,
        make: fn(Vec<NodeId>) -> Value,
    ) -> PyResult<NodeId> {
        if let Some(id) = self.memoised(obj) {
            return Ok(id);
        }
        let id = self.add(make(items))?;
        Ok(self.memoise(obj, id))
    }

    /// A list's items up to the first the save walk must save: runs of atoms under one
    /// borrow of the list, anything else cloned out and walked with the list released (as
    /// the save walk reads it).
    fn list_items(&mut self, obj: &PyObject, list: &PyList) -> PyResult<Vec<NodeId>> {
        let mut ids = Vec::with_capacity(list.__len__());
        loop {
            let next = {
                let items = list.borrow_vec();
                while let Some(item) = items.get(ids.len()) {
                    match self.atom(item)? {
                        Some(atom) => ids.push(atom),
                        None => break,
                    }
                }
                items.get(ids.len()).cloned()
            };
            let Some(item) = next.filter(|item| self.direct(item)) else {
                return Ok(ids);
            };
            let id = self
                .node(&item)
                .map_err(|e| self.walker.note_item(e, obj, ids.len()))?;
            ids.push(id);
        }
    }

    /// Starts a piece of the save walk that adds to the memoised container `obj`: a GET
    /// of it, then MARK.
    fn resume(&mut self, obj: &PyObject) -> PyResult<()> {
        let index = self
            .walker
            .st
            .memo
            .get(obj.get_id())
            .expect("a memoised container");
        self.walker.enc.memo_get(index).map_err(self.core())?;
        self.walker.enc.op(op::MARK);
        Ok(())
    }

    /// The rest of a list, from item `from`, saved by the save walk and appended.
    fn saved_items(&mut self, obj: &PyObject, list: &PyList, from: usize) -> PyResult<NodeId> {
        self.resume(obj)?;
        let mut i = from;
        while let Some(item) = list.borrow_vec().get(i).cloned() {
            self.walker
                .save(&item, false)
                .map_err(|e| self.walker.note_item(e, obj, i))?;
            i += 1;
        }
        self.walker.enc.op(op::APPENDS);
        self.read_written()
    }

    /// The rest of a dict, from entry `position`, saved by the save walk and set.
    fn saved_pairs(
        &mut self,
        obj: &PyObject,
        dict: &PyDict,
        mut position: usize,
    ) -> PyResult<NodeId> {
        self.resume(obj)?;
        while let Some((next, key, value)) = dict.next_entry(position) {
            position = next;
            self.walker.save_pair(obj, &key, &value)?;
        }
        self.walker.enc.op(op::SETITEMS);
        self.read_written()
    }

    /// The rest of a set's members, saved by the save walk and added.
    fn saved_members(&mut self, obj: &PyObject, members: &[PyObjectRef]) -> PyResult<NodeId> {
        self.resume(obj)?;
        for member in members {
            self.walker
                .save(member, false)
                .map_err(|e| self.walker.note_element(e, obj))?;
        }
        self.walker.enc.op(op::ADDITEMS);
        self.read_written()
    }

    /// A set's or frozenset's members.
    fn members(&mut self, obj: &PyObject, items: &[PyObjectRef]) -> PyResult<Vec<NodeId>> {
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let id = self
                .node(item)
                .map_err(|e| self.walker.note_element(e, obj))?;
            ids.push(id);
        }
        Ok(ids)
    }
}
