//! A decoder builder that builds the graph (so every reference resolves through the memo as
//! the loader's would) and notes each global, call, persistent id and buffer on the way.

use super::describe::{describe, global_name};
use super::{
    AllowList, BufferUse, CallUse, GlobalUse, NestedPickle, Report, StringEncoding, TensorUse,
};
use crate::compat::fix_import;
use crate::decoder::{Builder, InlineData, Items, Limits};
use crate::error::{ErrorKind, PickleError, PyExcKind};
use crate::value::read::GraphBuilder;
use crate::value::{Make, NodeId, Value};

type Made = Result<NodeId, PickleError>;

pub(super) struct Recorder<'a> {
    pub(super) graph: GraphBuilder,
    pub(super) report: Report,
    allow: &'a AllowList,
    /// The loader's protocol: PROTO's argument, 0 before any (fix_imports depends on it).
    proto: u8,
    /// Where the opcode being read starts.
    at: u64,
}

impl<'a> Recorder<'a> {
    pub(super) fn new(limits: &Limits, allow: &'a AllowList) -> Self {
        Recorder {
            graph: GraphBuilder::new(limits),
            report: Report::default(),
            allow,
            proto: 0,
            at: 0,
        }
    }

    /// Notes a global the loader's `find_class` would be asked for.
    fn global_use(&mut self, opcode: &'static str, module: &str, name: &str) -> (String, bool) {
        let (resolved_module, resolved_name) = fix_import(module, name, self.proto);
        let allowed = self.allow.allows(resolved_module, resolved_name);
        let resolved = format!("{resolved_module}.{resolved_name}");
        self.report.globals.push(GlobalUse {
            opcode,
            module: module.to_string(),
            name: name.to_string(),
            resolved: resolved.clone(),
            allowed,
            offset: self.at,
        });
        (resolved, allowed)
    }

    /// Notes a call of the object at `callee`: allowed only when it is an allowed global.
    /// Plain data cannot be called: the loader fails there, and so does inspection.
    fn call_of(&mut self, opcode: &'static str, callee: NodeId) -> Result<(), PickleError> {
        let graph = &self.graph.graph;
        if let Some(type_name) = data_type_name(graph.get(callee)) {
            let (kind, message) = match opcode {
                "NEWOBJ" | "NEWOBJ_EX" => (
                    PyExcKind::Unpickling,
                    format!("{opcode} class argument must be a type, not {type_name}"),
                ),
                _ => (
                    PyExcKind::Type,
                    format!("'{type_name}' object is not callable"),
                ),
            };
            return Err(PickleError::new(ErrorKind::Other(kind, message), 0));
        }
        let (callable, allowed, of_global) = match global_name(graph, callee) {
            Some((module, name)) => {
                let (module, name) = fix_import(&module, &name, self.proto);
                let allowed = self.allow.allows(module, name);
                (format!("{module}.{name}"), allowed, true)
            }
            None => (describe(graph, callee), false, false),
        };
        self.report.calls.push(CallUse {
            opcode,
            callable,
            of_global,
            allowed,
            offset: self.at,
        });
        Ok(())
    }

    /// After a call is noted: when it calls a loading function, the pickle it would be given
    /// (`first_argument`, when bytes or `io.BytesIO(bytes)`); when it calls one of PyTorch's
    /// tensor rebuild functions, the tensor (from REDUCE's `args`).
    fn after_call(&mut self, first_argument: Option<NodeId>, args: Option<NodeId>) {
        let Some(call) = self.report.calls.last().filter(|c| c.of_global) else {
            return;
        };
        let graph = &self.graph.graph;
        if NESTED_LOADERS.contains(&call.callable.as_str()) {
            if let Some(data) = first_argument.and_then(|arg| bytes_of(graph, arg, true)) {
                let callable = call.callable.clone();
                self.report.nested.push(NestedPickle { callable, data });
            }
        } else if TENSOR_REBUILDERS.contains(&call.callable.as_str())
            && let Some(args) = args
            && let Some(tensor) = tensor_of(graph, args)
        {
            if self.allow.torch_rules()
                && let Some(refusal) = view_past_storage(graph, args, &tensor)
            {
                self.report.refused.push(refusal);
            }
            self.report.tensors.push(tensor);
        }
    }

