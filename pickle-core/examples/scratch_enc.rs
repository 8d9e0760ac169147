#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use pickle_core::decoder::Limits;
use pickle_core::value::{from_slice, write_into};
use serde_pickle::{DeOptions, SerOptions, value_from_slice, value_to_writer};
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    touch(&dir);
    for proto in [2u8, 4] {
        let data = std::fs::read(format!("{dir}/strings_p{proto}.pickle")).unwrap();
        let pickle = from_slice(&data, &Limits::UNLIMITED).unwrap();
        let value = value_from_slice(&data, DeOptions::new()).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let (mut ta, mut tb) = (f64::MAX, f64::MAX);
        for _ in 0..40 {
            a.clear();
            b.clear();
            let t = Instant::now();
            write_into(&pickle, proto, &mut a).unwrap();
            ta = ta.min(t.elapsed().as_secs_f64() * 1e3);
            let opts = if proto == 2 {
                SerOptions::new().proto_v2()
            } else {
                SerOptions::new()
            };
            let t = Instant::now();
            value_to_writer(&mut b, &value, opts).unwrap();
            tb = tb.min(t.elapsed().as_secs_f64() * 1e3);
        }
        assert!(a == data);
        println!("p{proto}: ours {ta:.2} serde {tb:.2} ratio {:.3}", tb / ta);
    }
}
#[allow(dead_code)]
pub fn touch(dir: &str) {
    use pickle_core::value::Value;
    let data = std::fs::read(format!("{dir}/strings_p4.pickle")).unwrap();
    let pickle = from_slice(&data, &Limits::UNLIMITED).unwrap();
    let value = value_from_slice(&data, DeOptions::new()).unwrap();
    let (mut ta, mut tb) = (f64::MAX, f64::MAX);
    let mut sink = 0u64;
    for _ in 0..40 {
        let t = Instant::now();
        if let Value::List(items) = pickle.graph.get(pickle.root) {
            for &i in items {
                if let Value::Str(s) = pickle.graph.get(i) {
                    sink += s[s.len() - 1] as u64;
                }
            }
        }
        ta = ta.min(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        if let serde_pickle::Value::List(items) = &value {
            for v in items {
                if let serde_pickle::Value::String(s) = v {
                    sink += s.as_bytes()[s.len() - 1] as u64;
                }
            }
        }
        tb = tb.min(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("touch: ours {ta:.2} serde {tb:.2} {sink}");
}
