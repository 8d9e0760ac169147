//! Methods whose result's size their arguments tell are checked against the memory limit
//! before they run.
//!
//! `'x'.ljust(10**10)`, `('x' * 10**6).replace('x', 'y' * 1000)` and
//! `format(1, '>2000000000')` each make one string of gigabytes in one native call, which
//! no stop reaches until it returns (measured: 9.6 GiB resident past a 71 MiB limit, and
//! 20 s). The padding methods (`ljust`, `rjust`, `center`, `zfill`) and `replace` of `str`,
//! `bytes` and `bytearray`, `__format__` of `int`, `float`, `complex` and `str` (what
//! `format()`, `str.format` and f-strings call), and `%` of `str`, `bytes` and `bytearray`
//! are wrapped: when the result would be past the runtime's memory limit, they raise
//! MemoryError first. A format's size is bounded by the largest number its spec holds (a
//! width or a precision) or, for `*`, its arguments hold. The types are the process's:
//! wrapped once; with no limit the check is one comparison.

use crate::memory::{ESTIMATE_FROM, accounts, refuse_unless_fits};
use rustpython_vm::builtins::{PyStr, PyTuple, PyType};
use rustpython_vm::function::{FuncArgs, IntoPyNativeFn, ItemDoc, PyMethodFlags};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

/// How a method's result size is told from its arguments.
#[derive(Clone, Copy)]
enum Size {
    /// The width it pads to.
    Padded,
    /// `s.replace(old, new[, count])`.
    Replaced,
    /// `value.__format__(spec)`.
    Formatted,
    /// `format % args`.
    Percent,
}

/// The methods wrapped: the type (0 str, 1 bytes, 2 bytearray, 3 int, 4 float, 5
/// complex), the name, and how its size is told. The index is [`WRAPPED`]'s.
const METHODS: [(usize, &str, Size); 22] = [
    (0, "ljust", Size::Padded),
    (0, "rjust", Size::Padded),
    (0, "center", Size::Padded),
    (0, "zfill", Size::Padded),
    (0, "replace", Size::Replaced),
    (0, "__format__", Size::Formatted),
    (0, "__mod__", Size::Percent),
    (1, "ljust", Size::Padded),
    (1, "rjust", Size::Padded),
    (1, "center", Size::Padded),
    (1, "zfill", Size::Padded),
    (1, "replace", Size::Replaced),
    (1, "__mod__", Size::Percent),
    (2, "ljust", Size::Padded),
    (2, "rjust", Size::Padded),
    (2, "center", Size::Padded),
    (2, "zfill", Size::Padded),
    (2, "replace", Size::Replaced),
    (2, "__mod__", Size::Percent),
    (3, "__format__", Size::Formatted),
    (4, "__format__", Size::Formatted),
    (5, "__format__", Size::Formatted),
];

/// The originals, by [`METHODS`]' index.
static ORIGINALS: [OnceLock<PyObjectRef>; METHODS.len()] =
    [const { OnceLock::new() }; METHODS.len()];

/// The method at `N`, after its result's size is checked.
fn checked<const N: usize>(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if accounts::limit(accounts::current()).is_some() {
        let size = match METHODS[N].2 {
            Size::Padded => padded_size(&args, vm),
            Size::Replaced => replaced_size(&args, vm)?,
            Size::Formatted => formatted_size(&args, vm),
            Size::Percent => match args.args.first() {
                Some(format) => percent_size(format, args.args.get(1).map(|v| &**v), vm),
                None => 0,
            },
        };
        refuse_unless_fits(size).map_err(|message| vm.new_memory_error(message))?;
    }
    let original = ORIGINALS[N]
        .get()
        .expect("kept before the method was replaced");
    original.call(args, vm)
}

/// The largest number written in `spec` (a width or a precision bound what a format
/// makes), saturating.
fn largest_number(spec: &[u8]) -> usize {
    spec.split(|b| !b.is_ascii_digit())
        .map(|digits| {
            digits.iter().fold(0usize, |n, d| {
                n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
            })
        })
        .max()
        .unwrap_or(0)
}

/// For `value.__format__(spec)`: the largest number in the spec.
fn formatted_size(args: &FuncArgs, vm: &VirtualMachine) -> usize {
    let spec = args.args.get(1).and_then(|s| s.str(vm).ok());
    spec.map_or(0, |s| largest_number(s.as_bytes()))
}

