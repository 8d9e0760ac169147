//! Stopping a run from another thread: [`InterruptHandle`], and the time limits built on it.
//!
//! A *run* is one entry of the host into the runtime (`run`, `call`, `eval`, `loads`, a
//! method of an [`Object`](crate::Object), ...), with everything the script does inside it.
//! An interrupt asked for a run makes its Python code raise at its next bytecode
//! instruction, once: `finally:` blocks, `with` exits and the import system's own cleanup
//! run as they do for a KeyboardInterrupt, so the runtime is left in order. Should the run
//! still be going [`GRACE`] later (a handler swallowed the exception and carried on), it
//! raises again at every safe point (see [`safe_points`](super::safe_points)) until the run
//! has unwound to the host, which gets [`Error::Interrupted`](crate::Error::Interrupted) (or
//! `Timeout` for a time limit).
//!
//! How it reaches the VM: RustPython runs the closures sent down a main VM's user signal
//! channel when that VM next checks its eval breaker, which it does before an instruction
//! once a process-wide "signal pending" flag is set. Any interpreter's main VM that sees
//! the flag clears it, so with several runtimes busy at once the flag meant for one can be
//! taken by another; the [`watchdog`](super::watchdog) sets it again, every
//! [`KICK_INTERVAL`](super::watchdog::KICK_INTERVAL), until the interrupted run has ended.
//! Threads other than the runtime's home run in VMs of their own, which have no signal
//! channel; there the safe points are watched from the run's start.

use super::fuel::Fuel;
use super::safe_points::Tool;
use crate::memory::accounts::{self, Tag};
use crate::per_interpreter;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyCode, PyTypeRef};
use rustpython_vm::signal::{UserSignalReceiver, UserSignalSender, user_signal_channel};
use rustpython_vm::{PyObject, PyResult, VirtualMachine};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// Where each runtime's interrupts are kept (per_interpreter.rs).
const KEPT_AS: &str = "brine.interrupts";

/// How long a stopped run's cleanup may take before it is stopped at every safe point.
pub(crate) const GRACE: Duration = Duration::from_millis(10);

/// Why a run was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// [`InterruptHandle::interrupt`].
    Interrupt,
    /// The run outlived its time limit, this one.
    Timeout(Duration),
    /// The runtime's memory passed its limit, this one (in bytes).
    MemoryLimit(usize),
    /// The run burned all its fuel, this budget.
    OutOfFuel(u64),
}

/// A handle that stops the run in progress in one runtime, from any thread.
///
/// ```
/// use brine::{Error, Runtime};
/// use std::time::Duration;
///
/// let rt = Runtime::new()?;
/// rt.run("n = 0")?;
/// let handle = rt.interrupt_handle();
/// let stopper = std::thread::spawn(move || {
///     // Wait until the loop is running, then stop it.
///     while !handle.interrupt() {
///         std::thread::sleep(Duration::from_millis(1));
///     }
/// });
/// let outcome = rt.run("while True:\n    try:\n        n += 1\n    except BaseException:\n        pass");
/// assert!(matches!(outcome, Err(Error::Interrupted)));
/// stopper.join().unwrap();
/// // The runtime goes on.
/// assert_eq!(rt.eval::<i64>("6 * 7")?, 42);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone)]
pub struct InterruptHandle {
    interrupts: Arc<Interrupts>,
}

impl InterruptHandle {
    pub(crate) fn new(interrupts: Arc<Interrupts>) -> Self {
        InterruptHandle { interrupts }
    }

    /// Stops the run in progress at its next bytecode instruction; the host's call that
    /// started it returns [`Error::Interrupted`](crate::Error::Interrupted). Returns whether
    /// a run was in progress: with none, nothing happens (a later run is not affected).
    ///
    /// A single native call (one long regular expression match, `pow(3, 10**8)`) is not
    /// stopped until it returns to Python code; native iterations over `range` and
    /// itertools' `count`, `repeat` and `cycle` (`sum(range(10**9))`) look for a stop
    /// every 4,096 items.
    pub fn interrupt(&self) -> bool {
        self.interrupts.request_current(Reason::Interrupt)
    }
}

impl std::fmt::Debug for InterruptHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InterruptHandle")
    }
}

/// A run in progress: its number, and the deadline it must end by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) number: u64,
}

