//! [`Scope`]: a namespace of its own in a runtime, for scripts that must not see each
//! other's globals (two tenants, two rules, two test cases) without a runtime each.

use super::code::Code;
use super::error::Error;
use super::object::Object;
use super::runtime::{Runtime, compile, run_in};
use super::views::Dict;
use crate::embed::convert::{FromPython, ToPython, Vm};
use rustpython_vm::builtins::PyDictRef;
use rustpython_vm::compiler::Mode;

/// Globals of their own: what a script run in one scope defines, another scope and
/// `__main__` do not see. The runtime's modules, `sys` and builtins are shared, as they are
/// between two modules of one program.
///
/// ```
/// use brine::{Error, Runtime};
///
/// let rt = Runtime::new()?;
/// let first = rt.scope()?;
/// let second = rt.scope_named("tenant_b")?;
/// first.run("limit = 10\ndef allowed(n): return n <= limit")?;
/// second.run("limit = 3")?;
/// assert!(first.eval::<bool>("allowed(7)")?);
/// assert_eq!(second.eval::<i64>("limit")?, 3);
/// assert_eq!(second.eval::<String>("__name__")?, "tenant_b");
/// assert!(rt.eval::<bool>("'limit' not in globals()")?);
/// # Ok::<(), Error>(())
/// ```
pub struct Scope {
    globals: Object,
}

impl Runtime {
    /// A new scope, named `__scope__`.
    pub fn scope(&self) -> Result<Scope, Error> {
        self.scope_named("__scope__")
    }

    /// A new scope whose `__name__` is `name` (the `__module__` of the classes and functions
    /// it defines).
    pub fn scope_named(&self, name: &str) -> Result<Scope, Error> {
        self.with_cx(|cx| {
            let vm = cx.vm;
            let globals = vm.ctx.new_dict();
            let set = |key: &str, value| globals.set_item(key, value, vm);
            set("__name__", vm.ctx.new_str(name).into())
                .and_then(|()| set("__builtins__", vm.builtins.clone().into()))
                .and_then(|()| set("__doc__", vm.ctx.none()))
                .map_err(|e| cx.error(e))?;
            Ok(Scope {
                globals: cx.wrap(globals.into()),
            })
        })
    }
}

impl Scope {
    /// Executes `source` in this scope.
    pub fn run(&self, source: &str) -> Result<(), Error> {
        self.script(|cx, globals| {
            let code = compile(cx, source, Mode::Exec, "<string>")?;
            run_in(cx, code, globals).map(drop)
        })
    }

    /// Evaluates the expression `source` in this scope and converts its value.
    pub fn eval<T: FromPython>(&self, source: &str) -> Result<T, Error> {
        self.script(|cx, globals| {
            let code = compile(cx, source, Mode::Eval, "<string>")?;
            let value = run_in(cx, code, globals)?;
            T::from_py(&value, cx)
        })
    }

    /// Runs compiled code ([`Runtime::compile`]) in this scope.
    pub fn exec(&self, code: &Code) -> Result<(), Error> {
        self.script(|cx, globals| {
            let code = code.code_in(cx)?;
            run_in(cx, code, globals).map(drop)
        })
    }

    /// The scope's globals.
    pub fn globals(&self) -> Dict {
        Dict::known(self.globals.clone())
    }

    /// The global `name`, converted; `None` when the scope has none.
    pub fn get<T: FromPython>(&self, name: &str) -> Result<Option<T>, Error> {
        self.globals().get(name)
    }

    /// Sets the global `name`.
    pub fn set(&self, name: &str, value: impl ToPython) -> Result<(), Error> {
        self.globals().set(name, value)
    }

    /// Runs `f` with the scope's namespace, as a script of the runtime's.
    fn script<R>(
        &self,
        f: impl FnOnce(&Vm<'_>, PyDictRef) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.globals.runtime().script(|cx| {
            let globals = cx
                .unwrap(&self.globals)?
                .downcast::<rustpython_vm::builtins::PyDict>()
                .expect("a scope's globals are a dict");
            f(cx, globals)
        })
    }
}
