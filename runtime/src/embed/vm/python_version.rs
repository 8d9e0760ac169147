//! The Python brine reports: 3.14.0, the release whose standard library RustPython 0.6.0
//! ships and whose behaviour is brine's contract. RustPython builds in "3.14.0 alpha 0"
//! (`sys.version_info.releaselevel == 'alpha'`, `platform.python_version()` "3.14.0.alpha",
//! which pytest prints in its header, and `sys.hexversion` 0x030e00a0). Corrected to the
//! final release in `sys.version_info`, `sys.hexversion` and the start of `sys.version`;
//! `sys.implementation` still names RustPython and its own version.

use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// RustPython's placeholder, corrected only where it is found.
const PLACEHOLDER: &str = "alpha";

pub(crate) fn correct(vm: &VirtualMachine) -> PyResult<()> {
    let sys = vm.sys_module.as_object();
    let info = sys.get_attr("version_info", vm)?;
    let field = |i: usize| info.get_item(&i, vm);
    let level = field(3)?.str(vm)?;
    if level.as_bytes() != PLACEHOLDER.as_bytes() {
        return Ok(());
    }
    let numbers: Vec<u32> = (0..3)
        .map(|i| field(i)?.try_into_value(vm))
        .collect::<PyResult<_>>()?;
    let final_info = final_version_info(&info, &numbers, vm)?;
    sys.set_attr("version_info", final_info, vm)?;
    let [major, minor, micro] = [numbers[0], numbers[1], numbers[2]];
    let hexversion = (major << 24) | (minor << 16) | (micro << 8) | (0xF << 4);
    sys.set_attr("hexversion", vm.ctx.new_int(hexversion), vm)?;
    let version = sys.get_attr("version", vm)?.str(vm)?.to_string();
    let alpha = format!("{major}.{minor}.{micro}.{PLACEHOLDER}");
    if let Some(rest) = version.strip_prefix(&alpha) {
        let corrected = format!("{major}.{minor}.{micro}{rest}");
        sys.set_attr("version", vm.ctx.new_str(corrected), vm)?;
    }
    Ok(())
}

/// A `sys.version_info` of the same type, for the final release: made by the tuple type's
/// own constructor (the type's refuses new instances, as CPython's does).
fn final_version_info(
    info: &PyObjectRef,
    numbers: &[u32],
    vm: &VirtualMachine,
) -> PyResult<PyObjectRef> {
    let mut items: Vec<PyObjectRef> = numbers.iter().map(|&n| vm.ctx.new_int(n).into()).collect();
    items.push(vm.ctx.new_str("final").into());
    items.push(vm.ctx.new_int(0).into());
    let new = vm
        .ctx
        .types
        .tuple_type
        .slots
        .new
        .load()
        .ok_or_else(|| vm.new_runtime_error("tuple has no constructor"))?;
    let items: PyObjectRef = vm.ctx.new_tuple(items).into();
    new(info.class().to_owned(), FuncArgs::from(vec![items]), vm)
}
