//! Large requests past a runtime's memory limit are refused before they are made, where
//! that is safe.
//!
//! The allocator may refuse a request only where the VM asks for it fallibly: an
//! infallible request refused aborts the process. RustPython asks fallibly for the one
//! large block of repetition (`b'x' * n`, `'a' * n`, `[0] * n`, of `str`, `bytes`,
//! `bytearray`, `list` and `tuple`, and their `*=`) and of `bytes(n)` / `bytearray(n)`:
//! those slots are wrapped so that, inside them, a large request that would pass the limit
//! is refused (memory/accounts.rs, `refusable`), and the script gets `MemoryError` at once
//! instead of the block being made and the run stopped after. Large integers are made by
//! malachite, infallibly: `**`, `<<` and `*` of ints estimate the result's size first and
//! raise `MemoryError` when it does not fit. The types are the process's: they are wrapped
//! once, for every runtime, and cost a thread-local counter when no limit is set.

use crate::memory::{accounts, refuse_unless_fits};
use rustpython_vm::builtins::{PyInt, PyType, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::{PyNumberBinaryFunc, PyNumberTernaryFunc, PySequence};
use rustpython_vm::{Py, PyObject, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

/// Puts `$wrapper` in `$slot` (a type's slot cell), keeping what was there in `$original`
/// (once: a slot already replaced is left as it is). A macro: the cell type is the VM's
/// dependency's, not brine's.
macro_rules! replace_slot {
    ($slot:expr, $original:expr, $wrapper:expr) => {
        if let Some(was) = $slot.load()
            && $original.set(was).is_ok()
        {
            $slot.store(Some($wrapper));
        }
    };
}

type Repeat = fn(PySequence<'_>, isize, &VirtualMachine) -> PyResult;
type Init = fn(&PyObject, FuncArgs, &VirtualMachine) -> PyResult<()>;
type New = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// The repetition slots' originals: `repeat` and `inplace_repeat` of each of the five
/// sequence types, then `multiply` and `inplace_multiply`.
static REPEATS: [OnceLock<Repeat>; 10] = [const { OnceLock::new() }; 10];
static MULTIPLIES: [OnceLock<PyNumberBinaryFunc>; 10] = [const { OnceLock::new() }; 10];
static BYTES_NEW: OnceLock<New> = OnceLock::new();
static BYTEARRAY_INIT: OnceLock<Init> = OnceLock::new();
/// `int`'s `**`, `<<`, `*`, and their in-place forms.
static INT_POWER: [OnceLock<PyNumberTernaryFunc>; 2] = [const { OnceLock::new() }; 2];
static INT_BINARY: [OnceLock<PyNumberBinaryFunc>; 4] = [const { OnceLock::new() }; 4];
/// `%` of `str`, `bytes` and `bytearray`.
static REMAINDERS: [OnceLock<PyNumberBinaryFunc>; 3] = [const { OnceLock::new() }; 3];

/// `format % values`, after the size of what it makes is checked (sized_methods.rs).
fn checked_remainder<const N: usize>(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    if accounts::limit(accounts::current()).is_some() {
        let size = super::sized_methods::percent_size(a, Some(b), vm);
        refuse_unless_fits(size).map_err(|message| vm.new_memory_error(message))?;
    }
    let original = REMAINDERS[N]
        .get()
        .expect("kept before the slot was replaced");
    original(a, b, vm)
}

fn refusable_repeat<const N: usize>(
    seq: PySequence<'_>,
    n: isize,
    vm: &VirtualMachine,
) -> PyResult {
    let original = REPEATS[N].get().expect("kept before the slot was replaced");
    accounts::refusable(|| original(seq, n, vm))
}

fn refusable_multiply<const N: usize>(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let original = MULTIPLIES[N]
        .get()
        .expect("kept before the slot was replaced");
    accounts::refusable(|| original(a, b, vm))
}

fn refusable_bytes_new(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let original = BYTES_NEW.get().expect("kept before the slot was replaced");
    accounts::refusable(|| original(class, args, vm))
}

fn refusable_bytearray_init(zelf: &PyObject, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let original = BYTEARRAY_INIT
        .get()
        .expect("kept before the slot was replaced");
    accounts::refusable(|| original(zelf, args, vm))
}

const REPEAT_WRAPPERS: [Repeat; 10] = [
    refusable_repeat::<0>,
    refusable_repeat::<1>,
    refusable_repeat::<2>,
    refusable_repeat::<3>,
    refusable_repeat::<4>,
    refusable_repeat::<5>,
    refusable_repeat::<6>,
    refusable_repeat::<7>,
    refusable_repeat::<8>,
    refusable_repeat::<9>,
];

const MULTIPLY_WRAPPERS: [PyNumberBinaryFunc; 10] = [
    refusable_multiply::<0>,
    refusable_multiply::<1>,
    refusable_multiply::<2>,
    refusable_multiply::<3>,
    refusable_multiply::<4>,
    refusable_multiply::<5>,
    refusable_multiply::<6>,
    refusable_multiply::<7>,
    refusable_multiply::<8>,
    refusable_multiply::<9>,
];

/// The size in bytes the int result of `a op b` needs, estimated from the operands' bits
/// (`None` when they are not both ints, or the result is not one that grows).
fn int_estimate(a: &PyObject, b: &PyObject, op: IntOp) -> Option<u64> {
    let a = a.downcast_ref::<PyInt>()?.as_bigint();
    let b = b.downcast_ref::<PyInt>()?.as_bigint();
    let bits = match op {
        IntOp::Power => {
            let exponent = u64::try_from(b).ok()?;
            a.bits().checked_mul(exponent)
        }
        IntOp::Shift => a
            .bits()
            .checked_add(u64::try_from(b).ok()?)
            .filter(|_| a.bits() > 0),
        IntOp::Multiply => a.bits().checked_add(b.bits()),
    };
    // A product or power is made with scratch space of about twice its size.
    let scale = if matches!(op, IntOp::Shift) { 1 } else { 3 };
    Some(bits.unwrap_or(u64::MAX).saturating_mul(scale) / 8)
}

#[derive(Clone, Copy)]
enum IntOp {
    Power,
    Shift,
    Multiply,
}

/// Raises MemoryError when an int result of `estimate` bytes would not fit the limit.
fn check_int(estimate: Option<u64>, vm: &VirtualMachine) -> PyResult<()> {
    let size = estimate.map_or(0, |bytes| usize::try_from(bytes).unwrap_or(usize::MAX));
    refuse_unless_fits(size).map_err(|message| vm.new_memory_error(message))
}

fn estimated_power<const N: usize>(
    a: &PyObject,
    b: &PyObject,
    modulus: &PyObject,
    vm: &VirtualMachine,
) -> PyResult {
    if vm.is_none(modulus) {
        check_int(int_estimate(a, b, IntOp::Power), vm)?;
    }
    let original = INT_POWER[N]
        .get()
        .expect("kept before the slot was replaced");
    original(a, b, modulus, vm)
}

fn estimated_binary<const N: usize>(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult {
    let op = if N < 2 { IntOp::Shift } else { IntOp::Multiply };
    check_int(int_estimate(a, b, op), vm)?;
    let original = INT_BINARY[N]
        .get()
        .expect("kept before the slot was replaced");
    original(a, b, vm)
}

/// Wraps the slots, the first time a runtime is built.
pub(crate) fn install(vm: &VirtualMachine) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let types = &vm.ctx.types;
        let sequences = [
            types.str_type,
            types.bytes_type,
            types.bytearray_type,
            types.list_type,
            types.tuple_type,
        ];
        for (index, class) in sequences.into_iter().enumerate() {
            wrap_repetition(index, class);
        }
        let bytes = &types.bytes_type.slots.new;
        replace_slot!(bytes, BYTES_NEW, refusable_bytes_new);
        let bytearray = &types.bytearray_type.slots.init;
        replace_slot!(bytearray, BYTEARRAY_INIT, refusable_bytearray_init);
        wrap_int(types.int_type);
        let formats: [PyNumberBinaryFunc; 3] = [
            checked_remainder::<0>,
            checked_remainder::<1>,
            checked_remainder::<2>,
        ];
        let classes = [types.str_type, types.bytes_type, types.bytearray_type];
        for (at, class) in classes.into_iter().enumerate() {
            let slot = &class.slots.as_number.remainder;
            replace_slot!(slot, REMAINDERS[at], formats[at]);
        }
    });
}

fn wrap_repetition(index: usize, class: &Py<PyType>) {
    let sequence = &class.slots.as_sequence;
    for (offset, slot) in [&sequence.repeat, &sequence.inplace_repeat]
        .into_iter()
        .enumerate()
    {
        let at = index * 2 + offset;
        replace_slot!(slot, REPEATS[at], REPEAT_WRAPPERS[at]);
    }
    let number = &class.slots.as_number;
    for (offset, slot) in [&number.multiply, &number.inplace_multiply]
        .into_iter()
        .enumerate()
    {
        let at = index * 2 + offset;
        replace_slot!(slot, MULTIPLIES[at], MULTIPLY_WRAPPERS[at]);
    }
}

fn wrap_int(class: &Py<PyType>) {
    let number = &class.slots.as_number;
    let powers: [PyNumberTernaryFunc; 2] = [estimated_power::<0>, estimated_power::<1>];
    for (at, slot) in [&number.power, &number.inplace_power]
        .into_iter()
        .enumerate()
    {
        replace_slot!(slot, INT_POWER[at], powers[at]);
    }
    let binaries: [PyNumberBinaryFunc; 4] = [
        estimated_binary::<0>,
        estimated_binary::<1>,
        estimated_binary::<2>,
        estimated_binary::<3>,
    ];
    let slots = [
        &number.lshift,
        &number.inplace_lshift,
        &number.multiply,
        &number.inplace_multiply,
    ];
    for (at, slot) in slots.into_iter().enumerate() {
        replace_slot!(slot, INT_BINARY[at], binaries[at]);
    }
}
