//! Code objects made by `code.replace(...)` or `types.CodeType(...)` report their own lines.
//!
//! Beside a code object's line table (`co_linetable`, relative to `co_firstlineno`), RustPython
//! keeps each instruction's absolute position, and tracebacks read that. `replace` copied the
//! positions unchanged, so a new `co_firstlineno` or `co_linetable` moved `co_lines()` but not
//! the lines a traceback names; the constructor put every instruction on the first line.
//! hypothesis moves the wrapper each test runs through onto the test's own lines with
//! `replace(co_firstlineno=...)`, and pytest showed that frame at a line of hypothesis's
//! generated source ("test_x.py:5", with no source to show); cloudpickle rebuilds the
//! functions it pickles by value with the constructor, and every line of their tracebacks was
//! the first. Corrected: the positions are read again from the line table, as CPython reads
//! its lines.

use rustpython_compiler_core::marshal::linetable_to_locations;
use rustpython_vm::builtins::{PyCode, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's `new` slot.
type New = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// The code type's own `new` slot and `replace` method.
static OWN_NEW: OnceLock<New> = OnceLock::new();
static OWN_REPLACE: OnceLock<PyObjectRef> = OnceLock::new();

/// Wraps the code type's constructor and `replace` (once per process: the type is shared).
pub(super) fn correct(vm: &VirtualMachine) {
    let class = vm.ctx.types.code_type;
    let slot = &class.slots.new;
    if let Some(own) = slot.load()
        && OWN_NEW.set(own).is_ok()
    {
        slot.store(Some(new));
    }
    let name = vm.ctx.intern_str("replace");
    if let Some(own) = class.attributes.get(name)
        && OWN_REPLACE.set(own).is_ok()
    {
        super::methods::set_method(vm, class, "replace", replace);
    }
}

fn new(cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let own = *OWN_NEW.get().expect("kept before the slot was replaced");
    relocated(own(cls, args, vm)?, vm)
}

fn replace(zelf: PyObjectRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let own = OWN_REPLACE
        .get()
        .expect("kept before the method was replaced");
    args.prepend_arg(zelf);
    relocated(own.call(args, vm)?, vm)
}

/// `made` with each instruction's position read from its line table.
fn relocated(made: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let Some(code) = made.downcast_ref::<PyCode>() else {
        return Ok(made);
    };
    let first_line = code.code.first_line_number.map_or(-1, |n| n.get() as i32);
    let locations = linetable_to_locations(
        &code.code.linetable,
        first_line,
        code.code.instructions.len(),
    );
    if locations == code.code.locations {
        return Ok(made);
    }
    let mut moved = code.code.clone();
    moved.locations = locations;
    Ok(PyCode::new(moved).into_ref(&vm.ctx).into())
}
