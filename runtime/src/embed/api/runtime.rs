//! [`Runtime`]: one Python interpreter, and what a host does with it.

use super::args::ToArgs;
use super::builder::Builder;
use super::code::Code;
use super::error::{Error, ExceptionKind};
use super::object::Object;
pub(crate) use crate::embed::api::shared::Shared;
use crate::embed::convert::{FromPython, ToPython, Vm};
use crate::embed::limits::interrupt::{InterruptHandle, Run};
use crate::embed::vm::output;
use crate::embed::vm::output::flush_std;
use crate::embed::vm::paths::import_module;
use crate::memory::accounts::{self, Tag};
use crate::pickle::embedding;
use crate::pickle::load::vm_builder::{LoadError, LoadOptions};
use rustpython_vm::builtins::{PyCode, PyDictRef};
use rustpython_vm::compiler::Mode;
use rustpython_vm::scope::Scope;
use rustpython_vm::{PyObjectRef, PyRef, PyResult};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A Python interpreter with Brine's `pickle`, embedded in a Rust program.
///
/// Each runtime has its own `__main__`, modules and `sys.path`; several can live in one
/// process, on as many threads. A `Runtime` is `Send` and `Sync`: calls from several
/// threads take turns. Dropping the last handle to it (the runtime and every [`Object`] of
/// it) finalizes it as `python` finalizes at exit: `atexit` functions run, streams flush.
///
/// ```
/// use brine::{Error, Runtime};
///
/// let rt = Runtime::new()?;
/// rt.run("def area(w, h):\n    return w * h")?;
/// assert_eq!(rt.call::<i64>("__main__.area", (6, 7))?, 42);
/// assert_eq!(rt.eval::<Vec<String>>("sorted({'b', 'a'})")?, ["a", "b"]);
///
/// // Pickles in and out, with Python's semantics.
/// let point = rt.eval::<brine::Object>("{'x': 1, 'y': [2, 3]}")?;
/// let bytes = rt.dumps(&point, 2)?;
/// assert_eq!(rt.loads(&bytes)?.repr()?, "{'x': 1, 'y': [2, 3]}");
/// # Ok::<(), Error>(())
/// ```
pub struct Runtime {
    shared: Arc<Shared>,
}

impl Runtime {
    /// A builder for a runtime with options: `argv`, `sys.path`, host modules, where
    /// output goes.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// A runtime with the default options.
    pub fn new() -> Result<Runtime, Error> {
        Builder::new().build()
    }

    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        Runtime { shared }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Runs `f` in the VM with a conversion context.
    pub(crate) fn with_cx<R>(
        &self,
        f: impl FnOnce(&Vm<'_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.shared.with_cx(f)
    }

    /// Runs a script's work: `f` in the VM, then the standard streams flushed, so that what
    /// the script printed is out before the host's own output.
    pub(crate) fn script<R>(
        &self,
        f: impl FnOnce(&Vm<'_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.with_cx(|cx| {
            let result = f(cx);
            flush_std(cx.vm);
            result
        })
    }

    /// Executes `source` in `__main__`, as `python -c` does.
    pub fn run(&self, source: &str) -> Result<(), Error> {
        self.run_source(source, "<string>")
    }

    /// Executes `source` in `__main__`, with `filename` in its tracebacks.
    pub(crate) fn run_source(&self, source: &str, filename: &str) -> Result<(), Error> {
        self.script(|cx| {
            let code = compile(cx, source, Mode::Exec, filename)?;
            run_in_main(cx, code).map(drop)
        })
    }

