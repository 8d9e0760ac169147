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
/// Levels of nesting between two looks at the stack.
const STACK_CHECK_EVERY: usize = 4;

/// How the elements of a list or dict are closed.
#[derive(Clone, Copy, PartialEq)]
enum Batching {
    /// Protocol 0: APPEND or SETITEM after each.
    EachOne,
    /// Exactly one element announced: APPEND or SETITEM after it.
    Single,
    /// No element announced.
    Empty,
    /// MARK .. APPENDS/SETITEMS, 1000 at a time.
    Batches,
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    List,
    Dict,
    Tuple { len: usize, small: bool },
}

/// The state of an open list, tuple or dict.
#[derive(Clone, Copy)]
struct Open {
    shape: Shape,
    batching: Batching,
    /// Elements until the open batch closes; where no batch closes (a tuple, one element or
    /// none announced) it counts down from `usize::MAX`, so it also tells how many came.
    until_batch_end: usize,
    /// A list's MARK, written when its batch's first element comes.
    mark_pending: bool,
    /// SETITEM after the end: the compound is a variant's content in `{variant: content}`.
    in_variant: bool,
    /// BUILD after the end: the compound is an instance's state.
    build: bool,
}

/// An open list, tuple, dict (a struct's too) or instance. serde's generated code moves it
/// by value at every step; inlined, it stays in registers.
pub(crate) struct Compound<'a, 'o> {
    w: &'a mut Writer<'o>,
    state: Open,
}

impl<'a, 'o> Compound<'a, 'o> {
    #[inline(always)]
    fn open(w: &'a mut Writer<'o>, shape: Shape, batching: Batching) -> Self {
        let until_batch_end = match batching {
            Batching::EachOne => 1,
            Batching::Batches => BATCH_SIZE,
            Batching::Single | Batching::Empty => usize::MAX,
        };
        let state = Open {
            shape,
            batching,
            until_batch_end,
            mark_pending: shape == Shape::List && batching == Batching::Batches,
            in_variant: false,
            build: false,
        };
        Compound { w, state }
    }

    #[inline(always)]
    fn top(&mut self) -> &mut Open {
        &mut self.state
    }

    #[inline(always)]
    fn batching(w: &Writer<'o>, len: Option<usize>) -> Batching {
        match len {
            _ if !w.enc.bin() => Batching::EachOne,
            Some(0) => Batching::Empty,
            Some(1) => Batching::Single,
            _ => Batching::Batches,
        }
    }

    #[inline(always)]
    pub(super) fn list(w: &'a mut Writer<'o>, len: Option<usize>) -> Result<Self, Error> {
        w.start()?;
        w.enter()?;
        w.enc.empty_list();
        w.memo_put()?;
        let batching = Self::batching(w, len);
        Ok(Self::open(w, Shape::List, batching))
    }

    #[inline(always)]
    pub(super) fn dict(w: &'a mut Writer<'o>, len: Option<usize>) -> Result<Self, Error> {
        w.start()?;
        w.enter()?;
        w.enc.empty_dict();
        w.memo_put()?;
        let batching = Self::batching(w, len);
        if batching == Batching::Batches {
            // The do-while loop: a MARK before the first batch, whatever follows.
            w.enc.op(op::MARK);
        }
        Ok(Self::open(w, Shape::Dict, batching))
    }

    #[inline(always)]
    pub(super) fn tuple(w: &'a mut Writer<'o>, len: usize) -> Result<Self, Error> {
        w.start()?;
        w.enter()?;
        let small = len > 0 && w.enc.tuple_begin(len);
        Ok(Self::open(w, Shape::Tuple { len, small }, Batching::Single))
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
        state.top().build = true;
        Ok(state)
    }

    /// The compound as the content of a variant's dict.
    pub(super) fn in_variant(mut self) -> Self {
        self.top().in_variant = true;
        self
    }

