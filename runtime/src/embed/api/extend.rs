//! What a host adds to a runtime once it is built: Rust closures as Python callables,
//! modules, and the values it gave the builder ([`Builder::app_data`](super::builder::Builder::app_data)).

use super::builder::add_host_module;
use super::error::Error;
use super::object::Object;
use super::runtime::Runtime;
use crate::embed::host::function::{ErasedFn, HostFunctionObject, link_to};
use crate::embed::host::module::ModuleBuilder;
use crate::embed::host::params::HostFunction;

impl Runtime {
    /// A Rust closure as a Python callable, made now: to pass as a `key=`, a callback or a
    /// method of an object a script made. It takes its arguments as a host module's functions
    /// do (`Option<T>`, [`Rest`](crate::Rest), [`Kwargs`](crate::Kwargs), a first `&Runtime`).
    ///
    /// ```
    /// use brine::{Error, Runtime, kwargs};
    ///
    /// let rt = Runtime::new()?;
    /// let by_length = rt.function("by_length", |word: String| word.chars().count())?;
    /// let words: Vec<String> = rt.call_with("sorted", (vec!["ccc", "a", "bb"],), kwargs!(key = by_length))?;
    /// assert_eq!(words, ["a", "bb", "ccc"]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn function<Args: 'static>(
        &self,
        name: &str,
        f: impl HostFunction<Args>,
    ) -> Result<Object, Error> {
        let func: ErasedFn = Box::new(move |call| f.call_with(call));
        let function = HostFunctionObject::new(name, "__main__", link_to(self.shared()), func);
        self.with_cx(|cx| function.into_object(cx).map(|obj| cx.wrap(obj)))
    }

    /// A host module added now, as [`Builder::module`](super::builder::Builder::module)
    /// adds one at build: the next `import name` gets it. (A module of that name already
    /// imported stays in `sys.modules` until the script deletes it.)
    ///
    /// ```
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::new()?;
    /// rt.add_module("units", |m| {
    ///     m.function("km", |miles: f64| miles * 1.609344);
    ///     m.constant("SYSTEM", "SI");
    /// })?;
    /// assert_eq!(rt.eval::<f64>("__import__('units').km(10)")?, 16.09344);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn add_module(
        &self,
        name: &str,
        define: impl FnOnce(&mut ModuleBuilder),
    ) -> Result<(), Error> {
        let mut module = ModuleBuilder::new(name);
        define(&mut module);
        let link = link_to(self.shared());
        self.with_cx(|cx| add_host_module(cx, module, &link))
    }

    /// The value of type `T` the builder was given ([`Builder::app_data`](super::builder::Builder::app_data)).
    pub fn app_data<T: std::any::Any + Send + Sync>(&self) -> Option<&T> {
        self.shared()
            .app_data
            .iter()
            .find_map(|held| held.downcast_ref::<T>())
    }
}
