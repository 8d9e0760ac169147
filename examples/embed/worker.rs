//! A job runner's worker: the host this stands for is a Rust service whose workers are
//! scripted in Python and exchange pickles with a CPython service. A batch of `jobs.Task`
//! arrives pickled by CPython; the worker runs the user's transform on it and sends back a
//! pickle that CPython loads.
//!
//! `cargo run --ignore-rust-version --example embed_worker -- [BATCH [TRANSFORM [OUT]]]`
//! (the defaults are examples/embed/fixtures/tasks.pickle and examples/embed/worker/
//! transform.py; the result goes to stdout's file OUT, or is summarised).

use brine::{Error, Object, Runtime};

/// Where the worker's own Python modules (`jobs`) are.
const WORKER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/embed/worker");

/// Runs the `transform` function of `transform_source` on a pickled batch of tasks and
/// returns the result pickled at protocol 4, as the CPython side expects.
pub fn process(batch: &[u8], transform_source: &str) -> Result<Vec<u8>, Error> {
    let rt = Runtime::builder()
        .path(WORKER_DIR)
        .python_module("user_transform", transform_source)
        .build()?;
    let tasks = rt.loads(batch)?;
    let result: Object = rt.call("user_transform.transform", (tasks,))?;
    rt.dumps(&result, 4)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fixture = |name: &str| format!("{WORKER_DIR}/../fixtures/{name}");
    let batch = std::fs::read(
        args.first()
            .cloned()
            .unwrap_or_else(|| fixture("tasks.pickle")),
    )?;
    let transform_path = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| format!("{WORKER_DIR}/transform.py"));
    let result = process(&batch, &std::fs::read_to_string(transform_path)?)?;
    match args.get(2) {
        Some(out) => std::fs::write(out, &result)?,
        None => println!("{} bytes back for CPython", result.len()),
    }
    Ok(())
}
