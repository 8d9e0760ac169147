//! A runtime's pickle limits: every load a script makes there is bounded, whichever way it
//! loads; the hostile corpus cannot make it hold more.

use brine::Runtime;
use brine::pickle_core::decoder::Limits;

/// Loads every file of the hostile corpus three ways (`pickle.loads`, `pickle.load` of a
/// file, `Unpickler.load`) and gives, per file, the outcomes: 'loaded' or the exception type.
const LOAD_CORPUS: &str = r#"
import io, os, pickle
def outcome(load):
    try:
        load()
        return 'loaded'
    except Exception as e:
        return type(e).__name__
outcomes = {}
for name in sorted(os.listdir(corpus)):
    with open(os.path.join(corpus, name), 'rb') as f:
        data = f.read()
    ways = {
        outcome(lambda: pickle.loads(data)),
        outcome(lambda: pickle.load(io.BytesIO(data))),
        outcome(lambda: pickle.Unpickler(io.BytesIO(data)).load()),
    }
    outcomes[name] = ways.pop() if len(ways) == 1 else 'differ: ' + ', '.join(sorted(ways))
"#;

fn corpus_outcomes(rt: &Runtime) -> Vec<(String, String)> {
    let corpus = super::workspace().join("tests/hostile/corpus");
    rt.run(&format!("corpus = {:?}", corpus.to_str().unwrap()))
        .unwrap();
    rt.run(LOAD_CORPUS).unwrap();
    rt.eval("sorted(outcomes.items())").unwrap()
}

#[test]
fn the_hostile_corpus_stays_within_a_runtimes_pickle_limits() {
    // The corpus nests lists 100,000 deep. Freeing that in RustPython recurses once per 50
    // levels, more than a test thread's 2 MiB of stack holds (README, "Running untrusted
    // scripts"), so this runs where a main thread would: on 64 MiB.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(check_corpus_within_limits)
        .unwrap()
        .join()
        .unwrap();
}

fn check_corpus_within_limits() {
    let tight = Limits {
        max_memory: 1 << 20,
        max_marks: 1_000,
        max_memo: 10_000,
    };
    let limited = corpus_outcomes(&Runtime::builder().pickle_limits(tight).build().unwrap());
    let unlimited = corpus_outcomes(&Runtime::new().unwrap());
    assert_eq!(limited.len(), unlimited.len());
    assert!(limited.len() >= 45);
    for ((name, with), (_, without)) in limited.iter().zip(&unlimited) {
        let expected = match name.as_str() {
            // A million lists, 100,000 open marks, a memo index past the limit: stopped,
            // where the same runtime without limits loads them (or, for the memo, fails
            // later, on what follows).
            "million_lists.pickle" | "marks_100000.pickle" | "get_huge.pickle" => "MemoryError",
            // A length claimed far past the data: from bytes, the load sees at once that
            // they are not there; from a file, it reads up to its memory limit first.
            claim if claim.starts_with("claim_") && with.starts_with("differ") => {
                "differ: MemoryError, UnpicklingError"
            }
            _ => without.as_str(),
        };
        assert_eq!(with, expected, "{name}");
    }
    assert!(unlimited.iter().all(|(_, o)| !o.starts_with("differ")));
    for name in ["million_lists.pickle", "marks_100000.pickle"] {
        assert!(unlimited.contains(&(name.to_string(), "loaded".to_string())));
    }
}

#[test]
fn limits_belong_to_their_runtime_and_to_the_hosts_loads_too() {
    let tight = Limits {
        max_memory: 4096,
        ..Limits::UNTRUSTED
    };
    let limited = Runtime::builder().pickle_limits(tight).build().unwrap();
    let other = Runtime::new().unwrap();
    let big = other
        .dumps(&other.eval("list(range(5000))").unwrap(), 4)
        .unwrap();
    assert_eq!(other.loads(&big).unwrap().repr().unwrap().len(), 28_890);
    let Err(brine::Error::Pickle(err)) = limited.loads(&big) else {
        panic!("the limit did not apply to Runtime::loads");
    };
    assert_eq!(err.to_string(), "unpickling exceeded the memory limit");
    // A script cannot lift them: they are not in the VM.
    assert!(
        limited
            .eval::<Vec<String>>("[n for n in dir(__import__('_pickle')) if 'imit' in n]")
            .unwrap()
            .is_empty()
    );
}
