//! The `brine` command line: `python`'s options and modes, run through the embedding API.
//!
//! RustPython's `parse_opts` reads the options; a [`Runtime`] built with them runs the
//! program. One case is handled unlike RustPython's own front end, as CPython handles it:
//! with `-` or no script and a stdin that is not a terminal, all of stdin runs as one
//! script named `<stdin>` (RustPython runs its interactive shell there, which breaks any
//! piped program with a blank line inside a block).

use crate::embed::vm::interpreter::PickleImpl;
use crate::{Error, Runtime};
use rustpython::{RunMode, parse_opts};
use rustpython_vm::builtins::PyType;
use rustpython_vm::scope::Scope;
use rustpython_vm::{Py, PyResult, VirtualMachine};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

/// What the `brine` binary carries beside the library: files the frozen standard library
/// cannot hold.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bundled {
    /// The pip wheel `ensurepip` installs (RustPython's standard library bundles it as a
    /// file), handed to scripts as `_brine_bundled.pip_wheel()`.
    pub pip_wheel: Option<&'static [u8]>,
}

/// Runs `brine` with the process's arguments.
pub fn main() -> ExitCode {
    main_with(Bundled::default())
}

/// [`main`], with what the binary carries.
pub fn main_with(bundled: Bundled) -> ExitCode {
    let (mut settings, mode) = match parse_opts() {
        Ok(parsed) => parsed,
        Err(err) => {
            println!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let piped =
        matches!(mode, RunMode::Repl) && !settings.inspect && !std::io::stdin().is_terminal();
    // CPython's sys.argv for a program read from stdin without `-` is [''].
    if piped && settings.argv.is_empty() {
        settings.argv.push(String::new());
    }
    let (inspect, safe_path) = (settings.inspect, settings.safe_path);
    let imports = StartImports {
        // sys.warnoptions is these settings: -W, PYTHONWARNINGS, -X dev, -b.
        warnings: !settings.warnoptions.is_empty(),
        site: settings.import_site,
    };
    let mut builder = Runtime::builder()
        .cli_settings(settings)
        .pickle_impl(PickleImpl::from_env());
    if let Some(limit) = memory_limit_from_env() {
        builder = builder.memory_limit(limit);
    }
    if let Some(wheel) = bundled.pip_wheel.filter(|wheel| !wheel.is_empty()) {
        builder = builder.module("_brine_bundled", |module| {
            module
                .doc("Files the brine binary carries for the standard library (ensurepip).")
                .function("pip_wheel", move || wheel);
        });
    }
    let runtime = builder.build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("brine: {err}");
            return ExitCode::FAILURE;
        }
    };
    let interactive = matches!(mode, RunMode::Repl) && !piped;
    let mut result = start(&runtime, &mode, safe_path, imports)
        .and_then(|()| run(&runtime, mode, piped, safe_path));
    if result.is_ok() && (interactive || inspect) {
        result = shell(&runtime);
    }
    let status = match result {
        Ok(()) => 0,
        Err(err) => exit_status(&runtime, err),
    };
    // Finalizing can fail too (a stream that cannot be flushed: 120), as in CPython.
    let finalized = runtime.finalize().unwrap_or(0);
    let status = if status == 0 { finalized } else { status };
    ExitCode::from(status as u8)
}

/// The modules `python` imports before the program.
struct StartImports {
    /// `warnings`, only when there are warning options (to apply them); without them the
    /// VM's own `_warnings` filters and warns, as CPython's C `_warnings` does.
    warnings: bool,
    /// `site`, unless -S.
    site: bool,
}

/// What `python` does before the program: the modules of [`StartImports`], `sys.path[0]`.
fn start(
    runtime: &Runtime,
    mode: &RunMode,
    safe_path: bool,
    imports: StartImports,
) -> Result<(), Error> {
    // As CPython: a failed warnings or site import is not fatal.
    if imports.warnings {
        let _ = runtime.import("warnings");
    }
    if imports.site {
        let _ = runtime.import("site");
    }
    let path0 = match mode {
        RunMode::Command(_) | RunMode::Repl => Some(String::new()),
        RunMode::Module(_) => std::env::current_dir()
            .ok()
            .and_then(|p| p.to_str().map(str::to_owned)),
        // A script's directory is put there when the script is run.
        RunMode::Script(_) | RunMode::InstallPip(_) => None,
    };
    match path0 {
        Some(path) if !safe_path => insert_sys_path(runtime, &path),
        _ => Ok(()),
    }
}

/// `sys.path.insert(0, entry)`.
fn insert_sys_path(runtime: &Runtime, entry: &str) -> Result<(), Error> {
    let path = runtime.import("sys")?.get_attr("path")?;
    path.call_method("insert", (0, entry))
}

