//! The machine's state and its stack discipline.

use super::{Builder, Limits, Memo};
use crate::error::{ErrorKind, PickleError};
use crate::reader::Source;

/// A word per stack entry, for the memory budget.
const ENTRY_COST: u64 = 8;

pub(super) struct Machine<'a, S, B: Builder> {
    pub(super) src: &'a mut S,
    pub(super) b: &'a mut B,
    pub(super) memo: &'a mut Memo<B::Value>,
    pub(super) stack: Vec<B::Value>,
    marks: Vec<usize>,
    fence: usize,
    pub(super) limits: &'a Limits,
    used: u64,
    /// Offset of the opcode being run, for error reports.
    pub(super) at: u64,
    /// How many inline pickles (see [`super::InlineData`]) this one is inside.
    pub(super) nesting: usize,
    /// The pairs of a SETITEMS fused with the BUILD after it, kept for the next one.
    pub(super) pairs: Vec<B::Value>,
}

impl<'a, E, S, B> Machine<'a, S, B>
where
    E: From<PickleError>,
    S: Source<E>,
    B: Builder<Error = E>,
{
    pub(super) fn new(
        src: &'a mut S,
        b: &'a mut B,
        memo: &'a mut Memo<B::Value>,
        limits: &'a Limits,
    ) -> Self {
        Machine {
            src,
            b,
            memo,
            stack: Vec::new(),
            marks: Vec::new(),
            fence: 0,
            limits,
            used: 0,
            at: 0,
            nesting: 0,
            pairs: Vec::new(),
        }
    }

    /// The height of the innermost mark: what lies below it only a mark's opcode may take.
    pub(super) fn fence(&self) -> usize {
        self.fence
    }

    pub(super) fn err(&self, kind: ErrorKind) -> E {
        PickleError::new(kind, self.at).into()
    }

    /// Counts `bytes` against the memory limit.
    #[inline]
    pub(super) fn charge(&mut self, bytes: u64) -> Result<(), E> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limits.max_memory {
            return Err(self.over_memory());
        }
        Ok(())
    }

    /// Counts `n` stack or memo entries against the memory limit, for opcodes a fused step
    /// reads without pushing or storing what they would have.
    pub(super) fn charge_entries(&mut self, n: u64) -> Result<(), E> {
        self.charge(ENTRY_COST * n)
    }

    /// Out of line, so that the checks above stay small enough to inline into every push.
    #[cold]
    #[inline(never)]
    fn over_memory(&self) -> E {
        self.err(ErrorKind::LimitExceeded("memory"))
    }

    #[inline(always)]
    pub(super) fn push(&mut self, value: B::Value) -> Result<(), E> {
        self.charge(ENTRY_COST)?;
        self.stack.push(value);
        Ok(())
    }

    fn underflow(&self) -> E {
        let kind = if self.marks.is_empty() {
            ErrorKind::StackUnderflow
        } else {
            ErrorKind::UnexpectedMark
        };
        self.err(kind)
    }

    /// Pops the top value; it must lie above the fence.
    #[inline]
    pub(super) fn pop(&mut self) -> Result<B::Value, E> {
        if self.stack.len() <= self.fence {
            return Err(self.underflow());
        }
        Ok(self.stack.pop().expect("above the fence"))
    }

    /// The top value, which must lie above the fence.
    #[inline]
    pub(super) fn top(&self) -> Result<&B::Value, E> {
        if self.stack.len() <= self.fence {
            return Err(self.underflow());
        }
        Ok(self.stack.last().expect("above the fence"))
    }

    /// Replaces the top value (which must exist above the fence).
    pub(super) fn replace_top(&mut self, value: B::Value) {
        *self.stack.last_mut().expect("checked by top()") = value;
    }

    pub(super) fn mark(&mut self) -> Result<(), E> {
        if self.marks.len() >= self.limits.max_marks {
            return Err(self.err(ErrorKind::LimitExceeded("mark depth")));
        }
        self.charge(ENTRY_COST)?;
        self.marks.push(self.stack.len());
        self.fence = self.stack.len();
        Ok(())
    }

    /// Removes the top mark and returns the stack height it recorded.
    pub(super) fn pop_mark(&mut self) -> Result<usize, E> {
        let Some(height) = self.marks.pop() else {
            return Err(self.err(ErrorKind::NoMark));
        };
        self.fence = self.marks.last().copied().unwrap_or(0);
        Ok(height)
    }

    pub(super) fn has_marks(&self) -> bool {
        !self.marks.is_empty()
    }

    /// Removes the top mark and the values above it, returning those values.
    pub(super) fn take_marked(&mut self) -> Result<Vec<B::Value>, E> {
        let height = self.pop_mark()?;
        Ok(self.stack.split_off(height))
    }

    /// For APPENDS/SETITEMS/ADDITEMS: removes the top mark and returns the stack height it
    /// recorded; the container just below it must lie above the new fence.
    pub(super) fn pop_mark_with_target(&mut self) -> Result<usize, E> {
        let height = self.pop_mark()?;
        if height == 0 || height <= self.fence {
            return Err(self.underflow());
        }
        Ok(height)
    }

    /// Pops the top `N` values, in stack order, without a vector for them.
    #[inline]
    pub(super) fn pop_array<const N: usize>(&mut self) -> Result<[B::Value; N], E> {
        if self.stack.len() < self.fence + N {
            return Err(self.underflow());
        }
        let mut top = self.stack.drain(self.stack.len() - N..);
        Ok(std::array::from_fn(|_| {
            top.next().expect("N values above the fence")
        }))
    }

    /// Pops the top `n` values, in stack order.
    pub(super) fn pop_n(&mut self, n: usize) -> Result<Vec<B::Value>, E> {
        if self.stack.len() < self.fence + n {
            return Err(self.underflow());
        }
        Ok(self.stack.split_off(self.stack.len() - n))
    }

    /// A put at `idx` where the loop reads it after a value: the usual case (an entry no GET
    /// reads, counted without its value) inlined, anything else through
    /// [`memo_put`](Self::memo_put), which checks and fails as before.
    #[inline(always)]
    pub(super) fn memoize(&mut self, idx: u64) -> Result<(), E> {
        if self.stack.len() > self.fence && self.puts_without_value(idx) {
            return self.put_without_value(idx);
        }
        self.memo_put(idx)
    }

    /// Whether a put at `idx` would only count the entry (no GET reads it), with the memo's
    /// size limit left as the put would meet it.
    #[inline(always)]
    pub(super) fn puts_without_value(&self, idx: u64) -> bool {
        self.memo.len() < self.limits.max_memo && self.memo.counts_without_value(idx)
    }

    /// The put at `idx` that [`puts_without_value`](Self::puts_without_value) allowed.
    #[inline(always)]
    pub(super) fn put_without_value(&mut self, idx: u64) -> Result<(), E> {
        self.charge(ENTRY_COST)?;
        let counted = self.memo.put_unkept(idx);
        debug_assert!(counted, "checked by puts_without_value");
        Ok(())
    }

    #[inline]
    pub(super) fn memo_put(&mut self, idx: u64) -> Result<(), E> {
        self.top()?;
        if self.memo.len() >= self.limits.max_memo && self.memo.get(idx).is_none() {
            return Err(self.err(ErrorKind::LimitExceeded("memo size")));
        }
        self.charge(ENTRY_COST)?;
        if self.memo.keeps(idx) || !self.memo.put_unkept(idx) {
            let value = self.top()?.clone();
            self.memo.put(idx, value);
        }
        Ok(())
    }

    #[inline]
    pub(super) fn memo_get(&mut self, idx: u64) -> Result<(), E> {
        let value = match self.memo.get(idx) {
            Some(v) => v.clone(),
            None => return Err(self.err(ErrorKind::MemoMissing(idx))),
        };
        self.push(value)
    }
}
