//! The embedding API's costs, side by side in one run (bench/embed.sh writes the result into
//! BENCHMARKS.md):
//!
//! - startup: `Runtime::builder().build()` plus a first `import pickle`, in this process,
//!   against `python3 -c "import pickle"` and `brine -c "import pickle"` as processes;
//! - the memory a fresh runtime holds (heap bytes live after it is built and has imported
//!   pickle, counted by the allocator, and the process's resident size added);
//! - compile once, run many: 1,000 `exec` of compiled code against 1,000 `run` of its source;
//! - `to_value` against the round trip through bytes it replaces
//!   (`value::from_slice(&rt.dumps(obj, 5))`), on plain-data and instance workloads.
//!
//! Rounds alternate the measurements; each figure is the median over the rounds.

use brine::{Object, Runtime};
use pickle_core::decoder::Limits;
use pickle_core::value;
use rustpython::InterpreterBuilderExt;
use std::alloc::{GlobalAlloc, Layout};
use std::process::Command;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

/// mimalloc (as the `brine` binary uses), counting the bytes live.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { brine::Mimalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { brine::Mimalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { brine::Mimalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ROUNDS: usize = 9;

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

/// The wall time of a process running `program args`.
fn process(program: &str, args: &[&str]) -> Duration {
    let (elapsed, status) = time(|| Command::new(program).args(args).status());
    assert!(
        status.expect("the program runs").success(),
        "{program} {args:?}"
    );
    elapsed
}

/// This process's resident size, in bytes.
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// The interpreter `python3` names (not a launcher script in front of it, such as pyenv's).
fn real_python() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 runs");
    String::from_utf8(out.stdout)
        .expect("a path")
        .trim()
        .to_string()
}

/// The peak resident size, in MiB, of `program -c "import pickle"`, as GNU time reports it
/// (a process forked from this one would count this one's pages too).
fn peak_resident(program: &str) -> f64 {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", program, "-c", "import pickle"])
        .output()
        .expect("GNU time runs");
    let report = String::from_utf8_lossy(&out.stderr);
    let kib: f64 = report
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .parse()
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn startup(python: &str, brine: &str) {
    let mut samples: [Vec<Duration>; 3] = Default::default();
    for _ in 0..ROUNDS {
        let (elapsed, rt) = time(|| {
            let rt = Runtime::builder().build().unwrap();
            rt.import("pickle").unwrap();
            rt
        });
        drop(rt);
        samples[0].push(elapsed);
        samples[1].push(process(python, &["-c", "import pickle"]));
        samples[2].push(process(brine, &["-c", "import pickle"]));
    }
    let [ours, python, binary] = samples.map(median_ms);
    println!("### Startup\n");
    println!("| what | ms | ratio to python3 |\n|---|---|---|");
    println!(
        "| `Runtime::builder().build()` + `import pickle`, in process | {ours:.1} | {:.2} |",
        ours / python
    );
    println!("| `python3 -c \"import pickle\"`, a process | {python:.1} | 1.00 |");
    println!(
        "| `brine -c \"import pickle\"`, a process | {binary:.1} | {:.2} |\n",
        binary / python
    );
}

fn memory(python: &str, brine: &str) {
    let live = || LIVE.load(Ordering::Relaxed);
    let (heap_before, rss_before) = (live(), resident());
    let rt = Runtime::builder().build().unwrap();
    rt.import("pickle").unwrap();
    let (heap, rss) = (
        live() - heap_before,
        resident() as isize - rss_before as isize,
    );
    drop(rt);
    // Heap left behind per runtime, over several made and dropped in turn.
    let before_many = live();
    let made = 5;
    for _ in 0..made {
        let rt = Runtime::builder().build().unwrap();
        rt.import("pickle").unwrap();
    }
    let left = (live() - before_many) / made;
    // The same for RustPython's own interpreter, with no Brine in it.
    let before_plain = live();
    for _ in 0..made {
        let interpreter = rustpython::InterpreterBuilder::new()
            .init_stdlib()
            .interpreter();
        interpreter
            .enter(|vm| vm.import("pickle", 0).map(drop))
            .unwrap();
        interpreter.finalize(None);
    }
    let plain = (live() - before_plain) / made;
    let mib = |b: isize| b as f64 / (1 << 20) as f64;
    println!("### Memory\n");
    println!("| what | MiB |\n|---|---|");
    println!(
        "| heap a fresh runtime holds after `import pickle` (the process's first) | {:.1} |",
        mib(heap)
    );
    println!(
        "| resident size that first runtime added to this process | {:.1} |",
        mib(rss)
    );
    println!(
        "| heap left behind by each runtime made and dropped (mean of {made}) | {:.2} |",
        mib(left)
    );
    println!(
        "| the same for a plain RustPython 0.6 interpreter, no Brine in it | {:.2} |",
        mib(plain)
    );
    println!(
        "| peak resident size of `python3 -c \"import pickle\"` | {:.1} |",
        peak_resident(python)
    );
    println!(
        "| peak resident size of `brine -c \"import pickle\"` | {:.1} |\n",
        peak_resident(brine)
    );
}

fn compile_once() {
    let rt = Runtime::new().unwrap();
    rt.run("total = 0").unwrap();
    let source = "total += 1";
    let code = rt.compile(source, "<step>").unwrap();
    let (mut compiled, mut each) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        compiled.push(time(|| (0..1000).for_each(|_| rt.exec(&code).unwrap())).0);
        each.push(time(|| (0..1000).for_each(|_| rt.run(source).unwrap())).0);
    }
    let (compiled, each) = (median_ms(compiled), median_ms(each));
    println!("### Compile once, run many\n");
    println!("| 1,000 runs of `{source}` | ms |\n|---|---|");
    println!("| `rt.exec(&code)` (compiled once) | {compiled:.2} |");
    println!("| `rt.run(source)` | {each:.2} |");
    println!("\nCompiling once is {:.1}x cheaper.\n", each / compiled);
}