/// Runs the program the options name.
fn run(runtime: &Runtime, mode: RunMode, piped: bool, safe_path: bool) -> Result<(), Error> {
    match mode {
        RunMode::Command(command) => runtime.run_source(&command, "<string>"),
        RunMode::Module(module) => runtime.run_module(&module),
        RunMode::Script(path) => run_script(runtime, &path, safe_path),
        RunMode::Repl if piped => runtime.run_source(&read_stdin(runtime)?, "<stdin>"),
        RunMode::Repl => Ok(()),
        RunMode::InstallPip(_) => {
            let msg = "install-pip requires rustpython be build with '--features=ssl'";
            Err(exception(runtime, |vm| vm.ctx.exceptions.system_error, msg))
        }
    }
}

/// All of stdin, as UTF-8 source (CPython's SyntaxError for anything else).
fn read_stdin(runtime: &Runtime) -> Result<String, Error> {
    let mut source = Vec::new();
    if let Err(err) = std::io::stdin().read_to_end(&mut source) {
        let msg = err.to_string();
        return Err(exception(runtime, |vm| vm.ctx.exceptions.os_error, &msg));
    }
    String::from_utf8(source).map_err(|e| {
        let byte = e.as_bytes()[e.utf8_error().valid_up_to()];
        let msg = format!("Non-UTF-8 code starting with '\\x{byte:02x}' in file <stdin>");
        exception(runtime, |vm| vm.ctx.exceptions.syntax_error, &msg)
    })
}

/// A new exception of a builtin type, as the error the program ends with.
fn exception(
    runtime: &Runtime,
    kind: fn(&VirtualMachine) -> &'static Py<PyType>,
    msg: &str,
) -> Error {
    let made = runtime.with_cx(|cx| {
        let exc = cx
            .vm
            .new_exception_msg(kind(cx.vm).to_owned(), msg.to_string().into());
        Ok(cx.error(exc))
    });
    made.unwrap_or_else(|err| err)
}

/// `python FILE`: a directory or zip with `__main__` runs as a package; a file runs with
/// its directory first on `sys.path`, and its absolute path as `__file__`.
fn run_script(runtime: &Runtime, script: &str, safe_path: bool) -> Result<(), Error> {
    let path = absolute(script);
    if runtime.call::<bool>("_brine_embed.has_importer", (path.as_str(),))? {
        insert_sys_path(runtime, &path)?;
        return runtime.call("runpy._run_module_as_main", ("__main__", false));
    }
    if !safe_path {
        insert_sys_path(runtime, &script_dir(script))?;
    }
    if let Err(err) = std::fs::metadata(&path) {
        return cannot_open(runtime, &path, &err);
    }
    runtime.run_file(&path)
}

/// CPython's message for a script it cannot open, and its exit status 2.
fn cannot_open(runtime: &Runtime, path: &str, err: &std::io::Error) -> Result<(), Error> {
    let program = runtime.eval::<String>("__import__('sys').executable")?;
    let errno = err.raw_os_error().unwrap_or(2);
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let shown = runtime.call::<String>("builtins.repr", (path,))?;
    eprintln!("{program}: can't open file {shown}: [Errno {errno}] {text}");
    Err(Error::Exit {
        code: 2,
        message: None,
    })
}

/// `path` made absolute against the working directory, as CPython names `__main__`'s file.
fn absolute(path: &str) -> String {
    std::path::absolute(path)
        .ok()
        .and_then(|p| p.into_os_string().into_string().ok())
        .unwrap_or_else(|| path.to_string())
}

/// The directory of the script, symlinks resolved (CPython's `sys.path[0]`).
fn script_dir(script: &str) -> String {
    let resolved = std::fs::canonicalize(script)
        .ok()
        .and_then(|p| p.into_os_string().into_string().ok())
        .unwrap_or_else(|| script.to_string());
    match resolved.rfind('/') {
        Some(0) => "/".to_string(),
        Some(sep) => resolved[..sep].to_string(),
        None => String::new(),
    }
}

/// The interactive loop, in `__main__`.
fn shell(runtime: &Runtime) -> Result<(), Error> {
    let main = runtime.globals()?;
    runtime.with_cx(|cx| {
        let vm = cx.vm;
        let globals = cx
            .unwrap(&main)?
            .downcast()
            .expect("__main__'s namespace is a dict");
        let run = || -> PyResult<()> {
            let scope = Scope::with_builtins(None, globals, vm);
            rustpython::run_shell(vm, scope)
        };
        run().map_err(|e| cx.error(e))
    })
}

/// The exit status for an error ending the program, after `python`'s report of it.
fn exit_status(runtime: &Runtime, err: Error) -> u32 {
    match err {
        Error::Exit { code, message } => {
            if let Some(message) = message {
                let _ = runtime.call::<()>("sys.stderr.write", (format!("{message}\n"),));
            }
            code as u32
        }
        err @ Error::Python(_) => runtime.handle_uncaught(err),
        other => {
            eprintln!("brine: {other}");
            1
        }
    }
}

/// `BRINE_MEMORY_LIMIT` (bytes): the runtime's memory limit, for bench/memory_limit.sh. It
/// needs brine's allocator in the binary (the `accounting-allocator` feature); without it
/// the start fails with the message saying so.
fn memory_limit_from_env() -> Option<usize> {
    std::env::var("BRINE_MEMORY_LIMIT").ok()?.parse().ok()
}
