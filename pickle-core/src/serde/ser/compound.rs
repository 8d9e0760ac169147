//! Lists, tuples, dicts and instances, element by element, with the C pickler's batching:
//! a lone element's APPEND/SETITEM, otherwise MARK .. APPENDS/SETITEMS batches of 1000 (a dict
//! of 1000·k pairs ending with an empty batch, as its do-while loop writes it), and one
//! APPEND/SETITEM per element in protocol 0.

use super::{Error, Writer};
use crate::encoder::{BATCH_SIZE, tuple_end_code};
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
#[repr(u8)]
enum Batching {
    /// Protocol 0: APPEND or SETITEM after each.
    EachOne = 0,
    /// Exactly one element announced: APPEND or SETITEM after it.
    Single = 1,
    /// No element announced.
    Empty = 2,
    /// MARK .. APPENDS/SETITEMS, 1000 at a time.
    Batches = 3,
}

#[derive(Clone, Copy, PartialEq)]
#[repr(u8)]
enum Shape {
    List = 0,
    Dict = 1,
    Tuple = 2,
}

/// Bits of [`Open::flags`] past the shape (bits 0-1) and the batching (bits 2-3).
const BATCHING_SHIFT: u32 = 2;
/// A tuple written with TUPLE1/2/3 (no MARK).
const SMALL: usize = 1 << 4;
/// A list's MARK, written when its batch's first element comes.
const MARK_PENDING: usize = 1 << 5;
/// SETITEM after the end: the compound is a variant's content in `{variant: content}`.
const IN_VARIANT: usize = 1 << 6;
/// BUILD after the end: the compound is an instance's state.
const BUILD: usize = 1 << 7;

/// The announced length is kept in [`Open::flags`] from this bit up.
const LEN_SHIFT: u32 = 8;
/// The longest announced length [`Open`] can hold (far more than memory can): a longer tuple
/// is an error, a longer list or dict is recorded as this long (the length only sizes the
/// output there).
const MAX_LEN: usize = usize::MAX >> LEN_SHIFT;

/// The state of an open list, tuple or dict: two words, so that it is passed and returned in
/// registers, and kept there once the compound's code is inlined. (With a third word the
/// optimiser copied it through the stack as a 16-byte and an 8-byte piece and read a word back
/// across them, a failed store forwarding, a stall, per compound; with a byte per flag, the
/// same for fields written one by one and read back as a word.)
#[derive(Clone, Copy)]
struct Open {
    /// Elements until the open batch closes; where no batch closes (a tuple, one element or
    /// none announced) it counts down from `usize::MAX`, so it also tells how many came.
    until_batch_end: usize,
    /// The shape, the batching and the flags above, and the announced length (0 if none).
    flags: usize,
}

impl Open {
    #[inline(always)]
    fn shape(self) -> Shape {
        match self.flags & 0b11 {
            0 => Shape::List,
            1 => Shape::Dict,
            _ => Shape::Tuple,
        }
    }

    #[inline(always)]
    fn batching(self) -> Batching {
        match (self.flags >> BATCHING_SHIFT) & 0b11 {
            0 => Batching::EachOne,
            1 => Batching::Single,
            2 => Batching::Empty,
            _ => Batching::Batches,
        }
    }

    #[inline(always)]
    fn announced(self) -> usize {
        self.flags >> LEN_SHIFT
    }

    #[inline(always)]
    fn has(self, flag: usize) -> bool {
        self.flags & flag != 0
    }

    #[inline(always)]
    fn set(&mut self, flag: usize, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
}

/// An open list, tuple, dict (a struct's too) or instance. serde's generated code moves it
/// by value at every step; inlined, it stays in registers.
pub(crate) struct Compound<'a, 'o> {
    w: &'a mut Writer<'o>,
    state: Open,
}

impl<'a, 'o> Compound<'a, 'o> {
    #[inline(always)]
    fn open(w: &'a mut Writer<'o>, shape: Shape, batching: Batching, len: Option<usize>) -> Self {
        let announced = len.unwrap_or(0).min(MAX_LEN);
        Self::open_with_length(w, shape, batching, announced, false)
    }

