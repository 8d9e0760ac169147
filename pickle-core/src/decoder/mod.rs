//! The decoder: a stack machine over a [`Source`], making values through a [`Builder`].
//!
//! The value stack is one flat vector; MARK pushes a stack height onto a second vector, and
//! the top height is the fence below which ordinary opcodes may not pop (as in CPython).
//! Nothing recurses on input depth.

mod builder;
mod dispatch;
mod limits;
mod machine;
mod memo;
mod memo_reads;

pub use builder::{Builder, InlineData, Items};
pub use limits::Limits;
pub use memo::Memo;
pub use memo_reads::MemoReads;

use crate::error::PickleError;
use crate::reader::{SliceSource, Source};
use machine::Machine;

/// Reads one pickle from `src` and returns its value. `memo` persists between calls, as an
/// `Unpickler`'s memo does between `load()`s.
pub fn load<E, S, B>(
    src: &mut S,
    builder: &mut B,
    memo: &mut Memo<B::Value>,
    limits: &Limits,
) -> Result<B::Value, E>
where
    E: From<PickleError>,
    S: Source<E>,
    B: Builder<Error = E>,
{
    Machine::new(src, builder, memo, limits).run()
}

/// Reads one pickle from the start of `data` with a fresh memo.
pub fn loads<B: Builder>(
    data: &[u8],
    builder: &mut B,
    limits: &Limits,
) -> Result<B::Value, B::Error> {
    let mut src = SliceSource::new(data);
    load(&mut src, builder, &mut Memo::new(), limits)
}

#[cfg(test)]
mod tests;
