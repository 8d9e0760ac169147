//! A serde `Serializer` that makes Python objects in the VM, as `pickle_core::serde::to_vec`
//! would write them: the same value `pickle.loads` of those bytes gives.

use super::path::{Located, Path};
use malachite_bigint::BigInt;
use pickle_core::serde::{BIG_INT, PERSISTENT_ID};
use rustpython_vm::builtins::{PyBytes, PyDictRef, PyStrInterned};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, VirtualMachine};
use serde::ser::{self, Serialize};
use std::cell::RefCell;

type Result<T> = std::result::Result<T, Located>;

/// The field names met so far, interned: a struct's names are the same `&'static str` for
/// every value of it, and asking the interner each time costs a lock and a hash.
#[derive(Default)]
pub(super) struct Names(RefCell<Vec<((usize, usize), &'static PyStrInterned)>>);

impl Names {
    fn get(&self, name: &'static str, vm: &VirtualMachine) -> &'static PyStrInterned {
        let key = (name.as_ptr() as usize, name.len());
        let mut names = self.0.borrow_mut();
        if let Some((_, interned)) = names.iter().find(|(k, _)| *k == key) {
            return interned;
        }
        let interned = vm.ctx.intern_str(name);
        names.push((key, interned));
        interned
    }
}

/// Serializes one value at `path`.
#[derive(Clone, Copy)]
pub(super) struct Serializer<'a> {
    vm: &'a VirtualMachine,
    path: &'a Path<'a>,
    names: &'a Names,
}

impl<'a> Serializer<'a> {
    pub(super) fn new(vm: &'a VirtualMachine, path: &'a Path<'a>, names: &'a Names) -> Self {
        Serializer { vm, path, names }
    }

    /// `value` serialized at `path`, errors placed there.
    fn child<T: Serialize + ?Sized>(&self, value: &T, path: &Path<'_>) -> Result<PyObjectRef> {
        value
            .serialize(Serializer::new(self.vm, path, self.names))
            .map_err(|e| e.at(path))
    }

    fn error(&self, message: impl Into<String>) -> Located {
        Located::new(message.into()).at(self.path)
    }

    fn int(&self, value: impl Into<BigInt>) -> PyObjectRef {
        self.vm.ctx.new_int(value.into()).into()
    }

    /// `{variant: content}`, the form pickle-core writes an enum variant with content in.
    fn variant(&self, variant: &str, content: PyObjectRef) -> Result<PyObjectRef> {
        let dict = self.vm.ctx.new_dict();
        dict.set_item(variant, content, self.vm)
            .map_err(|_| self.error("cannot make the variant's dict"))?;
        Ok(dict.into())
    }
}

impl<'a> ser::Serializer for Serializer<'a> {
    type Ok = PyObjectRef;
    type Error = Located;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Items<'a>;
    type SerializeMap = Entries<'a>;
    type SerializeStruct = Entries<'a>;
    type SerializeStructVariant = Entries<'a>;

    fn serialize_bool(self, v: bool) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.new_bool(v).into())
    }
    fn serialize_i8(self, v: i8) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_i16(self, v: i16) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_i32(self, v: i32) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_i64(self, v: i64) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_u16(self, v: u16) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_u32(self, v: u32) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_u64(self, v: u64) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_u128(self, v: u128) -> Result<PyObjectRef> {
        Ok(self.int(v))
    }
    fn serialize_f32(self, v: f32) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.new_float(f64::from(v)).into())
    }
    fn serialize_f64(self, v: f64) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.new_float(v).into())
    }
    fn serialize_char(self, v: char) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.new_str(v.to_string()).into())
    }
    fn serialize_str(self, v: &str) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.new_str(v).into())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.new_bytes(v.to_vec()).into())
    }
    fn serialize_none(self) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.none())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<PyObjectRef> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.none())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.none())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<PyObjectRef> {
        Ok(self.vm.ctx.new_str(variant).into())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<PyObjectRef> {
        match name {
            BIG_INT => {
                // `big_int` serializes the integer's little-endian two's-complement bytes.
                let bytes = value.serialize(self)?;
                let bytes = bytes
                    .downcast_ref::<PyBytes>()
                    .ok_or_else(|| self.error("big_int gives its bytes"))?;
                Ok(self.int(BigInt::from_signed_bytes_le(bytes.as_bytes())))
            }
            PERSISTENT_ID => Err(self.error(
                "a persistent id has no Python value outside a pickle (pickle it with \
                 pickle_core::serde::to_vec and load it with a persistent_load)",
            )),
            _ => value.serialize(self),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<PyObjectRef> {
        let content = self.child(value, &Path::Field(self.path, variant))?;
        self.variant(variant, content)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a>> {
        Ok(Items::new(self, Shape::List, len, None))
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'a>> {
        Ok(Items::new(self, Shape::Tuple, Some(len), None))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Items<'a>> {
        Ok(Items::new(self, Shape::Tuple, Some(len), None))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items<'a>> {
        Ok(Items::new(self, Shape::Tuple, Some(len), Some(variant)))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Entries<'a>> {
        Ok(Entries::new(self, None))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Entries<'a>> {
        Ok(Entries::new(self, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Entries<'a>> {
        Ok(Entries::new(self, Some(variant)))
    }
}

/// What a sequence becomes.
#[derive(Clone, Copy)]
enum Shape {
    List,
    Tuple,
}

/// The items of a sequence, tuple or tuple variant.
pub(super) struct Items<'a> {
    ser: Serializer<'a>,
    shape: Shape,
    items: Vec<PyObjectRef>,
    variant: Option<&'static str>,
}

impl<'a> Items<'a> {
    fn new(
        ser: Serializer<'a>,
        shape: Shape,
        len: Option<usize>,
        variant: Option<&'static str>,
    ) -> Self {
        // A length serde was told is only a hint: a bounded start.
        let items = Vec::with_capacity(len.unwrap_or(0).min(4096));
        Items {
            ser,
            shape,
            items,
            variant,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let index = self.items.len();
        let item = match self.variant {
            Some(variant) => {
                let at = Path::Field(self.ser.path, variant);
                self.ser.child(value, &Path::Index(&at, index))?
            }
            None => self.ser.child(value, &Path::Index(self.ser.path, index))?,
        };
        self.items.push(item);
        Ok(())
    }

    fn finish(self) -> Result<PyObjectRef> {
        let ctx = &self.ser.vm.ctx;
        let made: PyObjectRef = match self.shape {
            Shape::List => ctx.new_list(self.items).into(),
            Shape::Tuple => ctx.new_tuple(self.items).into(),
        };
        match self.variant {
            Some(variant) => self.ser.variant(variant, made),
            None => Ok(made),
        }
    }
}

macro_rules! items_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Items<'_> {
            type Ok = PyObjectRef;
            type Error = Located;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<PyObjectRef> {
                self.finish()
            }
        }
    };
}

items_impl!(SerializeSeq, serialize_element);
items_impl!(SerializeTuple, serialize_element);
items_impl!(SerializeTupleStruct, serialize_field);
items_impl!(SerializeTupleVariant, serialize_field);

/// The entries of a map, struct or struct variant: a dict.
pub(super) struct Entries<'a> {
    ser: Serializer<'a>,
    dict: PyDictRef,
    variant: Option<&'static str>,
    key: Option<PyObjectRef>,
}

impl<'a> Entries<'a> {
    fn new(ser: Serializer<'a>, variant: Option<&'static str>) -> Self {
        Entries {
            dict: ser.vm.ctx.new_dict(),
            ser,
            variant,
            key: None,
        }
    }

    fn put(&self, key: &PyObject, value: PyObjectRef, path: &Path<'_>) -> Result<()> {
        let vm = self.ser.vm;
        self.dict.set_item(key, value, vm).map_err(|e| {
            let text = e
                .as_object()
                .str(vm)
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Located::new(format!("cannot be a dict key: {text}")).at(path)
        })
    }

    /// The path of the entries: inside the variant's content, for a variant.
    fn with_base<R>(&self, f: impl FnOnce(&Path<'_>) -> R) -> R {
        match self.variant {
            Some(variant) => f(&Path::Field(self.ser.path, variant)),
            None => f(self.ser.path),
        }
    }

    fn finish(self) -> Result<PyObjectRef> {
        match self.variant {
            Some(variant) => self.ser.variant(variant, self.dict.into()),
            None => Ok(self.dict.into()),
        }
    }
}

impl ser::SerializeMap for Entries<'_> {
    type Ok = PyObjectRef;
    type Error = Located;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let made = self.with_base(|base| self.ser.child(key, base))?;
        self.key = Some(made);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| self.ser.error("a map value came without its key"))?;
        self.with_base(|base| {
            let at = Path::Key(base, &key);
            let value = self.ser.child(value, &at)?;
            self.put(&key, value, &at)
        })
    }

    fn end(self) -> Result<PyObjectRef> {
        self.finish()
    }
}

impl ser::SerializeStruct for Entries<'_> {
    type Ok = PyObjectRef;
    type Error = Located;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<()> {
        self.with_base(|base| {
            let at = Path::Field(base, name);
            let value = self.ser.child(value, &at)?;
            let key = self.ser.names.get(name, self.ser.vm);
            self.put(key.as_object(), value, &at)
        })
    }

    fn end(self) -> Result<PyObjectRef> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Entries<'_> {
    type Ok = PyObjectRef;
    type Error = Located;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(self, name, value)
    }

    fn end(self) -> Result<PyObjectRef> {
        self.finish()
    }
}
