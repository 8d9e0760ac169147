//! Threads a script starts are charged to its runtime's memory account.
//!
//! The allocator charges the account of the runtime running on the allocating thread
//! (memory/accounts.rs), which the host's way in sets for the host's threads. A thread a
//! script starts (`threading.Thread`, `_thread.start_new_thread`) is the VM's, and would
//! charge no one: four threads appending to a list held 8 GiB past a 64 MiB limit. The
//! `_thread` functions that start threads are wrapped so that the function the new thread
//! runs is first charged to the account of the runtime that started it.

use crate::memory::accounts::{self, Tag};
use crate::per_interpreter;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::{FuncArgs, IntoPyNativeFn};
use rustpython_vm::types::Callable;
use rustpython_vm::{PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

/// The `_thread` functions wrapped: their name, and where the original is kept
/// (per_interpreter.rs). Each takes the function to run first (or as `function`).
const STARTERS: [(&str, &str); 2] = [
    ("start_new_thread", "_thread.start_new_thread"),
    ("start_joinable_thread", "_thread.start_joinable_thread"),
];

/// Wraps `_thread`'s starters in the runtime of `vm`, charged to `account`.
pub(crate) fn install(vm: &VirtualMachine, account: Tag) -> PyResult<()> {
    if account == Tag::NONE {
        return Ok(());
    }
    per_interpreter::keep(vm, ACCOUNT, account);
    let thread = vm.import("_thread", 0)?;
    wrap(vm, &thread, 0, charged_start::<0>)?;
    wrap(vm, &thread, 1, charged_start::<1>)
}

/// Where the runtime's account is kept.
const ACCOUNT: &str = "_thread.brine_account";

fn wrap<F, K>(vm: &VirtualMachine, thread: &PyObjectRef, index: usize, wrapper: F) -> PyResult<()>
where
    F: IntoPyNativeFn<K>,
{
    let (name, key) = STARTERS[index];
    let Ok(original) = thread.get_attr(name, vm) else {
        return Ok(());
    };
    per_interpreter::keep(vm, key, original);
    thread.set_attr(name, vm.new_function(name, wrapper), vm)
}

/// `STARTERS[K]`, with the thread's function charged to the runtime's account.
fn charged_start<const K: usize>(mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let account = per_interpreter::get::<Tag>(vm, ACCOUNT).map_or(Tag::NONE, |tag| *tag);
    let charged = |function: PyObjectRef| -> PyResult<PyObjectRef> {
        let call = Charged { account, function };
        Ok(call
            .into_ref_with_type(vm, Charged::make_static_type())?
            .into())
    };
    if let Some(first) = args.args.first_mut() {
        *first = charged(first.clone())?;
    } else if let Some(function) = args.kwargs.swap_remove("function") {
        args.kwargs.insert("function".into(), charged(function)?);
    }
    per_interpreter::original(vm, STARTERS[K].1)?.call(args, vm)
}

/// A thread's function, run charged to a runtime's account.
#[pyclass(module = "brine", name = "ChargedThreadFunction")]
#[derive(PyPayload)]
struct Charged {
    account: Tag,
    function: PyObjectRef,
}

impl std::fmt::Debug for Charged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<brine charged thread function>")
    }
}

#[pyclass(with(Callable))]
impl Charged {}

impl Callable for Charged {
    type Args = FuncArgs;

    fn call(zelf: &rustpython_vm::Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let _charge = accounts::charge_to(zelf.account);
        let result = zelf.function.call(args, vm);
        crate::embed::vm::deep_free::free_kept();
        result
    }
}
