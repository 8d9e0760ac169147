//! A host function's parameters: each takes its arguments from the call as its type says
//! (`T` one positional, `Option<T>` one if given, [`Rest<T>`] the positional rest,
//! [`Kwargs`] the keyword arguments, `&Runtime` first: the runtime calling), and a call
//! that does not fit is a TypeError in CPython's words.

use crate::embed::api::error::{Error, ExceptionKind};
use crate::embed::api::kwargs::Kwargs;
use crate::embed::api::object::Object;
use crate::embed::api::runtime::Runtime;
use crate::embed::convert::{FromPython, Parameter, ToPython, Vm};
use rustpython_vm::function::KwArgs;
use rustpython_vm::{PyObject, PyObjectRef};
use std::ops::{Deref, DerefMut};

/// What a host function may return: a value ([`ToPython`]), or a `Result` whose error is
/// raised in the script ([`Error::raise`] chooses the exception type).
pub trait HostReturn {
    /// The Python result.
    #[doc(hidden)]
    fn into_py(self, cx: &Vm<'_>) -> Result<PyObjectRef, Error>;
}

impl<T: ToPython> HostReturn for T {
    fn into_py(self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        self.to_py(cx)
    }
}

impl<T: ToPython> HostReturn for Result<T, Error> {
    fn into_py(self, cx: &Vm<'_>) -> Result<PyObjectRef, Error> {
        self?.to_py(cx)
    }
}

/// A Rust closure (or function) usable as a host function: up to 8 parameters, each
/// [`FromPython`] (after a first `&Runtime`, if it takes one), returning a [`HostReturn`].
/// `Args` is the tuple of the parameter types, inferred.
pub trait HostFunction<Args>: Send + Sync + 'static {
    /// Converts the arguments, calls, converts the result.
    #[doc(hidden)]
    fn call_with(&self, call: Call<'_>) -> Result<PyObjectRef, Error>;
}

/// Marks, in [`HostFunction`]'s `Args`, a function whose first parameter is `&Runtime`.
#[doc(hidden)]
pub struct WithRuntime;

/// `*args` of a host function: the positional arguments left after the others, each
/// converted to `T`.
///
/// ```
/// use brine::{Error, Kwargs, Output, Rest, Runtime};
///
/// let rt = Runtime::builder()
///     .stdout(Output::Capture)
///     .module("host", |m| {
///         m.function("total", |first: i64, rest: Rest<i64>, mut kw: Kwargs| -> Result<i64, Error> {
///             let scale: i64 = kw.take("scale")?.unwrap_or(1);
///             Ok((first + rest.iter().sum::<i64>()) * scale)
///         });
///         m.function("greet", |name: String, greeting: Option<String>| {
///             format!("{}, {name}", greeting.as_deref().unwrap_or("Hello"))
///         });
///     })
///     .build()?;
/// rt.run("import host\nprint(host.total(1, 2, 3, scale=10), host.greet('Ada'), host.greet('Ada', 'Hi'))")?;
/// assert_eq!(rt.take_stdout(), "60 Hello, Ada Hi, Ada\n");
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rest<T>(pub Vec<T>);

impl<T> Deref for Rest<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T> DerefMut for Rest<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

/// As a value rather than a parameter: any iterable, as `Vec<T>` takes it.
impl<T: FromPython> FromPython for Rest<T> {
    const PARAMETER: Parameter = Parameter::Rest;

    fn from_python(obj: &Object) -> Result<Self, Error> {
        obj.extract().map(Rest)
    }

    fn from_py(obj: &PyObject, cx: &Vm<'_>) -> Result<Self, Error> {
        Vec::<T>::from_py(obj, cx).map(Rest)
    }

    fn from_arguments(call: &mut Call<'_>) -> Result<Self, Error> {
        let mut rest = Vec::new();
        while let Some((index, arg)) = call.next_positional() {
            rest.push(convert_argument(call, index, arg)?);
        }
        Ok(Rest(rest))
    }
}

/// A call of a host function, as its parameters take it apart.
#[doc(hidden)]
pub struct Call<'a> {
    pub(crate) cx: &'a Vm<'a>,
    pub(crate) name: &'a str,
    positional: &'a [PyObjectRef],
    next: usize,
    keywords: Option<KwArgs>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(
        cx: &'a Vm<'a>,
        name: &'a str,
        positional: &'a [PyObjectRef],
        keywords: KwArgs,
    ) -> Self {
        Call {
            cx,
            name,
            positional,
            next: 0,
            keywords: Some(keywords),
        }
    }

