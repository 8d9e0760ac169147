//! The object protocol on [`Object`]: iteration, `len`, `in`, `del`, `hasattr`,
//! comparison, hash and truth, each what the Python expression does.

use super::error::Error;
use super::object::Object;
use crate::embed::convert::ToPython;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::types::PyComparisonOp;

/// A rich comparison, as [`Object::compare`] makes it: `<`, `<=`, `==`, `!=`, `>`, `>=`.
///
/// ```
/// use brine::{CompareOp, Error, Runtime};
///
/// let rt = Runtime::new()?;
/// let word = rt.eval::<brine::Object>("'pear'")?;
/// assert!(word.compare("apple", CompareOp::Gt)? && word.compare("pear", CompareOp::Le)?);
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    fn vm_op(self) -> PyComparisonOp {
        match self {
            CompareOp::Lt => PyComparisonOp::Lt,
            CompareOp::Le => PyComparisonOp::Le,
            CompareOp::Eq => PyComparisonOp::Eq,
            CompareOp::Ne => PyComparisonOp::Ne,
            CompareOp::Gt => PyComparisonOp::Gt,
            CompareOp::Ge => PyComparisonOp::Ge,
        }
    }
}

impl Object {
    /// `iter(obj)`: the items as a Rust iterator, each entering the runtime for its
    /// `next`. An exception from `next` is yielded once as an `Err`, and ends the iteration.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::new()?;
    /// let squares = rt.eval::<brine::Object>("(n * n for n in range(4))")?;
    /// let items: Vec<i64> = squares.iter()?.map(|item| item?.extract()).collect::<Result<_, Error>>()?;
    /// assert_eq!(items, [0, 1, 4, 9]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn iter(&self) -> Result<ObjectIter, Error> {
        self.with_raw(|obj, cx| {
            let iterator = obj.get_iter(cx.vm).map_err(|e| cx.error(e))?;
            Ok(ObjectIter {
                iterator: Some(cx.wrap(iterator.into())),
            })
        })
    }

    /// `len(obj)`.
    pub fn len(&self) -> Result<usize, Error> {
        self.with_raw(|obj, cx| obj.length(cx.vm).map_err(|e| cx.error(e)))
    }

    /// `len(obj) == 0`.
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }

    /// `value in obj`.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::new()?;
    /// let stock = rt.eval::<brine::Object>("{'tea': 3, 'cups': 0}")?;
    /// assert!(stock.contains("tea")? && !stock.contains("milk")?);
    /// assert_eq!(stock.len()?, 2);
    /// stock.del_item("cups")?;
    /// assert!(stock.is_truthy()? && stock.has_attr("keys")? && !stock.has_attr("tea")?);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn contains(&self, value: impl ToPython) -> Result<bool, Error> {
        self.with_raw(|obj, cx| {
            let value = value.to_py(cx)?;
            cx.vm._contains(obj, &value).map_err(|e| cx.error(e))
        })
    }

    /// `del obj[key]`.
    pub fn del_item(&self, key: impl ToPython) -> Result<(), Error> {
        self.with_raw(|obj, cx| {
            let key = key.to_py(cx)?;
            obj.del_item(&*key, cx.vm).map_err(|e| cx.error(e))
        })
    }

    /// `hasattr(obj, name)`: false where getting it raises AttributeError; any other
    /// exception is the error, as in Python.
    pub fn has_attr(&self, name: &str) -> Result<bool, Error> {
        self.with_raw(|obj, cx| {
            let name = cx.vm.ctx.new_str(name);
            cx.vm
                .get_attribute_opt(obj, &name)
                .map(|found| found.is_some())
                .map_err(|e| cx.error(e))
        })
    }

    /// `delattr(obj, name)`.
    pub fn del_attr(&self, name: &str) -> Result<(), Error> {
        self.with_raw(|obj, cx| {
            obj.del_attr(&cx.vm.ctx.new_str(name), cx.vm)
                .map_err(|e| cx.error(e))
        })
    }

    /// `obj <op> other`, as `bool(...)` of its result.
    ///
    /// ```
    /// use brine::{CompareOp, Error, Runtime};
    ///
    /// let rt = Runtime::new()?;
    /// let version = rt.eval::<brine::Object>("(3, 14)")?;
    /// assert!(version.compare((3, 9), CompareOp::Gt)?);
    /// assert!(version.eq((3, 14))?);
    /// assert_eq!(version.hash()?, rt.eval::<i64>("hash((3, 14))")?);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn compare(&self, other: impl ToPython, op: CompareOp) -> Result<bool, Error> {
        self.with_raw(|obj, cx| {
            let other = other.to_py(cx)?;
            obj.rich_compare_bool(&other, op.vm_op(), cx.vm)
                .map_err(|e| cx.error(e))
        })
    }

    /// `obj == other`.
    pub fn eq(&self, other: impl ToPython) -> Result<bool, Error> {
        self.compare(other, CompareOp::Eq)
    }

    /// `hash(obj)`: TypeError for an unhashable object.
    pub fn hash(&self) -> Result<i64, Error> {
        self.with_raw(|obj, cx| obj.hash(cx.vm).map_err(|e| cx.error(e)))
    }

    /// `bool(obj)`.
    pub fn is_truthy(&self) -> Result<bool, Error> {
        self.with_raw(|obj, cx| obj.to_owned().is_true(cx.vm).map_err(|e| cx.error(e)))
    }
}

/// The items of a Python iterable, from [`Object::iter`].
pub struct ObjectIter {
    /// None once exhausted or failed.
    iterator: Option<Object>,
}

impl Iterator for ObjectIter {
    type Item = Result<Object, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let iterator = self.iterator.as_ref()?;
        let next = iterator.with_raw(|obj, cx| {
            match rustpython_vm::protocol::PyIter::new(obj).next(cx.vm) {
                Ok(PyIterReturn::Return(item)) => Ok(Some(cx.wrap(item))),
                Ok(PyIterReturn::StopIteration(_)) => Ok(None),
                Err(e) => Err(cx.error(e)),
            }
        });
        match next {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.iterator = None;
                None
            }
            Err(err) => {
                self.iterator = None;
                Some(Err(err))
            }
        }
    }
}

impl std::iter::FusedIterator for ObjectIter {}
