//! A simulation host with user scripts: the host this stands for is a game or simulation
//! that lets players script their units in Python. It exposes two host functions, `position`
//! and `move_to`, runs a unit's script, and shows what the script printed.
//!
//! `cargo run --ignore-rust-version --example embed_scripted_host`

use brine::{Error, ExceptionKind, Output, Runtime};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Unit positions by name.
pub type Positions = HashMap<String, (f64, f64)>;

/// The world the host simulates, shared with the host functions.
type World = Arc<Mutex<Positions>>;

/// A player's script for unit `scout`: walk halfway to the flag, report, try a unit that
/// does not exist.
pub const SCRIPT: &str = r#"
import world

x, y = world.position("scout")
fx, fy = world.position("flag")
world.move_to("scout", (x + fx) / 2, (y + fy) / 2)
print("scout moved to", world.position("scout"))
try:
    world.position("ghost")
except KeyError as e:
    print("no such unit:", e)
"#;

/// Runs `script` against a world with a scout and a flag; returns what it printed and the
/// world afterwards.
pub fn run_script(script: &str) -> Result<(String, Positions), Error> {
    let world: World = Arc::default();
    world.lock().unwrap().insert("scout".into(), (0.0, 0.0));
    world.lock().unwrap().insert("flag".into(), (10.0, 4.0));
    let (read, write) = (world.clone(), world.clone());
    let rt = Runtime::builder()
        .stdout(Output::Capture)
        .module("world", move |m| {
            m.function("position", move |unit: String| {
                let units = read.lock().unwrap();
                units
                    .get(&unit)
                    .copied()
                    .ok_or_else(|| Error::raise(ExceptionKind::KeyError, unit))
            });
            m.function("move_to", move |unit: String, x: f64, y: f64| {
                write.lock().unwrap().insert(unit, (x, y));
            });
        })
        .build()?;
    rt.run(script)?;
    let printed = rt.take_stdout();
    let world = world.lock().unwrap().clone();
    Ok((printed, world))
}

fn main() -> Result<(), Error> {
    let (printed, world) = run_script(SCRIPT)?;
    print!("{printed}");
    println!("the host sees the scout at {:?}", world["scout"]);
    Ok(())
}