    /// The instance a method is called on (the first positional argument), taken out: the
    /// others are numbered from 1 after it.
    pub(crate) fn take_receiver(&mut self) -> Option<&'a PyObjectRef> {
        let (first, rest) = self.positional.split_first()?;
        self.positional = rest;
        Some(first)
    }

    /// The next positional argument, with its number (from 1).
    pub(crate) fn next_positional(&mut self) -> Option<(usize, &'a PyObjectRef)> {
        let arg = self.positional.get(self.next)?;
        self.next += 1;
        Some((self.next, arg))
    }

    /// The keyword arguments (once).
    pub(crate) fn keywords(&mut self) -> Kwargs {
        let keywords = self.keywords.take().unwrap_or_default();
        Kwargs::received(keywords, self.cx)
    }

    /// The runtime calling.
    pub(crate) fn runtime(&self) -> Runtime {
        self.cx.runtime()
    }

    /// A TypeError unless the call fits parameters of these kinds.
    pub(crate) fn check(&self, parameters: &[Parameter]) -> Result<(), Error> {
        let given = self.positional.len();
        let takes_keywords = parameters.contains(&Parameter::Kwargs);
        let has_keywords = self.keywords.as_ref().is_some_and(|k| !k.is_empty());
        if has_keywords && !takes_keywords {
            return Err(type_error(format!(
                "{}() takes no keyword arguments",
                self.name
            )));
        }
        let positional = parameters
            .iter()
            .filter(|p| matches!(p, Parameter::Required | Parameter::Optional))
            .count();
        let required = parameters
            .iter()
            .rposition(|p| *p == Parameter::Required)
            .map_or(0, |last| {
                parameters[..=last]
                    .iter()
                    .filter(|p| matches!(p, Parameter::Required | Parameter::Optional))
                    .count()
            });
        let most = (!parameters.contains(&Parameter::Rest)).then_some(positional);
        arity(self.name, required, most, given)
    }
}

/// CPython's words for a call with the wrong number of positional arguments, for a function
/// that takes from `least` to `most` (no bound: `*args`).
fn arity(name: &str, least: usize, most: Option<usize>, given: usize) -> Result<(), Error> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let was = if given == 1 { "was" } else { "were" };
    if most == Some(least) && given != least {
        // A Python function with that many parameters.
        let s = plural(least);
        return Err(type_error(format!(
            "{name}() takes {least} positional argument{s} but {given} {was} given"
        )));
    }
    if given < least {
        // PyArg_ParseTuple's words.
        let s = plural(least);
        return Err(type_error(format!(
            "{name}() takes at least {least} argument{s} ({given} given)"
        )));
    }
    match most {
        Some(most) if given > most => Err(type_error(format!(
            "{name}() takes from {least} to {most} positional arguments but {given} {was} given"
        ))),
        _ => Ok(()),
    }
}

fn type_error(message: String) -> Error {
    Error::raise(ExceptionKind::TypeError, message)
}

/// Argument `index` (from 1) converted, or a TypeError naming the function and argument.
pub(crate) fn convert_argument<T: FromPython>(
    call: &Call<'_>,
    index: usize,
    arg: &PyObject,
) -> Result<T, Error> {
    T::from_py(arg, call.cx).map_err(|err| match err {
        Error::Conversion { .. } => type_error(format!("{}() argument {index}: {err}", call.name)),
        other => other,
    })
}

macro_rules! host_functions {
    ($($arg:ident),*) => {
        impl<F, R $(, $arg)*> HostFunction<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> R + Send + Sync + 'static,
            R: HostReturn,
            $($arg: FromPython,)*
        {
            #[allow(unused_mut)]
            fn call_with(&self, mut call: Call<'_>) -> Result<PyObjectRef, Error> {
                call.check(&[$($arg::PARAMETER),*])?;
                (self)($($arg::from_arguments(&mut call)?),*).into_py(call.cx)
            }
        }

        impl<F, R $(, $arg)*> HostFunction<(WithRuntime, $($arg,)*)> for F
        where
            F: for<'r> Fn(&'r Runtime $(, $arg)*) -> R + Send + Sync + 'static,
            R: HostReturn,
            $($arg: FromPython,)*
        {
            #[allow(unused_mut)]
            fn call_with(&self, mut call: Call<'_>) -> Result<PyObjectRef, Error> {
                call.check(&[$($arg::PARAMETER),*])?;
                let rt = call.runtime();
                (self)(&rt $(, $arg::from_arguments(&mut call)?)*).into_py(call.cx)
            }
        }
    };
}

host_functions!();
host_functions!(A);
host_functions!(A, B);
host_functions!(A, B, C);
host_functions!(A, B, C, D);
host_functions!(A, B, C, D, E);
host_functions!(A, B, C, D, E, G);
host_functions!(A, B, C, D, E, G, H);
host_functions!(A, B, C, D, E, G, H, I);
