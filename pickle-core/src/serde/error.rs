//! The one error type of `pickle_core::serde`, for reading and writing.

use crate::error::PickleError;
use std::fmt;

/// What went wrong reading or writing with serde; [`Error::kind`] tells which.
///
/// One pointer wide, so a `Result<(), Error>` comes back in one register: every value the
/// writer writes and the reader reads returns one, and the error itself is rare.
pub struct Error(Box<ErrorKind>);

/// The kinds of [`Error`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The pickle itself is malformed or exceeds a limit, or the value cannot be written in
    /// the protocol asked for (the message is CPython's).
    Pickle(PickleError),
    /// Reading from or writing to the stream failed.
    Io(std::io::Error),
    /// The pickle's data does not fit the Rust type, or the type cannot be pickled; the
    /// message says what was found and where the pickle and the type part ways.
    Message(String),
}

impl Error {
    #[cold]
    pub(crate) fn msg(text: impl Into<String>) -> Self {
        Error(Box::new(ErrorKind::Message(text.into())))
    }

    /// Which kind of error this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// The kind, owned (to take the [`PickleError`] or `io::Error` out).
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            ErrorKind::Pickle(e) => write!(f, "{e}"),
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.kind() {
            ErrorKind::Pickle(e) => Some(e),
            ErrorKind::Io(e) => Some(e),
            ErrorKind::Message(_) => None,
        }
    }
}

impl From<PickleError> for Error {
    #[cold]
    fn from(e: PickleError) -> Self {
        Error(Box::new(ErrorKind::Pickle(e)))
    }
}

impl From<std::io::Error> for Error {
    #[cold]
    fn from(e: std::io::Error) -> Self {
        Error(Box::new(ErrorKind::Io(e)))
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::msg(msg.to_string())
    }
}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::msg(msg.to_string())
    }
}
