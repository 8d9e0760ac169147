//! What a class decides about how its instances reduce, found once per class in a walk.
//!
//! `object.__reduce_ex__` as CPython computes it asks a dozen questions of the instance's
//! class (is `__reduce__` overridden, is there a `__getnewargs_ex__`, is `__getstate__`
//! object's, is there a native base...), each a lookup through the MRO. The answers change
//! only when the class or one of its bases is modified, and RustPython records that in the
//! type's version tag: it drops to 0 on every change to the type or to a base, and a new
//! one, never given to another state of any type, is assigned at the next cached lookup.
//! So the answers are kept with the version they were found under, and found again when the
//! version differs. What the instance itself says (its `__dict__` shadowing a method) is
//! still asked per object.

use super::object_reduce::{is_objects, is_rustpython_bytes_reducer, is_set_reduce, native_base};
use rustpython_vm::builtins::{PyList, PyType};
use rustpython_vm::{Py, VirtualMachine, identifier};
use std::sync::atomic::Ordering;

/// Classes remembered per walk; instances of further classes are planned each time.
const CAPACITY: usize = 64;

/// The class's answers.
#[derive(Clone, Copy)]
pub(crate) struct ClassPlan {
    /// `__reduce_ex__` is object's (or RustPython's `bytes.__reduce_ex__`, which CPython
    /// lacks), `__getattribute__` is object's, and there is no `__getattr__`.
    pub(crate) keeps_reduce_ex: bool,
    /// `__reduce__` is the class's own (not object's, nor RustPython's bytes one).
    pub(crate) reduce_overridden: bool,
    /// That `__reduce__` is `set`'s or `frozenset`'s.
    pub(crate) set_reduce: bool,
    pub(crate) has_getnewargs_ex: bool,
    /// `__getnewargs__` is RustPython's `bytes.__getnewargs__` (byte values, not CPython's).
    pub(crate) bytes_getnewargs: bool,
    pub(crate) has_getnewargs: bool,
    /// `__getstate__` is object's.
    pub(crate) object_getstate: bool,
    /// A builtin other than `object` is among the bases (state the default cannot see).
    pub(crate) has_native_base: bool,
    /// The class's own `__slotnames__` is None or an empty list: its instances have no slot
    /// state. (copyreg stores it there at the class's first pickling, which changes the
    /// version; a list changed in place, which CPython would see, is not looked at again.)
    pub(crate) no_slot_names: bool,
}

impl ClassPlan {
    fn find(vm: &VirtualMachine, cls: &Py<PyType>) -> Self {
        let reduce = cls.get_attr(identifier!(vm, __reduce__));
        let reduce_overridden = reduce.is_some()
            && !is_objects(vm, cls, identifier!(vm, __reduce__))
            && !is_rustpython_bytes_reducer(vm, cls, identifier!(vm, __reduce__));
        ClassPlan {
            keeps_reduce_ex: (is_objects(vm, cls, identifier!(vm, __reduce_ex__))
                || is_rustpython_bytes_reducer(vm, cls, identifier!(vm, __reduce_ex__)))
                && is_objects(vm, cls, identifier!(vm, __getattribute__))
                && cls.get_attr(identifier!(vm, __getattr__)).is_none(),
            reduce_overridden,
            set_reduce: reduce.is_some_and(|r| is_set_reduce(vm, &r)),
            has_getnewargs_ex: cls.get_attr(identifier!(vm, __getnewargs_ex__)).is_some(),
            bytes_getnewargs: is_rustpython_bytes_reducer(vm, cls, identifier!(vm, __getnewargs__)),
            has_getnewargs: cls.get_attr(identifier!(vm, __getnewargs__)).is_some(),
            object_getstate: is_objects(vm, cls, identifier!(vm, __getstate__)),
            has_native_base: native_base(vm, cls).is_some(),
            no_slot_names: cls
                .get_direct_attr(identifier!(vm, __slotnames__))
                .is_some_and(|names| {
                    vm.is_none(&names)
                        || names
                            .downcast_ref::<PyList>()
                            .is_some_and(|l| l.__len__() == 0)
                }),
        }
    }
}

/// The plans of the classes met so far in one walk.
#[derive(Default)]
pub(crate) struct ClassPlans {
    /// (class address, version tag the plan was found under, plan).
    known: Vec<(usize, u32, ClassPlan)>,
}

impl ClassPlans {
    /// `cls`'s plan: the one kept, if the class is unchanged since, else found now.
    pub(crate) fn of(&mut self, vm: &VirtualMachine, cls: &Py<PyType>) -> ClassPlan {
        let address = cls as *const Py<PyType> as usize;
        let version = cls.tp_version_tag.load(Ordering::Acquire);
        let at = self.known.iter().position(|(a, _, _)| *a == address);
        if let Some(at) = at {
            let (_, kept_version, plan) = self.known[at];
            if version != 0 && kept_version == version {
                return plan;
            }
        }
        let plan = ClassPlan::find(vm, cls);
        // Read after the lookups, which assign a version to a class that had none.
        let version = cls.tp_version_tag.load(Ordering::Acquire);
        if version != 0 {
            match at {
                Some(at) => self.known[at] = (address, version, plan),
                None if self.known.len() < CAPACITY => self.known.push((address, version, plan)),
                None => {}
            }
        }
        plan
    }
}