    /// Executes the file at `path` in `__main__`, with `__file__` set while it runs (as
    /// `python FILE` does, but `sys.path` is left as it is).
    pub fn run_file(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path).map_err(|e| io_error(&e, path))?;
        let filename = path.to_string_lossy().into_owned();
        self.script(|cx| {
            let code = compile(cx, &source, Mode::Exec, &filename)?;
            let globals = main_globals(cx)?;
            let set_file = !globals.contains_key("__file__", cx.vm);
            if set_file {
                let set = globals
                    .set_item(
                        "__file__",
                        cx.vm.ctx.new_str(filename.as_str()).into(),
                        cx.vm,
                    )
                    .and_then(|()| globals.set_item("__cached__", cx.vm.ctx.none(), cx.vm));
                set.map_err(|e| cx.error(e))?;
            }
            let result = run_in_main(cx, code);
            if set_file {
                // As CPython's PyRun_SimpleFile: the names it set go again afterwards.
                let _ = globals.del_item("__file__", cx.vm);
                let _ = globals.del_item("__cached__", cx.vm);
            }
            result.map(drop)
        })
    }

    /// Runs module `name` as `__main__`, as `python -m name` does.
    pub fn run_module(&self, name: &str) -> Result<(), Error> {
        self.script(|cx| cx.vm.run_module(name).map_err(|e| cx.error(e)))
    }

    /// Evaluates the expression `source` in `__main__` and converts its value.
    pub fn eval<T: FromPython>(&self, source: &str) -> Result<T, Error> {
        self.script(|cx| {
            let code = compile(cx, source, Mode::Eval, "<string>")?;
            let value = run_in_main(cx, code)?;
            T::from_py(&value, cx)
        })
    }

    /// Compiles `source` once, for [`exec`](Self::exec) to run any number of times.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// let rt = Runtime::new()?;
    /// rt.run("total = 0")?;
    /// let step = rt.compile("total += 1", "<step>")?;
    /// for _ in 0..1000 {
    ///     rt.exec(&step)?;
    /// }
    /// assert_eq!(rt.eval::<i64>("total")?, 1000);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn compile(&self, source: &str, filename: &str) -> Result<Code, Error> {
        self.with_cx(|cx| {
            let code = compile(cx, source, Mode::Exec, filename)?;
            Ok(Code::new(cx.wrap(code.into())))
        })
    }

    /// Runs compiled code in `__main__`.
    pub fn exec(&self, code: &Code) -> Result<(), Error> {
        self.script(|cx| {
            let code = code.code_in(cx)?;
            run_in_main(cx, code).map(drop)
        })
    }

    /// `import module`, returning the module itself (for a dotted name, the submodule).
    pub fn import(&self, module: &str) -> Result<Object, Error> {
        self.script(|cx| {
            import_module(cx.vm, module)
                .map(|m| cx.wrap(m))
                .map_err(|e| cx.error(e))
        })
    }

    /// Calls the function at `path` with `args` and converts the result. `path` is a module
    /// and the names within it (`json.dumps`, `os.path.join`, `pkg.mod.Class.method`; the
    /// longest prefix that is a module is imported), or a name in `__main__` or `builtins`.
    pub fn call<R: FromPython>(&self, path: &str, args: impl ToArgs) -> Result<R, Error> {
        self.call_with(path, args, super::kwargs::Kwargs::new())
    }

    /// A Python object made from a Rust value.
    pub fn object(&self, value: &(impl ToPython + ?Sized)) -> Result<Object, Error> {
        self.with_cx(|cx| value.to_py(cx).map(|obj| cx.wrap(obj)))
    }

    /// `None`.
    pub fn none(&self) -> Object {
        Object::new(
            rustpython_vm::Context::genesis().none(),
            self.shared.clone(),
        )
    }

    /// `__main__`'s namespace, the dict `run` and `eval` work in.
    pub fn globals(&self) -> Result<Object, Error> {
        self.with_cx(|cx| main_globals(cx).map(|g| cx.wrap(g.into())))
    }

    /// `pickle.loads(data)`: the object the pickle describes, made by Brine's `_pickle`
    /// (classes imported, reduce protocols and `__setstate__` run). Only for trusted data:
    /// a pickle can call anything; see [`from_value`](Self::from_value) for a checked load.
    pub fn loads(&self, data: &[u8]) -> Result<Object, Error> {
        self.script(
            |cx| match embedding::loads(cx.vm, data, &LoadOptions::default()) {
                Ok(obj) => Ok(cx.wrap(obj)),
                Err(LoadError::Core(err)) => Err(Error::Pickle(err)),
                Err(LoadError::Py(exc)) => Err(cx.error(exc)),
            },
        )
    }

    /// `pickle.dumps(obj, protocol)`: the same bytes CPython writes, protocols 0 to 5.
    pub fn dumps(&self, obj: &Object, protocol: u8) -> Result<Vec<u8>, Error> {
        check_protocol(protocol)?;
        self.script(|cx| {
            let obj = cx.unwrap(obj)?;
            embedding::dumps(cx.vm, &obj, protocol).map_err(|e| cx.error(e))
        })
    }

    /// A handle that stops this runtime's run in progress from any thread; see
    /// [`InterruptHandle`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle::new(self.shared.interrupts.clone())
    }

    /// Runs `work` as one run with a time limit of its own: whatever `work` does with the
    /// runtime is stopped once `limit` has passed, and this returns [`Error::Timeout`]
    /// (a runtime's [`Builder::time_limit`], if shorter, still applies).
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// use std::time::Duration;
    ///
    /// let rt = Runtime::new()?;
    /// rt.run("def spin():\n    while True:\n        pass")?;
    /// let outcome = rt.with_time_limit(Duration::from_millis(20), |rt| rt.call::<()>("spin", ()));
    /// assert!(matches!(outcome, Err(Error::Timeout { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_time_limit<R>(
        &self,
        limit: Duration,
        work: impl FnOnce(&Runtime) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.in_a_run(
            |cx, run| {
                cx.shared.interrupts.limit(run, limit);
                cx.shared.watch_away_from_home(cx.vm, run);
            },
            work,
        )
    }

    /// Runs `work` as (or inside) one run, after `arm` has set that run's stop up: the way
    /// in of the `with_*` limits.
    fn in_a_run<R>(
        &self,
        arm: impl FnOnce(&Vm<'_>, Run),
        work: impl FnOnce(&Runtime) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.with_cx(|cx| {
            if let Some(run) = cx.shared.interrupts.running() {
                arm(cx, run);
            }
            work(self)
        })
    }

    /// Runs `work` with a budget of `units` of fuel of its own (see [`Builder::fuel`]; a
    /// runtime's budget, if smaller, still applies): past it, this returns
    /// [`Error::OutOfFuel`].
    pub fn with_fuel<R>(
        &self,
        units: u64,
        work: impl FnOnce(&Runtime) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.in_a_run(
            |cx, run| {
                cx.shared.interrupts.fuel.limit(units);
                cx.shared.interrupts.watch_safe_points(cx.vm, run);
            },
            work,
        )
    }

    /// The fuel the current run has burned, or the last one if none is in progress (see
    /// [`Builder::fuel`]); counted only for runs with a budget.
    pub fn fuel_used(&self) -> u64 {
        self.shared.interrupts.fuel.burned()
    }

    /// The bytes the runtime holds now (see [`Builder::memory_limit`]): `None` unless brine's
    /// [`Allocator`](crate::Allocator) is the host's global allocator.
    pub fn memory_used(&self) -> Option<usize> {
        let account = self.shared.interrupts.account();
        (account != Tag::NONE).then(|| accounts::used(account))
    }

    /// Runs `work` with the runtime's memory bounded by `limit` bytes in all (as
    /// [`Builder::memory_limit`] bounds it, which still applies if lower): past it, the
    /// script gets `MemoryError`, and this returns [`Error::MemoryLimit`] unless the
    /// script recovers. To allow a piece of work some more memory, give
    /// `rt.memory_used()` plus that much. Needs brine's [`Allocator`](crate::Allocator)
    /// ([`Error::Build`] without it).
    pub fn with_memory_limit<R>(
        &self,
        limit: usize,
        work: impl FnOnce(&Runtime) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let account = self.shared.interrupts.account();
        if account == Tag::NONE {
            return Err(Error::Build(
                crate::embed::limits::memory_limit::NOT_INSTALLED.into(),
            ));
        }
        let before = accounts::limit(account);
        let during = before.map_or(limit, |before| before.min(limit));
        let arm = |cx: &Vm<'_>, run| {
            accounts::set_limit(account, Some(during));
            cx.shared.watch_away_from_home(cx.vm, run);
        };
        let result = self.in_a_run(arm, work);
        accounts::set_limit(account, before);
        result
    }

    /// What the script has written to a captured `sys.stdout` since the last call ("" when
    /// stdout is not captured).
    pub fn take_stdout(&self) -> String {
        output::take(&self.shared.captured.stdout)
    }

    /// What the script has written to a captured `sys.stderr` since the last call.
    pub fn take_stderr(&self) -> String {
        output::take(&self.shared.captured.stderr)
    }

    /// For the command line: `python`'s handling of an uncaught exception (the traceback
    /// through `sys.excepthook`, SystemExit's status, KeyboardInterrupt's signal), returning
    /// the exit status.
    pub(crate) fn handle_uncaught(&self, err: Error) -> u32 {
        self.shared.enter(|vm, _| {
            flush_std(vm);
            let exc = match err {
                Error::Python(err) => err
                    .into_exception()
                    .and_then(|obj| obj.into_raw_in(&self.shared).ok()),
                _ => None,
            };
            match exc.and_then(|e| e.downcast().ok()) {
                Some(exc) => vm.handle_exit_exception(exc),
                None => 1,
            }
        })
    }

    /// For the command line: finalizes now and returns `python`'s exit status for it (120
    /// when the standard streams cannot be flushed), when no other handle is left.
    pub(crate) fn finalize(self) -> Option<u32> {
        let mut shared = Arc::into_inner(self.shared)?;
        let interpreter = shared.take_interpreter()?;
        Some(crate::embed::vm::finalize::finalize(
            interpreter,
            crate::embed::vm::finalize::Then::Exit,
        ))
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Runtime({})", self.shared.id())
    }
}