/// One runtime's interrupt state, shared with its handles and the watchdog.
pub(crate) struct Interrupts {
    /// Numbers the host's outermost entries; the number of the current or last run.
    current: AtomicU64,
    /// Whether the current run is still in progress.
    active: AtomicBool,
    /// The run an interrupt was asked for (0: none).
    requested: AtomicU64,
    /// Why it was asked for.
    reason: Mutex<Reason>,
    /// The one exception of the first phase has been raised.
    raised_once: AtomicBool,
    /// The grace is over: raise at every safe point.
    relentless: AtomicBool,
    /// The time limit every run gets, from the builder.
    default_limit: Option<Duration>,
    /// The main VM's signal channel.
    sender: UserSignalSender,
    /// The runtime's `sys.monitoring` tool (embedded runtimes only).
    tool: OnceLock<Tool>,
    /// Whether the tool is watching the current run's safe points.
    watching: Mutex<bool>,
    /// The runtime's memory account (`Tag::NONE` without brine's allocator).
    account: Tag,
    /// The fuel runs burn (fuel.rs).
    pub(crate) fuel: Fuel,
    /// The run whose Python code was given a MemoryError for the memory limit (0: none):
    /// it ended for the limit even if the stop was withdrawn as it unwound.
    memory_raised: AtomicU64,
    /// Itself, for the closures and the watchdog (set once, at creation).
    this: Weak<Interrupts>,
}

impl Interrupts {
    /// The state of a new runtime, and the receiving end of its main VM's signal channel.
    pub(crate) fn new(
        default_limit: Option<Duration>,
        account: Tag,
        fuel: Option<u64>,
    ) -> (Arc<Self>, UserSignalReceiver) {
        let (sender, receiver) = user_signal_channel();
        let interrupts = Arc::new_cyclic(|this| Interrupts {
            current: AtomicU64::new(0),
            active: AtomicBool::new(false),
            requested: AtomicU64::new(0),
            reason: Mutex::new(Reason::Interrupt),
            raised_once: AtomicBool::new(false),
            relentless: AtomicBool::new(false),
            default_limit,
            sender,
            tool: OnceLock::new(),
            watching: Mutex::new(false),
            account,
            fuel: Fuel::new(fuel),
            memory_raised: AtomicU64::new(0),
            this: this.clone(),
        });
        (interrupts, receiver)
    }

    /// Keeps `interrupts` where native code of the runtime's VM finds it ([`Self::of`]): in
    /// per_interpreter.rs, since what a native function holds RustPython keeps for the
    /// life of the process.
    pub(crate) fn keep_for(vm: &VirtualMachine, interrupts: Weak<Interrupts>) {
        per_interpreter::keep(vm, KEPT_AS, interrupts);
    }

    /// The interrupts of the embedded runtime `vm` belongs to (none for the command line).
    pub(crate) fn of(vm: &VirtualMachine) -> Option<Arc<Interrupts>> {
        per_interpreter::get::<Weak<Interrupts>>(vm, KEPT_AS)?.upgrade()
    }

    /// A run begins: the host has entered the runtime from outside.
    pub(crate) fn begin(&self) -> Run {
        let number = self.current.fetch_add(1, Ordering::AcqRel) + 1;
        accounts::begin_run(self.account);
        self.fuel.begin();
        self.active.store(true, Ordering::Release);
        let run = Run { number };
        if let Some(limit) = self.default_limit {
            self.limit(run, limit);
        }
        run
    }

    /// The run has ended; why it was stopped, if it was.
    pub(crate) fn end(&self, run: Run) -> Option<Reason> {
        self.active.store(false, Ordering::Release);
        // Whatever was asked is over now, for this run or (left by a request that came as
        // an earlier run ended) for another.
        let asked = self.requested.swap(0, Ordering::AcqRel);
        if let Some(budget) = self.fuel.end() {
            self.requested.store(0, Ordering::Release);
            self.memory_raised.store(0, Ordering::Release);
            return Some(Reason::OutOfFuel(budget));
        }
        let memory_raised = self.memory_raised.swap(0, Ordering::AcqRel) == run.number;
        if asked == run.number || memory_raised {
            return Some(*lock(&self.reason));
        }
        // A large request refused for the memory limit raised MemoryError where it was
        // made, with no stop asked: the run still ended for the limit.
        accounts::take_refused(self.account).map(Reason::MemoryLimit)
    }

