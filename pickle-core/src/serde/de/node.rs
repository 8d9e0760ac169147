//! The serde `Deserializer` over one item of a pickle graph: what the type asks for
//! (`Want`) picks how the node's [`Data`] is handed to its visitor.

use super::access::{EnumRef, MapRef, ReducedMap, SeqRef};
use super::data::{Data, Reduced, classify};
use super::{MAX_DEPTH, Pid, Reader};
use crate::serde::{Encoding, Error, Globals, magic};
use crate::value::{NodeId, Value};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use serde::de::{self, IntoDeserializer, Visitor};
use std::borrow::Cow;
use std::cell::RefCell;

/// Below this much stack, a new segment is allocated before going deeper.
const STACK_RED_ZONE: usize = 64 * 1024;
/// The size of each new stack segment.
const STACK_GROWTH: usize = 1024 * 1024;
/// Levels of nesting between two looks at the stack.
const STACK_CHECK_EVERY: usize = 4;

/// What a deserializer reads: a node, or a piece of a reduced object with no node of its own.
#[derive(Clone, Copy)]
pub(crate) enum Item<'p> {
    Node(NodeId),
    Text(&'p str),
    /// A reduced object's arguments, as a sequence.
    Nodes(&'p [NodeId]),
    /// Items set on a reduced object, as a map.
    Pairs(&'p [(NodeId, NodeId)]),
    None,
}

/// What the type asked for, where the answer depends on it.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    Any,
    /// A scalar: a number, a string, a bool.
    Single,
    Bytes,
    Seq,
    Map,
    Struct(&'static [&'static str]),
    Enum(&'static str),
    Identifier,
}

/// The deserializer for one item.
pub(crate) struct NodeDe<'r, 'p> {
    r: &'r mut Reader<'p>,
    item: Item<'p>,
}

impl<'r, 'p> NodeDe<'r, 'p> {
    pub(crate) fn new(r: &'r mut Reader<'p>, item: Item<'p>) -> Self {
        NodeDe { r, item }
    }

    fn read<'de, V: Visitor<'de>>(self, want: Want, visitor: V) -> Result<V::Value, Error> {
        let id = match self.item {
            Item::Node(id) => id,
            Item::Text(text) if matches!(want, Want::Enum(_)) => {
                return visitor.visit_enum(text.into_deserializer());
            }
            Item::Text(text) => return visitor.visit_str(text),
            Item::Nodes(ids) => return visitor.visit_seq(SeqRef::new(self.r, ids)),
            Item::Pairs(pairs) => return visitor.visit_map(MapRef::new(self.r, pairs, &[])),
            Item::None => return visitor.visit_unit(),
        };
        let r = self.r;
        match visit_plain(r, id, want, visitor) {
            Ok(done) => done,
            Err(visitor) => r.enter(id, want, visitor),
        }
    }

    /// Whether the item reads as None for `Option`.
    fn is_none(&self) -> Result<bool, Error> {
        let Item::Node(id) = self.item else {
            return Ok(matches!(self.item, Item::None));
        };
        if self.r.track.open[id] && self.r.options.replace_recursive {
            return Ok(true);
        }
        Ok(match self.r.pickle.graph.get(id) {
            Value::None => true,
            Value::Global { .. } | Value::Object(_) => {
                self.r.options.globals == Globals::ReplaceWithNone
                    && matches!(classify(self.r.pickle, id)?, Data::Reduced(_))
            }
            _ => false,
        })
    }

    /// The node of the item, for the newtypes that read a node whole.
    fn node(&self, what: &str) -> Result<NodeId, Error> {
        match self.item {
            Item::Node(id) => Ok(id),
            _ => Err(Error::msg(format!("expected {what}"))),
        }
    }
}

/// Scalars and short strings, the bulk of most pickles: handed over without the bookkeeping
/// containers need (they cannot recur, and copying them costs nothing worth charging).
/// `Err` hands the visitor back for the general path.
#[inline(always)]
fn visit_plain<'de, V: Visitor<'de>>(
    r: &Reader<'_>,
    id: NodeId,
    want: Want,
    visitor: V,
) -> Result<Result<V::Value, Error>, V> {
    let plain = !matches!(want, Want::Enum(_) | Want::Identifier | Want::Bytes);
    let text_wanted = !matches!(want, Want::Enum(_) | Want::Bytes);
    match r.pickle.graph.get(id) {
        Value::Int(i) if plain => Ok(visitor.visit_i64(*i)),
        Value::Float(f) => Ok(visitor.visit_f64(*f)),
        Value::Bool(b) => Ok(visitor.visit_bool(*b)),
        Value::None if !matches!(want, Want::Enum(_)) => Ok(visitor.visit_unit()),
        Value::Str(raw) if text_wanted && raw.len() <= super::SMALL_PAYLOAD => {
            Ok(str_of(raw).and_then(|text| visitor.visit_str(text)))
        }
        _ => Err(visitor),
    }
}

impl<'p> Reader<'p> {
    /// The general path: a container (or a large payload, a reduction, a persistent id)
    /// checked for recursion and depth, charged if it was read before, then visited.
    fn enter<'de, V: Visitor<'de>>(
        &mut self,
        id: NodeId,
        want: Want,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let r = self;
        if r.track.open[id] {
            if r.options.replace_recursive {
                return visitor.visit_unit();
            }
            return Err(Error::msg(
                "recursive structure: the object contains itself, which a Rust value cannot \
                 (DeOptions::replace_recursive_structures reads it as None where it recurs)",
            ));
        }
        if r.track.depth >= MAX_DEPTH {
            return Err(Error::msg(
                "maximum recursion depth exceeded while reading a pickle",
            ));
        }
        r.charge_copy(id)?;
        r.track.open[id] = true;
        r.track.depth += 1;
        // Asking how much stack is left is not free: every few levels is often enough.
        let result = if r.track.depth.is_multiple_of(STACK_CHECK_EVERY) {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                visit_node(r, id, want, visitor)
            })
        } else {
            visit_node(r, id, want, visitor)
        };
        r.track.depth -= 1;
        r.track.open[id] = false;
        result
    }
}

