//! For the test and the bench that make and drop runtimes by the thousand: the scripts they
//! run, and what the process holds.

/// The scripts run in turn: imports, classes with `__slots__` (which RustPython alone never
/// frees), cycles, pickles, `decimal` (a context variable), an exception, a run stopped by its
/// time limit.
pub const SCRIPTS: [&str; 5] = [
    "import pickle, json\nb = pickle.dumps({'a': [1, 2]})\nassert pickle.loads(b) == {'a': [1, 2]}\njson.dumps([1])",
    "class Point:\n    __slots__ = ('x', 'y')\n    def __init__(self, x, y):\n        self.x, self.y = x, y\nimport pickle\np = pickle.loads(pickle.dumps(Point(1, 2)))\nassert (p.x, p.y) == (1, 2)",
    "import collections, functools, operator, decimal\nx = [collections.OrderedDict(a=1)]\nx.append(x)\nf = functools.partial(operator.add, 1)\nassert f(decimal.Decimal(1)) == 2",
    "class Failure(Exception):\n    pass\nraise Failure('expected')",
    "while True:\n    pass",
];

/// The process's resident size (Linux; 0 elsewhere), once the allocators (glibc's malloc and
/// mimalloc, whichever the process runs on) have given back the free pages they hold: those
/// are not what the runtimes keep.
pub fn resident_kib() -> u64 {
    give_back_free_memory();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The objects RustPython's process-wide collector tracks, in all generations.
pub fn tracked_objects() -> usize {
    let (young, middle, old) = rustpython_vm::gc_state::gc_state().get_count();
    young + middle + old
}

fn give_back_free_memory() {
    unsafe extern "C" {
        /// mimalloc (linked through brine): frees what it can and gives back the free pages.
        fn mi_collect(force: bool);
    }
    // SAFETY: mi_collect takes no pointers and may be called at any time.
    unsafe { mi_collect(true) };
    give_back_glibc_arenas();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_back_glibc_arenas() {
    unsafe extern "C" {
        /// glibc: returns the free pages of every arena to the system.
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim takes no pointers and may be called at any time.
    unsafe { malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back_glibc_arenas() {}
