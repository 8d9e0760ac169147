//! Fuel: a budget of safe points a run may pass, so that a script is stopped at the same
//! instruction every time it runs, however loaded the machine (a time limit stops it
//! wherever it happens to be).
//!
//! One unit is burned at each safe point: every jump (each loop iteration) and every start
//! of a Python function (each call, each resumption of a generator), the events the
//! runtime's `sys.monitoring` tool watches (safe_points.rs). A run with fuel is watched from
//! its start, on any thread; the event past its budget raises `brine.OutOfFuel` (a
//! `BaseException`, as `brine.Interrupted` is) there, and every later one raises again
//! until the run has unwound, so that no handler can keep it going. The host's call
//! returns `Error::OutOfFuel`. Native code burns nothing: a long native call is for time
//! limits.

use rustpython_vm::VirtualMachine;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyTypeRef};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// No budget.
const NONE: u64 = u64::MAX;

/// One runtime's fuel.
pub(crate) struct Fuel {
    /// What every run gets, from the builder.
    default: Option<u64>,
    /// The current run's budget (`NONE`: the run is not metered).
    budget: AtomicU64,
    /// What the current (or last) run has burned.
    burned: AtomicU64,
    /// The current run went past its budget.
    exhausted: AtomicBool,
}

impl Fuel {
    pub(crate) fn new(default: Option<u64>) -> Self {
        Fuel {
            default,
            budget: AtomicU64::new(NONE),
            burned: AtomicU64::new(0),
            exhausted: AtomicBool::new(false),
        }
    }

    /// A run begins, with the builder's budget.
    pub(crate) fn begin(&self) {
        self.budget
            .store(self.default.unwrap_or(NONE), Ordering::Release);
        self.burned.store(0, Ordering::Release);
        self.exhausted.store(false, Ordering::Release);
    }

    /// Gives the rest of the current run `units` more than it has burned (or its own
    /// budget, if that leaves less).
    pub(crate) fn limit(&self, units: u64) {
        let until = self.burned.load(Ordering::Acquire).saturating_add(units);
        self.budget.fetch_min(until, Ordering::AcqRel);
    }

    /// Whether the current run is metered.
    pub(crate) fn metered(&self) -> bool {
        self.budget.load(Ordering::Acquire) != NONE
    }

    /// Burns one unit; true when the run is past its budget.
    pub(crate) fn burn(&self) -> bool {
        let budget = self.budget.load(Ordering::Acquire);
        if budget == NONE {
            return false;
        }
        let burned = self.burned.fetch_add(1, Ordering::AcqRel) + 1;
        if burned > budget {
            self.exhausted.store(true, Ordering::Release);
            return true;
        }
        false
    }

    /// What the current (or last) run has burned.
    pub(crate) fn burned(&self) -> u64 {
        let burned = self.burned.load(Ordering::Acquire);
        match self.budget.load(Ordering::Acquire) {
            NONE => burned,
            budget => burned.min(budget),
        }
    }

    /// The run has ended: the budget it went past, if it did.
    pub(crate) fn end(&self) -> Option<u64> {
        let budget = self.budget.load(Ordering::Acquire);
        self.exhausted
            .swap(false, Ordering::AcqRel)
            .then_some(budget)
    }
}

/// The exception a run past its fuel raises: `brine.OutOfFuel`.
pub(crate) fn out_of_fuel(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_msg(out_of_fuel_type(vm), "the run used up its fuel".into())
}

/// `brine.OutOfFuel`, made once for the process.
fn out_of_fuel_type(vm: &VirtualMachine) -> PyTypeRef {
    rustpython_common::static_cell! {
        static OUT_OF_FUEL: PyTypeRef;
    }
    OUT_OF_FUEL
        .get_or_init(|| {
            let base = vm.ctx.exceptions.base_exception_type.to_owned();
            vm.ctx
                .new_exception_type("brine", "OutOfFuel", Some(vec![base]))
        })
        .clone()
}