    /// `announced` is at most [`MAX_LEN`].
    #[inline(always)]
    fn open_with_length(
        w: &'a mut Writer<'o>,
        shape: Shape,
        batching: Batching,
        announced: usize,
        small: bool,
    ) -> Self {
        let until_batch_end = match batching {
            Batching::EachOne => 1,
            Batching::Batches => BATCH_SIZE,
            Batching::Single | Batching::Empty => usize::MAX,
        };
        let mut state = Open {
            until_batch_end,
            flags: shape as usize | (batching as usize) << BATCHING_SHIFT | announced << LEN_SHIFT,
        };
        state.set(SMALL, small);
        state.set(
            MARK_PENDING,
            shape == Shape::List && batching == Batching::Batches,
        );
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
        w.open_container(op::EMPTY_LIST)?;
        let batching = Self::batching(w, len);
        Ok(Self::open(w, Shape::List, batching, len))
    }

    #[inline(always)]
    pub(super) fn dict(w: &'a mut Writer<'o>, len: Option<usize>) -> Result<Self, Error> {
        w.open_container(op::EMPTY_DICT)?;
        let batching = Self::batching(w, len);
        if batching == Batching::Batches {
            // The do-while loop: a MARK before the first batch, whatever follows.
            w.enc.op(op::MARK);
        }
        Ok(Self::open(w, Shape::Dict, batching, len))
    }

    #[inline(always)]
    pub(super) fn tuple(w: &'a mut Writer<'o>, len: usize) -> Result<Self, Error> {
        if len > MAX_LEN {
            return Err(Error::msg(format!("a tuple of length {len} is too long")));
        }
        w.start()?;
        w.enter()?;
        let small = len > 0 && w.enc.tuple_begin(len);
        Ok(Self::open_with_length(
            w,
            Shape::Tuple,
            Batching::Single,
            len,
            small,
        ))
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
            return Ok(Self::open(w, Shape::Dict, Batching::Empty, None));
        }
        let mut state = Self::dict(w, Some(len))?;
        state.top().set(BUILD, true);
        Ok(state)
    }

    /// The compound as the content of a variant's dict.
    pub(super) fn in_variant(mut self) -> Self {
        self.top().set(IN_VARIANT, true);
        self
    }

    #[inline(always)]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let w = &mut *self.w;
        // Asking how much stack is left costs as much as writing a small value; every few
        // levels is often enough, each level's frames being far smaller than the red zone.
        if w.depth.is_multiple_of(STACK_CHECK_EVERY) {
            return element_on_checked_stack(w, value);
        }
        value.serialize(w)
    }

    /// Before an element (a dict's key): a list's MARK where a batch starts.
    #[inline(always)]
    fn before(&mut self) {
        let top = self.top();
        if top.has(MARK_PENDING) {
            top.set(MARK_PENDING, false);
            self.w.enc.op(op::MARK);
        }
    }

    /// After an element (a dict's value).
    #[inline(always)]
    fn after(&mut self) {
        let top = self.top();
        top.until_batch_end -= 1;
        if top.until_batch_end == 0 {
            self.state = batch_end(self.w, self.state);
        }
    }

    /// Ends a list: APPENDS after the last batch (none when a batch just closed), or the
    /// APPEND of a lone announced element.
    #[inline(always)]
    fn finish_list(self) -> Result<(), Error> {
        let top = self.state;
        match top.batching() {
            Batching::Batches if !top.has(MARK_PENDING) => self.w.enc.op(op::APPENDS),
            Batching::Single | Batching::Empty => close_announced(self.w, top, op::APPEND)?,
            _ => {}
        }
        self.w.leave();
        Ok(())
    }

    /// Ends a dict (a struct's too): SETITEMS after the last batch, or the SETITEM of a lone
    /// announced pair; then BUILD for an instance's state, SETITEM for a variant's content.
    #[inline(always)]
    fn finish_dict(self) -> Result<(), Error> {
        let top = self.state;
        match top.batching() {
            Batching::Batches => self.w.enc.op(op::SETITEMS),
            Batching::Single | Batching::Empty => close_announced(self.w, top, op::SETITEM)?,
            Batching::EachOne => {}
        }
        self.w.leave();
        if top.has(BUILD) {
            self.w.enc.op(op::BUILD);
        }
        if top.has(IN_VARIANT) {
            self.w.enc.op(op::SETITEM);
        }
        Ok(())
    }

    /// Ends a tuple: TUPLE1/2/3 or TUPLE and its memo entry, or EMPTY_TUPLE; then SETITEM for
    /// a variant's content.
    #[inline(always)]
    fn finish_tuple(self) -> Result<(), Error> {
        let top = self.state;
        let (len, small) = (top.announced(), top.has(SMALL));
        // A tuple never closes a batch, so the countdown tells how many elements came.
        let count = usize::MAX - top.until_batch_end;
        if count != len {
            return Err(wrong_tuple_length(len, count));
        }
        let w = self.w;
        if len == 0 {
            w.enc.empty_tuple();
        } else {
            let idx = w.next_memo();
            w.enc.op_memoized(tuple_end_code(len, small), idx)?;
        }
        w.leave();
        if top.has(IN_VARIANT) {
            w.enc.op(op::SETITEM);
        }
        Ok(())
    }
}

