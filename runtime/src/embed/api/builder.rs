//! [`Builder`]: the options a runtime is made with.

use super::error::Error;
use super::runtime::Runtime;
use super::shared::AppData;
use crate::embed::api::shared::Shared;
use crate::embed::convert::Vm;
use crate::embed::host::function::{HostLink, link_to};
use crate::embed::host::module::ModuleBuilder;
use crate::embed::limits::interrupt::Interrupts;
use crate::embed::limits::memory_limit;
use crate::embed::vm::interpreter::{PickleImpl, interpreter_builder};
use crate::embed::vm::output::{self, Captured, Output};
use crate::memory::accounts::{self, Tag};
use pickle_core::decoder::Limits;
use rustpython_vm::compiler::Mode;
use rustpython_vm::{AsObject, PyResult, Settings, VirtualMachine};
use std::sync::Arc;
use std::time::Duration;

/// The options of a [`Runtime`], from [`Runtime::builder`].
///
/// ```
/// use brine::{Error, Output, Runtime};
///
/// let rt = Runtime::builder()
///     .argv(["job.py", "--fast"])
///     .path("plugins")
///     .python_module("greeting", "def hello(name):\n    return f'hello, {name}'\n")
///     .recursion_limit(500)
///     .stdout(Output::Capture)
///     .build()?;
/// rt.run("import sys, greeting\nprint(sys.argv, greeting.hello('host'), sys.getrecursionlimit())")?;
/// assert_eq!(rt.take_stdout(), "['job.py', '--fast'] hello, host 500\n");
/// # Ok::<(), Error>(())
/// ```
#[must_use]
pub struct Builder {
    argv: Vec<String>,
    paths: Vec<String>,
    python_modules: Vec<(String, String)>,
    host_modules: Vec<ModuleBuilder>,
    recursion_limit: Option<usize>,
    time_limit: Option<Duration>,
    memory_limit: Option<usize>,
    fuel: Option<u64>,
    pickle_limits: Option<Limits>,
    isolated: bool,
    stdout: Output,
    stderr: Output,
    /// The command line's settings, in place of the embedding defaults.
    cli_settings: Option<Settings>,
    pickle: PickleImpl,
    app_data: AppData,
}

impl Builder {
    pub(crate) fn new() -> Self {
        Builder {
            argv: Vec::new(),
            paths: Vec::new(),
            python_modules: Vec::new(),
            host_modules: Vec::new(),
            recursion_limit: None,
            time_limit: None,
            memory_limit: None,
            fuel: None,
            pickle_limits: None,
            isolated: false,
            stdout: Output::Inherit,
            stderr: Output::Inherit,
            cli_settings: None,
            pickle: PickleImpl::Brine,
            app_data: AppData::new(),
        }
    }

