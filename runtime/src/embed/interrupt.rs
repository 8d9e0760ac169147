//! Stopping a run from another thread: [`InterruptHandle`], and the time limits built on it.
//!
//! A *run* is one entry of the host into the runtime (`run`, `call`, `eval`, `loads`, a
//! method of an [`Object`](crate::Object), ...), with everything the script does inside it.
//! An interrupt asked for a run makes its Python code raise at its next bytecode
//! instruction, and again at every instruction after that, so that `except BaseException:`
//! and `finally:` cannot keep it going: the run unwinds to the host, which gets
//! [`Error::Interrupted`](crate::Error::Interrupted) (or `Timeout` for a time limit).
//!
//! How it reaches the VM: RustPython runs the closures sent down a main VM's user signal
//! channel when that VM next checks its eval breaker, which it does before an instruction
//! once a process-wide "signal pending" flag is set. Any interpreter's main VM that sees
//! the flag clears it, so with several runtimes busy at once the flag meant for one can be
//! taken by another; the [`watchdog`](super::watchdog) sets it again, every
//! [`KICK_INTERVAL`](super::watchdog::KICK_INTERVAL), until the interrupted run has ended.
//! Threads other than the runtime's home run in VMs of their own, which have no signal
//! channel; there a `sys.monitoring` tool does the same check (see
//! [`visitor_checks`](super::visitor_checks)).

use rustpython_vm::builtins::{PyBaseExceptionRef, PyTypeRef};
use rustpython_vm::signal::{UserSignalReceiver, UserSignalSender, user_signal_channel};
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// Why a run was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// [`InterruptHandle::interrupt`].
    Interrupt,
    /// The run outlived its time limit, this one.
    Timeout(Duration),
}

/// A handle that stops the run in progress in one runtime, from any thread.
///
/// ```
/// use brine::{Error, Runtime};
/// use std::time::Duration;
///
/// let rt = Runtime::new()?;
/// let handle = rt.interrupt_handle();
/// let stopper = std::thread::spawn(move || {
///     // Wait until the loop is running, then stop it.
///     while !handle.interrupt() {
///         std::thread::sleep(Duration::from_millis(1));
///     }
/// });
/// let outcome = rt.run("n = 0\nwhile True:\n    try:\n        n += 1\n    except BaseException:\n        pass");
/// assert!(matches!(outcome, Err(Error::Interrupted)));
/// stopper.join().unwrap();
/// // The runtime goes on, with what the stopped run left behind.
/// assert!(rt.eval::<i64>("n")? > 0);
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
    /// Code inside a single native call (`sum(range(10**9))`, one long regular expression
    /// match) is not stopped until that call returns to Python code.
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
    /// The time limit every run gets, from the builder.
    default_limit: Option<Duration>,
    /// The main VM's signal channel.
    sender: UserSignalSender,
    /// Itself, for the closures and the watchdog (set once, at creation).
    this: Weak<Interrupts>,
}

impl Interrupts {
    /// The state of a new runtime, and the receiving end of its main VM's signal channel.
    pub(crate) fn new(default_limit: Option<Duration>) -> (Arc<Self>, UserSignalReceiver) {
        let (sender, receiver) = user_signal_channel();
        let interrupts = Arc::new_cyclic(|this| Interrupts {
            current: AtomicU64::new(0),
            active: AtomicBool::new(false),
            requested: AtomicU64::new(0),
            reason: Mutex::new(Reason::Interrupt),
            default_limit,
            sender,
            this: this.clone(),
        });
        (interrupts, receiver)
    }

    /// A run begins: the host has entered the runtime from outside.
    pub(crate) fn begin(&self) -> Run {
        let number = self.current.fetch_add(1, Ordering::AcqRel) + 1;
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
        (asked == run.number).then(|| *lock(&self.reason))
    }

    /// Whether runs can be stopped at all: the runtime has a time limit, or a handle that
    /// interrupts it exists. (A run given a limit of its own is watched from then on.)
    pub(crate) fn armed(self: &Arc<Self>) -> bool {
        self.default_limit.is_some() || Arc::strong_count(self) > 1
    }

    /// The run in progress, if there is one.
    pub(crate) fn running(&self) -> Option<Run> {
        let number = self.current.load(Ordering::Acquire);
        self.is_running(number).then_some(Run { number })
    }

    fn is_running(&self, number: u64) -> bool {
        self.active.load(Ordering::Acquire) && self.current.load(Ordering::Acquire) == number
    }

    /// Whether the run in progress has been asked to stop.
    pub(crate) fn stopping(&self) -> bool {
        self.running().is_some_and(|run| self.pending(run))
    }

    /// Whether `run` has been asked to stop and has not ended yet.
    pub(crate) fn pending(&self, run: Run) -> bool {
        self.requested.load(Ordering::Acquire) == run.number && self.is_running(run.number)
    }

    /// Stops `run` by `limit` from now (the watchdog keeps the time).
    pub(crate) fn limit(&self, run: Run, limit: Duration) {
        let deadline = Instant::now() + limit;
        super::watchdog::watch(self.this.clone(), run, deadline, limit);
    }

    /// Stops the run in progress; false when there is none.
    fn request_current(&self, reason: Reason) -> bool {
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
            }
        }
        self.signal(run);
        super::watchdog::kick_until_ended(self.this.clone(), run);
        true
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

    /// Raises in `vm` if `run` is asked to stop, leaving the check queued for the next
    /// instruction: a handler that catches the exception is stopped at its first one.
    pub(crate) fn check(&self, vm: &VirtualMachine, run: Run) -> PyResult<()> {
        if !self.pending(run) {
            return Ok(());
        }
        self.signal(run);
        Err(interrupted(vm))
    }
}

/// The exception an interrupted run raises in Python code: `brine.Interrupted`, a
/// `BaseException` (as `KeyboardInterrupt` is) so that `except Exception:` lets it through.
pub(crate) fn interrupted(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_msg(interrupted_type(vm), "the run was interrupted".into())
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