/// A batch closes: APPEND/SETITEM in protocol 0, APPENDS/SETITEMS after 1000; returns the
/// state for the next batch. The outermost list's or dict's first batch also sizes the output
/// for the rest ([`Writer::reserve_for_the_rest`]). The state goes in and out by value: were
/// its address taken, it could not stay in registers, and every compound would be copied
/// through memory.
#[inline(never)]
fn batch_end(w: &mut Writer, mut top: Open) -> Open {
    let (one, many) = match top.shape() {
        Shape::List => (op::APPEND, op::APPENDS),
        _ => (op::SETITEM, op::SETITEMS),
    };
    if top.batching() == Batching::EachOne {
        top.until_batch_end = 1;
        w.enc.op(one);
        return top;
    }
    top.until_batch_end = BATCH_SIZE;
    w.enc.op(many);
    if w.depth == 1 {
        w.reserve_for_the_rest(top.announced());
    }
    if top.shape() == Shape::Dict {
        w.enc.op(op::MARK);
    } else {
        top.set(MARK_PENDING, true);
    }
    top
}

/// Where at most one element was announced: its APPEND or SETITEM (`one`), or an error if
/// more came than announced.
#[inline(never)]
fn close_announced(w: &mut Writer, top: Open, one: u8) -> Result<(), Error> {
    let count = usize::MAX - top.until_batch_end;
    let announced = usize::from(top.batching() == Batching::Single);
    if count > announced {
        return Err(too_many());
    }
    if count == 1 {
        w.enc.op(one);
    }
    Ok(())
}

/// An element, on a new stack segment if little is left. Out of line: the check and its
/// closure would otherwise make each element's code too large to be inlined into its caller.
#[inline(never)]
fn element_on_checked_stack<T: Serialize + ?Sized>(w: &mut Writer, value: &T) -> Result<(), Error> {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || value.serialize(w))
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

    #[inline(always)]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.before();
        self.element(value)?;
        self.after();
        Ok(())
    }

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish_list()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)?;
        self.after();
        Ok(())
    }

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish_tuple()
    }
}

/// Tuple structs and tuple variants are tuples, element by element.
macro_rules! tuple_like {
    ($($trait:ident)*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;

            #[inline(always)]
            fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                ser::SerializeTuple::serialize_element(self, value)
            }

            #[inline(always)]
            fn end(self) -> Result<(), Error> {
                self.finish_tuple()
            }
        }
    )*};
}

tuple_like!(SerializeTupleStruct SerializeTupleVariant);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // A dict's MARK is written when it opens and after each batch: nothing before a key.
        self.element(key)
    }

    #[inline(always)]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)?;
        self.after();
        Ok(())
    }

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish_dict()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
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

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish_dict()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    #[inline(always)]
    fn end(self) -> Result<(), Error> {
        self.finish_dict()
    }
}