    /// `sys.argv` (`['']` when not given, as for an embedded CPython).
    pub fn argv<S: Into<String>>(mut self, argv: impl IntoIterator<Item = S>) -> Self {
        self.argv = argv.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a directory (or zip file) to `sys.path`, before the standard library, in the
    /// order given, as `PYTHONPATH` entries are. The host's `PYTHONPATH` itself is not read.
    pub fn path(mut self, entry: impl Into<String>) -> Self {
        self.paths.push(entry.into());
        self
    }

    /// Adds a Python module made from `source`, importable as `name` (a dotted name makes a
    /// submodule; its parent, also added, becomes a package). The source is compiled when
    /// the runtime is built: a syntax error is an [`Error::Build`] then.
    pub fn python_module(mut self, name: impl Into<String>, source: impl Into<String>) -> Self {
        self.python_modules.push((name.into(), source.into()));
        self
    }

    /// Adds a native module of Rust functions, importable as `name`; see [`ModuleBuilder`].
    pub fn module(mut self, name: &str, define: impl FnOnce(&mut ModuleBuilder)) -> Self {
        let mut module = ModuleBuilder::new(name);
        define(&mut module);
        self.host_modules.push(module);
        self
    }

    /// `sys.setrecursionlimit(limit)` before any code runs.
    pub fn recursion_limit(mut self, limit: usize) -> Self {
        self.recursion_limit = Some(limit);
        self
    }

    /// Stops every run that takes longer than `limit` of wall-clock time: the host's call
    /// returns [`Error::Timeout`] and the runtime stays usable, with what the run left
    /// behind. A run is one call of the host into the runtime (`run`, `call`, `eval`, a
    /// method of an [`Object`](crate::Object), ...); [`Runtime::with_time_limit`] gives
    /// one piece of work a limit of its own.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// use std::time::Duration;
    ///
    /// let rt = Runtime::builder().time_limit(Duration::from_millis(50)).build()?;
    /// let outcome = rt.run("while True:\n    pass");
    /// assert!(matches!(outcome, Err(Error::Timeout { limit }) if limit == Duration::from_millis(50)));
    /// assert_eq!(rt.eval::<i64>("6 * 7")?, 42);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// Bounds the memory the runtime holds, in bytes: everything it allocates on every
    /// thread that runs it (its interpreter and modules, what scripts make, pickle loads,
    /// bytes it hands the host until the host drops them), less what it has freed.
    /// [`Runtime::memory_used`] tells the figure; a new runtime holds about 7 MiB before
    /// any script runs, and a limit below what it holds once built fails the build.
    ///
    /// A script that allocates past the limit gets `MemoryError`: a single large request
    /// that would pass it is refused where the VM asks for it fallibly (`bytearray(n)`,
    /// `b'x' * n`, `[0] * n`, `'a' * n`, ...), and any allocation past it stops the run at
    /// its next instruction. The script can catch it and go on once it is back under the
    /// limit, as in CPython; if it does not, the host's call returns
    /// [`Error::MemoryLimit`], what the run made and did not keep is freed, and the
    /// runtime goes on. What a script keeps in its globals stays, and counts.
    ///
    /// It needs brine's allocator as the host's global allocator ([`Allocator`]); without
    /// it, `build()` fails with an [`Error::Build`] saying so.
    ///
    /// [`Allocator`]: crate::Allocator
    ///
    /// ```no_run
    /// #[global_allocator]
    /// static ALLOCATOR: brine::Allocator = brine::Allocator::system();
    ///
    /// # fn main() -> Result<(), brine::Error> {
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::builder().memory_limit(256 << 20).build()?;
    /// let outcome = rt.run("x = []\nwhile True:\n    x.append(bytearray(10**6))");
    /// assert!(matches!(outcome, Err(Error::MemoryLimit { limit }) if limit == 256 << 20));
    /// assert_eq!(rt.eval::<i64>("6 * 7")?, 42);
    /// # Ok(())
    /// # }
    /// ```
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// Gives every run a budget of `units` of fuel: one is burned at each safe point of its
    /// Python code (every jump, which is every loop iteration, and every start of a Python
    /// function). Past the budget the run is stopped, at the same instruction every time the
    /// same script runs, however loaded the machine, and the host's call returns
    /// [`Error::OutOfFuel`]; the runtime goes on. [`Runtime::fuel_used`] tells what a run
    /// burned; [`Runtime::with_fuel`] gives one piece of work a budget of its own. Time
    /// limits and interrupts still apply. Native code burns nothing (`sum(range(10**9))`
    /// is one unit): bound that with a time limit. A run with fuel is watched through
    /// `sys.monitoring`, which slows its Python loops (BENCHMARKS.md, "Fuel").
    ///
    /// ```
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::builder().fuel(10_000).build()?;
    /// let spin = "while True:\n    n += 1";
    /// rt.run("n = 0")?; // (a runtime's first run burns a few dozen units more: set-up)
    /// let outcome = rt.run(spin);
    /// assert!(matches!(outcome, Err(Error::OutOfFuel { fuel: 10_000 })));
    /// let n = rt.eval::<i64>("n")?;
    /// rt.run("n = 0")?;
    /// assert!(rt.run(spin).is_err());
    /// assert_eq!(rt.eval::<i64>("n")?, n); // the same place, every time
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fuel(mut self, units: u64) -> Self {
        self.fuel = Some(units);
        self
    }

    /// Bounds every pickle load in the runtime (`pickle.loads`, `pickle.load`,
    /// `Unpickler.load`, and [`Runtime::loads`]): the memory the data may occupy, how deep
    /// it may nest, how many objects the memo may hold. A pickle beyond them raises
    /// `MemoryError` (`UnpicklingError` for what is malformed), in the script that loaded
    /// it; the host's memory stays bounded. Without this, loads are as CPython's:
    /// unbounded. What objects a pickle's own calls make (a `REDUCE` of a global) is not
    /// counted: for data from outside, load with an allow-list too.
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// use brine::pickle_core::decoder::Limits;
    ///
    /// let limits = Limits { max_memory: 1 << 20, ..Limits::UNTRUSTED };
    /// let rt = Runtime::builder().pickle_limits(limits).build()?;
    /// rt.run("import pickle\nsmall = pickle.dumps(b'x' * 1000)\nbig = pickle.dumps(b'x' * (2 << 20))")?;
    /// assert_eq!(rt.eval::<usize>("len(pickle.loads(small))")?, 1000);
    /// let Err(Error::Python(err)) = rt.run("pickle.loads(big)") else { panic!() };
    /// assert_eq!(err.to_string(), "MemoryError: unpickling exceeded the memory limit");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn pickle_limits(mut self, limits: Limits) -> Self {
        self.pickle_limits = Some(limits);
        self
    }