/// For `format % args`: the largest number in the format, or in the arguments when the
/// format takes a width or precision from them (`*`).
pub(crate) fn percent_size(
    format: &PyObject,
    values: Option<&PyObject>,
    vm: &VirtualMachine,
) -> usize {
    let scan = |text: &[u8]| (largest_number(text), text.contains(&b'*'));
    let (written, starred) = match format.downcast_ref::<PyStr>() {
        Some(text) => scan(text.as_bytes()),
        None => match format.try_bytes_like(vm, scan) {
            Ok(scanned) => scanned,
            Err(_) => return 0,
        },
    };
    if !starred {
        return written;
    }
    let given = values.map_or(0, |values| match values.downcast_ref::<PyTuple>() {
        Some(items) => items
            .iter()
            .filter_map(|v| as_size(v, vm))
            .max()
            .unwrap_or(0),
        None => as_size(values, vm).unwrap_or(0),
    });
    written.max(given)
}

/// `obj` as a size, when it is an int that is one.
fn as_size(obj: &PyObject, vm: &VirtualMachine) -> Option<usize> {
    let int = obj.try_index_opt(vm)?.ok()?;
    usize::try_from(int.as_bigint()).ok()
}

/// The width a padding method is asked for (0 when it is not an int that fits).
fn padded_size(args: &FuncArgs, vm: &VirtualMachine) -> usize {
    let width = args.args.get(1).or_else(|| args.kwargs.get("width"));
    width.and_then(|w| as_size(w, vm)).unwrap_or(0)
}

/// The size of `s.replace(old, new[, count])`, when `new` is longer than `old` and the
/// result could pass [`ESTIMATE_FROM`] (0 otherwise: it is no larger than `s`).
fn replaced_size(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
    let (Some(zelf), Some(old), Some(new)) =
        (args.args.first(), args.args.get(1), args.args.get(2))
    else {
        return Ok(0);
    };
    let length = |obj: &PyObjectRef| obj.length(vm);
    let (len, old_len, new_len) = (length(zelf)?, length(old)?, length(new)?);
    if new_len <= old_len {
        return Ok(0);
    }
    let most = len.saturating_mul(new_len) / old_len.max(1) + new_len;
    if most < ESTIMATE_FROM {
        return Ok(0);
    }
    let found = vm.call_method(zelf, "count", (old.clone(),))?;
    let found = as_size(&found, vm).unwrap_or(0);
    let count = args
        .args
        .get(3)
        .and_then(|c| as_size(c, vm))
        .map_or(found, |c| c.min(found));
    Ok(len.saturating_add(count.saturating_mul(new_len - old_len)))
}

const WRAPPED: [fn(FuncArgs, &VirtualMachine) -> PyResult; METHODS.len()] = [
    checked::<0>,
    checked::<1>,
    checked::<2>,
    checked::<3>,
    checked::<4>,
    checked::<5>,
    checked::<6>,
    checked::<7>,
    checked::<8>,
    checked::<9>,
    checked::<10>,
    checked::<11>,
    checked::<12>,
    checked::<13>,
    checked::<14>,
    checked::<15>,
    checked::<16>,
    checked::<17>,
    checked::<18>,
    checked::<19>,
    checked::<20>,
    checked::<21>,
];

/// Wraps the methods, the first time a runtime is built.
pub(crate) fn install(vm: &VirtualMachine) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let types = &vm.ctx.types;
        let classes = [
            types.str_type,
            types.bytes_type,
            types.bytearray_type,
            types.int_type,
            types.float_type,
            types.complex_type,
        ];
        for (at, (class, name, _)) in METHODS.into_iter().enumerate() {
            wrap(vm, classes[class], name, at, WRAPPED[at]);
        }
    });
}

fn wrap<F, K>(vm: &VirtualMachine, class: &'static Py<PyType>, name: &'static str, at: usize, f: F)
where
    F: IntoPyNativeFn<K>,
{
    let Some(original) = class.get_attr(vm.ctx.intern_str(name)) else {
        return;
    };
    if ORIGINALS[at].set(original).is_err() {
        return;
    }
    let method = vm
        .ctx
        .new_method_def(name, f, PyMethodFlags::METHOD, ItemDoc::NONE)
        .build_method(class, vm);
    class.set_attr(vm.ctx.intern_str(name), method.as_object().to_owned());
}
