//! The one error type of the embedding API, and its passage to and from Python exceptions.

use super::frames::Frame;
use super::object::Object;
use crate::embed::limits::interrupt::Reason;
use pickle_core::PickleError;
use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

/// Everything that can go wrong between a host and its runtime.
///
/// ```
/// use brine::{Error, Runtime};
///
/// let rt = Runtime::new()?;
/// match rt.run("import sys\nsys.exit(3)") {
///     Err(Error::Exit { code, .. }) => assert_eq!(code, 3), // the host process goes on
///     other => panic!("{other:?}"),
/// }
/// let Err(Error::Python(err)) = rt.run("{}['job']") else { panic!() };
/// assert_eq!(err.type_name(), "KeyError");
/// assert_eq!(err.to_string(), "KeyError: 'job'");
/// assert!(err.traceback().starts_with("Traceback (most recent call last):\n"));
/// let Err(Error::Conversion { expected, found, .. }) = rt.eval::<u8>("300") else { panic!() };
/// assert_eq!((expected.as_str(), found.as_str()), ("u8", "int"));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A Python exception: raised by Python code, or made by a host function to be raised.
    Python(PythonError),
    /// A value could not be converted between Python and Rust.
    Conversion {
        /// What was wanted: a Rust type (`u8`, `String`) or a shape (`a tuple of 2`).
        expected: String,
        /// The Python type found.
        found: String,
        /// Why the value did not fit, when its type was right (`300 is out of range`).
        detail: Option<String>,
    },
    /// A serde value and a Python value did not fit ([`Runtime::serialize`](crate::Runtime::serialize),
    /// [`Object::deserialize`](crate::Object::deserialize)).
    Serde {
        /// Where in the value: `records[3].price` (empty at the top).
        path: String,
        /// What did not fit: `expected float, found str`.
        message: String,
    },
    /// The script raised `SystemExit` (`sys.exit(...)`); the host process is not ended.
    Exit {
        /// The exit status `python` would end with: the code when it is an int, 0 for
        /// `None`, 1 for anything else.
        code: i32,
        /// The text of a code that is not an int or None (`sys.exit("no input")`), which
        /// `python` prints to stderr.
        message: Option<String>,
    },
    /// pickle-core's error: bytes that are not a pickle, a graph that cannot be written.
    Pickle(PickleError),
    /// A pickle graph names a global the allow-list does not allow; nothing was called.
    Forbidden {
        /// The global, as `module.name`.
        global: String,
    },
    /// The runtime could not be built, or was used in a way it cannot be.
    Build(String),
    /// The run was stopped by [`InterruptHandle::interrupt`](crate::InterruptHandle::interrupt).
    Interrupted,
    /// The run was stopped at its time limit ([`Builder::time_limit`](crate::Builder::time_limit),
    /// [`Runtime::with_time_limit`](crate::Runtime::with_time_limit)).
    Timeout {
        /// The limit it outlived.
        limit: Duration,
    },
    /// The run was stopped because the runtime's memory passed its limit
    /// ([`Builder::memory_limit`](crate::Builder::memory_limit),
    /// [`Runtime::with_memory_limit`](crate::Runtime::with_memory_limit)). The script saw
    /// a `MemoryError` and did not recover from it; what the run held has been let go,
    /// and the runtime goes on.
    MemoryLimit {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The run burned all its fuel ([`Builder::fuel`](crate::Builder::fuel),
    /// [`Runtime::with_fuel`](crate::Runtime::with_fuel)): it was stopped at the same
    /// instruction it would be stopped at on every run.
    OutOfFuel {
        /// The budget, in units (safe points).
        fuel: u64,
    },
}

impl Error {
    /// An exception for a host function to raise in the script that called it.
    ///
    /// ```
    /// use brine::{Error, ExceptionKind};
    /// let err = Error::raise(ExceptionKind::KeyError, "no job 7");
    /// assert_eq!(err.to_string(), "KeyError: no job 7");
    /// ```
    pub fn raise(kind: ExceptionKind, message: impl Into<String>) -> Error {
        Error::Python(PythonError::new(
            kind.name().to_string(),
            message.into(),
            None,
        ))
    }

    /// Raising an exception object made in Python (an instance of a class of your own,
    /// say): the host function that returns it raises that very object.
    pub fn from_exception(exception: Object) -> Result<Error, Error> {
        exception.into_error()
    }

    /// The error of a run that was stopped.
    pub(crate) fn stopped(reason: Reason) -> Error {
        match reason {
            Reason::Interrupt => Error::Interrupted,
            Reason::Timeout(limit) => Error::Timeout { limit },
            Reason::MemoryLimit(limit) => Error::MemoryLimit { limit },
            Reason::OutOfFuel(fuel) => Error::OutOfFuel { fuel },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Python(err) => err.fmt(f),
            Error::Conversion {
                expected,
                found,
                detail,
            } => {
                write!(f, "cannot convert Python {found} to {expected}")?;
                match detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            Error::Serde { path, message } if path.is_empty() => f.write_str(message),
            Error::Serde { path, message } => write!(f, "{path}: {message}"),
            Error::Exit {
                message: Some(message),
                ..
            } => write!(f, "the script exited: {message}"),
            Error::Exit { code, .. } => write!(f, "the script exited with status {code}"),
            Error::Pickle(err) => write!(f, "{err} (at byte {})", err.offset),
            Error::Forbidden { global } => write!(f, "global '{global}' is forbidden"),
            Error::Build(msg) => f.write_str(msg),
            Error::Interrupted => f.write_str("the run was interrupted"),
            Error::Timeout { limit } => write!(f, "the run exceeded its time limit of {limit:?}"),
            Error::OutOfFuel { fuel } => write!(f, "the run used up its fuel of {fuel} units"),
            Error::MemoryLimit { limit } => {
                write!(
                    f,
                    "the run exceeded the runtime's memory limit of {limit} bytes"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<PythonError> for Error {
    fn from(err: PythonError) -> Self {
        Error::Python(err)
    }
}

impl From<PickleError> for Error {
    fn from(err: PickleError) -> Self {
        Error::Pickle(err)
    }
}

/// A Python exception: its type, its message, the traceback `brine` would print for it, and
/// the exception object itself when there is one.
pub struct PythonError {
    type_name: String,
    message: String,
    exception: Option<Object>,
    traceback: OnceLock<String>,
    frames: OnceLock<Box<[Frame]>>,
}

impl PythonError {
    pub(crate) fn new(type_name: String, message: String, exception: Option<Object>) -> Self {
        PythonError {
            type_name,
            message,
            exception,
            traceback: OnceLock::new(),
            frames: OnceLock::new(),
        }
    }

    /// The exception type's qualified name, with its module unless it is a builtin:
    /// `ValueError`, `_pickle.UnpicklingError`, `jobs.RetryLater`.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// `str()` of the exception.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The exception object, for an exception raised in Python (`None` for one a host
    /// function made with [`Error::raise`]).
    pub fn exception(&self) -> Option<&Object> {
        self.exception.as_ref()
    }

    /// The traceback text, exactly as `brine FILE` prints it for an uncaught exception
    /// (chained exceptions and notes included), ending with a newline.
    pub fn traceback(&self) -> &str {
        self.traceback.get_or_init(|| match &self.exception {
            Some(exception) => exception
                .format_exception()
                .unwrap_or_else(|_| format!("{self}\n")),
            None => format!("{self}\n"),
        })
    }

    /// Formats the traceback now, while the frames' source is at hand.
    pub(crate) fn format_traceback(&self) {
        self.traceback();
    }

    pub(crate) fn frames_cell(&self) -> &OnceLock<Box<[Frame]>> {
        &self.frames
    }

    pub(crate) fn into_exception(self) -> Option<Object> {
        self.exception
    }
}

impl fmt::Display for PythonError {
    /// `Type: message`, or the type alone for an empty message, as Python's last
    /// traceback line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.type_name)
        } else {
            write!(f, "{}: {}", self.type_name, self.message)
        }
    }
}

impl fmt::Debug for PythonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PythonError")
            .field("type_name", &self.type_name)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

/// Built-in exception types a host function can raise with [`Error::raise`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExceptionKind {
    /// `Exception`
    Exception,
    /// `ValueError`
    ValueError,
    /// `TypeError`
    TypeError,
    /// `KeyError`
    KeyError,
    /// `IndexError`
    IndexError,
    /// `LookupError`
    LookupError,
    /// `RuntimeError`
    RuntimeError,
    /// `AttributeError`
    AttributeError,
    /// `NotImplementedError`
    NotImplementedError,
    /// `OSError`
    OSError,
    /// `FileNotFoundError`
    FileNotFoundError,
    /// `PermissionError`
    PermissionError,
    /// `TimeoutError`
    TimeoutError,
    /// `OverflowError`
    OverflowError,
    /// `ZeroDivisionError`
    ZeroDivisionError,
    /// `AssertionError`
    AssertionError,
}

impl ExceptionKind {
    /// The type's name in `builtins`.
    pub fn name(self) -> &'static str {
        match self {
            ExceptionKind::Exception => "Exception",
            ExceptionKind::ValueError => "ValueError",
            ExceptionKind::TypeError => "TypeError",
            ExceptionKind::KeyError => "KeyError",
            ExceptionKind::IndexError => "IndexError",
            ExceptionKind::LookupError => "LookupError",
            ExceptionKind::RuntimeError => "RuntimeError",
            ExceptionKind::AttributeError => "AttributeError",
            ExceptionKind::NotImplementedError => "NotImplementedError",
            ExceptionKind::OSError => "OSError",
            ExceptionKind::FileNotFoundError => "FileNotFoundError",
            ExceptionKind::PermissionError => "PermissionError",
            ExceptionKind::TimeoutError => "TimeoutError",
            ExceptionKind::OverflowError => "OverflowError",
            ExceptionKind::ZeroDivisionError => "ZeroDivisionError",
            ExceptionKind::AssertionError => "AssertionError",
        }
    }
}
