//! A host's way into its runtime: each outermost entry is a run, which an interrupt, a time
//! limit, fuel or the memory limit can stop; an error leaving it has its traceback
//! formatted before the frames' state moves on.

use super::error::Error;
use crate::embed::api::shared::Shared;
use crate::embed::convert::Vm;
use crate::embed::limits::interrupt::Reason;
use crate::memory::accounts;
use rustpython_vm::VirtualMachine;
use std::sync::Arc;

impl Shared {
    /// Runs `f` with a conversion context, as a run when the host entered here.
    pub(crate) fn with_cx<R>(
        self: &Arc<Self>,
        f: impl FnOnce(&Vm<'_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.enter(|vm, outermost| {
            if !outermost {
                return f(&Vm::new(vm, self));
            }
            let run = self.interrupts.begin();
            if self.interrupts.fuel.metered() {
                self.interrupts.watch_safe_points(vm, run);
            } else if self.interrupts.armed() {
                self.watch_away_from_home(vm, run);
            }
            let result = f(&Vm::new(vm, self));
            self.interrupts.stop_watching(vm);
            let stopped = self.interrupts.end(run);
            if let Some(Reason::MemoryLimit(_)) = stopped {
                collect_after_memory_limit(vm, self.interrupts.account());
            }
            match (result, stopped) {
                (Err(_), Some(reason)) => Err(Error::stopped(reason)),
                (Err(Error::Python(err)), None) => {
                    err.format_traceback();
                    Err(Error::Python(err))
                }
                (result, _) => result,
            }
        })
    }
}

/// After a run stopped at the memory limit: a full collection, with the limit lifted
/// while it runs. A runtime full to its limit with what its globals hold would otherwise
/// meet the next full collection inside a later run, and the collector's own lists (tens
/// of MiB over millions of objects) would stop that run too.
fn collect_after_memory_limit(vm: &VirtualMachine, account: accounts::Tag) {
    accounts::lift_trigger(account);
    if let Ok(gc) = vm.import("gc", 0) {
        let _ = vm.call_method(&gc, "collect", ());
    }
}
