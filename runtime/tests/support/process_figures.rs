//! What the process holds, for tests and benches that make and drop runtimes by the thousand.

/// The process's resident size (Linux; 0 elsewhere).
pub fn resident_kib() -> u64 {
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
