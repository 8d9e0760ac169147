//! Keyword arguments, both ways: built by the host for a call into Python
//! ([`Object::call_with`], [`Runtime::call_with`]), and received by a host function that
//! takes `**kwargs` (a [`Kwargs`] parameter).

use super::args::ToArgs;
use super::error::Error;
use super::object::Object;
use super::runtime::Runtime;
use crate::embed::convert::{FromPython, Parameter, ToPython, Vm, mismatch};
use crate::embed::host::params::Call;
use crate::embed::vm::paths::resolve;
use rustpython_vm::AsObject;
use rustpython_vm::builtins::PyDict;
use rustpython_vm::function::{FuncArgs, KwArgs};
use std::fmt;

/// Keyword arguments, in order, names unique (setting a name again replaces its value).
///
/// Built from pairs, from a map, with [`Kwargs::arg`] or with the [`kwargs!`](crate::kwargs)
/// macro:
///
/// ```
/// use brine::{Error, Kwargs, Runtime, kwargs};
///
/// let rt = Runtime::new()?;
/// let data = vec![("b", 1), ("a", 2)];
/// let text: String = rt.call_with("json.dumps", (data,), kwargs!(indent = 1, sort_keys = true))?;
/// assert_eq!(text, "[\n [\n  \"b\",\n  1\n ],\n [\n  \"a\",\n  2\n ]\n]");
/// let same = Kwargs::new().arg("indent", 1).arg("sort_keys", true);
/// let pairs: Kwargs = [("indent", 1)].into_iter().collect();
/// assert_eq!(same.len(), 2);
/// assert_eq!(pairs.names().collect::<Vec<_>>(), ["indent"]);
/// # Ok::<(), Error>(())
/// ```
#[derive(Default)]
pub struct Kwargs {
    entries: Vec<(String, Value)>,
}

/// A keyword argument's value: given by the host, or received from a script.
enum Value {
    Host(Box<dyn ToPython + Send + Sync>),
    Object(Object),
}

impl Kwargs {
    /// No keyword arguments.
    pub fn new() -> Self {
        Kwargs::default()
    }

    /// These arguments and `name=value`.
    pub fn arg(
        mut self,
        name: impl Into<String>,
        value: impl ToPython + Send + Sync + 'static,
    ) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets `name=value`, replacing an earlier value of `name` in its place.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl ToPython + Send + Sync + 'static,
    ) {
        self.put(name.into(), Value::Host(Box::new(value)));
    }

    fn put(&mut self, name: String, value: Value) {
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    /// The value of a keyword argument a script passed, converted; `None` when it was not
    /// given. (What the host set is not read back: it becomes a Python value in the call.)
    pub fn get<T: FromPython>(&self, name: &str) -> Result<Option<T>, Error> {
        let Some((_, value)) = self.entries.iter().find(|(n, _)| n == name) else {
            return Ok(None);
        };
        match value {
            Value::Object(obj) => obj.extract().map(Some),
            Value::Host(_) => Err(Error::Conversion {
                expected: "a keyword argument received from Python".to_string(),
                found: "a value the host set".to_string(),
                detail: Some(format!("{name} is read by the function it is passed to")),
            }),
        }
    }

    /// Takes `name` out, converted; `None` when it was not given. A host function taking
    /// `**kwargs` takes the names it knows and refuses what is left.
    pub fn take<T: FromPython>(&mut self, name: &str) -> Result<Option<T>, Error> {
        let value = self.get(name)?;
        self.entries.retain(|(n, _)| n != name);
        Ok(value)
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The VM's keyword arguments.
    pub(crate) fn to_vm(&self, cx: &Vm<'_>) -> Result<KwArgs, Error> {
        self.entries
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Value::Host(value) => value.to_py(cx)?,
                    Value::Object(obj) => cx.unwrap(obj)?,
                };
                Ok((name.clone(), value))
            })
            .collect()
    }

    /// The keyword arguments a script passed.
    pub(crate) fn received(kwargs: KwArgs, cx: &Vm<'_>) -> Self {
        // A name is a Rust string: one with a lone surrogate (which only a `**{...}` call
        // can make) has it replaced.
        let entries = kwargs
            .into_iter()
            .map(|(name, value)| (name.to_string(), Value::Object(cx.wrap(value))))
            .collect();
        Kwargs { entries }
    }
}

impl<K: Into<String>, V: ToPython + Send + Sync + 'static> FromIterator<(K, V)> for Kwargs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut kwargs = Kwargs::new();
        for (name, value) in pairs {
            kwargs.insert(name, value);
        }
        kwargs
    }
}