    /// Whether runs can be stopped at all: the runtime has a time or memory limit, or a
    /// handle that interrupts it exists. (A run given a limit of its own is watched from
    /// then on.)
    pub(crate) fn armed(self: &Arc<Self>) -> bool {
        self.default_limit.is_some()
            || self.fuel.metered()
            || accounts::limit(self.account).is_some()
            || Arc::strong_count(self) > 1
    }

    /// The runtime's memory account.
    pub(crate) fn account(&self) -> Tag {
        self.account
    }

    /// The run in progress, if there is one.
    pub(crate) fn running(&self) -> Option<Run> {
        let number = self.current.load(Ordering::Acquire);
        self.is_running(number).then_some(Run { number })
    }

    fn is_running(&self, number: u64) -> bool {
        self.active.load(Ordering::Acquire) && self.current.load(Ordering::Acquire) == number
    }

    /// Whether the run in progress must raise now (see [`must_raise`](Self::must_raise)).
    pub(crate) fn must_raise_now(&self) -> bool {
        self.running().is_some_and(|run| self.must_raise(run))
    }

    /// Whether `run` has been asked to stop and has not ended yet. A stop for memory is
    /// withdrawn once the runtime is back under its limit (the script caught the
    /// MemoryError and let go of what it held, as CPython lets it).
    pub(crate) fn pending(&self, run: Run) -> bool {
        if self.requested.load(Ordering::Acquire) != run.number || !self.is_running(run.number) {
            return false;
        }
        let for_memory = matches!(*lock(&self.reason), Reason::MemoryLimit(_));
        if for_memory && !accounts::over(self.account) {
            let _ =
                self.requested
                    .compare_exchange(run.number, 0, Ordering::AcqRel, Ordering::Acquire);
            return false;
        }
        true
    }

    /// The exception the run's Python code raises when stopped: `MemoryError` for the
    /// memory limit, `brine.Interrupted` otherwise.
    pub(crate) fn stop_exception(&self, vm: &VirtualMachine) -> PyBaseExceptionRef {
        match *lock(&self.reason) {
            Reason::MemoryLimit(limit) => {
                let run = self.current.load(Ordering::Acquire);
                self.memory_raised.store(run, Ordering::Release);
                memory_error(vm, limit)
            }
            _ => interrupted(vm),
        }
    }

    /// Stops `run` by `limit` from now (the watchdog keeps the time).
    pub(crate) fn limit(&self, run: Run, limit: Duration) {
        let deadline = Instant::now() + limit;
        super::watchdog::watch(self.this.clone(), run, deadline, limit);
    }

    /// Stops the run in progress; false when there is none.
    pub(crate) fn request_current(&self, reason: Reason) -> bool {
        match self.running() {
            Some(run) => self.request(run, reason),
            None => false,
        }
    }

    /// Stops `run` if it is still in progress (the first reason given is kept).
    pub(crate) fn request(&self, run: Run, reason: Reason) -> bool {
        {
            let mut why = lock(&self.reason);
            if !self.is_running(run.number) {
                return false;
            }
            // Should the run end just now, what this leaves is cleared by the next run's
            // end, and matches no run meanwhile.
            if self.requested.swap(run.number, Ordering::AcqRel) != run.number {
                *why = reason;
                self.raised_once.store(false, Ordering::Release);
                self.relentless.store(false, Ordering::Release);
            }
        }
        self.signal(run);
        super::watchdog::kick_until_ended(self.this.clone(), run, Instant::now() + GRACE);
        true
    }

    /// Reserves the runtime's `sys.monitoring` tool, for watching safe points.
    pub(crate) fn reserve_tool(&self, vm: &VirtualMachine, monitoring: &PyObject) -> PyResult<()> {
        if let Some(tool) = Tool::reserve(vm, monitoring)? {
            let _ = self.tool.set(tool);
        }
        Ok(())
    }

    /// Watches `run`'s safe points in `vm` (the VM running it), unless they are already.
    pub(crate) fn watch_safe_points(&self, vm: &VirtualMachine, run: Run) {
        let Some(tool) = self.tool.get() else {
            return;
        };
        let mut watching = lock(&self.watching);
        if !*watching {
            *watching = tool.watch(vm, self.this.clone(), run).is_ok();
            if !*watching {
                tool.stop(vm);
            }
        }
    }