    /// Isolates the runtime from the host: a script cannot read or write files, start
    /// processes or threads, open sockets, load native code, install signal handlers, read
    /// the host's environment variables or import from the file system. Each is refused
    /// with an exception saying the runtime is isolated (PermissionError for a function,
    /// ModuleNotFoundError for a module). The frozen standard library's pure modules
    /// (`pickle`, `json`, `re`, `datetime`, `decimal`, `collections`, `dataclasses`, ...)
    /// and the host's modules work as ever; `sys.stdin` is empty, and `sys.stdout` and
    /// `sys.stderr` are the host's choice ([`stdout`](Self::stdout)).
    ///
    /// ```
    /// use brine::{Error, Runtime};
    ///
    /// let rt = Runtime::builder().isolated().build()?;
    /// assert_eq!(rt.eval::<String>("__import__('json').dumps({'ok': [1, 2]})")?, r#"{"ok": [1, 2]}"#);
    /// let Err(Error::Python(err)) = rt.run("open('/etc/passwd').read()") else { panic!() };
    /// assert_eq!(err.to_string(), "PermissionError: files cannot be opened: this runtime is isolated");
    /// let Err(Error::Python(err)) = rt.run("import os\nos.system('id')") else { panic!() };
    /// assert_eq!(err.to_string(), "PermissionError: os.system() is not available: this runtime is isolated");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn isolated(mut self) -> Self {
        self.isolated = true;
        self
    }

    /// Where `sys.stdout` goes.
    pub fn stdout(mut self, output: Output) -> Self {
        self.stdout = output;
        self
    }

    /// Where `sys.stderr` goes.
    pub fn stderr(mut self, output: Output) -> Self {
        self.stderr = output;
        self
    }

    /// The command line's parsed options (`brine`'s own), in place of the defaults.
    pub(crate) fn cli_settings(mut self, settings: Settings) -> Self {
        self.cli_settings = Some(settings);
        self
    }

    /// Which `_pickle` to register (RustPython's only for benchmarks).
    pub(crate) fn pickle_impl(mut self, pickle: PickleImpl) -> Self {
        self.pickle = pickle;
        self
    }

    /// The settings of an embedded interpreter: no signal handlers of its own (they are
    /// the host's), nothing read from the host's environment.
    fn settings(&self) -> Settings {
        if let Some(settings) = &self.cli_settings {
            return settings.clone();
        }
        let mut settings = Settings::default();
        settings.argv = if self.argv.is_empty() {
            vec![String::new()]
        } else {
            self.argv.clone()
        };
        settings.path_list = self.paths.clone();
        settings.install_signal_handlers = false;
        settings.ignore_environment = true;
        settings.import_site = false;
        settings.user_site_directory = false;
        if self.isolated {
            crate::embed::isolation::configure(&mut settings);
        }
        settings
    }

    /// Makes the runtime.
    pub fn build(mut self) -> Result<Runtime, Error> {
        if self.isolated && !self.paths.is_empty() {
            return Err(Error::Build(
                "an isolated runtime imports nothing from the file system: path() cannot be used"
                    .into(),
            ));
        }
        let account = accounts::open();
        let memory_limit = self.memory_limit;
        if memory_limit.is_some() && account.is_none() {
            return Err(Error::Build(memory_limit::NOT_INSTALLED.into()));
        }
        let account = account.unwrap_or(Tag::NONE);
        let _charge = accounts::charge_to(account);
        let (interrupts, signals) = Interrupts::new(self.time_limit, account, self.fuel);
        let isolated = self.isolated;
        let interpreter = interpreter_builder(self.pickle)
            .settings(self.settings())
            .init_hook(move |vm| {
                vm.set_user_signal_channel(signals);
                if isolated {
                    crate::embed::isolation::before_start(vm);
                }
            })
            .interpreter();
        let captured = Captured::new(self.stdout, self.stderr);
        let shared = Arc::new(Shared::new(
            interpreter,
            captured,
            interrupts,
            std::mem::take(&mut self.app_data),
        ));
        memory_limit::watch(&shared.interrupts);
        let link = link_to(&shared);
        shared.with_cx(|cx| self.prepare(cx, &link))?;
        if let Some(limit) = memory_limit {
            memory_limit::set_initial(account, limit).map_err(Error::Build)?;
        }
        Ok(Runtime::from_shared(shared))
    }

    /// Everything done in the new VM before the host gets it.
    fn prepare(self, cx: &Vm<'_>, link: &HostLink) -> Result<(), Error> {
        let vm = cx.vm;
        let fail = |what: &str, e| Error::Build(format!("{what}: {}", describe(vm, e)));
        vm.new_scope_with_main()
            .map_err(|e| fail("cannot make __main__", e))?;
        crate::pickle::embedding::init_types();
        crate::embed::vm::python_version::correct(vm)
            .map_err(|e| fail("cannot set sys.version_info", e))?;
        crate::embed::limits::source_depth::install(vm)
            .map_err(|e| fail("cannot guard compile, exec and eval", e))?;
        crate::embed::limits::iterator_depth::install(vm);
        crate::embed::vm::deep_free::install(vm);
        crate::embed::vm::deep_free::hide_from_dir(vm)
            .map_err(|e| fail("cannot keep the deallocation hook out of dir()", e))?;
        crate::embed::vm::deep_free::hook_native_imports(vm)
            .map_err(|e| fail("cannot hook the types of native modules", e))?;
        crate::embed::limits::large_requests::install(vm);
        crate::embed::limits::sized_methods::install(vm);
        crate::embed::limits::long_iterations::install(vm);
        crate::embed::limits::min_max::install(vm)
            .map_err(|e| fail("cannot set min and max", e))?;
        crate::embed::vm::line_events::install(vm)
            .map_err(|e| fail("cannot wrap sys.monitoring's callbacks", e))?;
        if self.pickle == PickleImpl::Brine {
            crate::pickle::type_fixes::apply(vm);
            crate::pickle::type_fixes::install_python_corrections(vm)
                .map_err(|e| fail("cannot correct the standard library", e))?;
        }
        if self.cli_settings.is_none() {
            let monitoring = vm.sys_module.get_attr("monitoring", vm);
            monitoring
                .and_then(|m| cx.shared.interrupts.reserve_tool(vm, &m))
                .map_err(|e| fail("cannot reserve a sys.monitoring tool", e))?;
            Interrupts::keep_for(vm, Arc::downgrade(&cx.shared.interrupts));
            if !self.isolated {
                crate::embed::limits::thread_accounts::install(vm, cx.shared.interrupts.account())
                    .map_err(|e| fail("cannot charge threads to the runtime", e))?;
            }
            crate::embed::limits::sleep::install(vm)
                .map_err(|e| fail("cannot set time.sleep", e))?;
        }
        if let Some(limits) = self.pickle_limits {
            crate::pickle::limits::set(vm, limits);
        }
        if let Some(limit) = self.recursion_limit {
            let sys = vm.sys_module.as_object();
            vm.call_method(sys, "setrecursionlimit", (limit,))
                .map_err(|e| fail("recursion_limit", e))?;
        }
        let captured = &cx.shared.captured;
        output::install(vm, "stdout", self.stdout, &captured.stdout, self.isolated)
            .map_err(|e| fail("cannot set sys.stdout", e))?;
        output::install(vm, "stderr", self.stderr, &captured.stderr, self.isolated)
            .map_err(|e| fail("cannot set sys.stderr", e))?;
        if self.isolated {
            crate::embed::isolation::apply(vm)
                .map_err(|e| fail("cannot isolate the runtime", e))?;
        }
        if !self.python_modules.is_empty() || !self.host_modules.is_empty() {
            self.add_modules(cx, link)?;
        }
        Ok(())
    }

    /// Registers the host's modules with the finder that serves them.
    fn add_modules(self, cx: &Vm<'_>, link: &HostLink) -> Result<(), Error> {
        let vm = cx.vm;
        let fail = |e| Error::Build(format!("cannot add host modules: {}", describe(vm, e)));
        let finder = host_module_finder(vm).map_err(fail)?;
        let sources = finder.get_attr("sources", vm).map_err(fail)?;
        for (name, source) in &self.python_modules {
            let code = compile_module(vm, name, source)?;
            sources.set_item(name.as_str(), code, vm).map_err(fail)?;
        }
        for module in self.host_modules {
            add_host_module(cx, module, link)?;
        }
        Ok(())
    }

    /// Gives the runtime a value of the host's, which host functions taking `&Runtime`
    /// reach with [`Runtime::app_data`] (one of each type: a second replaces the first).
    ///
    /// ```
    /// use brine::{Error, Runtime};
    /// use std::sync::Mutex;
    ///
    /// struct Ledger(Mutex<Vec<String>>);
    ///
    /// let rt = Runtime::builder()
    ///     .app_data(Ledger(Mutex::new(Vec::new())))
    ///     .module("ledger", |m| {
    ///         m.function("record", |rt: &Runtime, entry: String| {
    ///             rt.app_data::<Ledger>().expect("given at build").0.lock().unwrap().push(entry);
    ///         });
    ///     })
    ///     .build()?;
    /// rt.run("import ledger\nledger.record('opened')\nledger.record('closed')")?;
    /// assert_eq!(*rt.app_data::<Ledger>().unwrap().0.lock().unwrap(), ["opened", "closed"]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn app_data<T: std::any::Any + Send + Sync>(mut self, value: T) -> Self {
        self.app_data.retain(|held| !held.is::<T>());
        self.app_data.push(Box::new(value));
        self
    }
}

