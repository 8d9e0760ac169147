//! The one error type of `pickle_core::serde`, for reading and writing.

use crate::error::PickleError;
use std::fmt;

/// What went wrong reading or writing with serde. Each variant holds one pointer, so a
/// `Result<(), Error>` fits in two registers: every value written returns one.
#[derive(Debug)]
pub enum Error {
    /// The pickle itself is malformed or exceeds a limit, or the value cannot be written in
    /// the protocol asked for (the message is CPython's).
    Pickle(Box<PickleError>),
    /// Reading from or writing to the stream failed.
    Io(std::io::Error),
    /// The pickle's data does not fit the Rust type, or the type cannot be pickled; the
    /// message says what was found and where the pickle and the type part ways.
    Message(Box<String>),
}

impl Error {
    pub(crate) fn msg(text: impl Into<String>) -> Self {
        Error::Message(Box::new(text.into()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Pickle(e) => write!(f, "{e}"),
            Error::Io(e) => write!(f, "{e}"),
            Error::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Pickle(e) => Some(e.as_ref()),
            Error::Io(e) => Some(e),
            Error::Message(_) => None,
        }
    }
}

impl From<PickleError> for Error {
    #[cold]
    fn from(e: PickleError) -> Self {
        Error::Pickle(Box::new(e))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
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
