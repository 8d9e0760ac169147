//! Reading a pickle into a [`Graph`] through the decoder.

use super::{Graph, Make, NodeId, Object, Pickle, Value};
use crate::decoder::{Builder, Items, Limits, Memo, load};
use crate::error::{ErrorKind, PickleError, PyExcKind};
use crate::reader::{SliceSource, Source};
use num_bigint::BigInt;
use std::io::BufRead;

type Made = Result<NodeId, PickleError>;

/// Makes graph nodes for the decoder, counting what they occupy against the memory limit.
pub(crate) struct GraphBuilder {
    pub(crate) graph: Graph,
    buffers: usize,
    /// Bytes the graph may still take.
    budget: u64,
}

fn unrepresentable(what: &str) -> PickleError {
    PickleError::new(ErrorKind::Other(PyExcKind::Unpickling, what.to_string()), 0)
}

/// What a node owns on the heap, besides the node itself.
fn heap_size(value: &Value) -> usize {
    match value {
        Value::Str(b) | Value::Bytes(b) | Value::ByteArray(b) | Value::Legacy(b) => b.len(),
        Value::Tuple(v) | Value::List(v) | Value::Set(v) | Value::FrozenSet(v) => {
            v.len() * std::mem::size_of::<NodeId>()
        }
        Value::Dict(pairs) => pairs.len() * 2 * std::mem::size_of::<NodeId>(),
        Value::BigInt(big) => big.bits() as usize / 8,
        Value::Object(_) => std::mem::size_of::<Object>(),
        _ => 0,
    }
}

fn text(bytes: &[u8]) -> Result<String, PickleError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| unrepresentable("a GLOBAL or INST name is not UTF-8"))
}

impl GraphBuilder {
    /// The graph gets a quarter of the memory limit: its arena grows by doubling, so a
    /// reallocation briefly holds up to three times the contents, and the decoder's own stack
    /// and payloads need room too.
    pub(crate) fn new(limits: &Limits) -> Self {
        GraphBuilder {
            graph: Graph::new(),
            buffers: 0,
            budget: limits.max_memory / 4,
        }
    }

    /// Charges `bytes` of graph memory.
    fn charge(&mut self, bytes: usize) -> Result<(), PickleError> {
        let bytes = bytes as u64;
        if bytes > self.budget {
            return Err(PickleError::new(ErrorKind::LimitExceeded("memory"), 0));
        }
        self.budget -= bytes;
        Ok(())
    }

    pub(super) fn add(&mut self, value: Value) -> Made {
        self.charge(std::mem::size_of::<Value>() + heap_size(&value))?;
        Ok(self.graph.push(value))
    }

    fn object(&mut self, make: Make) -> Made {
        self.add(Value::Object(Box::new(Object::new(make))))
    }
}

impl Builder for GraphBuilder {
    type Value = NodeId;
    type Error = PickleError;

