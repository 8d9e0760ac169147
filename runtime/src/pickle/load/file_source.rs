//! A decoder source over a Python file object (`read`, `readline`, and `peek` when present).
//!
//! The file is left just after STOP, so the next `load()` starts at the next pickle. With
//! `peek` (buffered files), bytes are served from a peeked window that is consumed with one
//! `read()` when used up and at STOP, as CPython's unpickler does; without it, opcodes are read
//! as they are needed and frames whole. Long reads go in chunks that grow only as data actually
//! arrives: a length the input merely claims costs nothing.

use super::vm_builder::LoadError;
use pickle_core::reader::Source;
use pickle_core::{ErrorKind, PickleError};
use rustpython_vm::builtins::PyBytes;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, TryFromObject, VirtualMachine};

/// The first chunk of a long read; later chunks double up to [`MAX_CHUNK`].
const FIRST_CHUNK: u64 = 64 * 1024;
const MAX_CHUNK: u64 = 16 * 1024 * 1024;
/// How much to ask `peek` for (CPython's prefetch size).
const PREFETCH: usize = 8192 * 16;

/// The file's methods.
pub(crate) struct FileMethods {
    pub(crate) read: PyObjectRef,
    pub(crate) readline: PyObjectRef,
    pub(crate) peek: Option<PyObjectRef>,
}

pub(crate) struct FileSource<'v> {
    vm: &'v VirtualMachine,
    file: FileMethods,
    /// Bytes available to the decoder: a frame, or a peeked window.
    buf: Vec<u8>,
    pos: usize,
    /// `buf[..consumed]` has been consumed from the file (read); the rest was only peeked.
    consumed: usize,
    /// Bytes handed out by the last `take`/`take_line` that did not come from `buf`.
    scratch: Vec<u8>,
    offset: u64,
}

impl<'v> FileSource<'v> {
    pub(crate) fn new(vm: &'v VirtualMachine, file: FileMethods) -> Self {
        FileSource {
            vm,
            file,
            buf: Vec::new(),
            pos: 0,
            consumed: 0,
            scratch: Vec::new(),
            offset: 0,
        }
    }

    fn truncated(&self) -> LoadError {
        PickleError::new(ErrorKind::Truncated, self.offset).into()
    }

    fn bytes_of(&self, data: &PyObjectRef) -> PyResult<Vec<u8>> {
        match data.downcast_ref::<PyBytes>() {
            Some(b) => Ok(b.as_bytes().to_vec()),
            None => {
                let buf =
                    rustpython_vm::function::ArgBytesLike::try_from_object(self.vm, data.clone())?;
                Ok(buf.borrow_buf().to_vec())
            }
        }
    }

    fn read(&self, n: u64) -> PyResult<Vec<u8>> {
        let data = self.file.read.call((n,), self.vm)?;
        self.bytes_of(&data)
    }

    /// Consumes from the file the peeked bytes the decoder has used, and forgets the window.
    fn settle(&mut self) -> PyResult<()> {
        if self.pos > self.consumed {
            self.read((self.pos - self.consumed) as u64)?;
        }
        self.buf.clear();
        self.pos = 0;
        self.consumed = 0;
        Ok(())
    }

    /// After `settle`: a new peeked window, when the file can peek. False at end of file or
    /// without `peek`.
    fn refill_by_peek(&mut self) -> PyResult<bool> {
        let Some(peek) = &self.file.peek else {
            return Ok(false);
        };
        let data = match peek.call((PREFETCH,), self.vm) {
            Ok(data) => data,
            // As CPython: a `peek` that raises NotImplementedError is not supported by the
            // file after all, and is not asked again.
            Err(e) if e.fast_isinstance(self.vm.ctx.exceptions.not_implemented_error) => {
                self.file.peek = None;
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        self.buf = self.bytes_of(&data)?;
        Ok(!self.buf.is_empty())
    }

    /// Appends exactly `n` more bytes from the file to `out`, or fails with truncation.
    fn read_exact_into(&mut self, mut n: u64, out: &mut Vec<u8>) -> Result<(), LoadError> {
        let mut chunk = FIRST_CHUNK;
        while n > 0 {
            let got = self.read(n.min(chunk))?;
            if got.is_empty() {
                return Err(self.truncated());
            }
            n = n.saturating_sub(got.len() as u64);
            out.extend_from_slice(&got);
            chunk = (chunk * 2).min(MAX_CHUNK);
        }
        Ok(())
    }

    fn rest(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// The unread part of the window moves to `scratch`; the window is settled.
    fn rest_to_scratch(&mut self) -> PyResult<Vec<u8>> {
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.extend_from_slice(self.rest());
        self.pos = self.buf.len();
        // The moved bytes count as used: settle consumes them from the file.
        self.settle()?;
        Ok(out)
    }
}

impl Source<LoadError> for FileSource<'_> {
    fn next_byte(&mut self) -> Result<Option<u8>, LoadError> {
        if self.pos == self.buf.len() {
            self.settle()?;
            if !self.refill_by_peek()? {
                let got = self.read(1)?;
                self.offset += got.len() as u64;
                return Ok(got.first().copied());
            }
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        self.offset += 1;
        Ok(Some(b))
    }

    fn take(&mut self, n: u64) -> Result<&[u8], LoadError> {
        if n <= self.rest().len() as u64 {
            let start = self.pos;
            self.pos += n as usize;
            self.offset += n;
            return Ok(&self.buf[start..self.pos]);
        }
        let mut out = self.rest_to_scratch()?;
        let missing = n - out.len() as u64;
        self.read_exact_into(missing, &mut out)?;
        self.offset += n;
        self.scratch = out;
        Ok(&self.scratch)
    }

    fn take_line(&mut self) -> Result<&[u8], LoadError> {
        if let Some(end) = self.rest().iter().position(|&b| b == b'\n') {
            let start = self.pos;
            self.pos += end + 1;
            self.offset += end as u64 + 1;
            return Ok(&self.buf[start..start + end]);
        }
        let mut out = self.rest_to_scratch()?;
        let line = self.file.readline.call((), self.vm)?;
        out.extend_from_slice(&self.bytes_of(&line)?);
        self.offset += out.len() as u64;
        if out.last() != Some(&b'\n') {
            return Err(self.truncated());
        }
        out.pop();
        self.scratch = out;
        Ok(&self.scratch)
    }

    fn enter_frame(&mut self, len: u64) -> Result<(), LoadError> {
        if len <= self.rest().len() as u64 {
            return Ok(());
        }
        let mut frame = self.rest_to_scratch()?;
        self.read_exact_into(len - frame.len() as u64, &mut frame)?;
        self.consumed = frame.len();
        self.buf = frame;
        self.pos = 0;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), LoadError> {
        if self.pos > self.consumed {
            self.read((self.pos - self.consumed) as u64)?;
            self.consumed = self.pos;
        }
        Ok(())
    }

    fn position(&self) -> u64 {
        self.offset
    }
}
