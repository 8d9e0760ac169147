//! The accounts [`Allocator`](super::Allocator) charges: one per live runtime, in a fixed
//! table, so that charging never allocates or locks.
//!
//! Each allocation carries, just before its first byte, the tag of the account it was
//! charged to (its slot and the slot's generation), and is credited back to that account
//! when freed, whichever thread frees it and whether or not that thread is in a runtime: a
//! pickle's bytes handed to the host stay counted until the host drops them. A slot is
//! reused by a later runtime with a new generation, so what outlives its runtime (process-
//! wide caches it made) is credited to no one.

use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU32, AtomicUsize, Ordering};
use std::thread::Thread;

/// How many runtimes can hold an account at once (each is tens of MiB; the table is 256
/// KiB of zeroed memory that is never touched beyond the slots used).
const SLOTS: usize = 4096;

/// No limit.
const UNLIMITED: usize = usize::MAX;

/// The smallest request refused outright when it would pass the limit, inside a
/// [`refusable`] call: smaller ones are let through and stop the run at its next safe point.
const REFUSE_FROM: usize = 64 * 1024;

/// Which account an allocation is charged to: a slot (0 for none) and its generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Tag(u64);

impl Tag {
    /// Charged to no one.
    pub(crate) const NONE: Tag = Tag(0);

    fn new(slot: u32, generation: u32) -> Tag {
        Tag(u64::from(slot) << 32 | u64::from(generation))
    }

    pub(crate) fn from_bits(bits: u64) -> Tag {
        Tag(bits)
    }

    pub(crate) fn bits(self) -> u64 {
        self.0
    }

    fn slot(self) -> usize {
        (self.0 >> 32) as usize
    }

    fn generation(self) -> u32 {
        self.0 as u32
    }

    /// The account, while it is still the one this tag names.
    fn account(self) -> Option<&'static Account> {
        let account = ACCOUNTS.get(self.slot()).filter(|_| self.slot() != 0)?;
        (account.generation.load(Ordering::Acquire) == self.generation()).then_some(account)
    }
}

#[repr(align(64))]
struct Account {
    generation: AtomicU32,
    /// Signed: a free on one thread may be added before the charge for the block is,
    /// while that charge waits with its thread's pending charges.
    used: AtomicIsize,
    limit: AtomicUsize,
    /// Past this, the run is stopped: the limit, or for a run that began over it (an
    /// earlier run kept what took it there), what it began with and some room to let go
    /// of what it holds ([`begin_run`]).
    trigger: AtomicUsize,
    /// Set when the limit is crossed, taken by the watcher.
    crossed: AtomicBool,
    /// The limit a request was refused for (0: none since the run began), taken when the
    /// run ends: a per-run limit may be lifted by then.
    refused_at: AtomicUsize,
}

impl Account {
    /// What the account holds, in bytes.
    fn used(&self) -> usize {
        self.used.load(Ordering::Acquire).max(0) as usize
    }

    const fn new() -> Account {
        Account {
            generation: AtomicU32::new(0),
            used: AtomicIsize::new(0),
            limit: AtomicUsize::new(UNLIMITED),
            trigger: AtomicUsize::new(UNLIMITED),
            crossed: AtomicBool::new(false),
            refused_at: AtomicUsize::new(0),
        }
    }
}

static ACCOUNTS: [Account; SLOTS] = [const { Account::new() }; SLOTS];

/// Slots free for a new account (slot 0 is never given out). Used only when runtimes are
/// made and dropped, never while allocating.
static FREE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Slots never given out yet start here.
static NEXT_UNUSED: AtomicU32 = AtomicU32::new(1);

/// Whether [`Allocator`](super::Allocator) is the process's global allocator (it has
/// allocated at least once).
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The thread woken when an account crosses its limit.
static WATCHER: std::sync::OnceLock<Thread> = std::sync::OnceLock::new();

thread_local! {
    /// The account this thread's allocations are charged to.
    static CURRENT: Cell<u64> = const { Cell::new(0) };
    /// Depth of calls whose large allocations are all fallible.
    static REFUSABLE: Cell<u32> = const { Cell::new(0) };
    /// What this thread has charged ([`CURRENT`]'s account) and not yet added to it, in
    /// bytes (below zero: credited). An atomic add for every allocation and free cost
    /// allocation-heavy work (a pickle load) a tenth of its time; batched, one in thousands.
    static PENDING: Cell<isize> = const { Cell::new(0) };
}