/// The ValueError `pickle.dumps` raises for a protocol above the highest.
fn check_protocol(protocol: u8) -> Result<(), Error> {
    let highest = pickle_core::encoder::HIGHEST_PROTOCOL;
    if protocol > highest {
        let msg = format!("pickle protocol must be <= {highest}");
        return Err(Error::raise(ExceptionKind::ValueError, msg));
    }
    Ok(())
}

/// An OSError for a file the host named, as Python words it.
fn io_error(err: &std::io::Error, path: &Path) -> Error {
    let kind = match err.kind() {
        std::io::ErrorKind::NotFound => ExceptionKind::FileNotFoundError,
        std::io::ErrorKind::PermissionDenied => ExceptionKind::PermissionError,
        _ => ExceptionKind::OSError,
    };
    let errno = err.raw_os_error().unwrap_or(0);
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text).to_string();
    Error::raise(
        kind,
        format!("[Errno {errno}] {text}: '{}'", path.display()),
    )
}

/// `source` compiled, registered with `linecache` so tracebacks show its lines.
pub(crate) fn compile(
    cx: &Vm<'_>,
    source: &str,
    mode: Mode,
    filename: &str,
) -> Result<PyRef<PyCode>, Error> {
    let vm = cx.vm;
    crate::embed::limits::source_depth::check(source, vm).map_err(|e| cx.error(e))?;
    let code = crate::embed::limits::source_depth::without_panics(vm, || {
        vm.compile(source, mode, filename)
            .map_err(|e| e.into_pyexception(vm, Some(source)))
    })
    .map_err(|e| cx.error(e))?;
    vm.register_code_in_linecache(&code, source)
        .map_err(|e| cx.error(e))?;
    Ok(code)
}

/// The namespace of `sys.modules['__main__']`.
fn main_globals(cx: &Vm<'_>) -> Result<PyDictRef, Error> {
    let vm = cx.vm;
    let lookup = || -> PyResult<PyDictRef> {
        let main = vm
            .sys_module
            .get_attr("modules", vm)?
            .get_item("__main__", vm)?;
        main.dict()
            .ok_or_else(|| vm.new_type_error("__main__ has no namespace"))
    };
    lookup().map_err(|e| cx.error(e))
}

/// Runs module-level code in `__main__`.
fn run_in_main(cx: &Vm<'_>, code: PyRef<PyCode>) -> Result<PyObjectRef, Error> {
    run_in(cx, code, main_globals(cx)?)
}

/// Runs module-level code with `globals` as its namespace.
pub(crate) fn run_in(
    cx: &Vm<'_>,
    code: PyRef<PyCode>,
    globals: PyDictRef,
) -> Result<PyObjectRef, Error> {
    let scope = Scope::with_builtins(None, globals, cx.vm);
    cx.vm.run_code_obj(code, scope).map_err(|e| cx.error(e))
}
