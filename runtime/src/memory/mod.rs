//! Memory per runtime: the global allocator a host installs ([`Allocator`]), which charges
//! every allocation to the runtime running on the allocating thread, and the accounts it
//! charges ([`accounts`]); and the allocator the `brine` binary runs on ([`Mimalloc`]). The embedding API turns an account past its limit into a stopped
//! run (embed/memory_limit.rs); nothing here knows about the VM.

pub(crate) mod accounts;
mod allocator;
mod mimalloc;

pub use allocator::Allocator;
pub use mimalloc::Mimalloc;

/// The message of the `MemoryError` a script gets at its runtime's memory `limit`.
pub(crate) fn limit_message(limit: usize) -> String {
    format!("the runtime's memory limit of {limit} bytes is exceeded")
}

/// Refuses something for `tag`'s limit before it is made (the run then ends for the limit,
/// see `accounts::take_refused`): the MemoryError's message.
pub(crate) fn refuse(tag: accounts::Tag) -> String {
    accounts::mark_refused(tag);
    limit_message(accounts::limit(tag).unwrap_or(usize::MAX))
}

/// Results smaller than this are not estimated before they are made: whatever they take
/// past the limit, the run is stopped right after.
pub(crate) const ESTIMATE_FROM: usize = 1 << 20;

/// `Err` with [`refuse`]'s message when a result of `size` bytes, made where the VM would
/// allocate it infallibly, would take the thread's runtime past its limit.
pub(crate) fn refuse_unless_fits(size: usize) -> Result<(), String> {
    let tag = accounts::current();
    if size < ESTIMATE_FROM || accounts::fits(tag, size) {
        return Ok(());
    }
    Err(refuse(tag))
}