/// Workloads: (name, Python expression), with bench/workloads.py importable.
const GRAPHS: &[(&str, &str)] = &[
    ("records", "workloads.records()"),
    ("int_lists", "workloads.int_lists()"),
    ("nested_dicts", "workloads.nested_dicts()"),
    ("short_strings", "workloads.short_strings()"),
    ("plain_instances", "workloads.plain_instances()"),
    // The worst case of the direct walk: plain data all the way to an instance at the end.
    (
        "records_then_instance",
        "workloads.records() + [workloads.Point(0, 0, 'p')]",
    ),
];

fn to_value(only: Option<&str>) {
    let bench = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench");
    let rt = Runtime::builder().path(bench).build().unwrap();
    rt.run("import workloads").unwrap();
    println!("### `to_value` against the round trip through bytes\n");
    println!(
        "| workload | to_value ms | from_slice(dumps(obj, 5)) ms | ratio | of which dumps ms | of which from_slice ms |\n|---|---|---|---|---|---|"
    );
    for (name, expr) in GRAPHS
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o == *name))
    {
        let obj: Object = rt.eval(expr).unwrap();
        let mut samples: [Vec<Duration>; 4] = Default::default();
        // A warm-up of each, then rounds (more than elsewhere: these cells are close).
        drop((rt.to_value(&obj).unwrap(), rt.dumps(&obj, 5).unwrap()));
        for round in 0..3 * ROUNDS {
            let direct = || time(|| rt.to_value(&obj).unwrap());
            let through_bytes = || {
                let (dumps, bytes) = time(|| rt.dumps(&obj, 5).unwrap());
                let (read, graph) = time(|| value::from_slice(&bytes, &Limits::UNLIMITED).unwrap());
                (dumps, read, graph)
            };
            // Which goes first alternates: the second pays for freeing the first's graph.
            let ((t, a), (dumps, read, b)) = if round % 2 == 0 {
                (direct(), through_bytes())
            } else {
                let second = through_bytes();
                (direct(), second)
            };
            samples[0].push(t);
            samples[1].push(dumps + read);
            samples[2].push(dumps);
            samples[3].push(read);
            assert_eq!(a.graph.len(), b.graph.len());
        }
        let [direct, through_bytes, dumps, read] = samples.map(median_ms);
        let ratio = direct / through_bytes;
        println!(
            "| {name} | {direct:.2} | {through_bytes:.2} | {ratio:.2} | {dumps:.2} | {read:.2} |"
        );
    }
    println!();
}

/// Arguments: the `brine` binary to start (default target/release/brine), then optionally
/// one section to run alone (`memory`, `startup`, `compile`, `to_value`, or
/// `to_value=WORKLOAD`) while tuning.
fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let default_brine = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/brine");
    let brine = args.first().map_or(default_brine, String::as_str);
    let (only, workload) = match args.get(1).map(String::as_str) {
        Some(arg) => match arg.split_once('=') {
            Some((section, workload)) => (Some(section), Some(workload)),
            None => (Some(arg), None),
        },
        None => (None, None),
    };
    let runs = |section: &str| only.is_none_or(|only| only == section);
    let python = real_python();
    if runs("memory") {
        memory(&python, brine);
    }
    if runs("startup") {
        startup(&python, brine);
    }
    if runs("compile") {
        compile_once();
    }
    if runs("to_value") {
        to_value(workload);
    }
}
