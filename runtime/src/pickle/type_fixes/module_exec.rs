//! Native modules whose types are corrected when the module is first made: the module's
//! definition is copied with an `exec` slot that runs RustPython's own, then the correction.

use rustpython_vm::builtins::{PyModule, PyModuleDef, PyModuleSlots};
use rustpython_vm::{Context, Py, PyResult, VirtualMachine};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a module's `exec` slot is.
type Exec = fn(&VirtualMachine, &Py<PyModule>) -> PyResult<()>;

/// The corrections, by module name.
const CORRECTIONS: &[(&str, Exec)] = &[
    ("array", super::array::correct),
    ("_sysconfigdata", super::tzpath::correct),
    ("_zoneinfo", super::zoneinfo::correct),
    ("time", super::structseq::correct),
    ("posix", correct_posix),
    ("_sre", super::heap_types::correct),
    ("_hashlib", super::heap_types::correct),
    ("_functools", super::heap_types::correct),
    ("_csv", super::heap_types::correct),
    ("select", super::heap_types::correct),
];

/// `posix`: its struct sequences, and `stat_result`'s missing field.
fn correct_posix(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    super::stat_result::correct(vm, module)?;
    super::structseq::correct(vm, module)
}

/// Each corrected module's definition, made once per process (they are `'static`), with the
/// `exec` slot RustPython gave it.
struct Wrapped {
    defs: HashMap<&'static str, &'static PyModuleDef>,
    original_exec: HashMap<&'static str, Option<Exec>>,
}

static WRAPPED: OnceLock<Wrapped> = OnceLock::new();

/// Replaces the definitions of the modules brine corrects with ones whose `exec` slot also
/// corrects the module's types. The VM's own modules (`_sysconfigdata`) are added to `defs`
/// corrected: the interpreter takes the last definition of a name.
pub(crate) fn wrap_module_defs(defs: &mut Vec<&'static PyModuleDef>, ctx: &Context) {
    let wrapped = WRAPPED.get_or_init(|| {
        let vm_defs = rustpython_vm::stdlib::builtin_module_defs(ctx);
        wrap(defs.iter().chain(&vm_defs))
    });
    for def in defs.iter_mut() {
        if let Some(own) = wrapped.defs.get(def.name.as_str()) {
            *def = own;
        }
    }
    for (name, own) in &wrapped.defs {
        if !defs.iter().any(|def| def.name.as_str() == *name) {
            defs.push(own);
        }
    }
}

fn wrap<'a>(defs: impl Iterator<Item = &'a &'static PyModuleDef>) -> Wrapped {
    let mut wrapped = Wrapped {
        defs: HashMap::new(),
        original_exec: HashMap::new(),
    };
    for def in defs {
        let name = def.name.as_str();
        if !CORRECTIONS.iter().any(|(module, _)| *module == name) {
            continue;
        }
        let copy = PyModuleDef {
            name: def.name,
            doc: def.doc,
            methods: def.methods,
            slots: PyModuleSlots {
                create: def.slots.create,
                exec: Some(exec_then_correct),
            },
        };
        wrapped.original_exec.insert(name, def.slots.exec);
        wrapped.defs.insert(name, Box::leak(Box::new(copy)));
    }
    wrapped
}

/// The `exec` slot of a corrected module: RustPython's, then brine's correction.
fn exec_then_correct(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let Some(name) = module.name.map(|name| name.as_str()) else {
        return Ok(());
    };
    let wrapped = WRAPPED
        .get()
        .expect("wrapped before any interpreter is built");
    if let Some(Some(exec)) = wrapped.original_exec.get(name) {
        exec(vm, module)?;
    }
    let correct = CORRECTIONS.iter().find(|(module, _)| *module == name);
    correct.map_or(Ok(()), |(_, correct)| correct(vm, module))
}
