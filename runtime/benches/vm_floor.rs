//! The VM's floor under `pickle.loads` (bench/vm_floor.sh, BENCHMARKS.md).
//!
//! For five workloads of bench/workloads.py, this makes the objects a protocol-4 load of the
//! workload ends with, straight through RustPython's API with no pickle in between (no
//! decoder, no memo, no state dicts, no stack), and frees them: what any unpickler built on
//! this VM must pay at the least. The same rounds time brine's and CPython's `pickle.loads`
//! of the workload (each a process running bench/workloads.py), so the floor stands beside
//! both. Objects are made as the loader makes them: the same constructors (ASCII text as an
//! ASCII str), dict keys shared between records as the memo shares them, attribute names
//! interned as BUILD interns them, the collector off as it is during a load. Slots are set
//! with `setattr`, the VM's public way; the loader calls their descriptors directly, a little
//! less than this counts.
//!
//! Usage: vm_floor BRINE PYTHON [ROUNDS]. Prints a markdown table on stdout.

use rustpython::InterpreterBuilderExt;
use rustpython_common::str::ascii::AsciiStr;
use rustpython_vm::builtins::{PyStrInterned, PyType};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

// The allocator and purge delay brine's own binary runs with (runtime/src/main.rs).
#[global_allocator]
static GLOBAL: brine::Mimalloc = brine::Mimalloc;

unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay`, as runtime/src/main.rs sets it.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

const WORKLOADS: [&str; 8] = [
    "records",
    "int_lists",
    "short_strings",
    "plain_instances",
    "slot_instances",
    "binary_random",
    "binary_pattern",
    "text_nonascii",
];

/// bench/workloads.py's TEXT_POOL: the non-ASCII words its `text_nonascii` draws from.
const TEXT_POOL: [&str; 15] = [
    "café",
    "naïve",
    "Ωμέγα",
    "привет",
    "東京都",
    "한국어",
    "🎈🎉",
    "ёжик",
    "Zürich",
    "façade",
    "数据",
    "✓ done",
    "Ελλάδα",
    "Ģirts",
    "日本語のテキスト",
];

/// bench/workloads.py's sizes.
const RECORDS: i64 = 20_000;
const INSTANCES: i64 = 20_000;

/// Timed runs per workload and round (the fastest is kept, as bench/workloads.py keeps it).
const REPEAT: usize = 7;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [brine, python, rest @ ..] = args.as_slice() else {
        eprintln!("usage: vm_floor BRINE PYTHON [ROUNDS]");
        std::process::exit(2);
    };
    // Paths are the workspace's (cargo runs benches in the package's directory).
    std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).expect("workspace");
    let rounds: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    // SAFETY: setting an option is allowed at any time; the value is a plain integer.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };

    let mut best = [[f64::INFINITY; 3]; WORKLOADS.len()];
    // RustPython's own interpreter with its standard library, no Brine in it.
    let interpreter = rustpython::InterpreterBuilder::new()
        .init_stdlib()
        .interpreter();
    for _ in 0..rounds {
        let floor = interpreter.enter(|vm| floor_times(vm).expect("the floor's objects"));
        let brine = loads_times(brine);
        let cpython = loads_times(python);
        for (w, cell) in best.iter_mut().enumerate() {
            for (slot, time) in cell.iter_mut().zip([floor[w], brine[w], cpython[w]]) {
                *slot = slot.min(time);
            }
        }
    }
    print_table(&best);
}

fn print_table(best: &[[f64; 3]]) {
    println!(
        "| workload | VM floor ms | brine loads ms | CPython loads ms | floor/CPython | brine/CPython | floor share of brine |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, [floor, brine, cpython]) in WORKLOADS.iter().zip(best) {
        println!(
            "| {name} | {floor:.2} | {brine:.2} | {cpython:.2} | {:.2} | {:.2} | {:.0}% |",
            floor / cpython,
            brine / cpython,
            100.0 * floor / brine
        );
    }
}

/// Each workload's `loads` time at protocol 4 in `interpreter`, from bench/workloads.py.
fn loads_times(interpreter: &str) -> Vec<f64> {
    let out = Command::new(interpreter)
        .args(["bench/workloads.py", "--protocols", "4", "--repeat"])
        .arg(REPEAT.to_string())
        .arg("--only")
        .arg(WORKLOADS.join(","))
        .output()
        .expect("run bench/workloads.py");
    assert!(
        out.status.success(),
        "{interpreter} bench/workloads.py failed"
    );
    let json = String::from_utf8(out.stdout).expect("utf-8 output");
    WORKLOADS
        .iter()
        .map(|name| loads_field(&json, name))
        .collect()
}

/// The `"loads"` figure of `name`'s protocol-4 entry in workloads.py's one-line JSON.
fn loads_field(json: &str, name: &str) -> f64 {
    let entry = &json[json
        .find(&format!("\"{name}\": {{\"4\""))
        .unwrap_or_else(|| panic!("{name} in {json}"))..];
    let value = &entry[entry.find("\"loads\": ").expect("loads") + "\"loads\": ".len()..];
    let end = value.find([',', '}']).expect("end of number");
    value[..end].parse().expect("a number")
}

/// The fastest of [`REPEAT`] make-and-free runs of each workload's objects, in ms. Their
/// text is formatted beforehand: a load copies it out of the pickle, it does not format it.
fn floor_times(vm: &VirtualMachine) -> PyResult<Vec<f64>> {
    let classes = bench_classes(vm)?;
    let was_enabled = vm.state.gc.is_enabled();
    vm.state.gc.disable();
    let mut times = Vec::new();
    for name in WORKLOADS {
        let texts = texts(name);
        let mut best = f64::INFINITY;
        for _ in 0..=REPEAT {
            let start = Instant::now();
            let made = make(vm, name, &classes, &mut texts.iter())?;
            drop(made);
            best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.push(best);
    }
    if was_enabled {
        vm.state.gc.enable();
    }
    Ok(times)
}

/// The text of a workload's strs, in the order [`make`] makes them.
fn texts(name: &str) -> Vec<String> {
    match name {
        "records" => (0..RECORDS)
            .flat_map(|i| {
                [
                    format!("user{i}"),
                    format!("a{}", i % 7),
                    format!("b{}", i % 11),
                ]
            })
            .collect(),
        "short_strings" => (0..100_000).map(|i| format!("s{i}")).collect(),
        "plain_instances" | "slot_instances" => (0..INSTANCES).map(|i| format!("p{i}")).collect(),
        // The same shapes as workloads.py's (its words drawn by another generator).
        "text_nonascii" => {
            let mut draw = (1..).map(|k: usize| TEXT_POOL[k * 7919 % TEXT_POOL.len()]);
            let mut texts: Vec<String> = (0..20_000)
                .map(|i| format!("{}{i}", draw.next().expect("endless")))
                .collect();
            texts.extend((0..200).map(|_| draw.by_ref().take(200).collect::<Vec<_>>().join(" ")));
            texts
        }
        _ => Vec::new(),
    }
}

/// bench/bench_classes.py's `Point` and `SlotPoint`, defined in `vm`.
fn bench_classes(vm: &VirtualMachine) -> PyResult<[PyObjectRef; 2]> {
    let source = std::fs::read_to_string("bench/bench_classes.py").expect("bench/bench_classes.py");
    let scope = vm.new_scope_with_builtins();
    vm.run_string(scope.clone(), &source, "bench/bench_classes.py")?;
    let class = |name: &str| scope.globals.get_item(name, vm);
    Ok([class("Point")?, class("SlotPoint")?])
}

type Texts<'a> = std::slice::Iter<'a, String>;

fn make(
    vm: &VirtualMachine,
    name: &str,
    classes: &[PyObjectRef; 2],
    texts: &mut Texts<'_>,
) -> PyResult<PyObjectRef> {
    let items = match name {
        "records" => records(vm, texts)?,
        "int_lists" => int_lists(vm),
        "short_strings" => texts.map(|text| ascii(vm, text)).collect(),
        "plain_instances" => instances(vm, &classes[0], texts, into_dict)?,
        "slot_instances" => instances(vm, &classes[1], texts, by_setattr)?,
        "binary_random" => binary(vm, true),
        "binary_pattern" => binary(vm, false),
        "text_nonascii" => texts
            .map(|text| vm.ctx.new_str(text.as_str()).into())
            .collect(),
        _ => unreachable!("a workload of WORKLOADS"),
    };
    // Each workload is one object in a list of one (bench/workloads.py's WORKLOADS).
    Ok(vm.ctx.new_list(vec![vm.ctx.new_list(items).into()]).into())
}

/// Four bytes objects of 1 MiB, random or `bytes(range(256))` repeated: copied from a
/// buffer made once, outside the timed runs after the first, as a load copies them from its
/// input.
fn binary(vm: &VirtualMachine, random: bool) -> Vec<PyObjectRef> {
    static RANDOM: OnceLock<Vec<u8>> = OnceLock::new();
    static PATTERN: OnceLock<Vec<u8>> = OnceLock::new();
    let data = if random {
        RANDOM.get_or_init(|| {
            (0..1usize << 20)
                .map(|k| (k.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect()
        })
    } else {
        PATTERN.get_or_init(|| (0..1usize << 20).map(|k| k as u8).collect())
    };
    (0..4)
        .map(|_| vm.ctx.new_bytes(data.clone()).into())
        .collect()
}

fn ascii(vm: &VirtualMachine, text: &str) -> PyObjectRef {
    let ascii = AsciiStr::from_ascii(text.as_bytes()).expect("ascii text");
    vm.ctx.new_str(ascii).into()
}

fn int(vm: &VirtualMachine, value: i64) -> PyObjectRef {
    vm.ctx.new_int(value).into()
}

fn records(vm: &VirtualMachine, texts: &mut Texts<'_>) -> PyResult<Vec<PyObjectRef>> {
    let keys: Vec<PyObjectRef> = ["id", "name", "score", "active", "tags", "parent", "ratio"]
        .iter()
        .map(|k| ascii(vm, k))
        .collect();
    (0..RECORDS)
        .map(|i| {
            let name = ascii(vm, texts.next().expect("a name"));
            let tags = vec![
                ascii(vm, texts.next().expect("a tag")),
                ascii(vm, texts.next().expect("a tag")),
            ];
            let values = [
                int(vm, i),
                name,
                vm.ctx.new_float(i as f64 * 0.37).into(),
                vm.ctx.new_bool(i % 3 == 0).into(),
                vm.ctx.new_list(tags).into(),
                vm.ctx.none(),
                vm.ctx.new_tuple(vec![int(vm, i), int(vm, i + 1)]).into(),
            ];
            let dict = vm.ctx.new_dict();
            for (key, value) in keys.iter().zip(values) {
                dict.inner_setitem(&**key, value, vm)?;
            }
            Ok(dict.into())
        })
        .collect()
}

fn int_lists(vm: &VirtualMachine) -> Vec<PyObjectRef> {
    (0..2000i64)
        .map(|i| {
            vm.ctx
                .new_list((i..i + 100).map(|n| int(vm, n)).collect())
                .into()
        })
        .collect()
}

/// A new instance of `cls` as NEWOBJ makes it: the type's `__new__` slot with no arguments.
fn new_instance(vm: &VirtualMachine, cls: &PyObjectRef) -> PyResult {
    let cls = cls.downcast_ref::<PyType>().expect("a class");
    let new = cls.slots.new.load().expect("__new__");
    new(cls.to_owned(), FuncArgs::default(), vm)
}

fn point_fields(vm: &VirtualMachine, i: i64, label: &str) -> [PyObjectRef; 3] {
    [int(vm, i), int(vm, -i), ascii(vm, label)]
}

fn attribute_names(vm: &VirtualMachine) -> [&'static PyStrInterned; 3] {
    ["x", "y", "label"].map(|n| vm.ctx.intern_str(n))
}

/// How an instance's attribute is set: into its `__dict__` (what BUILD does for a plain
/// class) or by `setattr` (a `__slots__` class's slot state).
type SetAttribute =
    fn(&VirtualMachine, &PyObjectRef, &'static PyStrInterned, PyObjectRef) -> PyResult<()>;

fn into_dict(
    vm: &VirtualMachine,
    obj: &PyObjectRef,
    name: &'static PyStrInterned,
    value: PyObjectRef,
) -> PyResult<()> {
    obj.dict()
        .expect("an instance dict")
        .inner_setitem(name, value, vm)
}

fn by_setattr(
    vm: &VirtualMachine,
    obj: &PyObjectRef,
    name: &'static PyStrInterned,
    value: PyObjectRef,
) -> PyResult<()> {
    obj.as_object().set_attr(name, value, vm)
}

fn instances(
    vm: &VirtualMachine,
    cls: &PyObjectRef,
    texts: &mut Texts<'_>,
    set: SetAttribute,
) -> PyResult<Vec<PyObjectRef>> {
    let names = attribute_names(vm);
    (0..INSTANCES)
        .map(|i| {
            let obj = new_instance(vm, cls)?;
            let fields = point_fields(vm, i, texts.next().expect("a label"));
            for (name, value) in names.iter().zip(fields) {
                set(vm, &obj, name, value)?;
            }
            Ok(obj)
        })
        .collect()
}
