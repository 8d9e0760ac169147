//! A data tool with no Python text of its own: the host this stands for reads pickles from
//! a Python service and uses Python's standard library on them. It reads a pickle into a
//! pickle-core graph, moves the graph into a runtime, calls `statistics.median` on each
//! sensor's readings, and takes the result back out as a graph.
//!
//! `cargo run --ignore-rust-version --example embed_value_graph -- [READINGS]`

use brine::{Error, Object, Runtime};
use pickle_core::decoder::Limits;
use pickle_core::value::{self, Pickle};
use std::collections::BTreeMap;

/// The readings CPython pickled (a dict of sensor name to a list of floats, protocol 2).
pub const READINGS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/embed/fixtures/readings.pickle"
);

/// The median of each sensor's readings, as a graph.
pub fn medians(pickle: &[u8]) -> Result<Pickle, Error> {
    let readings = value::from_slice(pickle, &Limits::UNTRUSTED)?;
    let rt = Runtime::new()?;
    let readings = rt.from_value(&readings)?;
    let mut medians = BTreeMap::new();
    for (sensor, values) in readings.call_method::<Vec<(String, Object)>>("items", ())? {
        medians.insert(sensor, rt.call::<Object>("statistics.median", (values,))?);
    }
    rt.to_value(&rt.object(&medians)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| READINGS.to_string());
    let graph = medians(&std::fs::read(path)?)?;
    println!("{}", value::to_json(&graph)?);
    Ok(())
}
