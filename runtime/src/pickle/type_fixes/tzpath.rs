//! `sysconfig.get_config_var('TZPATH')` as CPython's default build gives it.
//!
//! `zoneinfo` searches the directories of that variable for the system's time-zone database.
//! RustPython's `_sysconfigdata` has no such variable, so `zoneinfo.TZPATH` was empty and
//! `ZoneInfo('UTC')` raised ZoneInfoNotFoundError where CPython finds it, and no ZoneInfo
//! pickle CPython wrote could load. `PYTHONTZPATH` still overrides it, as in CPython.

use rustpython_vm::builtins::PyModule;
use rustpython_vm::{Py, PyResult, VirtualMachine};

/// CPython's `--with-tzpath` default.
const TZPATH: &str = "/usr/share/zoneinfo:/usr/lib/zoneinfo:/usr/share/lib/zoneinfo:/etc/zoneinfo";

pub(super) fn correct(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let vars = module.get_attr("build_time_vars", vm)?;
    vars.set_item("TZPATH", vm.ctx.new_str(TZPATH).into(), vm)
}
