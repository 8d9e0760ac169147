//! The embedding API, as a Rust host uses it: one test binary for all of it (the VM is large
//! to link), one module per part.

mod calls;
mod compiler_fuzz;
mod conversions;
mod deep_free;
mod errors;
mod escapes;
mod examples;
mod fuel;
mod host_classes;
mod host_functions;
mod interrupts;
mod isolated_runtime;
mod isolation;
mod memory_attacks;
mod memory_limit;
mod objects;
mod pickle_limits;
mod pickles;
mod recursion;
mod running;
mod scopes;
mod serde_values;

use brine::{Output, Runtime};

/// Every runtime of these tests is charged by brine's allocator, as a host with memory
/// limits runs them.
#[global_allocator]
static ALLOCATOR: brine::Allocator = brine::Allocator::system();

/// A runtime whose output the test reads back.
fn captured() -> Runtime {
    Runtime::builder()
        .stdout(Output::Capture)
        .stderr(Output::Capture)
        .build()
        .expect("a runtime builds")
}

/// This test binary again, to run `test` (its full path) alone in a child process, with
/// `env` set to `value`: how the test knows it is the child. For what must not share a
/// process with the other tests (peak memory, a crash, what happens at exit).
fn child_process(test: &str, env: &str, value: &str) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([test, "--exact", "--nocapture"])
        .env(env, value);
    command
}

/// The workspace's directory.
fn workspace() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
