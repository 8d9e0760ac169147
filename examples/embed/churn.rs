use brine::Runtime;
use rustpython_vm::AsObject;
use rustpython_vm::gc_state::gc_state;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines().find(|l| l.starts_with("VmRSS")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap()
}

const SCRIPTS: [&str; 6] = [
    "import pickle, json\nb = pickle.dumps({'a': [1, 2]})\nassert pickle.loads(b) == {'a': [1, 2]}\njson.dumps([1])",
    "class Point:\n    __slots__ = ('x', 'y')\n    def __init__(self, x, y):\n        self.x, self.y = x, y\nimport pickle\np = pickle.loads(pickle.dumps(Point(1, 2)))\nassert (p.x, p.y) == (1, 2)",
    "import collections, functools, operator, decimal\nx = [collections.OrderedDict(a=1)]\nx.append(x)\nf = functools.partial(operator.add, 1)\nassert f(decimal.Decimal(1)) == 2",
    "class Failure(Exception):\n    pass\nraise Failure('expected')",
    "while True:\n    pass",
    "pass",
];

static KIND: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn one(isolated: bool) {
    let b = Runtime::builder();
    let b = if isolated { b.isolated() } else { b };
    let rt = b.build().unwrap();
    let kind = KIND.load(std::sync::atomic::Ordering::Relaxed);
    let _ = match kind {
        4 => rt.with_time_limit(std::time::Duration::from_millis(10), |rt| rt.run(SCRIPTS[kind])),
        _ => rt.run(SCRIPTS[kind]),
    };
}

fn adopt() {
    let rt = Runtime::new().unwrap();
    rt.run("import gc; gc.collect()").unwrap();
}

fn describe(o: &rustpython_vm::PyObjectRef) -> String {
    use rustpython_vm::builtins::*;
    if let Some(s) = o.downcast_ref::<PyStr>() { return s.to_string().chars().take(60).collect(); }
    if let Some(t) = o.downcast_ref::<PyType>() { return t.name().to_string(); }
    if let Some(d) = o.downcast_ref::<PyDict>() { return format!("len {} keys {}", d.__len__(), d.into_iter().take(8).map(|(k, _)| k.downcast_ref::<PyStr>().map(|s| s.to_string()).unwrap_or_default()).collect::<Vec<_>>().join(",")); }
    if let Some(m) = o.downcast_ref::<PyModule>() { return format!("module dict len {}", m.dict().__len__()); }
    String::new()
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let n: usize = std::env::args().nth(2).map(|a| a.parse().unwrap()).unwrap_or(300);
    let isolated = std::env::args().nth(3).is_some_and(|a| a == "iso");
    KIND.store(std::env::args().nth(4).map(|a| a.parse().unwrap()).unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
    if mode == "roots" {
        for _ in 0..3 { one(isolated); }
        adopt();
        let before: HashSet<usize> = gc_state().get_objects(None, 0).iter().map(|o| o.get_id()).collect();
        one(isolated);
        adopt();
        let left: Vec<_> = gc_state().get_objects(None, 0).into_iter().filter(|o| !before.contains(&o.get_id())).collect();
        let ids: HashMap<usize, usize> = left.iter().enumerate().map(|(k, o)| (o.get_id(), k)).collect();
        let edges: Vec<Vec<usize>> = left.iter().map(|o| o.gc_get_referents().iter().filter_map(|r| ids.get(&r.get_id()).copied()).collect()).collect();
        let mut internal = vec![0usize; left.len()];
        for e in &edges { for &k in e { internal[k] += 1; } }
        let mut types: HashMap<String, usize> = HashMap::new();
        for o in &left { *types.entry(o.class().name().to_string()).or_default() += 1; }
        let mut t: Vec<_> = types.into_iter().collect();
        t.sort_by(|a, b| b.1.cmp(&a.1));
        println!("left behind: {} objects; by type: {:?}", left.len(), &t[..t.len().min(25)]);
        let mut reach: Vec<(usize, usize, isize)> = Vec::new();
        for (k, o) in left.iter().enumerate() {
            let ext = o.strong_count() as isize - 1 - internal[k] as isize;
            if ext <= 0 { continue; }
            let mut seen = vec![false; left.len()];
            let mut stack = vec![k];
            let mut count = 0;
            while let Some(x) = stack.pop() {
                if seen[x] { continue; }
                seen[x] = true; count += 1;
                stack.extend(edges[x].iter().copied());
            }
            reach.push((count, k, ext));
        }
        reach.sort_by(|a, b| b.0.cmp(&a.0));
        use rustpython::InterpreterBuilderExt;
        let interp = rustpython::InterpreterBuilder::new().init_stdlib().build();
        let all: Vec<_> = gc_state().get_objects(None, 0);
        interp.enter(|vm| {
            for &(count, k, ext) in reach.iter().take(40) {
                let o = &left[k];
                let r = o.repr(vm).map(|s| s.to_string()).unwrap_or_default();
                let referrers: Vec<String> = all.iter().filter(|x| !ids.contains_key(&x.get_id()) && x.gc_get_referents().iter().any(|y| y.is(o))).map(|x| x.class().name().to_string()).collect();
                println!("root reaches {count}: {} ext={ext} {} {} tracked referrers outside: {:?}", o.class().name(), describe(o), r.chars().take(80).collect::<String>(), referrers);
            }
        });
        return;
        for &(count, k, ext) in reach.iter().take(30) {
            let o = &left[k];
            println!("root reaches {count}: {} ext={ext} {}", o.class().name(), describe(o));
        }
        return;
    }
    let mut t = Instant::now();
    let mix = mode == "mix";
    for i in 0..n {
        if mix {
            KIND.store(i % 5, std::sync::atomic::Ordering::Relaxed);
        }
        one(if mix { i % 2 == 0 } else { isolated });
        if (i + 1) % 50 == 0 {
            println!("{:5} rss {:7} KiB  last50 {:6} ms  gc {:?}", i + 1, rss_kib(), t.elapsed().as_millis(), gc_state().get_count());
            t = Instant::now();
        }
    }
}