/// Lists, tuples and dicts straight from the graph; anything else as [`classify`] sees it.
#[inline(always)]
fn visit_node<'de, 'p, V: Visitor<'de>>(
    r: &mut Reader<'p>,
    id: NodeId,
    want: Want,
    visitor: V,
) -> Result<V::Value, Error> {
    let pickle = r.pickle;
    match pickle.graph.get(id) {
        Value::List(items) | Value::Tuple(items) if !matches!(want, Want::Enum(_)) => {
            visitor.visit_seq(SeqRef::new(r, items))
        }
        Value::Dict(pairs) if !matches!(want, Want::Enum(_)) => {
            visitor.visit_map(MapRef::new(r, pairs, &[]))
        }
        _ => {
            let data = classify(pickle, id)?;
            visit(r, data, want, visitor)
        }
    }
}

fn visit<'de, 'p, V: Visitor<'de>>(
    r: &mut Reader<'p>,
    data: Data<'p>,
    want: Want,
    visitor: V,
) -> Result<V::Value, Error> {
    if let Want::Enum(name) = want {
        return visit_enum(r, data, name, visitor);
    }
    match data {
        Data::None => visitor.visit_unit(),
        Data::Bool(b) => visitor.visit_bool(b),
        Data::Int(i) if want == Want::Identifier && i >= 0 => visitor.visit_u64(i as u64),
        Data::Int(i) => visitor.visit_i64(i),
        Data::BigInt(b) => visit_big(b, visitor),
        Data::Float(f) => visitor.visit_f64(f),
        Data::Str(raw) if want == Want::Bytes => visitor.visit_bytes(raw),
        Data::Str(raw) => visitor.visit_str(str_of(raw)?),
        Data::Bytes(bytes) => visit_bytes(bytes, want, visitor),
        Data::Legacy(raw) => visit_legacy(r.options.encoding, raw, want, visitor),
        Data::Seq(items) => visitor.visit_seq(SeqRef::new(r, items)),
        Data::Map(pairs) => visitor.visit_map(MapRef::new(r, pairs, &[])),
        Data::Reduced(object) => visit_reduced(r, object, want, visitor),
        Data::Pid(pid) => visit_persistent(r, pid, want, visitor),
        Data::Unsupported(msg) => Err(Error::msg(msg)),
    }
}

fn str_of(raw: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(raw)
        .map_err(|_| Error::msg("a str with a lone surrogate, which a Rust string cannot hold"))
}

fn visit_bytes<'de, V: Visitor<'de>>(
    bytes: Cow<'_, [u8]>,
    want: Want,
    visitor: V,
) -> Result<V::Value, Error> {
    if want == Want::Seq {
        // `Vec<u8>` without serde_bytes asks for a sequence.
        return visitor.visit_seq(de::value::SeqDeserializer::new(bytes.iter().copied()));
    }
    match bytes {
        Cow::Borrowed(b) => visitor.visit_bytes(b),
        Cow::Owned(v) => visitor.visit_byte_buf(v),
    }
}

