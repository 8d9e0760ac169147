//! `os.stat_result` with the hidden field CPython has on Linux and RustPython lacks, `st_rdev`,
//! so that CPython's pickles of it load and nothing in them is lost.
//!
//! CPython pickles a stat result as `(os.stat_result, (ten visible fields, {st_atime: ...,
//! st_blocks: ..., st_rdev: ...}))`; RustPython's constructor refused `st_rdev` (TypeError).
//! Corrected: the constructor takes CPython's hidden fields, keeping `st_rdev` after
//! RustPython's own fields; `st_rdev` reads it back. Results of `os.stat()` itself still lack
//! it (RustPython does not read it from the system): there `st_rdev` is an AttributeError as
//! before, and their pickles leave it out.

use rustpython_vm::builtins::{PyDict, PyModule, PyTuple, PyTypeRef};
use rustpython_vm::function::{FuncArgs, OptionalArg};
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::sync::Once;

/// CPython's hidden fields of `os.stat_result` on Linux, in its order.
const HIDDEN: [&str; 9] = [
    "st_atime",
    "st_mtime",
    "st_ctime",
    "st_atime_ns",
    "st_mtime_ns",
    "st_ctime_ns",
    "st_blksize",
    "st_blocks",
    "st_rdev",
];
/// The visible fields (seven named, three unnamed integer times).
const VISIBLE: usize = 10;

static CORRECTED: Once = Once::new();

pub(super) fn correct(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let class: PyTypeRef = module.get_attr("stat_result", vm)?.try_into_value(vm)?;
    CORRECTED.call_once(|| {
        let class = super::methods::leak(class);
        let rdev = vm.ctx.new_readonly_getset("st_rdev", class, st_rdev);
        class.set_attr(vm.ctx.intern_str("st_rdev"), rdev.into());
        class.set_attr(
            vm.ctx.intern_str("n_fields"),
            vm.ctx.new_int(VISIBLE + HIDDEN.len()).into(),
        );
        class.slots.new.store(Some(new));
    });
    Ok(())
}

fn st_rdev(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let fields = zelf
        .downcast_ref::<PyTuple>()
        .map(|t| t.as_slice().to_vec())
        .unwrap_or_default();
    fields
        .get(VISIBLE + HIDDEN.len() - 1)
        .cloned()
        .ok_or_else(|| vm.new_attribute_error("'os.stat_result' object has no attribute 'st_rdev'"))
}

/// CPython's `statresult_new`: 10 to 19 fields, the hidden ones past the sequence taken from
/// the dict (every key naming one of them), the rest None, except that float times left None
/// are the integer times.
fn new(cls: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let (sequence, dict): (PyObjectRef, OptionalArg<PyObjectRef>) = args.bind(vm)?;
    let dict = dict.into_option();
    let mut fields: Vec<PyObjectRef> = sequence.try_into_value(vm)?;
    let given = fields.len();
    let most = VISIBLE + HIDDEN.len();
    if !(VISIBLE..=most).contains(&given) {
        let message = if given < VISIBLE {
            format!(
                "os.stat_result() takes an at least {VISIBLE}-sequence ({given}-sequence given)"
            )
        } else {
            format!("os.stat_result() takes an at most {most}-sequence ({given}-sequence given)")
        };
        return Err(vm.new_type_error(message));
    }
    let dict = match dict {
        Some(dict) if !vm.is_none(&dict) => Some(dict.downcast::<PyDict>().map_err(|_| {
            vm.new_type_error("os.stat_result() takes a dict as second arg, if any")
        })?),
        _ => None,
    };
    let mut found = 0;
    for name in &HIDDEN[given - VISIBLE..] {
        let value = match &dict {
            Some(dict) => dict.get_item_opt(*name, vm)?,
            None => None,
        };
        found += usize::from(value.is_some());
        fields.push(value.unwrap_or_else(|| vm.ctx.none()));
    }
    if dict.is_some_and(|dict| dict.__len__() > found) {
        return Err(vm.new_type_error("os.stat_result() got duplicate or unexpected field name(s)"));
    }
    // As CPython's statresult_new: float times left None come from the integer ones.
    for int_time in 7..VISIBLE {
        if vm.is_none(&fields[int_time + 3]) {
            fields[int_time + 3] = fields[int_time].clone();
        }
    }
    PyTuple::new_unchecked(fields.into_boxed_slice())
        .into_ref_with_type(vm, cls)
        .map(|tuple| tuple.into())
}
