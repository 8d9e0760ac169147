//! Typed views of an [`Object`] that is a `dict`, `list` or `tuple` (or a subclass of one),
//! for the operations a host does on them most, with items converted on the way.

use super::error::Error;
use super::object::Object;
use super::protocol::ObjectIter;
use super::runtime::Runtime;
use crate::embed::convert::{FromPython, ToPython, mismatch};
use rustpython_vm::builtins::{PyDict, PyList, PyTuple};
use rustpython_vm::{AsObject, PyObject, PyPayload};

/// A `dict`, from [`Object::as_dict`] or [`Runtime::dict`].
///
/// ```
/// use brine::{Error, Runtime};
///
/// let rt = Runtime::new()?;
/// let config = rt.eval::<brine::Object>("{'retries': 3, 'hosts': ['a', 'b']}")?.as_dict()?;
/// assert_eq!(config.get::<i64>("retries")?, Some(3));
/// assert_eq!(config.get::<i64>("timeout")?, None);
/// config.set("timeout", 2.5)?;
/// let keys: Vec<String> = config.keys()?;
/// assert_eq!(keys, ["retries", "hosts", "timeout"]);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Dict(Object);

/// A `list`, from [`Object::as_list`] or [`Runtime::list`].
///
/// ```
/// use brine::{Error, Runtime};
///
/// let rt = Runtime::new()?;
/// let queue = rt.list(&["parse", "index"])?;
/// queue.push("publish")?;
/// assert_eq!(queue.get::<String>(-1)?, "publish");
/// rt.globals()?.set_item("queue", queue.clone().into_object())?;
/// rt.run("queue.pop(0)")?;
/// assert_eq!(queue.to_vec::<String>()?, ["index", "publish"]);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct List(Object);

/// A `tuple`, from [`Object::as_tuple`].
///
/// ```
/// use brine::{Error, Runtime};
///
/// let rt = Runtime::new()?;
/// let version = rt.eval::<brine::Object>("__import__('sys').version_info[:3]")?.as_tuple()?;
/// assert_eq!((version.len()?, version.get::<i64>(0)?), (3, 3));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Tuple(Object);

/// Whether `obj` is an instance of `T`'s type or of a subclass.
fn is_a<T: PyPayload>(obj: &PyObject, cx: &crate::embed::convert::Vm<'_>) -> bool {
    obj.class()
        .fast_issubclass(T::class(&cx.vm.ctx).as_object())
}

impl Object {
    /// This object as a [`Dict`]; a conversion error unless it is a `dict`.
    pub fn as_dict(&self) -> Result<Dict, Error> {
        self.view::<PyDict>("dict").map(Dict)
    }

    /// This object as a [`List`]; a conversion error unless it is a `list`.
    pub fn as_list(&self) -> Result<List, Error> {
        self.view::<PyList>("list").map(List)
    }

    /// This object as a [`Tuple`]; a conversion error unless it is a `tuple`.
    pub fn as_tuple(&self) -> Result<Tuple, Error> {
        self.view::<PyTuple>("tuple").map(Tuple)
    }

    fn view<T: PyPayload>(&self, name: &str) -> Result<Object, Error> {
        self.with_raw(|obj, cx| {
            if is_a::<T>(obj, cx) {
                Ok(self.clone())
            } else {
                Err(mismatch(obj, name))
            }
        })
    }
}

impl Runtime {
    /// A new empty `dict`.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::new()?;
    /// let totals = rt.dict()?;
    /// totals.set((2026, 12), 31.5)?;
    /// assert_eq!(totals.get::<f64>((2026, 12))?, Some(31.5));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn dict(&self) -> Result<Dict, Error> {
        self.eval::<Object>("{}").map(Dict)
    }

    /// A new `list` of `items`.
    pub fn list<T: ToPython>(&self, items: &[T]) -> Result<List, Error> {
        self.object(items).map(List)
    }
}

impl Dict {
    /// `obj`, known to be a dict.
    pub(crate) fn known(obj: Object) -> Self {
        Dict(obj)
    }

    /// `d.get(key)`, converted; `None` when the key is missing.
    pub fn get<V: FromPython>(&self, key: impl ToPython) -> Result<Option<V>, Error> {
        self.0.with_raw(|obj, cx| {
            let key = key.to_py(cx)?;
            let dict = obj.downcast_ref::<PyDict>().expect("checked when made");
            match dict.get_item_opt(&*key, cx.vm).map_err(|e| cx.error(e))? {
                Some(value) => V::from_py(&value, cx).map(Some),
                None => Ok(None),
            }
        })
    }

    /// `d[key] = value`.
    pub fn set(&self, key: impl ToPython, value: impl ToPython) -> Result<(), Error> {
        self.0.set_item(key, value)
    }

    /// `del d[key]`: KeyError when it is missing.
    pub fn del(&self, key: impl ToPython) -> Result<(), Error> {
        self.0.del_item(key)
    }

    /// `key in d`.
    pub fn contains(&self, key: impl ToPython) -> Result<bool, Error> {
        self.0.contains(key)
    }

    /// `len(d)`.
    pub fn len(&self) -> Result<usize, Error> {
        self.0.len()
    }

    /// `len(d) == 0`.
    pub fn is_empty(&self) -> Result<bool, Error> {
        self.0.is_empty()
    }

    /// The keys, in the dict's order, converted.
    pub fn keys<K: FromPython>(&self) -> Result<Vec<K>, Error> {
        self.0.iter()?.map(|key| key?.extract()).collect()
    }

    /// The `(key, value)` pairs, in the dict's order, converted.
    pub fn items<K: FromPython, V: FromPython>(&self) -> Result<Vec<(K, V)>, Error> {
        self.0.call_method::<Vec<(K, V)>>("items", ())
    }

    /// The dict as an [`Object`].
    pub fn into_object(self) -> Object {
        self.0
    }
}

/// What a list and a tuple both do.
macro_rules! sequence_view {
    ($view:ident, $name:literal) => {
        impl $view {
            #[doc = concat!("`", $name, "[index]`, converted (a negative index counts from the end).")]
            pub fn get<T: FromPython>(&self, index: isize) -> Result<T, Error> {
                self.0.get_item(index)
            }

            #[doc = concat!("`len(", $name, ")`.")]
            pub fn len(&self) -> Result<usize, Error> {
                self.0.len()
            }

            #[doc = concat!("`len(", $name, ") == 0`.")]
            pub fn is_empty(&self) -> Result<bool, Error> {
                self.0.is_empty()
            }

            /// The items, converted.
            pub fn to_vec<T: FromPython>(&self) -> Result<Vec<T>, Error> {
                self.0.extract()
            }

            /// The items as objects.
            pub fn iter(&self) -> Result<ObjectIter, Error> {
                self.0.iter()
            }

            /// The view as an [`Object`].
            pub fn into_object(self) -> Object {
                self.0
            }
        }
    };
}

sequence_view!(List, "l");
sequence_view!(Tuple, "t");

impl List {
    /// `l[index] = value`.
    pub fn set(&self, index: isize, value: impl ToPython) -> Result<(), Error> {
        self.0.set_item(index, value)
    }

    /// `l.append(value)`.
    pub fn push(&self, value: impl ToPython) -> Result<(), Error> {
        self.0.call_method::<Object>("append", (value,)).map(drop)
    }
}