fn visit_big<'de, V: Visitor<'de>>(b: &BigInt, visitor: V) -> Result<V::Value, Error> {
    if let Some(i) = b.to_i64() {
        visitor.visit_i64(i)
    } else if let Some(u) = b.to_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = b.to_i128() {
        visitor.visit_i128(i)
    } else if let Some(u) = b.to_u128() {
        visitor.visit_u128(u)
    } else {
        Err(Error::msg(format!(
            "the integer {b} does not fit in 128 bits (pickle_core::serde::big_int reads it into \
             a num_bigint::BigInt)"
        )))
    }
}

/// A Python 2 string, as `pickle.loads(..., encoding=...)` reads it.
fn visit_legacy<'de, V: Visitor<'de>>(
    encoding: Encoding,
    raw: &[u8],
    want: Want,
    visitor: V,
) -> Result<V::Value, Error> {
    if want == Want::Bytes || encoding == Encoding::Bytes {
        return visit_bytes(Cow::Borrowed(raw), want, visitor);
    }
    match encoding {
        Encoding::Latin1 => visitor.visit_string(raw.iter().map(|&b| char::from(b)).collect()),
        Encoding::Ascii => match raw.iter().position(|b| !b.is_ascii()) {
            None => visitor.visit_str(str_of(raw)?),
            Some(at) => Err(Error::msg(format!(
                "'ascii' codec can't decode byte 0x{:02x} in position {at}: ordinal not in \
                 range(128)",
                raw[at]
            ))),
        },
        Encoding::Utf8 | Encoding::Bytes => match std::str::from_utf8(raw) {
            Ok(text) => visitor.visit_str(text),
            Err(e) => Err(Error::msg(format!(
                "'utf-8' codec can't decode byte 0x{:02x} in position {}",
                raw[e.valid_up_to()],
                e.valid_up_to()
            ))),
        },
    }
}

fn visit_reduced<'de, 'p, V: Visitor<'de>>(
    r: &mut Reader<'p>,
    object: Reduced<'p>,
    want: Want,
    visitor: V,
) -> Result<V::Value, Error> {
    match r.options.globals {
        Globals::Refuse => Err(Error::msg(format!(
            "global '{}.{}' refused (DeOptions::globals: Globals::Reduce hands it to the type, \
             Globals::ReplaceWithNone reads it as None)",
            object.module, object.name
        ))),
        Globals::ReplaceWithNone => visitor.visit_unit(),
        Globals::Reduce if !object.called => visitor.visit_map(ReducedMap::new(r, &object)),
        Globals::Reduce => match want {
            Want::Struct(fields) if !fields.contains(&"module") => {
                visit_instance(r, object, visitor)
            }
            Want::Seq => visitor.visit_seq(SeqRef::new(r, object.args)),
            Want::Map if object.state.is_some() => visit_instance(r, object, visitor),
            Want::Map => visitor.visit_map(MapRef::new(r, object.dictitems, &[])),
            Want::Single | Want::Bytes if object.args.len() == 1 => {
                NodeDe::new(r, Item::Node(object.args[0])).read(want, visitor)
            }
            _ => visitor.visit_map(ReducedMap::new(r, &object)),
        },
    }
}

/// An instance read as its state: `__dict__`, with the slots of a `(dict, slots)` state;
/// without state, its arguments in order.
fn visit_instance<'de, 'p, V: Visitor<'de>>(
    r: &mut Reader<'p>,
    object: Reduced<'p>,
    visitor: V,
) -> Result<V::Value, Error> {
    let Some(state) = object.state else {
        return visitor.visit_seq(SeqRef::new(r, object.args));
    };
    let pickle = r.pickle;
    let pairs = |id: NodeId| match pickle.graph.get(id) {
        Value::Dict(pairs) => Some(pairs.as_slice()),
        Value::None => Some(&[][..]),
        _ => None,
    };
    let (dict, slots) = match pickle.graph.get(state) {
        Value::Dict(pairs) => (pairs.as_slice(), &[][..]),
        Value::Tuple(parts) if parts.len() == 2 => match (pairs(parts[0]), pairs(parts[1])) {
            (Some(dict), Some(slots)) => (dict, slots),
            _ => return Err(state_error(&object)),
        },
        _ => return Err(state_error(&object)),
    };
    if r.track.open[state] {
        return Err(Error::msg(
            "recursive structure: an object's state contains itself",
        ));
    }
    r.charge_copy(state)?;
    visitor.visit_map(MapRef::new(r, dict, slots))
}

fn state_error(object: &Reduced<'_>) -> Error {
    Error::msg(format!(
        "the state of a '{}.{}' object is not a dict (or a (dict, slots) pair) to read as \
         fields; read it as a reduced object (a map or a struct with module, name, args and \
         state)",
        object.module, object.name
    ))
}