    fn none(&mut self) -> Made {
        self.add(Value::None)
    }
    fn bool(&mut self, value: bool) -> Made {
        self.add(Value::Bool(value))
    }
    fn int(&mut self, value: i64) -> Made {
        self.add(Value::Int(value))
    }
    fn big_int(&mut self, le: &[u8]) -> Made {
        self.add(Value::BigInt(BigInt::from_signed_bytes_le(le)))
    }
    fn float(&mut self, value: f64) -> Made {
        self.add(Value::Float(value))
    }
    fn str(&mut self, text: &[u8]) -> Made {
        self.add(Value::Str(text.to_vec()))
    }
    fn bytes(&mut self, data: &[u8]) -> Made {
        self.add(Value::Bytes(data.to_vec()))
    }
    fn bytearray(&mut self, data: &[u8]) -> Made {
        self.add(Value::ByteArray(data.to_vec()))
    }
    fn legacy_string(&mut self, data: &[u8]) -> Made {
        self.add(Value::Legacy(data.to_vec()))
    }
    fn list(&mut self, items: Vec<NodeId>) -> Made {
        self.add(Value::List(items))
    }
    fn tuple(&mut self, items: Vec<NodeId>) -> Made {
        self.add(Value::Tuple(items))
    }
    fn dict(&mut self, pairs: Vec<NodeId>) -> Made {
        let pairs = pairs.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        self.add(Value::Dict(pairs))
    }
    fn set(&mut self) -> Made {
        self.add(Value::Set(Vec::new()))
    }
    fn frozenset(&mut self, items: Vec<NodeId>) -> Made {
        self.add(Value::FrozenSet(items))
    }
    fn append(&mut self, list: &NodeId, items: Items<'_, NodeId>) -> Result<(), PickleError> {
        self.charge(items.len() * std::mem::size_of::<NodeId>())?;
        match self.graph.node_mut(*list) {
            Value::List(v) => v.extend(items),
            Value::Object(o) => o.items.extend(items),
            _ => {
                return Err(unrepresentable(
                    "APPEND to something that is neither a list nor an object",
                ));
            }
        }
        Ok(())
    }
    fn set_items(&mut self, dict: &NodeId, pairs: Items<'_, NodeId>) -> Result<(), PickleError> {
        self.charge(pairs.len() * std::mem::size_of::<NodeId>())?;
        let pairs: Vec<NodeId> = pairs.collect();
        let pairs = pairs.chunks_exact(2).map(|p| (p[0], p[1]));
        match self.graph.node_mut(*dict) {
            Value::Dict(v) => v.extend(pairs),
            Value::Object(o) => o.pairs.extend(pairs),
            _ => {
                return Err(unrepresentable(
                    "SETITEM on something that is neither a dict nor an object",
                ));
            }
        }
        Ok(())
    }
    fn add_items(&mut self, set: &NodeId, items: Items<'_, NodeId>) -> Result<(), PickleError> {
        self.charge(items.len() * std::mem::size_of::<NodeId>())?;
        match self.graph.node_mut(*set) {
            Value::Set(v) => v.extend(items),
            _ => return Err(unrepresentable("ADDITEMS to something that is not a set")),
        }
        Ok(())
    }
    fn global(&mut self, module: &[u8], name: &[u8]) -> Made {
        let module = self.add(Value::Str(text(module)?.into_bytes()))?;
        let name = self.add(Value::Str(text(name)?.into_bytes()))?;
        self.add(Value::Global { module, name })
    }
    fn stack_global(&mut self, module: NodeId, name: NodeId) -> Made {
        let both_str = matches!(self.graph.get(module), Value::Str(_))
            && matches!(self.graph.get(name), Value::Str(_));
        if !both_str {
            return Err(PickleError::new(ErrorKind::StackGlobalNeedsStr, 0));
        }
        self.add(Value::Global { module, name })
    }
    fn reduce(&mut self, func: NodeId, args: NodeId) -> Made {
        self.object(Make::Reduce { func, args })
    }
    fn newobj(&mut self, cls: NodeId, args: NodeId) -> Made {
        self.object(Make::NewObj { cls, args })
    }
    fn newobj_ex(&mut self, cls: NodeId, args: NodeId, kwargs: NodeId) -> Made {
        self.object(Make::NewObjEx { cls, args, kwargs })
    }
    fn build(&mut self, obj: &NodeId, state: NodeId) -> Result<(), PickleError> {
        match self.graph.node_mut(*obj) {
            Value::Object(o) => {
                o.state = Some(state);
                Ok(())
            }
            _ => Err(unrepresentable(
                "BUILD on something that is not an object made by a call",
            )),
        }
    }
    fn inst(&mut self, module: &[u8], name: &[u8], args: Vec<NodeId>) -> Made {
        let (module, name) = (text(module)?, text(name)?);
        self.object(Make::Inst { module, name, args })
    }
    fn obj(&mut self, cls: NodeId, args: Vec<NodeId>) -> Made {
        self.object(Make::Obj { cls, args })
    }
    fn persistent_id_text(&mut self, pid: &[u8]) -> Made {
        // CPython decodes the line as ASCII and refuses anything else.
        if !pid.is_ascii() {
            return Err(unrepresentable(
                "persistent IDs in protocol 0 must be ASCII strings",
            ));
        }
        let pid = self.add(Value::Str(pid.to_vec()))?;
        self.add(Value::PersistentId(pid))
    }
    fn persistent_id(&mut self, pid: NodeId) -> Made {
        self.add(Value::PersistentId(pid))
    }
    fn extension(&mut self, code: i32) -> Made {
        self.add(Value::Extension(code))
    }
    fn next_buffer(&mut self) -> Made {
        self.buffers += 1;
        self.add(Value::Buffer {
            index: self.buffers - 1,
            readonly: false,
        })
    }
    /// A discarded `setter(obj, state)` call is how a reduce value's state setter applies the
    /// state; it is kept on the object.
    fn discard(&mut self, value: NodeId) {
        let Value::Object(object) = self.graph.get(value) else {
            return;
        };
        let Make::Reduce { func, args } = object.make else {
            return;
        };
        let (setter, args) = (func, args);
        let Value::Tuple(pair) = self.graph.get(args) else {
            return;
        };
        let &[target, state] = pair.as_slice() else {
            return;
        };
        if let Value::Object(object) = self.graph.node_mut(target)
            && object.state.is_none()
        {
            object.state = Some(state);
            object.state_setter = Some(setter);
        }
    }
    fn readonly_buffer(&mut self, buffer: NodeId) -> Made {
        match self.graph.node_mut(buffer) {
            Value::Buffer { readonly, .. } => *readonly = true,
            _ => {
                return Err(unrepresentable(
                    "READONLY_BUFFER on something that is not a buffer",
                ));
            }
        }
        Ok(buffer)
    }
}

