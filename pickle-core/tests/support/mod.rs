//! Helpers shared by pickle-core's integration tests and its fuzzer (examples/fuzz.rs).

#![allow(dead_code)]

use pickle_core::decoder::Limits;
use pickle_core::disasm::{DisMemo, DisOptions, dis, optimize};
use pickle_core::inspect::{AllowList, inspect};
use pickle_core::value::{from_slice, to_json, to_vec};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A small deterministic generator (xorshift64*), so that random tests reproduce from a seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces of text arguments, so that random inputs also reach the line-based readers' corners
/// (`01` is True even as a memo index; huge decimals; escapes; quotes).
pub const FRAGMENTS: [&[u8]; 12] = [
    b"01\n",
    b"00\n",
    b"0\n",
    b"99999999999999999999999\n",
    b"-1\n",
    b"1L\n",
    b"'a'\n",
    b"\\u00e9\n",
    b"1e400\n",
    b"__builtin__\nint\n",
    b"\\x\n",
    b"\n",
];

/// Everything pickle-core does with untrusted bytes: read them into a graph (written back at
/// every protocol and as JSON), inspect them, disassemble and optimize them as pickletools
/// would. A panic anywhere is the failure; errors are expected.
pub fn exercise(data: &[u8]) {
    if let Ok(pickle) = from_slice(data, &Limits::UNTRUSTED) {
        for proto in 0..=5 {
            let _ = to_vec(&pickle, proto);
        }
        let _ = to_json(&pickle);
    }
    let report = inspect(data, &Limits::UNTRUSTED, &AllowList::safe_default());
    let _ = (report.to_text(), report.to_json());
    let options = DisOptions {
        annotate: 30,
        ..DisOptions::default()
    };
    // Each open MARK indents every later line: a listing can dwarf its pickle. 16 MiB of it
    // is plenty to reach every code path.
    let mut listing = BoundedSink(16 << 20);
    let _ = dis(data, &mut listing, &mut DisMemo::new(), &options);
    let _ = optimize(data);
}

/// Discards what is written, failing once `.0` more bytes would have been written.
struct BoundedSink(usize);

impl Write for BoundedSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self
            .0
            .checked_sub(buf.len())
            .ok_or(std::io::ErrorKind::WriteZero)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Counts live heap bytes and their peak, so a test can see what a load really allocates. A
/// test binary installs it with `#[global_allocator] static A: Counting = Counting;`.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// The most heap `f` held at once beyond what was live before it (with [`Counting`] installed).
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(before))
}
