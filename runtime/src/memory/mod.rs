//! Memory per runtime: the global allocator a host installs ([`Allocator`]), which charges
//! every allocation to the runtime running on the allocating thread, and the accounts it
//! charges ([`accounts`]). The embedding API turns an account past its limit into a stopped
//! run (embed/memory_limit.rs); nothing here knows about the VM.

pub(crate) mod accounts;
mod allocator;

pub use allocator::Allocator;

/// The message of the `MemoryError` a script gets at its runtime's memory `limit`.
pub(crate) fn limit_message(limit: usize) -> String {
    format!("the runtime's memory limit of {limit} bytes is exceeded")
}