/// Reads the pickle at the start of `data` into a graph.
pub fn from_slice(data: &[u8], limits: &Limits) -> Result<Pickle, PickleError> {
    read(&mut SliceSource::new(data), limits)
}

/// Reads one pickle from `reader`, consuming exactly its bytes (the next pickle, if any,
/// stays in the reader).
pub fn read_from<R: BufRead>(reader: R, limits: &Limits) -> Result<Pickle, PickleError> {
    read(&mut BufReadSource::new(reader), limits)
}

fn read<S: Source<PickleError>>(src: &mut S, limits: &Limits) -> Result<Pickle, PickleError> {
    let mut builder = GraphBuilder::new(limits);
    let root = load(src, &mut builder, &mut Memo::new(), limits)?;
    Ok(Pickle {
        graph: builder.graph,
        root,
    })
}

/// A [`Source`] over a `BufRead`: bytes are consumed as the decoder takes them, and long
/// arguments are gathered from the buffer piece by piece, never allocated at a claimed length.
struct BufReadSource<R> {
    inner: R,
    scratch: Vec<u8>,
    offset: u64,
}

impl<R: BufRead> BufReadSource<R> {
    fn new(inner: R) -> Self {
        BufReadSource {
            inner,
            scratch: Vec::new(),
            offset: 0,
        }
    }
}

fn io_error(offset: u64) -> impl Fn(std::io::Error) -> PickleError {
    move |e| {
        PickleError::new(
            ErrorKind::Other(PyExcKind::Unpickling, format!("read failed: {e}")),
            offset,
        )
    }
}

impl<R: BufRead> Source<PickleError> for BufReadSource<R> {
    fn next_byte(&mut self) -> Result<Option<u8>, PickleError> {
        let buf = self.inner.fill_buf().map_err(io_error(self.offset))?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        self.inner.consume(1);
        self.offset += 1;
        Ok(Some(b))
    }

    fn take(&mut self, n: u64) -> Result<&[u8], PickleError> {
        self.scratch.clear();
        let mut missing = n;
        while missing > 0 {
            let buf = self.inner.fill_buf().map_err(io_error(self.offset))?;
            if buf.is_empty() {
                return Err(PickleError::new(ErrorKind::Truncated, self.offset));
            }
            let k = buf
                .len()
                .min(usize::try_from(missing).unwrap_or(usize::MAX));
            self.scratch.extend_from_slice(&buf[..k]);
            self.inner.consume(k);
            self.offset += k as u64;
            missing -= k as u64;
        }
        Ok(&self.scratch)
    }

    fn take_line(&mut self) -> Result<&[u8], PickleError> {
        self.scratch.clear();
        let read = self
            .inner
            .read_until(b'\n', &mut self.scratch)
            .map_err(io_error(self.offset))?;
        self.offset += read as u64;
        if self.scratch.pop() != Some(b'\n') {
            return Err(PickleError::new(ErrorKind::Truncated, self.offset));
        }
        Ok(&self.scratch)
    }

    fn enter_frame(&mut self, _len: u64) -> Result<(), PickleError> {
        // A frame's bytes are read as its opcodes need them; a short frame shows as truncation.
        Ok(())
    }

    fn position(&self) -> u64 {
        self.offset
    }
}