fn visit_persistent<'de, V: Visitor<'de>>(
    r: &mut Reader<'_>,
    pid: NodeId,
    want: Want,
    visitor: V,
) -> Result<V::Value, Error> {
    let Some(load) = r.options.persistent_load.clone() else {
        return Err(Error::msg(
            "A load persistent id instruction was encountered, but no persistent_load function \
             was specified.",
        ));
    };
    let tracking = RefCell::new(std::mem::take(&mut r.track));
    let found = load(Pid {
        pickle: r.pickle,
        id: pid,
        options: r.options,
        tracking: &tracking,
    });
    r.track = tracking.into_inner();
    match found.map_err(Error::msg)? {
        None => NodeDe::new(r, Item::Node(pid)).read(want, visitor),
        Some(value) => visit_scalar(value, visitor),
    }
}

/// A value `persistent_load` returned.
fn visit_scalar<'de, V: Visitor<'de>>(value: Value, visitor: V) -> Result<V::Value, Error> {
    match value {
        Value::None => visitor.visit_unit(),
        Value::Bool(b) => visitor.visit_bool(b),
        Value::Int(i) => visitor.visit_i64(i),
        Value::BigInt(b) => visit_big(&b, visitor),
        Value::Float(f) => visitor.visit_f64(f),
        Value::Str(raw) => visitor.visit_str(str_of(&raw)?),
        Value::Bytes(b) | Value::ByteArray(b) | Value::Legacy(b) => visitor.visit_byte_buf(b),
        _ => Err(Error::msg(
            "persistent_load returned a value with references; it may return only None, a bool, \
             an int, a float, text or bytes",
        )),
    }
}

fn visit_enum<'de, 'p, V: Visitor<'de>>(
    r: &mut Reader<'p>,
    data: Data<'p>,
    name: &'static str,
    visitor: V,
) -> Result<V::Value, Error> {
    let pickle = r.pickle;
    let is_text = |id: NodeId| matches!(pickle.graph.get(id), Value::Str(_) | Value::Legacy(_));
    match data {
        Data::Str(raw) => visitor.visit_enum(str_of(raw)?.into_deserializer()),
        Data::Legacy(raw) => visit_legacy(r.options.encoding, raw, Want::Single, EnumName(visitor)),
        Data::Map([(variant, content)]) => {
            visitor.visit_enum(EnumRef::new(r, *variant, Some(*content)))
        }
        // serde-pickle's older shape: ('Variant',) or ('Variant', content).
        Data::Seq([variant]) if is_text(*variant) => {
            visitor.visit_enum(EnumRef::new(r, *variant, None))
        }
        Data::Seq([variant, content]) if is_text(*variant) => {
            visitor.visit_enum(EnumRef::new(r, *variant, Some(*content)))
        }
        _ => Err(Error::msg(format!(
            "expected the enum {name}: a str naming a variant, or a dict of one entry from the \
             variant's name to its content"
        ))),
    }
}

/// Hands a decoded Python 2 string to an enum visitor as a unit variant's name.
struct EnumName<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for EnumName<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.expecting(f)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<V::Value, E> {
        self.0.visit_enum(text.into_deserializer())
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<V::Value, E> {
        self.0.visit_enum(text.into_deserializer())
    }
}

macro_rules! forward {
    ($want:expr => $($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.read($want, visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = Error;

    forward!(Want::Any => deserialize_any deserialize_unit);
    forward!(Want::Single => deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string);
    forward!(Want::Bytes => deserialize_bytes deserialize_byte_buf);
    forward!(Want::Seq => deserialize_seq);
    forward!(Want::Map => deserialize_map);
    forward!(Want::Identifier => deserialize_identifier);

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.is_none()? {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.read(Want::Any, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match name {
            magic::BIG_INT => {
                let id = self.node("an int")?;
                match self.r.pickle.graph.get(id) {
                    Value::Int(i) => visitor.visit_bytes(&i.to_le_bytes()),
                    Value::BigInt(b) => visitor.visit_byte_buf(b.to_signed_bytes_le()),
                    _ => Err(Error::msg("expected an int")),
                }
            }
            magic::PERSISTENT_ID => {
                let id = self.node("a persistent id")?;
                match self.r.pickle.graph.get(id) {
                    Value::PersistentId(pid) => {
                        visitor.visit_newtype_struct(NodeDe::new(self.r, Item::Node(*pid)))
                    }
                    _ => Err(Error::msg("expected a persistent id")),
                }
            }
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.read(Want::Seq, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.read(Want::Seq, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.read(Want::Struct(fields), visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.read(Want::Enum(name), visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // Nothing is read: an ignored field costs nothing and cannot recurse.
        visitor.visit_unit()
    }
}