/// `_brine_embed`'s finder of host modules, installed on first use.
fn host_module_finder(vm: &VirtualMachine) -> PyResult {
    let embed = vm.import("_brine_embed", 0)?;
    vm.call_method(&embed, "install", ())?;
    embed.get_attr("host_modules", vm)
}

/// Builds `module` and has the finder serve it under its name (replacing a module of that
/// name not yet imported; one imported stays in `sys.modules`).
pub(crate) fn add_host_module(
    cx: &Vm<'_>,
    module: ModuleBuilder,
    link: &HostLink,
) -> Result<(), Error> {
    let vm = cx.vm;
    let finder = host_module_finder(vm).map_err(|e| cx.error(e))?;
    let natives = finder.get_attr("natives", vm).map_err(|e| cx.error(e))?;
    let name = module.name().to_string();
    let object = module.build(cx, link)?;
    natives
        .set_item(name.as_str(), object, vm)
        .map_err(|e| cx.error(e))
}

/// A host module's source, compiled (a syntax error is a build error showing it).
fn compile_module(
    vm: &VirtualMachine,
    name: &str,
    source: &str,
) -> Result<rustpython_vm::PyObjectRef, Error> {
    let filename = format!("<host module {name}>");
    crate::embed::limits::source_depth::check(source, vm)
        .map_err(|e| Error::Build(format!("python_module {name}: {}", describe(vm, e))))?;
    let code = crate::embed::limits::source_depth::without_panics(vm, || {
        vm.compile(source, Mode::Exec, filename)
            .map_err(|e| e.into_pyexception(vm, Some(source)))
    })
    .map_err(|e| Error::Build(format!("python_module {name}: {}", describe(vm, e))))?;
    vm.register_code_in_linecache(&code, source)
        .map_err(|e| Error::Build(describe(vm, e)))?;
    Ok(code.into())
}

/// `Type: message` of an exception, for build errors.
fn describe(vm: &VirtualMachine, exc: rustpython_vm::builtins::PyBaseExceptionRef) -> String {
    super::exceptions::format_exception(vm, exc.as_object())
        .unwrap_or_else(|_| exc.class().name().to_string())
        .trim_end()
        .to_string()
}
