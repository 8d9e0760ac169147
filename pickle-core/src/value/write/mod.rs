//! Writing a [`Graph`] as a pickle, with CPython's opcode choices, batching and memo.
//!
//! Node ids are the identities the memo keys on, so a graph read from a CPython pickle is
//! written back with the same sharing and, in its own protocol, the same bytes. Where the
//! target protocol has no opcode for a type (bytes below 3, sets below 4, bytearray below 5),
//! the writer emits the reduction CPython's pickler makes, with the objects it introduces
//! (`_codecs.encode`, `'latin1'`, `set`, ...) keyed outside the graph's ids.

use super::{Make, NodeId, Object, Pickle, Value, check_str, missing_node};
use crate::encoder::{BATCH_SIZE, Encoder, minimal_signed_len};
use crate::error::{ErrorKind, PickleError, PyExcKind};
use crate::opcodes::op;
use memo::GraphMemo;

/// Nesting deeper than this is refused (CPython's default recursion limit).
const MAX_DEPTH: usize = 1000;
/// Below this much stack, a new segment is allocated before going deeper.
const STACK_RED_ZONE: usize = 64 * 1024;
/// The size of each new stack segment.
const STACK_GROWTH: usize = 1024 * 1024;

/// Memo keys for objects the writer introduces: one per shared global or string, then a
/// counter for one-off objects.
const VIRTUAL: usize = 1 << (usize::BITS - 1);

/// Objects CPython's reductions share across a pickle.
#[derive(Clone, Copy)]
enum Shared {
    CodecsEncode,
    Latin1,
    Builtins,
    Type(&'static str),
}

impl Shared {
    fn key(self) -> usize {
        match self {
            Shared::CodecsEncode => VIRTUAL,
            Shared::Latin1 => VIRTUAL + 1,
            Shared::Builtins => VIRTUAL + 2,
            Shared::Type("bytes") => VIRTUAL + 3,
            Shared::Type("bytearray") => VIRTUAL + 4,
            Shared::Type("set") => VIRTUAL + 5,
            Shared::Type(_) => VIRTUAL + 6,
        }
    }
}

/// Writes `pickle` with protocol `proto`.
///
/// Errors, as CPython's pickler raises them: a protocol above 5, nesting deeper than 1000,
/// what the protocol cannot express (a persistent id that is not ASCII text at protocol 0, a
/// buffer below protocol 5, a string of 4 GiB below protocol 4); and, for a graph built by
/// hand, a node id the graph does not have (a `ValueError`).
pub fn to_vec(pickle: &Pickle, proto: u8) -> Result<Vec<u8>, PickleError> {
    let mut out = Vec::new();
    write_into(pickle, proto, &mut out)?;
    Ok(out)
}

/// Writes `pickle` with protocol `proto` at the end of `out`: a buffer reused from one pickle
/// to the next keeps its capacity, so a large pickle costs no fresh memory. On error `out`
/// is left as it was.
///
/// ```
/// use pickle_core::decoder::Limits;
/// use pickle_core::value::{from_slice, write_into};
///
/// let pickle = from_slice(b"\x80\x04N.", &Limits::UNTRUSTED).unwrap();
/// let mut buffer = Vec::new();
/// for _ in 0..3 {
///     buffer.clear();
///     write_into(&pickle, 4, &mut buffer).unwrap();
///     assert_eq!(buffer, b"\x80\x04N.");
/// }
/// ```
pub fn write_into(pickle: &Pickle, proto: u8, out: &mut Vec<u8>) -> Result<(), PickleError> {
    if proto > crate::encoder::HIGHEST_PROTOCOL {
        return Err(PickleError::new(
            ErrorKind::Other(
                PyExcKind::Value,
                format!(
                    "pickle protocol must be <= {}",
                    crate::encoder::HIGHEST_PROTOCOL
                ),
            ),
            0,
        ));
    }
    let kept = out.len();
    let mut enc = Encoder::with_output(proto, std::mem::take(out));
    // Grown by doubling, a large output would be copied and its fresh pages cleared several
    // times over; sized once, never.
    enc.reserve(pickle.graph.size_hint());
    let mut writer = Writer {
        pickle,
        enc,
        memo: GraphMemo::new(pickle.graph.len()),
        depth: 0,
        next_virtual: VIRTUAL + 16,
    };
    writer.enc.begin();
    let result = writer.save(pickle.root);
    if result.is_ok() {
        writer.enc.end();
    }
    *out = writer.enc.take_buffer();
    if result.is_err() {
        out.truncate(kept);
    }
    result
}

fn error(kind: PyExcKind, msg: &str) -> PickleError {
    PickleError::new(ErrorKind::Other(kind, msg.to_string()), 0)
}

struct Writer<'a> {
    pickle: &'a Pickle,
    enc: Encoder,
    memo: GraphMemo,
    depth: usize,
    next_virtual: usize,
}

