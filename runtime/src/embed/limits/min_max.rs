//! `min` and `max` that take their iterable one item at a time, as CPython's do.
//!
//! RustPython 0.6's collect the whole iterable into a vector first: about 100 bytes an item,
//! so `max(range(10**9))` asked for 100 GB and the kernel killed the host (measured: 1 GB
//! for `max(range(10**7))`, where CPython needs nothing). These replace them in `builtins`
//! with the same name, arguments, errors and result (the first of equal items wins; `key` and
//! `default` as CPython reads them), and let an interrupt or a time limit stop a long one
//! every [`CHECK_EVERY`] items.

use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::types::PyComparisonOp;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// How many items pass between two looks for a pending interrupt.
const CHECK_EVERY: usize = 4096;

/// Puts the streaming `min` and `max` in `builtins`.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let builtins = vm.builtins.as_object();
    for (name, function) in [
        ("min", vm.new_function("min", min)),
        ("max", vm.new_function("max", max)),
    ] {
        let function: PyObjectRef = function.into();
        function.set_attr("__module__", vm.ctx.new_str("builtins"), vm)?;
        builtins.set_attr(name, function, vm)?;
    }
    Ok(())
}

fn min(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    min_or_max(args, vm, "min", PyComparisonOp::Lt)
}

fn max(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    min_or_max(args, vm, "max", PyComparisonOp::Gt)
}

fn min_or_max(
    mut args: FuncArgs,
    vm: &VirtualMachine,
    name: &'static str,
    op: PyComparisonOp,
) -> PyResult {
    if args.args.is_empty() {
        return Err(vm.new_type_error(format!("{name} expected at least 1 argument, got 0")));
    }
    let default = args.take_keyword("default");
    let key = args.take_keyword("key").filter(|k| !vm.is_none(k));
    if let Some(unexpected) = args.kwargs.keys().next() {
        return Err(vm.new_type_error(format!(
            "{name}() got an unexpected keyword argument '{unexpected}'"
        )));
    }
    let mut best: Option<(PyObjectRef, PyObjectRef)> = None;
    let mut consider = |item: PyObjectRef| -> PyResult<()> {
        let value = match &key {
            Some(key) => key.call((item.clone(),), vm)?,
            None => item.clone(),
        };
        let better = match &best {
            None => true,
            Some((_, best_value)) => value.rich_compare_bool(best_value, op, vm)?,
        };
        if better {
            best = Some((item, value));
        }
        Ok(())
    };
    if args.args.len() > 1 {
        if default.is_some() {
            return Err(vm.new_type_error(format!(
                "Cannot specify a default for {name}() with multiple positional arguments"
            )));
        }
        for item in args.args {
            consider(item)?;
        }
    } else {
        let iterator = args.args[0].get_iter(vm)?;
        let mut seen = 0usize;
        while let PyIterReturn::Return(item) = iterator.next(vm)? {
            consider(item)?;
            seen += 1;
            if seen.is_multiple_of(CHECK_EVERY) {
                vm.check_signals()?;
            }
        }
    }
    match best {
        Some((item, _)) => Ok(item),
        None => default
            .ok_or_else(|| vm.new_value_error(format!("{name}() iterable argument is empty"))),
    }
}
