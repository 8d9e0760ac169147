//! Memory limits: an account past its limit (memory/accounts.rs) becomes a stopped run.
//!
//! The allocator cannot do more than flip a flag and wake a thread: it runs inside every
//! allocation, where taking a lock or allocating could deadlock. The watcher thread woken
//! asks the runtime's run in progress to stop for memory, through the same machinery as an
//! interrupt (embed/limits/interrupt.rs): its Python code raises `MemoryError` at the next
//! instruction, and, should it swallow that and stay over the limit, at every safe point
//! until the run has unwound. A run that gets back under the limit (it let go of what it
//! held) is not stopped again.

use super::interrupt::{Interrupts, Reason};
use crate::memory::accounts::{self, Tag};
use std::sync::{Arc, Mutex, Once, Weak};
use std::time::Duration;

/// What `memory_limit` says when the host has not installed brine's allocator.
pub(crate) const NOT_INSTALLED: &str = "memory_limit needs brine's allocator as the global \
     allocator: add `#[global_allocator] static ALLOCATOR: brine::Allocator = \
     brine::Allocator::system();` to the host's binary";

/// Sets a new runtime's limit; refused (with the reason) when the runtime already holds
/// more.
pub(crate) fn set_initial(tag: Tag, limit: usize) -> Result<(), String> {
    let used = accounts::used(tag);
    if used > limit {
        return Err(format!(
            "memory_limit({limit}) is below the {used} bytes the runtime holds once built"
        ));
    }
    accounts::set_limit(tag, Some(limit));
    Ok(())
}

/// The runtimes with a memory account, and their interrupts.
static WATCHED: Mutex<Vec<(Tag, Weak<Interrupts>)>> = Mutex::new(Vec::new());

/// How often the watcher looks without being woken (a wake-up lost to a race is caught
/// then).
const LOOK_EVERY: Duration = Duration::from_millis(20);

/// Watches `interrupts`' runtime's account (it has one when the allocator is installed).
pub(crate) fn watch(interrupts: &Arc<Interrupts>) {
    let tag = interrupts.account();
    if tag == Tag::NONE {
        return;
    }
    start_watcher();
    lock().push((tag, Arc::downgrade(interrupts)));
}

/// The runtime is gone: its account is closed.
pub(crate) fn forget(tag: Tag) {
    if tag == Tag::NONE {
        return;
    }
    lock().retain(|(watched, _)| *watched != tag);
    accounts::close(tag);
}

fn start_watcher() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        let thread = std::thread::Builder::new()
            .name("brine-memory-watcher".into())
            .spawn(watcher)
            .expect("a thread for the memory watcher");
        accounts::set_watcher(thread.thread().clone());
    });
}

fn watcher() {
    loop {
        std::thread::park_timeout(LOOK_EVERY);
        let watched = lock().clone();
        for (tag, interrupts) in watched {
            if accounts::take_crossed(tag) {
                stop_if_over(tag, interrupts);
            }
        }
    }
}

/// Stops the runtime's run in progress, if it is still over its limit and not already
/// being stopped.
fn stop_if_over(tag: Tag, interrupts: Weak<Interrupts>) {
    let (Some(interrupts), Some(limit)) = (interrupts.upgrade(), accounts::limit(tag)) else {
        return;
    };
    if !accounts::over(tag) {
        return;
    }
    if let Some(run) = interrupts.running()
        && !interrupts.pending(run)
    {
        interrupts.request(run, Reason::MemoryLimit(limit));
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<(Tag, Weak<Interrupts>)>> {
    WATCHED.lock().unwrap_or_else(|e| e.into_inner())
}
