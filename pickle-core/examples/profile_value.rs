//! Decodes one pickle file many times, or re-encodes it into a reused buffer, for a profiler:
//! `cargo run --release --example profile_value -- FILE decode|encode [ROUNDS]`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pickle_core::decoder::Limits;
use pickle_core::value::{from_slice, write_into};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&args[1]).expect("a pickle file");
    let rounds: usize = args.get(3).map_or(10, |r| r.parse().expect("a number"));
    let pickle = from_slice(&data, &Limits::UNLIMITED).expect("a pickle");
    let proto = if data.first() == Some(&0x80) {
        data[1]
    } else {
        0
    };
    let mut buffer = Vec::new();
    for _ in 0..rounds {
        match args[2].as_str() {
            "decode" => drop(from_slice(&data, &Limits::UNLIMITED).unwrap()),
            _ => {
                buffer.clear();
                write_into(&pickle, proto, &mut buffer).unwrap();
            }
        }
    }
}
