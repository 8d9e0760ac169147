//! What the embedding API's newer parts cost, side by side in one process (issue 31's
//! figures): a host method call against a host function call and a Python method call;
//! `Runtime::serialize` / `Object::deserialize` against the round trip through pickle bytes;
//! a new `Scope`. Best of several rounds.
//!
//! `cargo run --release --ignore-rust-version -p brine-runtime --example bench_embed_api`

use brine::{ClassBuilder, Error, HostClass, Runtime};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;

#[derive(Clone)]
struct Counter(i64);

impl HostClass for Counter {
    const NAME: &'static str = "Counter";
    fn define(class: &mut ClassBuilder<Self>) {
        class
            .constructor(|| Counter(0))
            .method("bump", |this: &mut Counter, by: i64| {
                this.0 += by;
                this.0
            });
    }
}

#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
struct Record {
    id: u64,
    name: String,
    price: f64,
    tags: Vec<String>,
    owner: Option<String>,
}

fn records(n: u64) -> Vec<Record> {
    (0..n)
        .map(|i| Record {
            id: i,
            name: format!("article n°{i} — ÉTÉ"),
            price: i as f64 * 1.25,
            tags: vec!["a".into(), format!("t{}", i % 7)],
            owner: (i % 3 == 0).then(|| "ops".into()),
        })
        .collect()
}

/// The fastest of `ROUNDS` runs of `f`.
fn best(mut f: impl FnMut() -> Result<(), Error>) -> Result<Duration, Error> {
    let mut fastest = Duration::MAX;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        f()?;
        fastest = fastest.min(start.elapsed());
    }
    Ok(fastest)
}

fn main() -> Result<(), Error> {
    let rt = Runtime::builder()
        .module("host", |m| {
            m.class::<Counter>();
            m.function("bump", |by: i64| by + 1);
        })
        .build()?;
    rt.run(
        "import time, host\n\
         class PyCounter:\n    def __init__(self): self.n = 0\n    def bump(self, by):\n        self.n += by\n        return self.n\n\
         def per_call(f, n=200_000):\n    t = time.perf_counter()\n    for _ in range(n): f(1)\n    return (time.perf_counter() - t) / n * 1e9\n\
         hc, pc = host.Counter(), PyCounter()",
    )?;
    let per_call = |what: &str| -> Result<f64, Error> {
        let mut fastest = f64::MAX;
        for _ in 0..ROUNDS {
            fastest = fastest.min(rt.eval::<f64>(&format!("per_call({what})"))?);
        }
        Ok(fastest)
    };
    let method = per_call("hc.bump")?;
    let function = per_call("host.bump")?;
    let python = per_call("pc.bump")?;
    println!("calls from Python, ns per call (best of {ROUNDS} rounds of 200,000):");
    println!("  host method (&mut self)  {method:8.1}");
    println!("  host function            {function:8.1}");
    println!("  Python method            {python:8.1}");
    println!("  host method / Python method {:.2}", method / python);

    let data = records(10_000);
    let serialize = best(|| rt.serialize(&data).map(drop))?;
    let via_bytes = best(|| {
        let bytes =
            pickle_core::serde::to_vec(&data, 5).map_err(|e| Error::Build(e.to_string()))?;
        rt.loads(&bytes).map(drop)
    })?;
    let obj = rt.serialize(&data)?;
    let deserialize = best(|| obj.deserialize::<Vec<Record>>().map(drop))?;
    let back_via_bytes = best(|| {
        let bytes = rt.dumps(&obj, 5)?;
        pickle_core::serde::from_slice::<Vec<Record>>(&bytes, pickle_core::serde::DeOptions::new())
            .map(drop)
            .map_err(|e| Error::Build(e.to_string()))
    })?;
    println!("10,000 records (ms, best of {ROUNDS}):");
    println!(
        "  serialize {:.2}  vs to_vec + loads {:.2}  ({:.2}x)",
        ms(serialize),
        ms(via_bytes),
        ms(serialize) / ms(via_bytes)
    );
    println!(
        "  deserialize {:.2}  vs dumps + from_slice {:.2}  ({:.2}x)",
        ms(deserialize),
        ms(back_via_bytes),
        ms(deserialize) / ms(back_via_bytes)
    );

    let scopes = 10_000;
    let scope_time = best(|| {
        for _ in 0..scopes {
            drop(rt.scope()?);
        }
        Ok(())
    })?;
    let runtime_time = best(|| Runtime::new().map(drop))?;
    println!(
        "a new scope: {:.1} us (a new runtime: {:.1} ms)",
        scope_time.as_secs_f64() * 1e6 / scopes as f64,
        ms(runtime_time)
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