/// How far a thread's pending charges may go either way before they are added: the account
/// lags the truth by less than this per thread running the runtime.
const BATCH: isize = 32 * 1024;

pub(crate) fn mark_installed() {
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

/// Whether brine's allocator is installed.
pub(crate) fn installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// A new account, charged nothing yet; `None` when the allocator is not installed or every
/// slot is taken.
pub(crate) fn open() -> Option<Tag> {
    if !installed() {
        return None;
    }
    let reused = FREE.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let slot = match reused {
        Some(slot) => slot,
        None => {
            let slot = NEXT_UNUSED.fetch_add(1, Ordering::AcqRel);
            if slot as usize >= SLOTS {
                NEXT_UNUSED.store(SLOTS as u32, Ordering::Release);
                return None;
            }
            slot
        }
    };
    let account = &ACCOUNTS[slot as usize];
    account.used.store(0, Ordering::Release);
    account.limit.store(UNLIMITED, Ordering::Release);
    account.trigger.store(UNLIMITED, Ordering::Release);
    account.crossed.store(false, Ordering::Release);
    account.refused_at.store(0, Ordering::Release);
    let generation = account.generation.load(Ordering::Acquire);
    Some(Tag::new(slot, generation))
}

/// Closes the account: what is freed from now on is credited to no one, and its slot goes
/// to the next runtime.
pub(crate) fn close(tag: Tag) {
    let Some(account) = tag.account() else {
        return;
    };
    account.generation.fetch_add(1, Ordering::AcqRel);
    account.limit.store(UNLIMITED, Ordering::Release);
    account.trigger.store(UNLIMITED, Ordering::Release);
    FREE.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(tag.slot() as u32);
}

/// What the account holds now, in bytes.
pub(crate) fn used(tag: Tag) -> usize {
    tag.account().map_or(0, Account::used)
}

/// The account's limit, if it has one.
pub(crate) fn limit(tag: Tag) -> Option<usize> {
    let limit = tag.account()?.limit.load(Ordering::Acquire);
    (limit != UNLIMITED).then_some(limit)
}

/// Sets (or with `None` lifts) the account's limit.
pub(crate) fn set_limit(tag: Tag, limit: Option<usize>) {
    if let Some(account) = tag.account() {
        let limit = limit.unwrap_or(UNLIMITED);
        account.limit.store(limit, Ordering::Release);
        account.trigger.store(limit, Ordering::Release);
        account.crossed.store(false, Ordering::Release);
        if over(tag) {
            cross(account);
        }
    }
}

/// A run begins. Should the account be over its limit already, the run may allocate a
/// sixteenth of the limit (at least 1 MiB) more before it is stopped: enough to let go of
/// what it holds (`del`, a new value for a global), not enough to grow.
pub(crate) fn begin_run(tag: Tag) {
    if let Some(account) = tag.account() {
        let limit = account.limit.load(Ordering::Acquire);
        let used = account.used();
        let room = (limit / 16).max(1 << 20);
        let trigger = if used > limit {
            used.saturating_add(room)
        } else {
            limit
        };
        account.trigger.store(trigger, Ordering::Release);
        account.refused_at.store(0, Ordering::Release);
    }
}

/// Lets the account grow past its limit until the next run begins (for brine's own work
/// between runs).
pub(crate) fn lift_trigger(tag: Tag) {
    if let Some(account) = tag.account() {
        account.trigger.store(UNLIMITED, Ordering::Release);
    }
}

/// Whether the account holds more than the run may (its limit, see [`begin_run`]).
pub(crate) fn over(tag: Tag) -> bool {
    tag.account()
        .is_some_and(|account| account.used() > account.trigger.load(Ordering::Acquire))
}

/// Takes the account's "crossed its limit" mark (for the watcher).
pub(crate) fn take_crossed(tag: Tag) -> bool {
    tag.account()
        .is_some_and(|account| account.crossed.swap(false, Ordering::AcqRel))
}

/// Names the thread to wake when an account crosses its limit.
pub(crate) fn set_watcher(thread: Thread) {
    let _ = WATCHER.set(thread);
}

/// The account this thread's allocations are charged to.
pub(crate) fn current() -> Tag {
    Tag(CURRENT.try_with(Cell::get).unwrap_or(0))
}

/// Charges this thread's allocations to `tag` until the guard is dropped.
pub(crate) fn charge_to(tag: Tag) -> ChargeGuard {
    flush_pending();
    let previous = CURRENT.replace(tag.0);
    ChargeGuard { previous }
}

/// Restores the account a thread charged before [`charge_to`].
pub(crate) struct ChargeGuard {
    previous: u64,
}

impl Drop for ChargeGuard {
    fn drop(&mut self) {
        flush_pending();
        CURRENT.set(self.previous);
    }
}

/// Adds this thread's pending charges to its account.
fn flush_pending() {
    let pending = PENDING.try_with(|p| p.replace(0)).unwrap_or(0);
    if pending != 0 {
        add(current(), pending);
    }
}

/// Runs `f`, a call whose large allocations are all fallible (the VM raises MemoryError
/// when one is refused): inside it, a large request that would pass the limit is refused
/// instead of let through.
pub(crate) fn refusable<R>(f: impl FnOnce() -> R) -> R {
    struct Depth;
    impl Drop for Depth {
        fn drop(&mut self) {
            REFUSABLE.set(REFUSABLE.get() - 1);
        }
    }
    REFUSABLE.set(REFUSABLE.get() + 1);
    let _depth = Depth;
    f()
}

/// Whether `size` more bytes fit in the account's limit.
pub(crate) fn fits(tag: Tag, size: usize) -> bool {
    tag.account().is_none_or(|account| {
        account.used().saturating_add(size) <= account.trigger.load(Ordering::Acquire)
    })
}

/// For the allocator: whether a request of `size` more bytes charged to `tag` is refused.
pub(super) fn refuses(tag: Tag, size: usize) -> bool {
    let refused =
        size >= REFUSE_FROM && REFUSABLE.try_with(Cell::get).unwrap_or(0) > 0 && !fits(tag, size);
    if refused {
        mark_refused(tag);
    }
    refused
}

/// Notes that a request charged to `tag` was refused for its limit (by the allocator, or by
/// a check before the request was made).
pub(crate) fn mark_refused(tag: Tag) {
    if let Some(account) = tag.account() {
        let limit = account.limit.load(Ordering::Acquire);
        account.refused_at.store(limit, Ordering::Release);
    }
}

/// The limit a request was refused for since the last time this was asked, if one was.
pub(crate) fn take_refused(tag: Tag) -> Option<usize> {
    let limit = tag.account()?.refused_at.swap(0, Ordering::AcqRel);
    (limit != 0 && limit != UNLIMITED).then_some(limit)
}

/// For the allocator: charges `size` bytes to `tag`. Each charge that leaves the account
/// over its limit marks it (once, until the watcher takes the mark): a run that goes on
/// allocating past the limit is stopped, one that only frees is not.
pub(super) fn charge(tag: Tag, size: usize) {
    batch(tag, size as isize);
}

/// For the allocator: credits `size` bytes back to `tag`.
pub(super) fn credit(tag: Tag, size: usize) {
    batch(tag, -(size as isize));
}

/// Adds `delta` to `tag`'s account: to the thread's pending charges when it is the
/// thread's account and they stay within [`BATCH`], else at once.
fn batch(tag: Tag, delta: isize) {
    if tag == Tag::NONE {
        return;
    }
    if tag == current() {
        let pending = PENDING.try_with(|p| {
            let pending = p.get() + delta;
            if (-BATCH..BATCH).contains(&pending) {
                p.set(pending);
                return 0;
            }
            p.set(0);
            pending
        });
        match pending {
            Ok(0) => {}
            Ok(pending) => add(tag, pending),
            Err(_) => add(tag, delta),
        }
    } else {
        add(tag, delta);
    }
}

fn add(tag: Tag, delta: isize) {
    let Some(account) = tag.account() else {
        return;
    };
    let after = account.used.fetch_add(delta, Ordering::AcqRel) + delta;
    let trigger = account.trigger.load(Ordering::Relaxed);
    if delta > 0 && after.max(0) as usize > trigger && !account.crossed.load(Ordering::Relaxed) {
        cross(account);
    }
}

/// Marks the account as past its limit and wakes the watcher (neither allocates).
fn cross(account: &Account) {
    let already = account.crossed.swap(true, Ordering::AcqRel);
    if let (false, Some(watcher)) = (already, WATCHER.get()) {
        watcher.unpark();
    }
}
