//! Lists, tuples, dicts and instances, element by element, with the C pickler's batching:
//! a lone element's APPEND/SETITEM, otherwise MARK .. APPENDS/SETITEMS batches of 1000 (a dict
//! of 1000·k pairs ending with an empty batch, as its do-while loop writes it), and one
//! APPEND/SETITEM per element in protocol 0.

use super::{Error, Writer};
use crate::encoder::BATCH_SIZE;
use crate::opcodes::op;
use serde::ser::{self, Serialize};

/// Below this much stack, a new segment is allocated before going deeper.
const STACK_RED_ZONE: usize = 64 * 1024;
/// The size of each new stack segment.
const STACK_GROWTH: usize = 1024 * 1024;

/// How the elements of a list or dict are closed.
#[derive(Clone, Copy, PartialEq)]
enum Batching {
    /// Protocol 0: APPEND or SETITEM after each.
    EachOne,
    /// Exactly one element: APPEND or SETITEM after it.
    Single,
    /// No element.
    Empty,
    /// MARK .. APPENDS/SETITEMS, 1000 at a time; `open` when a MARK awaits its batch's end.
    Batches { open: bool },
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    List,
    Dict,
    Tuple { len: usize, small: bool },
}

/// An open list, tuple, dict (a struct's too) or instance.
pub(crate) struct Compound<'a, 'o> {
    w: &'a mut Writer<'o>,
    shape: Shape,
    batching: Batching,
    count: usize,
    /// SETITEM after the end: the compound is a variant's content in `{variant: content}`.
    in_variant: bool,
    /// BUILD after the end: the compound is an instance's state.
    build: bool,
}

impl<'a, 'o> Compound<'a, 'o> {
    fn open(w: &'a mut Writer<'o>, shape: Shape, batching: Batching) -> Self {
        Compound {
            w,
            shape,
            batching,
            count: 0,
            in_variant: false,
            build: false,
        }
    }

    fn batching(w: &Writer<'o>, len: Option<usize>) -> Batching {
        match len {
            _ if !w.enc.bin() => Batching::EachOne,
            Some(0) => Batching::Empty,
            Some(1) => Batching::Single,
            _ => Batching::Batches { open: false },
        }
    }

    pub(super) fn list(w: &'a mut Writer<'o>, len: Option<usize>) -> Result<Self, Error> {
        w.start()?;
        w.enter()?;
        w.enc.empty_list();
        w.memo_put()?;
        let batching = Self::batching(w, len);
        Ok(Self::open(w, Shape::List, batching))
    }

    pub(super) fn dict(w: &'a mut Writer<'o>, len: Option<usize>) -> Result<Self, Error> {
        w.start()?;
        w.enter()?;
        w.enc.empty_dict();
        w.memo_put()?;
        let mut batching = Self::batching(w, len);
        if let Batching::Batches { open } = &mut batching {
            // The do-while loop: a MARK before the first batch, whatever follows.
            w.enc.op(op::MARK);
            *open = true;
        }
        Ok(Self::open(w, Shape::Dict, batching))
    }

    pub(super) fn tuple(w: &'a mut Writer<'o>, len: usize) -> Result<Self, Error> {
        w.start()?;
        w.enter()?;
        let small = len > 0 && w.enc.tuple_begin(len);
        let batching = if len == 0 {
            Batching::Empty
        } else {
            Batching::Batches { open: true }
        };
        Ok(Self::open(w, Shape::Tuple { len, small }, batching))
    }

    /// A struct as an instance of `module.qualname`: the object, then its fields as the
    /// state dict and BUILD (no state at all when there are no fields, as CPython's
    /// `__getstate__` gives None for an empty `__dict__`).
    pub(super) fn instance(
        w: &'a mut Writer<'o>,
        module: &'o str,
        qualname: &'o str,
        len: usize,
    ) -> Result<Self, Error> {
        w.instance_of(module, qualname)?;
        if len == 0 {
            w.enter()?;
            return Ok(Self::open(w, Shape::Dict, Batching::Empty));
        }
        let mut state = Self::dict(w, Some(len))?;
        state.build = true;
        Ok(state)
    }

    /// The compound as the content of a variant's dict.
    pub(super) fn in_variant(mut self) -> Self {
        self.in_variant = true;
        self
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let w = &mut *self.w;
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || value.serialize(&mut *w))
    }

    /// Before an element (a dict's key): a MARK where a batch starts; an error where the
    /// length given was short.
    fn before(&mut self) -> Result<(), Error> {
        match &mut self.batching {
            Batching::Batches { open } if !*open => {
                self.w.enc.op(op::MARK);
                *open = true;
            }
            Batching::Empty => return Err(self.too_many()),
            Batching::Single if self.count == 1 => return Err(self.too_many()),
            _ => {}
        }
        Ok(())
    }

    /// After an element (a dict's value).
    fn after(&mut self) {
        self.count += 1;
        let (one, many) = match self.shape {
            Shape::List => (op::APPEND, op::APPENDS),
            Shape::Dict => (op::SETITEM, op::SETITEMS),
            Shape::Tuple { .. } => return,
        };
        match &mut self.batching {
            Batching::EachOne => self.w.enc.op(one),
            Batching::Batches { open } if self.count.is_multiple_of(BATCH_SIZE) => {
                self.w.enc.op(many);
                *open = false;
                if self.shape == Shape::Dict {
                    self.w.enc.op(op::MARK);
                    *open = true;
                }
            }
            _ => {}
        }
    }

    fn too_many(&self) -> Error {
        Error::msg("a sequence or map gave more elements than the length it announced")
    }

    fn finish(self) -> Result<(), Error> {
        let w = self.w;
        match (self.shape, self.batching) {
            (Shape::Tuple { len, small }, _) => {
                if self.count != len {
                    return Err(Error::msg(format!(
                        "a tuple of length {len} gave {} elements",
                        self.count
                    )));
                }
                if len == 0 {
                    w.enc.empty_tuple();
                } else {
                    w.enc.tuple_end(len, small);
                    w.memo_put()?;
                }
            }
            (Shape::List, Batching::Batches { open: true }) => w.enc.op(op::APPENDS),
            (Shape::Dict, Batching::Batches { .. }) => w.enc.op(op::SETITEMS),
            (Shape::List, Batching::Single) if self.count == 1 => w.enc.op(op::APPEND),
            (Shape::Dict, Batching::Single) if self.count == 1 => w.enc.op(op::SETITEM),
            _ => {}
        }
        w.leave();
        if self.build {
            w.enc.op(op::BUILD);
        }
        if self.in_variant {
            w.enc.op(op::SETITEM);
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.before()?;
        self.element(value)?;
        self.after();
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.before()?;
        self.element(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)?;
        self.after();
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.before()?;
        self.w.interned(key)?;
        self.element(value)?;
        self.after();
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}
