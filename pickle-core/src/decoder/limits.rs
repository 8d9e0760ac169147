//! Resource limits for decoding.

/// Bounds on what one `load` may consume. Lengths claimed by the input are never allocated
/// up front whatever these say; these bound what the input actually supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of payload plus a word per stack entry, summed over the load.
    pub max_memory: u64,
    /// Open MARKs at once.
    pub max_marks: usize,
    /// Memo entries.
    pub max_memo: usize,
}

impl Limits {
    /// No bounds beyond the machine's: what CPython does.
    pub const UNLIMITED: Limits = Limits {
        max_memory: u64::MAX,
        max_marks: usize::MAX,
        max_memo: usize::MAX,
    };

    /// Safe defaults for untrusted data: 64 MiB, 10,000 open marks, a million memo entries.
    pub const UNTRUSTED: Limits = Limits {
        max_memory: 64 << 20,
        max_marks: 10_000,
        max_memo: 1 << 20,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::UNLIMITED
    }
}
