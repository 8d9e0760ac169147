//! The text of `bytes` pickled at protocols 0-2, which CPython writes as
//! `_codecs.encode(text, 'latin1')`: the load makes the str (the pickle memoizes it, so it
//! must exist), and the call that follows turns it back into bytes. A load remembers the
//! last str it made from latin-1 text with a character past ASCII (ASCII text, the 'latin1'
//! argument among it, converts back as it is), with the bytes when it had them (protocol 0's
//! text is latin-1 bytes after unescaping) or the knowledge that the text is latin-1
//! (protocols 1-2: the decoder checked it), so that the call takes the bytes as they are, or
//! converts without checking the text again.

use pickle_core::text::latin1_utf8_to_latin1;
use rustpython_vm::builtins::PyStr;
use rustpython_vm::{AsObject, Py, PyRef};

/// The last str made from latin-1 text past ASCII.
#[derive(Default)]
pub(super) struct Latin1Text {
    last: Option<(PyRef<PyStr>, Option<Vec<u8>>)>,
}

impl Latin1Text {
    /// Remembers `text`, made from latin-1 text, with its bytes when they are at hand.
    pub(super) fn made(&mut self, text: &PyRef<PyStr>, bytes: Option<Vec<u8>>) {
        self.last = Some((text.clone(), bytes));
    }

    /// `text` as latin-1 bytes, when it is the str last remembered (the same object: a str
    /// is immutable, so what was known of it still holds). Taken, not copied: the bytes
    /// become the `bytes` object.
    pub(super) fn take_bytes(&mut self, text: &Py<PyStr>) -> Option<Vec<u8>> {
        let (_, bytes) = self.last.take_if(|(last, _)| last.is(text))?;
        Some(bytes.unwrap_or_else(|| latin1_utf8_to_latin1(text.as_wtf8().as_bytes())))
    }
}
