//! `time.sleep` for embedded runtimes: RustPython's sleeps in one piece, so an interrupt or
//! a time limit would wait for it to end; this one sleeps in short slices and stops when
//! its run is asked to.

use super::interrupt::Interrupts;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::time::{Duration, Instant};

/// The longest a stopped run waits for its sleep to notice.
const SLICE: Duration = Duration::from_millis(5);

/// Puts the interruptible `sleep` in place of `time.sleep` (it finds the runtime's
/// interrupts with [`Interrupts::of`]).
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let time = vm.import("time", 0)?;
    time.set_attr("sleep", vm.new_function("sleep", sleep), vm)
}

fn sleep(seconds: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let interrupts = Interrupts::of(vm);
    let length = duration(seconds, vm)?;
    let deadline = Instant::now() + length;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        vm.allow_threads(|| std::thread::sleep(left.min(SLICE)));
        if let Some(interrupts) = interrupts.as_ref().filter(|i| i.must_raise_now()) {
            return Err(interrupts.stop_exception(vm));
        }
    }
}

/// The sleep's length, refused as `time.sleep` refuses it.
fn duration(seconds: PyObjectRef, vm: &VirtualMachine) -> PyResult<Duration> {
    let type_name = seconds.class().name().to_owned();
    seconds.try_into_value::<Duration>(vm).map_err(|e| {
        if e.class().is(vm.ctx.exceptions.value_error) {
            return vm.new_value_error("sleep length must be non-negative");
        }
        if e.class().is(vm.ctx.exceptions.type_error) {
            return vm.new_type_error(format!(
                "'{type_name}' object cannot be interpreted as an integer or float"
            ));
        }
        e
    })
}
