//! A decoder source over a Python file object (`read` and `readline`).
//!
//! Frames are read whole; anything else is read as the opcodes need it, so the file is left
//! just after STOP and the next `load()` starts at the next pickle. Long reads go in chunks,
//! growing only as data actually arrives: a length the input merely claims costs nothing.

use super::vm_builder::LoadError;
use pickle_core::reader::Source;
use pickle_core::{ErrorKind, PickleError};
use rustpython_vm::builtins::PyBytes;
use rustpython_vm::{PyObjectRef, PyResult, TryFromObject, VirtualMachine};

/// The first chunk of a long read; later chunks double up to [`MAX_CHUNK`].
const FIRST_CHUNK: u64 = 64 * 1024;
const MAX_CHUNK: u64 = 16 * 1024 * 1024;

pub(crate) struct FileSource<'v> {
    vm: &'v VirtualMachine,
    read: PyObjectRef,
    readline: PyObjectRef,
    /// The current frame's bytes, and how far into them we are.
    frame: Vec<u8>,
    pos: usize,
    /// Bytes handed out by the last `take`/`take_line` that did not come from the frame.
    scratch: Vec<u8>,
    offset: u64,
}

impl<'v> FileSource<'v> {
    pub(crate) fn new(vm: &'v VirtualMachine, read: PyObjectRef, readline: PyObjectRef) -> Self {
        FileSource {
            vm,
            read,
            readline,
            frame: Vec::new(),
            pos: 0,
            scratch: Vec::new(),
            offset: 0,
        }
    }

    fn truncated(&self) -> LoadError {
        PickleError::new(ErrorKind::Truncated, self.offset).into()
    }

    fn call_read(&self, n: u64) -> PyResult<PyObjectRef> {
        self.read.call((n,), self.vm)
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

    /// Appends exactly `n` more bytes from the file to `out`, or fails with truncation.
    fn read_exact_into(&mut self, mut n: u64, out: &mut Vec<u8>) -> Result<(), LoadError> {
        let mut chunk = FIRST_CHUNK;
        while n > 0 {
            let want = n.min(chunk);
            let got = self.call_read(want)?;
            let got = self.bytes_of(&got)?;
            if got.is_empty() {
                return Err(self.truncated());
            }
            n = n.saturating_sub(got.len() as u64);
            out.extend_from_slice(&got);
            chunk = (chunk * 2).min(MAX_CHUNK);
        }
        Ok(())
    }

    fn frame_rest(&self) -> &[u8] {
        &self.frame[self.pos..]
    }
}

impl Source<LoadError> for FileSource<'_> {
    fn next_byte(&mut self) -> Result<Option<u8>, LoadError> {
        if let Some(&b) = self.frame.get(self.pos) {
            self.pos += 1;
            self.offset += 1;
            return Ok(Some(b));
        }
        let got = self.call_read(1)?;
        let got = self.bytes_of(&got)?;
        self.offset += got.len() as u64;
        Ok(got.first().copied())
    }

    fn take(&mut self, n: u64) -> Result<&[u8], LoadError> {
        let have = self.frame_rest().len() as u64;
        if n <= have {
            let start = self.pos;
            self.pos += n as usize;
            self.offset += n;
            return Ok(&self.frame[start..self.pos]);
        }
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.extend_from_slice(self.frame_rest());
        self.pos = self.frame.len();
        self.read_exact_into(n - have, &mut out)?;
        self.offset += n;
        self.scratch = out;
        Ok(&self.scratch)
    }

    fn take_line(&mut self) -> Result<&[u8], LoadError> {
        if let Some(end) = self.frame_rest().iter().position(|&b| b == b'\n') {
            let start = self.pos;
            self.pos += end + 1;
            self.offset += end as u64 + 1;
            return Ok(&self.frame[start..start + end]);
        }
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.extend_from_slice(self.frame_rest());
        self.pos = self.frame.len();
        let line = self.readline.call((), self.vm)?;
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
        let mut frame = self.frame_rest().to_vec();
        self.read_exact_into(len, &mut frame)?;
        self.frame = frame;
        self.pos = 0;
        Ok(())
    }

    fn position(&self) -> u64 {
        self.offset
    }
}
