//! What a load asks of an instance's class on every instance (whether the class defines
//! `__setstate__`, whether it has `__abstractmethods__`), asked once per class and version.
//!
//! Each answer is a look-up along the class's MRO, which the VM's type cache makes cheaper but
//! not cheap: two or three of them cost about 250 instructions per instance, a tenth of what
//! brine's own code spends on one. The VM gives a class a new version tag whenever it or one of
//! its bases is changed (the tag its own type cache trusts), so an answer found for a class at
//! a version holds while the class keeps that version.

use rustpython_vm::builtins::PyTypeRef;
use rustpython_vm::{AsObject, Py, VirtualMachine, builtins::PyType, identifier};
use std::sync::atomic::Ordering;

/// Classes remembered per load: enough for the classes of a typical graph; the others are
/// asked each time.
const CAPACITY: usize = 8;

/// The answers for one class at one version.
#[derive(Clone, Copy)]
pub(crate) struct Facts {
    /// `__setstate__` is found on the class (its MRO), not only perhaps on the instance.
    pub(crate) class_setstate: bool,
    /// `__abstractmethods__` is found on the class: `object.__new__` must look at it.
    pub(crate) abstract_methods: bool,
}

#[derive(Default)]
pub(crate) struct ClassFacts {
    /// Each class (held, so that its address stays its own) with its version and answers.
    seen: Vec<(PyTypeRef, u32, Facts)>,
}

impl ClassFacts {
    /// The answers for `cls` as it stands now.
    pub(crate) fn of(&mut self, vm: &VirtualMachine, cls: &Py<PyType>) -> Facts {
        let version = cls.tp_version_tag().load(Ordering::Acquire);
        if version != 0
            && let Some((_, _, facts)) = self
                .seen
                .iter()
                .find(|(seen, at, _)| *at == version && seen.is(cls))
        {
            return *facts;
        }
        let facts = Facts {
            class_setstate: cls.get_attr(identifier!(vm, __setstate__)).is_some(),
            abstract_methods: cls.get_attr(identifier!(vm, __abstractmethods__)).is_some(),
        };
        // Remembered only under the version the look-ups ran at: a change made meanwhile (by
        // another thread) leaves a tag of 0 or a new one, and the answer is not kept for it.
        // (A class seen for the first time may have had no tag yet; the look-ups gave it one,
        // and the next instance remembers the answer.)
        let after = cls.tp_version_tag().load(Ordering::Acquire);
        if version != 0 && after == version {
            self.remember(cls, after, facts);
        }
        facts
    }

    fn remember(&mut self, cls: &Py<PyType>, version: u32, facts: Facts) {
        if let Some(entry) = self.seen.iter_mut().find(|(seen, _, _)| seen.is(cls)) {
            *entry = (cls.to_owned(), version, facts);
        } else if self.seen.len() < CAPACITY {
            self.seen.push((cls.to_owned(), version, facts));
        }
    }
}
