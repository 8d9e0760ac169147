//! What a node stands for as data. Most nodes are their own data; a few calls are how
//! CPython's pickler writes built-in types a protocol has no opcode for (`set(list)` below
//! protocol 4, `_codecs.encode(text, 'latin1')` for bytes below 3, `bytearray(bytes)` below
//! 5, `copyreg._reconstructor(cls, object, None)` for instances below 2), and are read as
//! those types: no call is made, the arguments are the data. Any other call, or a bare
//! global, is a [`Reduced`] object for the options to decide on.

use super::super::Error;
use crate::value::{Make, NodeId, Object, Pickle, Value};
use num_bigint::BigInt;
use std::borrow::Cow;

/// A node as the visitor will see it.
pub(super) enum Data<'p> {
    None,
    Bool(bool),
    Int(i64),
    BigInt(&'p BigInt),
    Float(f64),
    /// A `str`: UTF-8 in which lone surrogates may appear.
    Str(&'p [u8]),
    Bytes(Cow<'p, [u8]>),
    /// A Python 2 string, as its bytes.
    Legacy(&'p [u8]),
    /// A tuple, list, set or frozenset.
    Seq(&'p [NodeId]),
    Map(&'p [(NodeId, NodeId)]),
    Reduced(Reduced<'p>),
    /// A persistent id: the id's node.
    Pid(NodeId),
    /// A node no Rust type can take, with the reason.
    Unsupported(String),
}

/// A global, or an object made by calling one, with what the pickle applied to it.
#[derive(Clone, Copy)]
pub(super) struct Reduced<'p> {
    pub(super) module: &'p str,
    pub(super) name: &'p str,
    /// Whether the global was called (false for a class or function pickled by name).
    pub(super) called: bool,
    pub(super) args: &'p [NodeId],
    pub(super) kwargs: Option<NodeId>,
    pub(super) state: Option<NodeId>,
    pub(super) listitems: &'p [NodeId],
    pub(super) dictitems: &'p [(NodeId, NodeId)],
}

/// Classifies node `id` of `pickle`.
pub(super) fn classify(pickle: &Pickle, id: NodeId) -> Result<Data<'_>, Error> {
    Ok(match pickle.graph.get(id) {
        Value::None => Data::None,
        Value::Bool(b) => Data::Bool(*b),
        Value::Int(i) => Data::Int(*i),
        Value::BigInt(b) => Data::BigInt(b),
        Value::Float(f) => Data::Float(*f),
        Value::Str(s) => Data::Str(s),
        Value::Bytes(b) | Value::ByteArray(b) => Data::Bytes(Cow::Borrowed(b)),
        Value::Legacy(b) => Data::Legacy(b),
        Value::Tuple(v) | Value::List(v) | Value::Set(v) | Value::FrozenSet(v) => Data::Seq(v),
        Value::Dict(pairs) => Data::Map(pairs),
        Value::Global { module, name } => {
            let (module, name) = global_name(pickle, *module, *name)?;
            Data::Reduced(Reduced {
                module,
                name,
                called: false,
                args: &[],
                kwargs: None,
                state: None,
                listitems: &[],
                dictitems: &[],
            })
        }
        Value::Object(object) => classify_object(pickle, object)?,
        Value::PersistentId(pid) => Data::Pid(*pid),
        Value::Extension(code) => Data::Unsupported(format!(
            "extension code {code}: objects from copyreg's extension registry exist only in Python"
        )),
        Value::Buffer { index, .. } => Data::Unsupported(format!(
            "out-of-band buffer {index}: protocol 5 buffers are not read by serde"
        )),
    })
}

fn text(pickle: &Pickle, id: NodeId) -> Option<&str> {
    pickle.graph.get(id).as_str()
}

fn global_name(pickle: &Pickle, module: NodeId, name: NodeId) -> Result<(&str, &str), Error> {
    match (text(pickle, module), text(pickle, name)) {
        (Some(m), Some(n)) => Ok((m, n)),
        _ => Err(Error::msg("a global whose module or name is not text")),
    }
}

/// The items of a tuple node (a call's arguments).
fn tuple_items(pickle: &Pickle, id: NodeId) -> Result<&[NodeId], Error> {
    match pickle.graph.get(id) {
        Value::Tuple(items) => Ok(items),
        _ => Err(Error::msg("a call whose arguments are not a tuple")),
    }
}

fn classify_object<'p>(pickle: &'p Pickle, object: &'p Object) -> Result<Data<'p>, Error> {
    let (callee, args, kwargs) = match &object.make {
        Make::Reduce { func, args } => (Some(*func), tuple_items(pickle, *args)?, None),
        Make::NewObj { cls, args } => (Some(*cls), tuple_items(pickle, *args)?, None),
        Make::NewObjEx { cls, args, kwargs } => {
            (Some(*cls), tuple_items(pickle, *args)?, Some(*kwargs))
        }
        Make::Obj { cls, args } => (Some(*cls), args.as_slice(), None),
        Make::Inst { args, .. } => (None, args.as_slice(), None),
    };
    let (module, name) = match (&object.make, callee) {
        (Make::Inst { module, name, .. }, _) => (module.as_str(), name.as_str()),
        (_, Some(callee)) => match pickle.graph.get(callee) {
            Value::Global { module, name } => global_name(pickle, *module, *name)?,
            _ => {
                let msg = "an object made by calling something other than a global";
                return Ok(Data::Unsupported(msg.to_string()));
            }
        },
        (_, None) => unreachable!("only INST names its class in the opcode"),
    };
    let reduced = Reduced {
        module,
        name,
        called: true,
        args,
        kwargs,
        state: object.state,
        listitems: &object.items,
        dictitems: &object.pairs,
    };
    if matches!(object.make, Make::Reduce { .. })
        && let Some(data) = builtin_reduction(pickle, &reduced)?
    {
        return Ok(data);
    }
    Ok(Data::Reduced(reduced))
}

/// The built-in types CPython's pickler writes as calls, read as what they make.
fn builtin_reduction<'p>(
    pickle: &'p Pickle,
    call: &Reduced<'p>,
) -> Result<Option<Data<'p>>, Error> {
    let builtin = matches!(call.module, "builtins" | "__builtin__");
    Ok(Some(match (call.name, call.args) {
        ("set" | "frozenset", []) if builtin => Data::Seq(&[]),
        ("set" | "frozenset", [items]) if builtin => match classify(pickle, *items)? {
            Data::Seq(items) => Data::Seq(items),
            _ => return Ok(None),
        },
        ("bytes" | "bytearray", []) if builtin => Data::Bytes(Cow::Borrowed(&[])),
        ("bytes" | "bytearray", [data]) if builtin => match classify(pickle, *data)? {
            Data::Bytes(bytes) => Data::Bytes(bytes),
            Data::Legacy(bytes) => Data::Bytes(Cow::Borrowed(bytes)),
            _ => return Ok(None),
        },
        // Python 2's bytearray: bytearray(text, 'latin-1').
        ("bytearray", [text, encoding]) if builtin => return encoded(pickle, *text, *encoding),
        ("encode", [text, encoding]) if call.module == "_codecs" => {
            return encoded(pickle, *text, *encoding);
        }
        ("_reconstructor", [cls, base, base_state])
            if matches!(call.module, "copyreg" | "copy_reg") =>
        {
            return reconstructed(pickle, call, *cls, *base, *base_state);
        }
        _ => return Ok(None),
    }))
}

/// `_codecs.encode(text, encoding)` for the encodings CPython's picklers use.
fn encoded(pickle: &Pickle, text: NodeId, encoding: NodeId) -> Result<Option<Data<'_>>, Error> {
    let Value::Str(raw) = pickle.graph.get(text) else {
        return Ok(None);
    };
    match self::text(pickle, encoding) {
        Some("latin1" | "latin-1" | "iso-8859-1") => {
            let mut out = Vec::with_capacity(raw.len());
            for cp in crate::text::code_points(raw) {
                let byte = u8::try_from(cp).map_err(|_| {
                    Error::msg("_codecs.encode(text, 'latin1') of a character above U+00FF")
                })?;
                out.push(byte);
            }
            Ok(Some(Data::Bytes(Cow::Owned(out))))
        }
        Some("utf-8" | "utf8") if std::str::from_utf8(raw).is_ok() => {
            Ok(Some(Data::Bytes(Cow::Borrowed(raw))))
        }
        _ => Ok(None),
    }
}

/// `copyreg._reconstructor(cls, object, None)`, protocols 0 and 1's instance of a plain
/// class: read as protocol 2's `cls.__new__(cls)` with the same state, so a type reads the
/// instance the same way from every protocol.
fn reconstructed<'p>(
    pickle: &'p Pickle,
    call: &Reduced<'p>,
    cls: NodeId,
    base: NodeId,
    base_state: NodeId,
) -> Result<Option<Data<'p>>, Error> {
    let (Value::Global { module, name }, Value::Global { .. }) =
        (pickle.graph.get(cls), pickle.graph.get(base))
    else {
        return Ok(None);
    };
    let (module, name) = global_name(pickle, *module, *name)?;
    let args: &[NodeId] = match pickle.graph.get(base_state) {
        Value::None => &[],
        _ => &call.args[2..],
    };
    Ok(Some(Data::Reduced(Reduced {
        module,
        name,
        args,
        ..*call
    })))
}