    /// Under `torch.load`'s rules, SETITEM(S) and BUILD on a tensor are refused (PyTorch
    /// validates SETITEM(S)'s target since pytorch/pytorch#170085; BUILD would reset the
    /// tensor's storage and view from the pickle through `Tensor.set_`).
    fn tensor_mutation(&mut self, opcode: &str, target: NodeId) {
        if self.allow.torch_rules() && is_tensor(&self.graph.graph, target) {
            self.report.refused.push(format!(
                "{opcode} on a tensor at byte {}: torch.load(weights_only=True) refuses to change a tensor after it is rebuilt",
                self.at
            ));
        }
    }

    /// APPEND, SETITEM(S), ADDITEMS and BUILD call methods of their target. On a global
    /// (`sys.path`, `os.environ`, a class) that changes the running program: never allowed.
    /// On a call's result the method belongs to a class already checked. On other built-in
    /// values the loader either does what the graph keeps or fails; nothing to note.
    /// Returns whether the graph can keep the change.
    fn mutation(&mut self, opcode: &'static str, target: NodeId, method: &str) -> bool {
        let graph = &self.graph.graph;
        match graph.get(target) {
            Value::Global { .. } => {
                let callable = format!("{}.{method}", describe(graph, target));
                self.report.calls.push(CallUse {
                    opcode,
                    callable,
                    of_global: false,
                    allowed: false,
                    offset: self.at,
                });
                false
            }
            Value::Object(_) => opcode == "APPEND" || opcode == "SETITEM",
            Value::List(_) => opcode == "APPEND",
            Value::Dict(_) => opcode == "SETITEM",
            Value::Set(_) => opcode == "ADDITEMS",
            _ => false,
        }
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Functions that unpickle the bytes (or file of bytes) they are given first.
const NESTED_LOADERS: &[&str] = &[
    "pickle.loads",
    "pickle._loads",
    "pickle.load",
    "pickle._load",
    "_pickle.loads",
    "_pickle.load",
    "torch.load",
    "torch.serialization.load",
    "numpy.load",
    "joblib.load",
    "joblib.numpy_pickle.load",
    "dill.loads",
    "dill._dill.loads",
    "cloudpickle.loads",
    "pandas.read_pickle",
];

/// PyTorch's tensor rebuild functions: `(storage, storage_offset, size, stride, ...)`.
const TENSOR_REBUILDERS: &[&str] = &[
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_tensor_v3",
];

/// Element types of PyTorch's typed storages.
const STORAGE_DTYPES: &[(&str, &str)] = &[
    ("DoubleStorage", "float64"),
    ("FloatStorage", "float32"),
    ("HalfStorage", "float16"),
    ("BFloat16Storage", "bfloat16"),
    ("LongStorage", "int64"),
    ("IntStorage", "int32"),
    ("ShortStorage", "int16"),
    ("CharStorage", "int8"),
    ("ByteStorage", "uint8"),
    ("BoolStorage", "bool"),
    ("ComplexFloatStorage", "complex64"),
    ("ComplexDoubleStorage", "complex128"),
];

/// The tensor a call of one of PyTorch's rebuild functions with `args` rebuilds, when its
/// storage is a persistent id `('storage', type, key, location, n)`.
fn tensor_of(graph: &crate::value::Graph, args: NodeId) -> Option<TensorUse> {
    let Value::Tuple(args) = graph.get(args) else {
        return None;
    };
    let Value::PersistentId(pid) = graph.get(*args.first()?) else {
        return None;
    };
    let Value::Tuple(pid) = graph.get(*pid) else {
        return None;
    };
    let [tag, storage_type, key, location, ..] = pid.as_slice() else {
        return None;
    };
    if graph.get(*tag).as_str() != Some("storage") {
        return None;
    }
    let type_name = global_name(graph, *storage_type)
        .map(|(_, n)| n)
        .unwrap_or_default();
    let dtype = STORAGE_DTYPES
        .iter()
        .find(|(storage, _)| *storage == type_name)
        .map_or(type_name.clone(), |(_, dtype)| (*dtype).to_string());
    let text = |id: NodeId| match graph.get(id) {
        Value::Str(_) => graph.get(id).as_str().map(str::to_string),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    };
    let shape = match graph.get(*args.get(2)?) {
        Value::Tuple(dims) => dims
            .iter()
            .map(|d| match graph.get(*d) {
                Value::Int(i) => Some(*i),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    let storage_numel = pid.get(4).and_then(|n| match graph.get(*n) {
        Value::Int(n) => u64::try_from(*n).ok(),
        _ => None,
    });
    Some(TensorUse {
        storage_key: text(*key)?,
        dtype,
        shape,
        location: text(*location).unwrap_or_default(),
        storage_numel,
    })
}

/// Whether `node` is a tensor: the result of one of PyTorch's rebuild functions.
fn is_tensor(graph: &crate::value::Graph, node: NodeId) -> bool {
    let Value::Object(object) = graph.get(node) else {
        return false;
    };
    let Make::Reduce { func, .. } = object.make else {
        return false;
    };
    global_name(graph, func).is_some_and(|(module, name)| {
        TENSOR_REBUILDERS.contains(&format!("{module}.{name}").as_str())
    })
}

/// The ints of a tuple node.
fn int_tuple(graph: &crate::value::Graph, node: NodeId) -> Option<Vec<i64>> {
    let Value::Tuple(items) = graph.get(node) else {
        return None;
    };
    items
        .iter()
        .map(|i| match graph.get(*i) {
            Value::Int(i) => Some(*i),
            _ => None,
        })
        .collect()
}

/// Why a rebuild call's view (`args`: storage, offset, shape, strides) reaches outside its
/// storage, when it does: a negative offset, size or stride, or an extent past the elements
/// the storage holds. PyTorch checks views against their storage on load.
fn view_past_storage(
    graph: &crate::value::Graph,
    args: NodeId,
    tensor: &TensorUse,
) -> Option<String> {
    let Value::Tuple(args) = graph.get(args) else {
        return None;
    };
    let offset = match graph.get(*args.get(1)?) {
        Value::Int(i) => *i,
        _ => return None,
    };
    let shape = int_tuple(graph, *args.get(2)?)?;
    let strides = int_tuple(graph, *args.get(3)?)?;
    let numel = tensor.storage_numel?;
    let key = &tensor.storage_key;
    if offset < 0 || shape.iter().chain(&strides).any(|&d| d < 0) || shape.len() != strides.len() {
        return Some(format!(
            "a tensor of storage {key} has a negative or mismatched offset, shape or strides (offset {offset}, shape {shape:?}, strides {strides:?}): torch.load refuses views outside their storage"
        ));
    }
    if shape.contains(&0) {
        return None;
    }
    let extent = shape
        .iter()
        .zip(&strides)
        .try_fold(i128::from(offset) + 1, |acc, (&size, &stride)| {
            acc.checked_add(i128::from(size - 1) * i128::from(stride))
        })
        .unwrap_or(i128::MAX);
    (extent > i128::from(numel)).then(|| {
        format!(
            "a tensor of storage {key} (offset {offset}, shape {shape:?}, strides {strides:?}) needs {extent} elements, and the storage holds {numel}: torch.load refuses views past their storage's end"
        )
    })
}

/// The bytes at `id`: a bytes-like value, or (once) `io.BytesIO` made from one.
fn bytes_of(graph: &crate::value::Graph, id: NodeId, unwrap_file: bool) -> Option<Vec<u8>> {
    match graph.get(id) {
        Value::Bytes(b) | Value::ByteArray(b) | Value::Legacy(b) => Some(b.clone()),
        Value::Object(object) if unwrap_file => {
            let Make::Reduce { func, args } = object.make else {
                return None;
            };
            let (module, name) = global_name(graph, func)?;
            if !matches!((module.as_str(), name.as_str()), ("io" | "_io", "BytesIO")) {
                return None;
            }
            match graph.get(args) {
                Value::Tuple(items) => bytes_of(graph, *items.first()?, false),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The Python type of a plain data node, which cannot be called; None for nodes that may be
/// callable (globals, call results, persistent objects, extension objects, buffers).
fn data_type_name(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::BigInt(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::Bytes(_) => "bytes",
        Value::ByteArray(_) => "bytearray",
        Value::Legacy(_) => "str",
        Value::Tuple(_) => "tuple",
        Value::List(_) => "list",
        Value::Dict(_) => "dict",
        Value::Set(_) => "set",
        Value::FrozenSet(_) => "frozenset",
        _ => return None,
    })
}

impl Builder for Recorder<'_> {
    type Value = NodeId;
    type Error = PickleError;

    fn opcode_at(&mut self, at: u64) {
        self.at = at;
    }

    fn proto(&mut self, proto: u8) {
        self.proto = proto;
    }
    fn none(&mut self) -> Made {
        self.graph.none()
    }
    fn bool(&mut self, value: bool) -> Made {
        self.graph.bool(value)
    }
    fn int(&mut self, value: i64) -> Made {
        self.graph.int(value)
    }
    fn big_int(&mut self, le: &[u8]) -> Made {
        self.graph.big_int(le)
    }
    fn float(&mut self, value: f64) -> Made {
        self.graph.float(value)
    }
    fn str(&mut self, text: &[u8]) -> Made {
        self.graph.str(text)
    }
    fn bytes(&mut self, data: &[u8]) -> Made {
        self.graph.bytes(data)
    }
    fn bytearray(&mut self, data: &[u8]) -> Made {
        self.graph.bytearray(data)
    }
    fn legacy_string(&mut self, data: &[u8]) -> Made {
        match self.allow.encoding() {
            StringEncoding::Latin1 => self.graph.legacy_string(data),
            StringEncoding::Bytes => self.graph.bytes(data),
            StringEncoding::Ascii => match data.iter().position(|b| !b.is_ascii()) {
                None => self.graph.legacy_string(data),
                Some(start) => {
                    let kind = ErrorKind::Undecodable {
                        codec: "ascii",
                        data: data.to_vec(),
                        start,
                        end: start + 1,
                        reason: "ordinal not in range(128)",
                    };
                    Err(PickleError::new(kind, self.at))
                }
            },
        }
    }
    fn list(&mut self, items: Vec<NodeId>) -> Made {
        self.graph.list(items)
    }
    fn tuple(&mut self, items: Vec<NodeId>) -> Made {
        self.graph.tuple(items)
    }
    fn dict(&mut self, pairs: Vec<NodeId>) -> Made {
        self.graph.dict(pairs)
    }
    fn set(&mut self) -> Made {
        self.graph.set()
    }
    fn frozenset(&mut self, items: Vec<NodeId>) -> Made {
        self.graph.frozenset(items)
    }
    fn append(&mut self, list: &NodeId, items: Items<'_, NodeId>) -> Result<(), PickleError> {
        if self.mutation("APPEND", *list, "append") {
            return self.graph.append(list, items);
        }
        Ok(())
    }
    fn set_items(&mut self, dict: &NodeId, pairs: Items<'_, NodeId>) -> Result<(), PickleError> {
        self.tensor_mutation("SETITEM(S)", *dict);
        if self.mutation("SETITEM", *dict, "__setitem__") {
            return self.graph.set_items(dict, pairs);
        }
        Ok(())
    }
    fn add_items(&mut self, set: &NodeId, items: Items<'_, NodeId>) -> Result<(), PickleError> {
        if self.mutation("ADDITEMS", *set, "add") {
            return self.graph.add_items(set, items);
        }
        Ok(())
    }
    fn global(&mut self, module: &[u8], name: &[u8]) -> Made {
        let made = self.graph.global(module, name)?;
        self.global_use("GLOBAL", &Self::text(module), &Self::text(name));
        Ok(made)
    }
    fn stack_global(&mut self, module: NodeId, name: NodeId) -> Made {
        let graph = &self.graph.graph;
        let (module_text, name_text) = (name_part(graph, module), name_part(graph, name));
        match (module_text, name_text) {
            (NamePart::Str(module_text), NamePart::Str(name_text)) => {
                let made = self.graph.stack_global(module, name)?;
                self.global_use("STACK_GLOBAL", &module_text, &name_text);
                Ok(made)
            }
            (NamePart::Legacy(module), NamePart::Str(name))
            | (NamePart::Str(module), NamePart::Legacy(name))
            | (NamePart::Legacy(module), NamePart::Legacy(name)) => {
                // Python 3's loader decodes the old string opcodes to str (ASCII by default,
                // latin1 for Python 2's pickles), which STACK_GLOBAL accepts.
                let made = self.graph.global(module.as_bytes(), name.as_bytes())?;
                self.global_use("STACK_GLOBAL (names from STRING opcodes)", &module, &name);
                Ok(made)
            }
            // Plain data of another type: every loader refuses it.
            (NamePart::Data, _) | (_, NamePart::Data) => self.graph.stack_global(module, name),
            (module_part, name_part) => {
                let module = module_part.described(graph, module);
                let name = name_part.described(graph, name);
                self.report.globals.push(GlobalUse {
                    opcode: "STACK_GLOBAL",
                    resolved: format!("a global named at load time: {module}.{name}"),
                    module: module.clone(),
                    name: name.clone(),
                    allowed: false,
                    offset: self.at,
                });
                self.graph.global(module.as_bytes(), name.as_bytes())
            }
        }
    }
    fn reduce(&mut self, func: NodeId, args: NodeId) -> Made {
        self.call_of("REDUCE", func)?;
        let first = match self.graph.graph.get(args) {
            Value::Tuple(items) => items.first().copied(),
            _ => None,
        };
        self.after_call(first, Some(args));
        self.graph.reduce(func, args)
    }
    fn newobj(&mut self, cls: NodeId, args: NodeId) -> Made {
        self.call_of("NEWOBJ", cls)?;
        self.graph.newobj(cls, args)
    }
    fn newobj_ex(&mut self, cls: NodeId, args: NodeId, kwargs: NodeId) -> Made {
        self.call_of("NEWOBJ_EX", cls)?;
        self.graph.newobj_ex(cls, args, kwargs)
    }
    fn inline_data(&mut self, obj: &NodeId) -> Result<InlineData, PickleError> {
        Ok(super::joblib::inline_array(&self.graph.graph, *obj))
    }
    fn build(&mut self, obj: &NodeId, state: NodeId) -> Result<(), PickleError> {
        self.tensor_mutation("BUILD", *obj);
        if matches!(self.graph.graph.get(*obj), Value::Object(_)) {
            return self.graph.build(obj, state);
        }
        self.mutation("BUILD", *obj, "__setstate__");
        Ok(())
    }
    fn inst(&mut self, module: &[u8], name: &[u8], args: Vec<NodeId>) -> Made {
        let first = args.first().copied();
        let made = self.graph.inst(module, name, args)?;
        let (resolved, allowed) = self.global_use("INST", &Self::text(module), &Self::text(name));
        self.report.calls.push(CallUse {
            opcode: "INST",
            callable: resolved,
            of_global: true,
            allowed,
            offset: self.at,
        });
        self.after_call(first, None);
        Ok(made)
    }
    fn obj(&mut self, cls: NodeId, args: Vec<NodeId>) -> Made {
        self.call_of("OBJ", cls)?;
        self.after_call(args.first().copied(), None);
        self.graph.obj(cls, args)
    }
    fn persistent_id_text(&mut self, pid: &[u8]) -> Made {
        let made = self.graph.persistent_id_text(pid)?;
        self.persistent(made);
        Ok(made)
    }
    fn persistent_id(&mut self, pid: NodeId) -> Made {
        let made = self.graph.persistent_id(pid)?;
        self.persistent(made);
        Ok(made)
    }
    fn extension(&mut self, code: i32) -> Made {
        self.report.extensions.push(code);
        self.graph.extension(code)
    }
    fn next_buffer(&mut self) -> Made {
        let made = self.graph.next_buffer()?;
        if let Value::Buffer { index, .. } = self.graph.graph.get(made) {
            let index = *index;
            self.report.buffers.push(BufferUse {
                index,
                readonly: false,
            });
        }
        Ok(made)
    }
    fn discard(&mut self, value: NodeId) {
        self.graph.discard(value);
    }
    fn readonly_buffer(&mut self, buffer: NodeId) -> Made {
        let made = self.graph.readonly_buffer(buffer)?;
        if let Value::Buffer { index, .. } = self.graph.graph.get(made) {
            let index = *index;
            if let Some(used) = self.report.buffers.iter_mut().find(|b| b.index == index) {
                used.readonly = true;
            }
        }
        Ok(made)
    }
}

/// What STACK_GLOBAL finds on the stack for a module or a name.
enum NamePart {
    /// A str.
    Str(String),
    /// An old string opcode's text, as `pickle.load` decodes it with the `encoding` inspected
    /// (ASCII or latin1; with `bytes` the opcode makes bytes, which are plain data).
    Legacy(String),
    /// What the loader makes by a call, a lookup or a persistent id: STACK_GLOBAL takes it
    /// when it is a str, which inspection cannot know.
    Computed,
    /// Plain data of another type (an int, a tuple...).
    Data,
}

fn name_part(graph: &crate::value::Graph, node: NodeId) -> NamePart {
    match graph.get(node) {
        Value::Str(text) => NamePart::Str(Recorder::text(text)),
        Value::Legacy(bytes) => NamePart::Legacy(bytes.iter().map(|&b| char::from(b)).collect()),
        value if data_type_name(value).is_some() => NamePart::Data,
        _ => NamePart::Computed,
    }
}

impl NamePart {
    /// The part's text, or how it was made.
    fn described(self, graph: &crate::value::Graph, node: NodeId) -> String {
        match self {
            NamePart::Str(text) | NamePart::Legacy(text) => text,
            NamePart::Computed | NamePart::Data => format!("<{}>", describe(graph, node)),
        }
    }
}

impl Recorder<'_> {
    /// Notes the id a persistent-id node carries.
    fn persistent(&mut self, node: NodeId) {
        if let Value::PersistentId(pid) = self.graph.graph.get(node) {
            let shown = describe(&self.graph.graph, *pid);
            self.report.persistent_ids.push(shown);
        }
    }
}
