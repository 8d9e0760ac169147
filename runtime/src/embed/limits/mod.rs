//! What stops a run: interrupts and time limits ([`interrupt`], its [`watchdog`] and the
//! [`safe_points`] where a run away from home is stopped, [`sleep`]), [`fuel`], the
//! [`memory_limit`] and the threads charged to it ([`thread_accounts`]), and the checks in
//! front of the VM's native operations that would otherwise run long or allocate past a
//! limit before anything could stop them ([`large_requests`], [`sized_methods`],
//! [`long_iterations`], [`iterator_depth`], [`min_max`], [`source_depth`]).

pub(crate) mod fuel;
pub(crate) mod interrupt;
pub(crate) mod iterator_depth;
pub(crate) mod large_requests;
pub(crate) mod long_iterations;
pub(crate) mod memory_limit;
pub(crate) mod min_max;
pub(crate) mod safe_points;
pub(crate) mod sized_methods;
pub(crate) mod sleep;
pub(crate) mod source_depth;
pub(crate) mod thread_accounts;
pub(crate) mod watchdog;
