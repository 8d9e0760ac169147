//! A serde `Deserializer` over a live Python object, reading it as `pickle_core::serde`
//! reads a pickle of it; its errors say where (`records[3].price`) and, for a value of the
//! wrong type, which Python type was found.

use super::path::{Located, Path};
use num_traits::ToPrimitive;
use pickle_core::serde::{BIG_INT, PERSISTENT_ID};
use rustpython_vm::builtins::{
    PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyStr, PyTuple,
};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, VirtualMachine};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

/// Containers nested deeper than this are refused, as pickle_core::serde refuses them: each
/// level is native calls, here and in the visitors (serde's own buffering for untagged enums
/// recurses with no bound of its own).
const MAX_DEPTH: usize = 1000;

type Result<T> = std::result::Result<T, Located>;

/// The containers being read, innermost first: a container met again inside itself is a
/// value no Rust type can hold.
#[derive(Clone, Copy)]
struct Ancestors<'a> {
    id: usize,
    depth: usize,
    parent: Option<&'a Ancestors<'a>>,
}

impl Ancestors<'_> {
    fn contains(&self, id: usize) -> bool {
        let mut at = Some(self);
        while let Some(node) = at {
            if node.id == id {
                return true;
            }
            at = node.parent;
        }
        false
    }
}

/// One Python object to read, at `path`.
pub(super) struct Node<'a> {
    obj: &'a PyObject,
    vm: &'a VirtualMachine,
    path: &'a Path<'a>,
    ancestors: Option<&'a Ancestors<'a>>,
}