    #[inline(always)]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let w = &mut *self.w;
        // Asking how much stack is left costs as much as writing a small value; every few
        // levels is often enough, each level's frames being far smaller than the red zone.
        if w.depth.is_multiple_of(STACK_CHECK_EVERY) {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || value.serialize(&mut *w))
        } else {
            value.serialize(w)
        }
    }

    /// Before an element (a dict's key): a list's MARK where a batch starts.
    #[inline(always)]
    fn before(&mut self) {
        let top = self.top();
        if top.mark_pending {
            top.mark_pending = false;
            self.w.enc.op(op::MARK);
        }
    }

    /// After an element (a dict's value).
    #[inline(always)]
    fn after(&mut self) {
        let top = self.top();
        top.until_batch_end -= 1;
        if top.until_batch_end == 0 {
            self.batch_end();
        }
    }

    /// A batch closes: APPEND/SETITEM in protocol 0, APPENDS/SETITEMS after 1000.
    fn batch_end(&mut self) {
        let top = *self.top();
        let (one, many) = match top.shape {
            Shape::List => (op::APPEND, op::APPENDS),
            _ => (op::SETITEM, op::SETITEMS),
        };
        if top.batching == Batching::EachOne {
            self.top().until_batch_end = 1;
            self.w.enc.op(one);
            return;
        }
        self.top().until_batch_end = BATCH_SIZE;
        self.w.enc.op(many);
        if top.shape == Shape::Dict {
            self.w.enc.op(op::MARK);
        } else {
            self.top().mark_pending = true;
        }
    }

    #[inline(always)]
    fn finish(self) -> Result<(), Error> {
        let top = self.state;
        let w = self.w;
        // Meaningful where no batch closes, the only places it is used.
        let count = usize::MAX - top.until_batch_end;
        match (top.shape, top.batching) {
            (Shape::Tuple { len, small }, _) => {
                if count != len {
                    return Err(wrong_tuple_length(len, count));
                }
                if len == 0 {
                    w.enc.empty_tuple();
                } else {
                    w.enc.tuple_end(len, small);
                    w.memo_put()?;
                }
            }
            (_, Batching::Empty) if count > 0 => return Err(too_many()),
            (_, Batching::Single) if count > 1 => return Err(too_many()),
            (Shape::List, Batching::Batches) if !top.mark_pending => w.enc.op(op::APPENDS),
            (Shape::Dict, Batching::Batches) => w.enc.op(op::SETITEMS),
            (Shape::List, Batching::Single) if count == 1 => w.enc.op(op::APPEND),
            (Shape::Dict, Batching::Single) if count == 1 => w.enc.op(op::SETITEM),
            _ => {}
        }
        w.leave();
        if top.build {
            w.enc.op(op::BUILD);
        }
        if top.in_variant {
            w.enc.op(op::SETITEM);
        }
        Ok(())
    }
}

#[cold]
#[inline(never)]
fn wrong_tuple_length(len: usize, count: usize) -> Error {
    Error::msg(format!("a tuple of length {len} gave {count} elements"))
}

#[cold]
#[inline(never)]
fn too_many() -> Error {
    Error::msg("a sequence or map gave more elements than the length it announced")
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.before();
        self.element(value)?;
        self.after();
        Ok(())
    }

    #[inline]
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)?;
        self.after();
        Ok(())
    }

    #[inline]
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// Tuple structs and tuple variants are tuples, element by element.
macro_rules! tuple_like {
    ($($trait:ident)*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            #[inline]
            fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                ser::SerializeTuple::serialize_element(self, value)
            }

            #[inline]
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

tuple_like!(SerializeTupleStruct SerializeTupleVariant);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // A dict's MARK is written when it opens and after each batch: nothing before a key.
        self.element(key)
    }

    #[inline]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)?;
        self.after();
        Ok(())
    }

    #[inline]
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.w.interned(key)?;
        self.element(value)?;
        self.after();
        Ok(())
    }

    #[inline]
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    #[inline]
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}
