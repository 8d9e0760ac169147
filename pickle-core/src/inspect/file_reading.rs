//! The bytes as `pickle.load(file)` reads them, where that differs from `pickle.loads`.
//!
//! CPython's C unpickler reads a FRAME's bytes from a file into its buffer, and an opcode
//! whose argument needs more than the buffer still holds reads the whole argument from the
//! file, dropping what was left of the frame. `loads` has all the bytes in one buffer and
//! reads straight across the frame's end; the pure-Python unpickler refuses ("pickle exhausted
//! before end of frame"). So a pickle whose argument crosses a frame's end is two pickles:
//! one harmless as `loads` reads it, another (`os.system` say) as `load(BytesIO)` and
//! `torch.load` read it (measured with CPython 3.11 and 3.13). This source reads as `loads`
//! does or as a file does, and notes where an argument crossed a frame's end: the second
//! reading is needed only where the first found one.

use crate::error::{ErrorKind, PickleError};
use crate::reader::Source;

/// A pickle in memory read as the C unpickler reads it from bytes or from a file.
pub(super) struct FramedReading<'a> {
    data: &'a [u8],
    pos: usize,
    /// Whether the rest of a frame too short for a read is dropped (a file) or read across
    /// (`loads`).
    as_file: bool,
    /// The end of the frame in the buffer, while one is.
    frame_end: Option<usize>,
    /// Where an argument crossed a frame's end: the offset of the dropped bytes.
    pub(super) straddles: Vec<u64>,
}

impl<'a> FramedReading<'a> {
    /// `data` as `pickle.loads(data)` reads it.
    pub(super) fn as_loads(data: &'a [u8]) -> Self {
        FramedReading {
            data,
            pos: 0,
            as_file: false,
            frame_end: None,
            straddles: Vec::new(),
        }
    }

    /// `data` as `pickle.load(io.BytesIO(data))` reads it.
    pub(super) fn as_file(data: &'a [u8]) -> Self {
        FramedReading {
            as_file: true,
            ..Self::as_loads(data)
        }
    }

    /// Before a read of `n` bytes (None: a line): when the frame holds fewer, the C reader
    /// of a file drops the rest of it and reads from the file after it.
    fn leave_short_frame(&mut self, n: Option<usize>) {
        let Some(end) = self.frame_end else {
            return;
        };
        let held = &self.data[self.pos..end];
        let enough = match n {
            Some(n) => n <= held.len(),
            None => held.contains(&b'\n'),
        };
        if enough {
            return;
        }
        if !held.is_empty() {
            self.straddles.push(self.pos as u64);
        }
        if self.as_file {
            self.pos = end;
        }
        self.frame_end = None;
    }

    /// The offset of the next byte to be read.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    fn truncated(&self) -> PickleError {
        PickleError::new(ErrorKind::Truncated, self.pos as u64)
    }
}

impl<E: From<PickleError>> Source<E> for FramedReading<'_> {
    fn next_byte(&mut self) -> Result<Option<u8>, E> {
        self.leave_short_frame(Some(1));
        let byte = self.data.get(self.pos).copied();
        self.pos += usize::from(byte.is_some());
        Ok(byte)
    }

    fn take(&mut self, n: u64) -> Result<&[u8], E> {
        let n = usize::try_from(n).map_err(|_| self.truncated())?;
        self.leave_short_frame(Some(n));
        if n > self.data.len() - self.pos {
            return Err(self.truncated().into());
        }
        let start = self.pos;
        self.pos += n;
        Ok(&self.data[start..self.pos])
    }

    fn take_line(&mut self) -> Result<&[u8], E> {
        self.leave_short_frame(None);
        let rest = &self.data[self.pos..];
        let Some(n) = rest.iter().position(|&b| b == b'\n') else {
            return Err(self.truncated().into());
        };
        self.pos += n + 1;
        Ok(&rest[..n])
    }

    fn enter_frame(&mut self, len: u64) -> Result<(), E> {
        let len = usize::try_from(len).map_err(|_| self.truncated())?;
        // A frame inside the buffer's frame is read from that buffer, which stays; one that
        // does not fit is read from the file (or, by loads, across).
        self.leave_short_frame(Some(len));
        if self.frame_end.is_none() {
            if len > self.data.len() - self.pos {
                return Err(self.truncated().into());
            }
            self.frame_end = Some(self.pos + len);
        }
        Ok(())
    }

    fn position(&self) -> u64 {
        self.pos as u64
    }
}