    /// Stops watching safe points (the run has ended).
    pub(crate) fn stop_watching(&self, vm: &VirtualMachine) {
        let was_watching = std::mem::take(&mut *lock(&self.watching));
        if let (true, Some(tool)) = (was_watching, self.tool.get()) {
            tool.stop(vm);
        }
    }

    /// The grace of `run` is over: from now on it raises at every safe point.
    pub(crate) fn relent_no_more(&self, run: Run) {
        if self.pending(run) {
            self.relentless.store(true, Ordering::Release);
            self.signal(run);
        }
    }

    /// Whether `run`'s Python code must raise now: the first time it is asked after the
    /// interrupt, and every time once the grace is over.
    pub(crate) fn must_raise(&self, run: Run) -> bool {
        if !self.pending(run) {
            return false;
        }
        self.relentless.load(Ordering::Acquire) || !self.raised_once.swap(true, Ordering::AcqRel)
    }

    /// Sends the main VM the check for `run`; it raises while the run is asked to stop.
    fn signal(&self, run: Run) {
        let this = self.this.clone();
        let _ = self
            .sender
            .send(Box::new(move |vm: &VirtualMachine| match this.upgrade() {
                Some(interrupts) => interrupts.check(vm, run),
                None => Ok(()),
            }));
    }

    /// On the main VM: raises the first exception of `run`'s stop (it lands wherever the
    /// run is, so there is only one of it), and past the grace has the safe points watched.
    pub(crate) fn check(&self, vm: &VirtualMachine, run: Run) -> PyResult<()> {
        if !self.pending(run) {
            return Ok(());
        }
        // Inside the import system, the exception could land between taking the
        // process-wide import lock and the `try` that releases it, and every other thread's
        // imports would wait forever: it comes at the run's next safe point outside it.
        let in_import = in_import_machinery();
        if in_import || self.relentless.load(Ordering::Acquire) {
            self.watch_safe_points(vm, run);
        }
        if in_import || self.raised_once.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        Err(self.stop_exception(vm))
    }
}

/// Whether `code` is the import system's own (`importlib._bootstrap` and
/// `_bootstrap_external`), where no stop lands: an exception there could leave the
/// process-wide import lock or a module lock held, or a half-made module in `sys.modules`.
/// The modules it runs are not its own code, and stop as any other. (Monitoring callbacks,
/// which ask, are given code objects.)
pub(crate) fn is_import_machinery(code: &PyObject) -> bool {
    code.downcast_ref::<PyCode>()
        .is_some_and(|code| is_import_path(code.source_path().as_str()))
}

/// Whether the code running on this thread right now is the import system's.
fn in_import_machinery() -> bool {
    rustpython_vm::frame::current_code()
        .is_some_and(|code| is_import_path(code.source_path().as_str()))
}

fn is_import_path(path: &str) -> bool {
    path.starts_with("<frozen importlib._bootstrap")
}

/// The exception an interrupted run raises in Python code: `brine.Interrupted`, a
/// `BaseException` (as `KeyboardInterrupt` is) so that `except Exception:` lets it through.
pub(crate) fn interrupted(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_msg(interrupted_type(vm), "the run was interrupted".into())
}

/// The `MemoryError` of a run stopped at the runtime's memory `limit`.
pub(crate) fn memory_error(vm: &VirtualMachine, limit: usize) -> PyBaseExceptionRef {
    vm.new_exception_msg(
        vm.ctx.exceptions.memory_error.to_owned(),
        crate::memory::limit_message(limit).into(),
    )
}

/// `brine.Interrupted`, made once for the process (its context is shared by every runtime).
pub(crate) fn interrupted_type(vm: &VirtualMachine) -> PyTypeRef {
    rustpython_common::static_cell! {
        static INTERRUPTED: PyTypeRef;
    }
    INTERRUPTED
        .get_or_init(|| {
            let base = vm.ctx.exceptions.base_exception_type.to_owned();
            vm.ctx
                .new_exception_type("brine", "Interrupted", Some(vec![base]))
        })
        .clone()
}

/// A poisoned lock still holds a valid reason.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
