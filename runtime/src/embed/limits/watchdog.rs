//! One thread for the process that keeps the runtimes' time limits and re-sends their
//! interrupts.
//!
//! It sleeps until the nearest deadline, or, while some run has been asked to stop and has
//! not ended, for [`KICK_INTERVAL`]: each time it wakes it sets RustPython's process-wide
//! "signal pending" flag again, because another runtime's VM may have taken it (see
//! [`interrupt`](super::interrupt)). With nothing to watch it waits without waking.

use super::interrupt::{Interrupts, Reason, Run};
use rustpython_vm::signal::{UserSignalReceiver, UserSignalSender, user_signal_channel};
use std::sync::{Condvar, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// How often a pending interrupt's flag is set again until its run ends.
pub(crate) const KICK_INTERVAL: Duration = Duration::from_micros(200);

/// What the watchdog watches.
#[derive(Default)]
struct Watch {
    /// Runs with a time limit: stopped at their deadline unless they end first.
    deadlines: Vec<(Weak<Interrupts>, Run, Instant, Duration)>,
    /// Runs asked to stop that have not ended yet, and when their grace ends (`None` once
    /// it has).
    stopping: Vec<(Weak<Interrupts>, Run, Option<Instant>)>,
}

struct Watchdog {
    watch: Mutex<Watch>,
    wake: Condvar,
}

fn watchdog() -> &'static Watchdog {
    static WATCHDOG: OnceLock<Watchdog> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        std::thread::Builder::new()
            .name("brine-watchdog".into())
            .spawn(run)
            .expect("the watchdog thread starts");
        Watchdog {
            watch: Mutex::default(),
            wake: Condvar::new(),
        }
    })
}

/// Stops `run` of `interrupts` at `deadline` (its time limit is `limit`).
pub(crate) fn watch(interrupts: Weak<Interrupts>, run: Run, deadline: Instant, limit: Duration) {
    let dog = watchdog();
    lock(&dog.watch)
        .deadlines
        .push((interrupts, run, deadline, limit));
    dog.wake.notify_one();
}

/// Keeps setting the signal flag for `run` of `interrupts` until it ends, and ends its
/// grace at `grace_ends`.
pub(crate) fn kick_until_ended(interrupts: Weak<Interrupts>, run: Run, grace_ends: Instant) {
    let dog = watchdog();
    let mut watch = lock(&dog.watch);
    if !watch
        .stopping
        .iter()
        .any(|(w, r, _)| *r == run && w.ptr_eq(&interrupts))
    {
        watch.stopping.push((interrupts, run, Some(grace_ends)));
    }
    dog.wake.notify_one();
}

/// The watchdog thread.
fn run() {
    let dog = watchdog();
    let mut kicker = Kicker::new();
    let mut watch = lock(&dog.watch);
    loop {
        let now = Instant::now();
        let expired = take_expired(&mut watch, now);
        watch
            .stopping
            .retain(|(w, run, _)| w.upgrade().is_some_and(|i| i.pending(*run)));
        let graceless = end_graces(&mut watch, now);
        let kicking = !watch.stopping.is_empty();
        drop(watch);
        for (interrupts, run, limit) in expired {
            interrupts.request(run, Reason::Timeout(limit));
        }
        for (interrupts, run) in graceless {
            interrupts.relent_no_more(run);
        }
        if kicking {
            kicker.kick();
        }
        watch = lock(&dog.watch);
        // Worked out under the lock it waits with: what was added while it was let go
        // (and whose notification found no one waiting) counts.
        let wait = next_wait(&watch, Instant::now(), !watch.stopping.is_empty());
        watch = match wait {
            Some(wait) => {
                dog.wake
                    .wait_timeout(watch, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => dog.wake.wait(watch).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

/// The runs whose deadline has passed (and are still going), taken off the list with the
/// ones that have ended.
fn take_expired(
    watch: &mut Watch,
    now: Instant,
) -> Vec<(std::sync::Arc<Interrupts>, Run, Duration)> {
    let mut expired = Vec::new();
    watch.deadlines.retain(|(w, run, deadline, limit)| {
        let Some(interrupts) = w.upgrade() else {
            return false;
        };
        if interrupts.running() != Some(*run) {
            return false;
        }
        if *deadline <= now {
            expired.push((interrupts, *run, *limit));
            return false;
        }
        true
    });
    expired
}

/// The stopping runs whose grace has ended just now.
fn end_graces(watch: &mut Watch, now: Instant) -> Vec<(std::sync::Arc<Interrupts>, Run)> {
    let mut ended = Vec::new();
    for (w, run, grace_ends) in &mut watch.stopping {
        if grace_ends.is_some_and(|at| at <= now) {
            *grace_ends = None;
            if let Some(interrupts) = w.upgrade() {
                ended.push((interrupts, *run));
            }
        }
    }
    ended
}

/// How long to sleep: to the nearest deadline, and no longer than a kick interval while
/// some run is stopping (a grace ends sooner than any deadline matters); `None` to sleep
/// until told.
fn next_wait(watch: &Watch, now: Instant, kicking: bool) -> Option<Duration> {
    let nearest = watch
        .deadlines
        .iter()
        .map(|(_, _, deadline, _)| deadline.saturating_duration_since(now))
        .min();
    match (nearest, kicking) {
        (Some(d), true) => Some(d.min(KICK_INTERVAL)),
        (None, true) => Some(KICK_INTERVAL),
        (nearest, false) => nearest,
    }
}

/// Sets RustPython's "signal pending" flag by sending on a channel no VM reads.
struct Kicker {
    sender: UserSignalSender,
    /// Kept so that sending succeeds; what is queued is dropped with it.
    _receiver: UserSignalReceiver,
    queued: usize,
}

impl Kicker {
    /// A channel is remade after this many kicks: nothing reads it, so only dropping it
    /// frees what was sent.
    const REMAKE_AFTER: usize = 1024;

    fn new() -> Self {
        let (sender, receiver) = user_signal_channel();
        Kicker {
            sender,
            _receiver: receiver,
            queued: 0,
        }
    }

    fn kick(&mut self) {
        if self.queued >= Self::REMAKE_AFTER {
            *self = Kicker::new();
        }
        let _ = self.sender.send(Box::new(|_| Ok(())));
        self.queued += 1;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
