//! CPython's own pickle tests (test.test_pickle with test.pickletester) under brine, for each
//! CPython 3.11+ on the machine that has its `test` package: tests/cpython/run_suite.py runs
//! them, this checks what it reports. And the suites of pickle's neighbours (test_copy,
//! test_copyreg, test_pickletools, test_picklebuffer, test_shelve) of the newest such CPython,
//! run by tests/cpython/run_module.py. Nothing of CPython's is copied into the repository; a
//! machine without such a CPython skips this, saying so.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A CPython whose test package has the pickle tests.
struct Cpython {
    python: PathBuf,
    version: String,
    test_dir: PathBuf,
}

/// `python3` on PATH, then pyenv's versions: each distinct version 3.11 or newer whose
/// `test` package has test_pickle.
fn cpythons() -> Vec<Cpython> {
    let mut candidates = vec![PathBuf::from("python3")];
    if let Some(home) = std::env::var_os("HOME") {
        let versions = Path::new(&home).join(".pyenv/versions");
        if let Ok(entries) = std::fs::read_dir(versions) {
            let mut dirs: Vec<_> = entries
                .flatten()
                .map(|e| e.path().join("bin/python3"))
                .collect();
            dirs.sort();
            candidates.extend(dirs);
        }
    }
    let probe = "import os, sys, test.test_pickle\n\
                 print('%d.%d' % sys.version_info[:2])\n\
                 print(os.path.dirname(test.test_pickle.__file__))";
    let mut found: Vec<Cpython> = Vec::new();
    for python in candidates {
        let Ok(out) = Command::new(&python).args(["-c", probe]).output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines = text.lines();
        let (Some(version), Some(test_dir)) = (lines.next(), lines.next()) else {
            continue;
        };
        let minor: u32 = version
            .strip_prefix("3.")
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if !out.status.success() || minor < 11 || found.iter().any(|c| c.version == version) {
            continue;
        }
        found.push(Cpython {
            python,
            version: version.to_string(),
            test_dir: PathBuf::from(test_dir),
        });
    }
    found
}

/// What the runner printed: the totals and the ids of skipped tests.
struct Report {
    text: String,
    passed: usize,
    failed: usize,
    skipped: usize,
    skips: BTreeSet<String>,
}

fn parse(text: String) -> Report {
    let last = text.lines().last().unwrap_or_default().to_string();
    let numbers: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 3, "no totals line in:\n{text}");
    let skips = text
        .lines()
        .filter_map(|l| l.strip_prefix("SKIP "))
        .filter_map(|l| l.split(": ").next())
        .map(|id| id.trim_start_matches("test.test_pickle.").to_string())
        .collect();
    Report {
        passed: numbers[0],
        failed: numbers[1],
        skipped: numbers[2],
        skips,
        text,
    }
}

/// Runs the runner for `part` of `cpython`'s suite with `program` (a `Command` to start).
fn run_part(program: Command, cpython: &Cpython, part: &str) -> Report {
    run_runner(program, cpython, "run_suite.py", part)
}