/// What a Python object is, for reading.
enum Kind<'a> {
    None,
    Bool(bool),
    Int(&'a PyInt),
    Float(f64),
    Str(&'a PyStr),
    Bytes(Vec<u8>),
    Seq(Vec<PyObjectRef>),
    Dict(Vec<(PyObjectRef, PyObjectRef)>),
    Other,
}

impl<'a> Node<'a> {
    pub(super) fn new(obj: &'a PyObject, vm: &'a VirtualMachine, path: &'a Path<'a>) -> Self {
        Node {
            obj,
            vm,
            path,
            ancestors: None,
        }
    }

    fn type_name(&self) -> String {
        self.obj.class().name().to_string()
    }

    fn error(&self, message: impl Into<String>) -> Located {
        Located::new(message.into()).at(self.path)
    }

    /// "expected X, found <the Python type>".
    fn expected(&self, what: &str) -> Located {
        self.error(format!("expected {what}, found {}", self.type_name()))
    }

    fn kind(&self) -> Kind<'a> {
        let obj = self.obj;
        let vm = self.vm;
        if vm.is_none(obj) {
            return Kind::None;
        }
        if obj.class().is(vm.ctx.types.bool_type) {
            return Kind::Bool(obj.is(&vm.ctx.true_value));
        }
        if let Some(int) = obj.downcast_ref::<PyInt>() {
            return Kind::Int(int);
        }
        if let Some(float) = obj.downcast_ref::<PyFloat>() {
            return Kind::Float(float.to_f64());
        }
        if let Some(text) = obj.downcast_ref::<PyStr>() {
            return Kind::Str(text);
        }
        if let Some(bytes) = obj.downcast_ref::<PyBytes>() {
            return Kind::Bytes(bytes.as_bytes().to_vec());
        }
        if let Some(bytes) = obj.downcast_ref::<PyByteArray>() {
            return Kind::Bytes(bytes.borrow_buf().to_vec());
        }
        if let Some(list) = obj.downcast_ref::<PyList>() {
            return Kind::Seq(list.borrow_vec().to_vec());
        }
        if let Some(tuple) = obj.downcast_ref::<PyTuple>() {
            return Kind::Seq(tuple.as_slice().to_vec());
        }
        if let Some(set) = obj.downcast_ref::<PySet>() {
            return Kind::Seq(set.elements());
        }
        if let Some(set) = obj.downcast_ref::<PyFrozenSet>() {
            return Kind::Seq(set.elements());
        }
        if let Some(dict) = obj.downcast_ref::<PyDict>() {
            return Kind::Dict(dict.into_iter().collect());
        }
        Kind::Other
    }

    /// The text of a str, which a Rust string holds unless it has a lone surrogate.
    fn text(&self, text: &PyStr) -> Result<String> {
        text.to_str()
            .map(str::to_string)
            .ok_or_else(|| self.error("a str with a lone surrogate is not a Rust string"))
    }

    /// `visit` one level down in a container, refused where the container is inside itself
    /// or nested too deep.
    fn nested<R>(&self, visit: impl FnOnce(&Ancestors<'_>) -> Result<R>) -> Result<R> {
        let id = self.obj.get_id();
        let depth = self.ancestors.map_or(0, |a| a.depth + 1);
        if self.ancestors.is_some_and(|a| a.contains(id)) {
            return Err(self.error(format!(
                "the {} contains itself, which no Rust value can",
                self.type_name()
            )));
        }
        if depth >= MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} containers")));
        }
        let here = Ancestors {
            id,
            depth,
            parent: self.ancestors,
        };
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || visit(&here))
    }

    fn visit_int<'de, V: Visitor<'de>>(&self, int: &PyInt, visitor: V) -> Result<V::Value> {
        let value = int.as_bigint();
        if let Some(v) = value.to_i64() {
            visitor.visit_i64(v)
        } else if let Some(v) = value.to_u64() {
            visitor.visit_u64(v)
        } else if let Some(v) = value.to_i128() {
            visitor.visit_i128(v)
        } else if let Some(v) = value.to_u128() {
            visitor.visit_u128(v)
        } else {
            Err(self.error(format!(
                "int {value} does not fit 128 bits (read it with pickle_core::serde::big_int)"
            )))
        }
    }

    fn visit_seq<'de, V: Visitor<'de>>(
        &self,
        items: Vec<PyObjectRef>,
        visitor: V,
    ) -> Result<V::Value> {
        self.nested(|ancestors| {
            visitor.visit_seq(Items {
                items,
                next: 0,
                vm: self.vm,
                path: self.path,
                ancestors,
            })
        })
    }

    fn visit_map<'de, V: Visitor<'de>>(
        &self,
        entries: Vec<(PyObjectRef, PyObjectRef)>,
        visitor: V,
    ) -> Result<V::Value> {
        self.nested(|ancestors| {
            visitor.visit_map(Entries {
                entries: entries.into_iter(),
                entry: None,
                vm: self.vm,
                path: self.path,
                ancestors,
            })
        })
    }

    /// The entries of an instance's `__dict__`, the state a struct is read from.
    fn instance_state(&self) -> Option<Vec<(PyObjectRef, PyObjectRef)>> {
        let dict = self.obj.dict()?;
        Some(dict.into_iter().collect())
    }
}

