//! Where in a value a serde conversion is: `records[3].price`, for its errors.

use rustpython_vm::PyObject;
use rustpython_vm::builtins::PyStr;
use std::fmt::{self, Write};

/// `key` when it is a str a path can show as a field name.
fn identifier(key: &PyObject) -> Option<&str> {
    let text = key.downcast_ref::<PyStr>()?.to_str()?;
    let is_name = !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_');
    is_name.then_some(text)
}

/// `repr(key)`, in the runtime the conversion runs in.
fn shown(key: &PyObject) -> String {
    rustpython_vm::vm::thread::try_with_current_vm(|vm| {
        key.repr(vm).ok().map(|r| r.to_string_lossy().into_owned())
    })
    .flatten()
    .unwrap_or_else(|| format!("<{}>", key.class().name()))
}

/// A place in the value, as a chain from the root (kept on the stack: a conversion that
/// succeeds never renders it).
#[derive(Clone, Copy)]
pub(super) enum Path<'a> {
    Root,
    /// A struct field or a str key that is an identifier.
    Field(&'a Path<'a>, &'a str),
    /// An item of a sequence.
    Index(&'a Path<'a>, usize),
    /// The value of a map entry: a str key that is an identifier shows as a field, any
    /// other key as its repr (made only if an error is shown: each entry would pay for it).
    Key(&'a Path<'a>, &'a PyObject),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Path::Root => Ok(()),
            Path::Field(parent, name) => {
                write!(f, "{parent}")?;
                if !matches!(parent, Path::Root) {
                    f.write_char('.')?;
                }
                f.write_str(name)
            }
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
            Path::Key(parent, key) => match identifier(key) {
                Some(name) => write!(f, "{}", Path::Field(parent, name)),
                None => write!(f, "{parent}[{}]", shown(key)),
            },
        }
    }
}

/// An error of a serde conversion, either way, and where it happened: the innermost place
/// that saw it.
pub(super) struct Located {
    pub(super) message: String,
    pub(super) path: Option<String>,
}

impl Located {
    pub(super) fn new(message: String) -> Self {
        Located {
            message,
            path: None,
        }
    }

    /// This error, placed at `path` unless a place inside it was named already.
    pub(super) fn at(mut self, path: &Path<'_>) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_string());
        }
        self
    }

    pub(super) fn into_error(self) -> crate::embed::api::error::Error {
        crate::embed::api::error::Error::Serde {
            path: self.path.unwrap_or_default(),
            message: self.message,
        }
    }
}

impl fmt::Debug for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Located {}

impl serde::ser::Error for Located {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Located::new(msg.to_string())
    }
}

impl serde::de::Error for Located {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Located::new(msg.to_string())
    }
}