impl fmt::Debug for Kwargs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// A `**kwargs` parameter of a host function: the keyword arguments of the call. Also any
/// Python mapping with str keys.
impl FromPython for Kwargs {
    const PARAMETER: Parameter = Parameter::Kwargs;

    fn from_python(obj: &Object) -> Result<Self, Error> {
        obj.with_raw(Self::from_py)
    }

    fn from_arguments(call: &mut Call<'_>) -> Result<Self, Error> {
        Ok(call.keywords())
    }

    fn from_py(obj: &rustpython_vm::PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        let vm = cx.vm;
        let dict = vm
            .ctx
            .types
            .dict_type
            .as_object()
            .call((obj.to_owned(),), vm)
            .map_err(|_| mismatch(obj, "a mapping of keyword arguments"))?;
        let dict = dict.downcast::<PyDict>().expect("dict() makes a dict");
        let mut entries = Vec::new();
        for (key, value) in &dict {
            let Some(name) = key.downcast_ref::<rustpython_vm::builtins::PyStr>() else {
                return Err(mismatch(&key, "a str keyword"));
            };
            entries.push((name.to_string(), Value::Object(cx.wrap(value))));
        }
        Ok(Kwargs { entries })
    }
}

/// Keyword arguments written as `name = value` pairs, a [`Kwargs`](crate::Kwargs).
///
/// ```
/// use brine::{Error, Runtime, kwargs};
///
/// let rt = Runtime::new()?;
/// let line: String = rt.call_with("str.format", ("{a}-{b}",), kwargs!(a = 1, b = "two"))?;
/// assert_eq!(line, "1-two");
/// # Ok::<(), Error>(())
/// ```
#[macro_export]
macro_rules! kwargs {
    ($($name:ident = $value:expr),* $(,)?) => {
        $crate::Kwargs::new()$(.arg(stringify!($name), $value))*
    };
}

/// A call's positional and keyword arguments.
pub(crate) fn call_args(
    args: impl ToArgs,
    kwargs: &Kwargs,
    cx: &Vm<'_>,
) -> Result<FuncArgs, Error> {
    let mut call = args.to_args(cx)?;
    call.kwargs = kwargs.to_vm(cx)?;
    Ok(call)
}

impl Object {
    /// `obj(*args, **kwargs)`, converted to `R`.
    ///
    /// ```
    /// use brine::{Error, Runtime, kwargs};
    ///
    /// let rt = Runtime::new()?;
    /// let sorted = rt.eval::<brine::Object>("sorted")?;
    /// let words: Vec<String> = sorted.call_with((vec!["b", "A", "c"],), kwargs!(key = rt.eval::<brine::Object>("str.lower")?, reverse = true))?;
    /// assert_eq!(words, ["c", "b", "A"]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn call_with<R: FromPython>(&self, args: impl ToArgs, kwargs: Kwargs) -> Result<R, Error> {
        self.with_raw(|obj, cx| {
            let call = call_args(args, &kwargs, cx)?;
            let result = obj.call(call, cx.vm).map_err(|e| cx.error(e))?;
            R::from_py(&result, cx)
        })
    }

    /// `obj.name(*args, **kwargs)`, converted to `R`.
    ///
    /// ```
    /// use brine::{Error, Runtime, kwargs};
    ///
    /// let rt = Runtime::new()?;
    /// let text = rt.eval::<brine::Object>("'a,b,,c'")?;
    /// let parts: Vec<String> = text.call_method_with("split", (), kwargs!(sep = ",", maxsplit = 2))?;
    /// assert_eq!(parts, ["a", "b", ",c"]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn call_method_with<R: FromPython>(
        &self,
        name: &str,
        args: impl ToArgs,
        kwargs: Kwargs,
    ) -> Result<R, Error> {
        self.with_raw(|obj, cx| {
            let method = obj
                .get_attr(&cx.vm.ctx.new_str(name), cx.vm)
                .map_err(|e| cx.error(e))?;
            let call = call_args(args, &kwargs, cx)?;
            let result = method.call(call, cx.vm).map_err(|e| cx.error(e))?;
            R::from_py(&result, cx)
        })
    }
}

impl Runtime {
    /// Calls the object at a dotted path with keyword arguments: `json.dumps(x, indent=2)`
    /// is `rt.call_with("json.dumps", (x,), kwargs!(indent = 2))`.
    pub fn call_with<R: FromPython>(
        &self,
        path: &str,
        args: impl ToArgs,
        kwargs: Kwargs,
    ) -> Result<R, Error> {
        self.script(|cx| {
            let function = resolve(cx.vm, path).map_err(|e| cx.error(e))?;
            let call = call_args(args, &kwargs, cx)?;
            let result = function.call(call, cx.vm).map_err(|e| cx.error(e))?;
            R::from_py(&result, cx)
        })
    }
}