/// Runs `tests/cpython/RUNNER ARG VERSION` with `program`, `cpython`'s test package
/// importable.
fn run_runner(mut program: Command, cpython: &Cpython, runner: &str, arg: &str) -> Report {
    let dir = std::env::temp_dir().join(format!(
        "brine-cpython-suite-{}-{}",
        cpython.version,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("test");
    // Runs on other threads may be making the same link.
    match std::os::unix::fs::symlink(&cpython.test_dir, &link) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => panic!("{link:?}: {e}"),
        _ => {}
    }
    let runner = support::fixtures().join("cpython").join(runner);
    let out = program
        .arg(runner)
        .args([arg, &cpython.version])
        .env("PYTHONPATH", &dir)
        .current_dir(&dir)
        .output()
        .expect("the runner starts");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the runner failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse(text)
}

/// The runner's list of skips CPython does not make, as written in it.
fn listed_vm_skips(runner: &str) -> Vec<String> {
    let path = support::fixtures().join("cpython").join(runner);
    let runner = std::fs::read_to_string(path).unwrap();
    let table = runner
        .split("VM_SKIPS = {")
        .nth(1)
        .expect("a VM_SKIPS table");
    let table = table.split("\n}\n").next().unwrap();
    table
        .lines()
        .filter_map(|l| l.trim().strip_prefix('\''))
        .filter_map(|l| l.split('\'').next())
        .map(str::to_string)
        .collect()
}

/// One CPython's suite: both parts under brine with no failure, and no skip CPython does not
/// make that the runner does not list.
fn check_suite(cpython: &Cpython) -> String {
    let native = run_part(support::brine(), cpython, "native");
    let pure = run_part(support::brine(), cpython, "pure");
    let reference = run_part(Command::new(&cpython.python), cpython, "native");
    for (part, report) in [("native", &native), ("pure", &pure)] {
        assert_eq!(
            report.failed, 0,
            "{} {part} part:\n{}",
            cpython.version, report.text
        );
    }
    let listed = listed_vm_skips("run_suite.py");
    for skip in native.skips.difference(&reference.skips) {
        let class = skip.split('.').next().unwrap_or_default();
        assert!(
            listed.iter().any(|l| l == skip || l == class),
            "{skip} is skipped under brine but not under CPython {}, and run_suite.py's \
             VM_SKIPS does not say why",
            cpython.version
        );
    }
    if cpython.version == "3.13" {
        // RustPython's own _pickle passes 580 of this part (issue 11); CPython 593.
        assert!(
            native.passed >= 593,
            "only {} passed:\n{}",
            native.passed,
            native.text
        );
    }
    let line = |r: &Report| {
        format!(
            "{} passed, {} failed, {} skipped",
            r.passed, r.failed, r.skipped
        )
    };
    format!(
        "CPython {} suite: native part {}; pure part {}; CPython itself, native part: {}",
        cpython.version,
        line(&native),
        line(&pure),
        line(&reference)
    )
}

#[test]
fn cpythons_own_pickle_tests_pass_under_brine() {
    let found = cpythons();
    if found.is_empty() {
        println!("no CPython 3.11+ with its test package on this machine: CPython's suite not run");
        return;
    }
    // The suites run side by side, one thread each.
    for report in in_parallel(&found, check_suite) {
        println!("{report}");
    }
}

/// `check` of every item, each on a thread of its own; their reports, in order.
fn in_parallel<T: Sync>(items: &[T], check: impl Fn(&T) -> String + Sync) -> Vec<String> {
    std::thread::scope(|scope| {
        let check = &check;
        let runs: Vec<_> = items
            .iter()
            .map(|item| scope.spawn(move || check(item)))
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("a thread's checks"))
            .collect()
    })
}

/// The test modules of pickle's neighbours that run_module.py runs.
const NEIGHBOURS: [&str; 5] = [
    "test_copy",
    "test_copyreg",
    "test_pickletools",
    "test_picklebuffer",
    "test_shelve",
];

/// One neighbour's suite under brine: no failure, as many tests as under CPython, and no skip
/// CPython does not make that run_module.py does not list.
fn check_neighbour(cpython: &Cpython, module: &str) -> String {
    let ours = run_runner(support::brine(), cpython, "run_module.py", module);
    let theirs = run_runner(
        Command::new(&cpython.python),
        cpython,
        "run_module.py",
        module,
    );
    assert_eq!(
        ours.failed, 0,
        "{module} ({}):\n{}",
        cpython.version, ours.text
    );
    assert_eq!(
        ours.passed + ours.skipped,
        theirs.passed + theirs.skipped,
        "{module} ran another number of tests under brine:\n{}",
        ours.text
    );
    let listed = listed_vm_skips("run_module.py");
    let skipped_here: BTreeSet<&String> = ours
        .skips
        .iter()
        .filter(|s| !theirs.skips.contains(*s))
        .collect();
    for skip in skipped_here {
        let short = skip.rsplit('.').take(2).collect::<Vec<_>>();
        let short = format!("{}.{}", short[1], short[0]);
        assert!(
            listed.contains(&short),
            "{skip} is skipped under brine but not under CPython {}, and run_module.py's \
             VM_SKIPS does not say why",
            cpython.version
        );
    }
    format!(
        "{module} of CPython {}: brine {} passed, {} skipped; CPython {} passed, {} skipped",
        cpython.version, ours.passed, ours.skipped, theirs.passed, theirs.skipped
    )
}

#[test]
fn pickles_neighbouring_suites_pass_under_brine() {
    let found = cpythons();
    let newest = found.iter().max_by_key(|c| {
        c.version
            .strip_prefix("3.")
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let Some(cpython) = newest else {
        println!("no CPython 3.11+ with its test package on this machine: neighbours not run");
        return;
    };
    for report in in_parallel(&NEIGHBOURS, |module| check_neighbour(cpython, module)) {
        println!("{report}");
    }
}
