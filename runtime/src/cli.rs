//! The `brine` command line: RustPython's `python` front end, except for one case it handles
//! unlike CPython.
//!
//! With `-` or no script, CPython runs the interactive loop only when stdin is a terminal;
//! otherwise it reads all of stdin and runs it as one script named `<stdin>`. RustPython's
//! front end runs its interactive shell on a pipe too, which breaks any piped program with a
//! blank line inside a block. `brine` runs piped stdin as CPython does, and leaves every other
//! case (scripts, `-c`, `-m`, `-i`, the terminal REPL) to RustPython's front end.

use crate::interpreter::{PickleImpl, builder};
use rustpython::{RunMode, parse_opts};
use rustpython_vm::{PyResult, VirtualMachine};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

/// Runs `brine` with the process's arguments.
pub fn main() -> ExitCode {
    let pickle = PickleImpl::from_env();
    let Ok((mut settings, mode)) = parse_opts() else {
        // RustPython's front end reports the argument error itself.
        return rustpython::run(builder(pickle));
    };
    let piped_program =
        matches!(mode, RunMode::Repl) && !settings.inspect && !std::io::stdin().is_terminal();
    if !piped_program {
        return rustpython::run(builder(pickle));
    }
    // CPython's sys.argv for a program read from stdin without `-` is [''].
    if settings.argv.is_empty() {
        settings.argv.push(String::new());
    }
    let interpreter = builder(pickle).settings(settings).interpreter();
    let status = interpreter.run(run_stdin_program);
    ExitCode::from(status as u8)
}

/// What CPython does for a piped program: the usual start-up (warnings, site, `''` as
/// `sys.path[0]`), then all of stdin compiled and run as `<stdin>` in `__main__`.
fn run_stdin_program(vm: &VirtualMachine) -> PyResult<()> {
    let scope = vm.new_scope_with_main()?;
    // As RustPython's front end: a failed warnings/site import is not fatal.
    let _ = vm.import("warnings", 0);
    let _ = vm.import("site", 0);
    if !vm.state.config.settings.safe_path {
        vm.insert_sys_path(vm.new_pyobj(""))?;
    }
    let mut source = Vec::new();
    std::io::stdin()
        .read_to_end(&mut source)
        .map_err(|e| vm.new_os_error(e.to_string()))?;
    let source = String::from_utf8(source).map_err(|e| {
        let msg = format!(
            "Non-UTF-8 code starting with '\\x{:02x}' in file <stdin>",
            e.as_bytes()[e.utf8_error().valid_up_to()]
        );
        vm.new_exception_msg(vm.ctx.exceptions.syntax_error.to_owned(), msg.into())
    })?;
    vm.run_string(scope, &source, "<stdin>").map(drop)
}