impl<'a> Writer<'a> {
    /// A node, borrowed from the pickle rather than the writer. A graph built by hand can
    /// name a node it does not have: an error, not a panic.
    #[inline(always)]
    fn node(&self, id: NodeId) -> Result<&'a Value, PickleError> {
        match self.pickle.graph.nodes.get(id) {
            Some(node) => Ok(node),
            None => Err(missing_node(id, self.pickle.graph.len())),
        }
    }

    fn memo_put(&mut self, key: usize) -> Result<(), PickleError> {
        let idx = self.memo.put(key);
        self.enc.memo_put(idx)
    }

    /// A memo GET when `key` was stored; true if it was.
    fn memo_get(&mut self, key: usize) -> Result<bool, PickleError> {
        match self.memo.get(key) {
            Some(idx) => self.enc.memo_get(idx).map(|()| true),
            None => Ok(false),
        }
    }

    #[inline(always)]
    fn save(&mut self, id: NodeId) -> Result<(), PickleError> {
        self.enc.opcode_boundary();
        // Strings are most of the objects of most large pickles: the shortest path.
        let node = self.node(id)?;
        if let Value::Str(text) = node {
            // A read graph's strings were checked as they were read.
            if self.pickle.graph.unchecked_text {
                check_str(id, text)?;
            }
            return match self.memo.get_or_put(id) {
                Ok(stored) => self.enc.memo_get(stored),
                Err(new) => self.enc.str_memoized(text, new),
            };
        }
        self.save_other(id, node)
    }

    /// [`Self::save`] for an element of a slice, as the generic batching loops take it.
    fn save_element(&mut self, item: &NodeId) -> Result<(), PickleError> {
        self.save(*item)
    }

    #[inline(never)]
    fn save_other(&mut self, id: NodeId, node: &'a Value) -> Result<(), PickleError> {
        if self.save_atom(node) {
            return Ok(());
        }
        if self.memo_get(id)? {
            return Ok(());
        }
        if let Some(result) = self.save_leaf(id, node) {
            return result;
        }
        if self.depth >= MAX_DEPTH {
            return Err(error(
                PyExcKind::Recursion,
                "maximum recursion depth exceeded while pickling an object",
            ));
        }
        self.depth += 1;
        // Each level of nesting is a level of recursion here: grow the stack on demand rather
        // than depend on how deep the thread's stack happens to be.
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.save_node(id, node));
        self.depth -= 1;
        result
    }

    fn save_atom(&mut self, node: &Value) -> bool {
        match node {
            Value::None => self.enc.none(),
            Value::Bool(b) => self.enc.bool(*b),
            Value::Int(i) => self.enc.int(*i),
            Value::Float(f) => self.enc.float(*f),
            Value::BigInt(big) => {
                if self.enc.binary_longs() {
                    let le = big.to_signed_bytes_le();
                    self.enc.long_bytes(&le[..minimal_signed_len(&le)]);
                } else {
                    self.enc.long_text(&big.to_string());
                }
            }
            _ => return false,
        }
        true
    }

    /// Memoised bytes and bytearrays, written without a level of recursion (strings have
    /// their own path in `save`). None for any other node.
    #[inline]
    fn save_leaf(&mut self, id: NodeId, node: &Value) -> Option<Result<(), PickleError>> {
        let proto = self.enc.proto();
        let written = match node {
            Value::Bytes(data) if proto >= 3 => self.enc.bytes(data),
            Value::ByteArray(data) if proto >= 5 => {
                self.enc.bytearray(data);
                Ok(())
            }
            _ => return None,
        };
        Some(written.and_then(|()| self.memo_put(id)))
    }

    fn save_node(&mut self, id: NodeId, node: &'a Value) -> Result<(), PickleError> {
        match node {
            Value::Bytes(data) => self.bytes_by_codecs(data, id),
            Value::ByteArray(data) => self.bytearray_by_reduce(data, id),
            Value::Legacy(data) => {
                self.legacy_string(data)?;
                self.memo_put(id)
            }
            Value::Tuple(items) => self.save_tuple(id, items),
            Value::List(items) => self.save_list(id, items),
            Value::Dict(pairs) => self.save_dict(id, pairs),
            Value::Set(items) => self.save_set(id, items, false),
            Value::FrozenSet(items) => self.save_set(id, items, true),
            Value::Global { module, name } => self.save_global(id, *module, *name),
            Value::Object(object) => self.save_object(id, object),
            _ => self.save_reference(node),
        }
    }

    /// Persistent ids, extension codes and buffers: references to objects outside the pickle.
    fn save_reference(&mut self, node: &Value) -> Result<(), PickleError> {
        match node {
            Value::PersistentId(pid) if self.enc.bin() => {
                let pid = *pid;
                self.save(pid)?;
                self.enc.op(op::BINPERSID);
            }
            Value::PersistentId(pid) => match self.node(*pid)?.as_str() {
                Some(text) if text.is_ascii() => self.enc.persid_text(text.as_bytes()),
                _ => {
                    return Err(error(
                        PyExcKind::Pickling,
                        "persistent IDs in protocol 0 must be ASCII strings",
                    ));
                }
            },
            Value::Extension(code) => match u32::try_from(*code) {
                Ok(code) if code > 0 && self.enc.proto() >= 2 => self.enc.ext(code),
                _ => {
                    return Err(error(
                        PyExcKind::Pickling,
                        "extension codes need protocol 2 and a code above 0",
                    ));
                }
            },
            Value::Buffer { readonly, .. } if self.enc.proto() >= 5 => {
                self.enc.op(op::NEXT_BUFFER);
                if *readonly {
                    self.enc.op(op::READONLY_BUFFER);
                }
            }
            Value::Buffer { .. } => {
                return Err(error(
                    PyExcKind::Pickling,
                    "PickleBuffer can only be pickled with protocol >= 5",
                ));
            }
            other => unreachable!("save_node handles {other:?}"),
        }
        Ok(())
    }

    /// Python 2's string opcodes: STRING with a quoted literal in protocol 0, else
    /// SHORT_BINSTRING or BINSTRING.
    fn legacy_string(&mut self, data: &[u8]) -> Result<(), PickleError> {
        if !self.enc.bin() {
            let mut line = vec![op::STRING];
            line.extend_from_slice(python2_repr(data).as_bytes());
            line.push(b'\n');
            self.enc.write(&line);
        } else if data.len() < 256 {
            self.enc.write(&[op::SHORT_BINSTRING, data.len() as u8]);
            self.enc.write(data);
        } else {
            let len = u32::try_from(data.len())
                .map_err(|_| error(PyExcKind::Overflow, "a Python 2 string is limited to 4 GiB"))?;
            self.enc.write(&[op::BINSTRING]);
            self.enc.write(&len.to_le_bytes());
            self.enc.write(data);
        }
        Ok(())
    }

    fn save_tuple(&mut self, id: NodeId, items: &[NodeId]) -> Result<(), PickleError> {
        if items.is_empty() {
            self.enc.empty_tuple();
            return Ok(());
        }
        let small = self.enc.tuple_begin(items.len());
        for &item in items {
            self.save(item)?;
        }
        // Found in the memo now: the tuple contained itself; drop what was pushed.
        if let Some(idx) = self.memo.get(id) {
            self.enc.tuple_discard(items.len(), small);
            return self.enc.memo_get(idx);
        }
        self.enc.tuple_end(items.len(), small);
        self.memo_put(id)
    }

    fn save_list(&mut self, id: NodeId, items: &[NodeId]) -> Result<(), PickleError> {
        self.enc.empty_list();
        self.memo_put(id)?;
        if items.is_empty() {
            Ok(())
        } else if self.enc.bin() {
            self.batch_exact(items, op::APPEND, op::APPENDS)
        } else {
            self.batch(items, Self::save_element, op::APPEND, op::APPENDS)
        }
    }

    fn save_dict(&mut self, id: NodeId, pairs: &[(NodeId, NodeId)]) -> Result<(), PickleError> {
        self.enc.empty_dict();
        self.memo_put(id)?;
        let save_pair =
            |w: &mut Self, &(k, v): &(NodeId, NodeId)| w.save(k).and_then(|()| w.save(v));
        if pairs.is_empty() {
            Ok(())
        } else if !self.enc.bin() {
            self.batch(pairs, save_pair, op::SETITEM, op::SETITEMS)
        } else if pairs.len() == 1 {
            save_pair(self, &pairs[0])?;
            self.enc.op(op::SETITEM);
            Ok(())
        } else {
            self.batches_with_trailing(pairs, save_pair, op::SETITEMS)
        }
    }

    fn save_set(&mut self, id: NodeId, items: &[NodeId], frozen: bool) -> Result<(), PickleError> {
        if self.enc.proto() < 4 {
            let name = if frozen { "frozenset" } else { "set" };
            return self.set_by_reduce(id, name, items);
        }
        if frozen {
            self.enc.op(op::MARK);
            for &item in items {
                self.save(item)?;
            }
            if let Some(idx) = self.memo.get(id) {
                self.enc.op(op::POP_MARK);
                return self.enc.memo_get(idx);
            }
            self.enc.op(op::FROZENSET);
            return self.memo_put(id);
        }
        self.enc.op(op::EMPTY_SET);
        self.memo_put(id)?;
        if items.is_empty() {
            return Ok(());
        }
        self.batches_with_trailing(items, Self::save_element, op::ADDITEMS)
    }

    /// The C pickler's loop for exact lists: one `one` for a single item, else MARK..`many`
    /// batches, a lone last item keeping its MARK. Written for node ids rather than for any
    /// item and saver, as the other loops are: a list of millions of strings is the common
    /// large pickle, and a saver passed in is compiled as a call per item.
    fn batch_exact(&mut self, items: &[NodeId], one: u8, many: u8) -> Result<(), PickleError> {
        if items.len() == 1 {
            self.save(items[0])?;
            self.enc.op(one);
            return Ok(());
        }
        for chunk in items.chunks(BATCH_SIZE) {
            self.enc.op(op::MARK);
            for &item in chunk {
                self.save(item)?;
            }
            self.enc.op(many);
        }
        Ok(())
    }

    /// The C pickler's do-while loop for exact dicts and sets: a collection of 1000·k
    /// elements ends with an empty batch.
    fn batches_with_trailing<T>(
        &mut self,
        items: &[T],
        save: impl Fn(&mut Self, &T) -> Result<(), PickleError>,
        many: u8,
    ) -> Result<(), PickleError> {
        let mut chunks = items.chunks(BATCH_SIZE);
        loop {
            let chunk = chunks.next().unwrap_or(&[]);
            self.enc.op(op::MARK);
            for item in chunk {
                save(self, item)?;
            }
            self.enc.op(many);
            if chunk.len() < BATCH_SIZE {
                return Ok(());
            }
        }
    }

    /// The batching for iterators (reduce list/dict items, and protocol 0): `one` per
    /// element in protocol 0, else batches of 1000 where a lone element gets a bare `one`.
    fn batch<T>(
        &mut self,
        items: &[T],
        save: impl Fn(&mut Self, &T) -> Result<(), PickleError>,
        one: u8,
        many: u8,
    ) -> Result<(), PickleError> {
        if !self.enc.bin() {
            for item in items {
                save(self, item)?;
                self.enc.op(one);
            }
            return Ok(());
        }
        for chunk in items.chunks(BATCH_SIZE) {
            if let [single] = chunk {
                save(self, single)?;
                self.enc.op(one);
                continue;
            }
            self.enc.op(op::MARK);
            for item in chunk {
                save(self, item)?;
            }
            self.enc.op(many);
        }
        Ok(())
    }

    fn save_global(&mut self, id: NodeId, module: NodeId, name: NodeId) -> Result<(), PickleError> {
        if self.enc.proto() >= 4 {
            self.save(module)?;
            self.save(name)?;
            self.enc.op(op::STACK_GLOBAL);
        } else {
            let (Some(m), Some(n)) = (self.node(module)?.as_str(), self.node(name)?.as_str())
            else {
                return Err(error(
                    PyExcKind::Pickling,
                    "a global's module and name must be text",
                ));
            };
            self.enc.global(m.as_bytes(), n.as_bytes());
        }
        self.memo_put(id)
    }

    fn save_object(&mut self, id: NodeId, object: &Object) -> Result<(), PickleError> {
        match &object.make {
            Make::Reduce { func, args } => self.save_then(&[*func, *args], op::REDUCE)?,
            Make::NewObj { cls, args } => self.save_then(&[*cls, *args], op::NEWOBJ)?,
            Make::NewObjEx { cls, args, kwargs } => {
                self.save_then(&[*cls, *args, *kwargs], op::NEWOBJ_EX)?
            }
            Make::Obj { cls, args } => {
                self.enc.op(op::MARK);
                self.save(*cls)?;
                self.save_then(args, op::OBJ)?;
            }
            Make::Inst { module, name, args } => {
                self.enc.op(op::MARK);
                for &arg in args {
                    self.save(arg)?;
                }
                self.enc.write(&[op::INST]);
                self.enc.write(format!("{module}\n{name}\n").as_bytes());
            }
        }
        match self.memo.get(id) {
            Some(idx) => {
                self.enc.op(op::POP);
                self.enc.memo_get(idx)?;
            }
            None => self.memo_put(id)?,
        }
        if !object.items.is_empty() {
            self.batch(&object.items, Self::save_element, op::APPEND, op::APPENDS)?;
        }
        if !object.pairs.is_empty() {
            let save_pair =
                |w: &mut Self, &(k, v): &(NodeId, NodeId)| w.save(k).and_then(|()| w.save(v));
            self.batch(&object.pairs, save_pair, op::SETITEM, op::SETITEMS)?;
        }
        match (object.state, object.state_setter) {
            (Some(state), None) => {
                self.save(state)?;
                self.enc.op(op::BUILD);
            }
            // As CPython: setter(obj, state) called, its result dropped; TUPLE2 at any protocol.
            (Some(state), Some(setter)) => {
                self.save(setter)?;
                self.save(id)?;
                self.save(state)?;
                for code in [op::TUPLE2, op::REDUCE, op::POP] {
                    self.enc.op(code);
                }
            }
            (None, _) => {}
        }
        Ok(())
    }

    fn save_then(&mut self, ids: &[NodeId], code: u8) -> Result<(), PickleError> {
        for &id in ids {
            self.save(id)?;
        }
        self.enc.op(code);
        Ok(())
    }
}

/// Python 2's `repr()` of a byte string, as protocol 0's STRING opcode holds it.
fn python2_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(b as char),
            b => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}

mod memo;
mod reductions;