/// Deserializer methods that check the Python type as `$to` does.
macro_rules! forward {
    ($to:ident: $($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
                self.$to(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Node<'_> {
    type Error = Located;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let read = match self.kind() {
            Kind::None => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Int(int) => self.visit_int(int, visitor),
            Kind::Float(f) => visitor.visit_f64(f),
            Kind::Str(text) => visitor.visit_string(self.text(text)?),
            Kind::Bytes(bytes) => visitor.visit_byte_buf(bytes),
            Kind::Seq(items) => self.visit_seq(items, visitor),
            Kind::Dict(entries) => self.visit_map(entries, visitor),
            Kind::Other => Err(self
                .expected("None, bool, int, float, str, bytes, a list, tuple or set, or a dict")),
        };
        read.map_err(|e: Located| e.at(self.path))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind() {
            Kind::Bool(b) => visitor.visit_bool(b).map_err(|e: Located| e.at(self.path)),
            _ => Err(self.expected("bool")),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind() {
            Kind::Int(int) => self
                .visit_int(int, visitor)
                .map_err(|e: Located| e.at(self.path)),
            _ => Err(self.expected("int")),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind() {
            Kind::Float(f) => visitor.visit_f64(f).map_err(|e: Located| e.at(self.path)),
            Kind::Int(int) => match int.as_bigint().to_f64().filter(|f| f.is_finite()) {
                Some(f) => visitor.visit_f64(f).map_err(|e: Located| e.at(self.path)),
                None => Err(self.error("int too large to convert to float")),
            },
            _ => Err(self.expected("float")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind() {
            Kind::Str(text) => visitor
                .visit_string(self.text(text)?)
                .map_err(|e: Located| e.at(self.path)),
            _ => Err(self.expected("str")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind() {
            Kind::Bytes(bytes) => visitor
                .visit_byte_buf(bytes)
                .map_err(|e: Located| e.at(self.path)),
            _ => Err(self.expected("bytes")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.vm.is_none(self.obj) {
            visitor.visit_none()
        } else {
            let path = self.path;
            visitor.visit_some(self).map_err(|e| e.at(path))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind() {
            Kind::None => visitor.visit_unit(),
            _ => Err(self.expected("None")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        match name {
            BIG_INT => match self.kind() {
                Kind::Int(int) => visitor
                    .visit_byte_buf(int.as_bigint().to_signed_bytes_le())
                    .map_err(|e: Located| e.at(self.path)),
                _ => Err(self.expected("int")),
            },
            PERSISTENT_ID => Err(self.error(
                "a persistent id exists only in a pickle (read it with pickle_core::serde)",
            )),
            _ => {
                let path = self.path;
                visitor.visit_newtype_struct(self).map_err(|e| e.at(path))
            }
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let read = match self.kind() {
            Kind::Seq(items) => self.visit_seq(items, visitor),
            Kind::Bytes(bytes) => {
                let ints = bytes
                    .into_iter()
                    .map(|b| self.vm.ctx.new_int(b).into())
                    .collect();
                self.visit_seq(ints, visitor)
            }
            _ => return Err(self.expected("a list, tuple or set")),
        };
        read.map_err(|e: Located| e.at(self.path))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind() {
            Kind::Dict(entries) => self
                .visit_map(entries, visitor)
                .map_err(|e: Located| e.at(self.path)),
            _ => Err(self.expected("dict")),
        }
    }

    /// A struct: a dict of its fields, a sequence of them in order, or an instance whose
    /// `__dict__` holds them.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let read = match self.kind() {
            Kind::Dict(entries) => self.visit_map(entries, visitor),
            Kind::Seq(items) => self.visit_seq(items, visitor),
            Kind::Other => match self.instance_state() {
                Some(state) => self.visit_map(state, visitor),
                None => return Err(self.expected("dict")),
            },
            _ => return Err(self.expected("dict")),
        };
        read.map_err(|e: Located| e.at(self.path))
    }

    /// An enum: `'V'`, `{'V': content}`, `('V',)` or `('V', content)`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let (variant, content) = match self.kind() {
            Kind::Str(text) => (self.text(text)?, None),
            Kind::Dict(mut entries) if entries.len() == 1 => {
                let (key, value) = entries.pop().expect("one entry");
                match key.downcast_ref::<PyStr>() {
                    Some(key) => (self.text(key)?, Some(value)),
                    None => return Err(self.enum_error(name)),
                }
            }
            Kind::Seq(items)
                if self.obj.downcast_ref::<PyTuple>().is_some()
                    && (1..=2).contains(&items.len()) =>
            {
                let mut items = items.into_iter();
                let first = items.next().expect("one item or two");
                match first.downcast_ref::<PyStr>() {
                    Some(key) => (self.text(key)?, items.next()),
                    None => return Err(self.enum_error(name)),
                }
            }
            _ => return Err(self.enum_error(name)),
        };
        let path = self.path;
        visitor
            .visit_enum(Variant {
                variant,
                content,
                vm: self.vm,
                path,
                ancestors: self.ancestors,
            })
            .map_err(|e| e.at(path))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    forward! { deserialize_i64: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i128
    deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 }
    forward! { deserialize_f64: deserialize_f32 }
    forward! { deserialize_str: deserialize_char deserialize_string }
    forward! { deserialize_bytes: deserialize_byte_buf }
}

impl Node<'_> {
    fn enum_error(&self, name: &str) -> Located {
        self.error(format!(
            "expected the enum {name}: a str naming a variant, or a dict of one entry from \
             the variant's name to its content; found {}",
            self.type_name()
        ))
    }
}

/// The items of a sequence.
struct Items<'a> {
    items: Vec<PyObjectRef>,
    next: usize,
    vm: &'a VirtualMachine,
    path: &'a Path<'a>,
    ancestors: &'a Ancestors<'a>,
}

impl<'de> de::SeqAccess<'de> for Items<'_> {
    type Error = Located;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let path = Path::Index(self.path, self.next);
        self.next += 1;
        let node = Node {
            obj: item,
            vm: self.vm,
            path: &path,
            ancestors: Some(self.ancestors),
        };
        seed.deserialize(node).map(Some).map_err(|e| e.at(&path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

/// The entries of a dict (or of an instance's state).
struct Entries<'a> {
    entries: std::vec::IntoIter<(PyObjectRef, PyObjectRef)>,
    /// The entry whose key was just read, for its value.
    entry: Option<(PyObjectRef, PyObjectRef)>,
    vm: &'a VirtualMachine,
    path: &'a Path<'a>,
    ancestors: &'a Ancestors<'a>,
}

impl Entries<'_> {
    /// `obj`, part of the entry keyed `key`, read by `seed`.
    fn read<'de, S: DeserializeSeed<'de>>(
        &self,
        key: &PyObject,
        obj: &PyObject,
        seed: S,
    ) -> Result<S::Value> {
        let path = Path::Key(self.path, key);
        let node = Node {
            obj,
            vm: self.vm,
            path: &path,
            ancestors: Some(self.ancestors),
        };
        seed.deserialize(node).map_err(|e| e.at(&path))
    }
}

impl<'de> de::MapAccess<'de> for Entries<'_> {
    type Error = Located;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let read = self.read(&key, &key, seed);
        self.entry = Some((key, value));
        read.map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (key, value) = self
            .entry
            .take()
            .ok_or_else(|| <Located as de::Error>::custom("a value asked for before its key"))?;
        self.read(&key, &value, seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum's variant name and its content.
struct Variant<'a> {
    variant: String,
    content: Option<PyObjectRef>,
    vm: &'a VirtualMachine,
    path: &'a Path<'a>,
    ancestors: Option<&'a Ancestors<'a>>,
}

impl<'de, 'a> de::EnumAccess<'de> for Variant<'a> {
    type Error = Located;
    type Variant = Content<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Content<'a>)> {
        let name = seed.deserialize(self.variant.clone().into_deserializer())?;
        Ok((
            name,
            Content {
                variant: self.variant,
                content: self.content,
                vm: self.vm,
                path: self.path,
                ancestors: self.ancestors,
            },
        ))
    }
}

/// What a variant holds.
struct Content<'a> {
    variant: String,
    content: Option<PyObjectRef>,
    vm: &'a VirtualMachine,
    path: &'a Path<'a>,
    ancestors: Option<&'a Ancestors<'a>>,
}

impl Content<'_> {
    /// The content read as `read` says, at `path.Variant`.
    fn read<R>(self, read: impl FnOnce(Node<'_>) -> Result<R>) -> Result<R> {
        let path = Path::Field(self.path, &self.variant);
        let Some(content) = self.content else {
            let message = format!("the variant {} needs its content", self.variant);
            return Err(Located::new(message).at(self.path));
        };
        let node = Node {
            obj: &content,
            vm: self.vm,
            path: &path,
            ancestors: self.ancestors,
        };
        read(node).map_err(|e| e.at(&path))
    }
}

impl<'de> de::VariantAccess<'de> for Content<'_> {
    type Error = Located;

    fn unit_variant(self) -> Result<()> {
        match &self.content {
            Some(content) if !self.vm.is_none(content) => {
                let message = format!(
                    "the variant {} holds nothing, found {}",
                    self.variant,
                    content.class().name()
                );
                Err(Located::new(message).at(self.path))
            }
            _ => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        self.read(|node| seed.deserialize(node))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.read(|node| de::Deserializer::deserialize_seq(node, visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.read(|node| de::Deserializer::deserialize_struct(node, "", fields, visitor))
    }
}
