//! [`Code`]: source compiled once, run many times.

use super::error::Error;
use super::object::Object;
use crate::embed::convert::Vm;
use rustpython_vm::PyRef;
use rustpython_vm::builtins::PyCode;

/// Compiled module-level code, from [`Runtime::compile`](crate::Runtime::compile), run with
/// [`Runtime::exec`](crate::Runtime::exec). It belongs to the runtime that compiled it.
#[derive(Clone, Debug)]
pub struct Code {
    code: Object,
}

impl Code {
    pub(crate) fn new(code: Object) -> Self {
        Code { code }
    }

    /// The code object, when `cx` is its runtime.
    pub(crate) fn code_in(&self, cx: &Vm<'_>) -> Result<PyRef<PyCode>, Error> {
        let code = cx.unwrap(&self.code)?;
        Ok(code
            .downcast::<PyCode>()
            .expect("a Code holds a code object"))
    }

    /// The filename given to `compile`.
    pub fn filename(&self) -> Result<String, Error> {
        self.code.get_attr("co_filename")?.extract()
    }
}
