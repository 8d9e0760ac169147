//! The compiler entry points fuzzed with nesting: random mixes of every nesting construct
//! (brackets, calls, subscripts, unary operators, lambdas, conditional expressions, powers,
//! comprehensions, f-strings, walrus, blocks of every statement kind) at depths from 1 to
//! 100,000, through the host's `compile` and the script's `compile()`. Each must compile or
//! raise SyntaxError, RecursionError or MemoryError (or SystemError, which brine makes of a
//! panic in RustPython's code generator); none may take the process down or unwind into
//! the host.
//!
//! Bounded in time for CI ([`BUDGET`]); `BRINE_FUZZ_SEED` and `BRINE_FUZZ_SECONDS` run other
//! cases for longer. Run in a child process (this binary again), which prints each case
//! before it tries it, so that a crash names the case that caused it.

use brine::{Error, Runtime};
use std::io::Write;
use std::time::{Duration, Instant};

const CHILD: &str = "BRINE_FUZZ_CHILD";
const BUDGET: Duration = Duration::from_secs(15);

/// Expression nesting: what goes before and after the inner expression.
const WRAPS: &[(&str, &str)] = &[
    ("(", ")"),
    ("[", "]"),
    ("{", "}"),
    ("{1: ", "}"),
    ("(", ",)"),
    ("f(", ")"),
    ("x[", "]"),
    ("-", ""),
    ("~", ""),
    ("not ", ""),
    ("lambda: ", ""),
    ("", " if x else y"),
    ("x if ", " else y"),
    ("2 ** ", ""),
    ("", ".a"),
    ("", "[0]"),
    ("", "(1)"),
    ("[", " for x in y]"),
    ("{", " for x in y}"),
    ("(x := ", ")"),
    ("f'{", "}'"),
    ("await ", ""),
    ("*", ""),
    ("1 + ", ""),
    ("", " + 1"),
];

/// Statement nesting: a block header (its body indented one level more).
const BLOCKS: &[&str] = &[
    "if x:",
    "while x:",
    "for x in y:",
    "def f():",
    "class C:",
    "with x:",
    "try:",
    "async def g():",
];

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A depth from 1 to 100,000, as often small as large (log-uniform).
    fn depth(&mut self) -> usize {
        let exponent = self.below(5001) as f64 / 1000.0;
        10f64.powf(exponent) as usize
    }
}

/// One case: an expression nested `depth` deep, in blocks nested up to 120 deep.
fn case(rng: &mut Rng) -> String {
    let depth = rng.depth();
    let mut before = String::new();
    let mut after = String::new();
    for _ in 0..depth {
        let (open, close) = WRAPS[rng.below(WRAPS.len())];
        before.push_str(open);
        after.insert_str(0, close);
    }
    let expression = format!("{before}x{after}");
    let blocks = if rng.below(2) == 0 {
        0
    } else {
        rng.depth().min(120)
    };
    let mut source = String::new();
    for level in 0..blocks {
        source.push_str(&" ".repeat(level));
        source.push_str(BLOCKS[rng.below(BLOCKS.len())]);
        source.push('\n');
    }
    source.push_str(&" ".repeat(blocks));
    source.push_str("y = ");
    source.push_str(&expression);
    source.push('\n');
    source
}

fn acceptable(outcome: &Result<(), Error>) -> bool {
    match outcome {
        Ok(()) => true,
        Err(Error::Python(err)) => matches!(
            err.type_name(),
            "SyntaxError" | "IndentationError" | "RecursionError" | "MemoryError" | "SystemError"
        ),
        Err(_) => false,
    }
}

fn child() {
    let seed: u64 = std::env::var("BRINE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(29);
    let budget = std::env::var("BRINE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(BUDGET, Duration::from_secs);
    let rt = Runtime::new().unwrap();
    let mut rng = Rng(seed.max(1));
    let started = Instant::now();
    let mut cases = 0;
    let mut stdout = std::io::stdout();
    while started.elapsed() < budget {
        let source = case(&mut rng);
        writeln!(
            stdout,
            "case {cases}: {} bytes: {:?}",
            source.len(),
            &source[..source.len().min(120)]
        )
        .unwrap();
        stdout.flush().unwrap();
        let host = rt.compile(&source, "<fuzz>").map(drop);
        let script = rt
            .call::<brine::Object>("builtins.compile", (source.as_str(), "<fuzz>", "exec"))
            .map(drop);
        for (entry, outcome) in [("host compile", &host), ("compile()", &script)] {
            if !acceptable(outcome) {
                writeln!(stdout, "UNACCEPTABLE {entry}: {outcome:?}").unwrap();
            }
        }
        cases += 1;
    }
    writeln!(stdout, "fuzzed {cases} cases").unwrap();
}

/// The case seed 12345 found: RustPython's code generator panicked on it, through the
/// host's `compile`, the script's `compile`, and `exec` of a str or bytes.
#[test]
fn a_panic_of_the_code_generator_is_a_system_error() {
    let source = "with x:\n with x:\n  with x:\n   while x:\n    class C:\n     if x:\n      y = *(x := x)\n";
    let rt = Runtime::new().unwrap();
    for outcome in [
        rt.compile(source, "<fuzz>").map(drop),
        rt.call::<brine::Object>("builtins.compile", (source, "<fuzz>", "exec"))
            .map(drop),
        rt.call::<brine::Object>("builtins.exec", (source,))
            .map(drop),
        rt.run(&format!("exec({source:?})")),
        rt.run(&format!(
            "eval(compile('0', 's', 'eval')) or exec({source:?}.encode())"
        )),
    ] {
        let Err(Error::Python(err)) = outcome else {
            panic!("{outcome:?}")
        };
        // In a build with overflow checks (debug) the generator panics; without, it reports
        // the SyntaxError CPython gives.
        assert!(
            matches!(err.type_name(), "SystemError" | "SyntaxError"),
            "{err}"
        );
    }
    assert_eq!(rt.eval::<i64>("6 * 7").unwrap(), 42);
}

/// `exec` and `eval` of a source compile it first (to guard the compiler), as CPython 3.13
/// compiles it: what each probe gives there, as the script prints it.
#[test]
fn exec_and_eval_of_a_source_compile_it_as_cpython() {
    let script = r#"from __future__ import annotations
def show(f):
    try:
        out.append(repr(f()))
    except BaseException as e:
        out.append(f'{type(e).__name__}: {str(e)[:26]}')
out = []
show(lambda: eval("  \t1 + 2"))
show(lambda: eval(b"  \t1 + 2"))
show(lambda: eval(" \n1"))
ns = {}
exec("def f(x: int): pass", ns)
show(lambda: ns['f'].__annotations__)
show(lambda: eval(" '\ud800'"))
show(lambda: exec(" '\ud800'"))
try:
    exec("1/0")
except ZeroDivisionError as e:
    out.append(e.__traceback__.tb_next.tb_frame.f_code.co_filename)
show(lambda: eval("x", {"x": 5}))
show(lambda: eval(" lambda: 1")())
"#;
    let rt = Runtime::new().unwrap();
    rt.run(script).unwrap();
    let out: Vec<String> = rt.eval("out").unwrap();
    let surrogate = "UnicodeEncodeError: 'utf-8' codec can't encode";
    assert_eq!(
        out,
        [
            "3",
            "3",
            "1",
            "{'x': 'int'}",
            surrogate,
            surrogate,
            "<string>",
            "5",
            "1"
        ]
    );
}

/// `compile()` of a syntax tree keeps str constants with lone surrogates (RustPython's tree
/// conversion turned them into U+FFFD; pytest compiles test modules from trees): in module,
/// function and docstring constants, tuples, f-strings and match patterns, and in a tree
/// compiled back to a tree. The tree compiled is left as it was. CPython 3.11 gives the same.
#[test]
fn compiling_a_tree_keeps_lone_surrogates() {
    let script = r#"import ast
src = '''
"""doc \\ud800"""
x = '\\ud800'
y = ('a\\udcff', 1)
z = f"{x}-\\ud801"
def f():
    """inner \\udc00"""
    return '\\udfff' + 'ok'
match x:
    case '\\ud800': m = 'matched'
    case _: m = 'no'
'''
tree = ast.parse(src)
ns = {}
exec(compile(tree, 'f', 'exec'), ns)
out = [ns['__doc__'], ns['x'], ns['y'], ns['z'], ns['f'](), ns['f'].__doc__, ns['m']]
out.append(tree.body[1].value.value)
out.append(compile(tree, 'f', 'exec', ast.PyCF_ONLY_AST).body[1].value.value)
out.append(eval(compile(ast.parse("'\\ud800'", mode='eval'), 'e', 'eval')))
out = ascii(out)
"#;
    let rt = Runtime::new().unwrap();
    rt.run(script).unwrap();
    let out: String = rt.eval("out").unwrap();
    assert_eq!(
        out,
        r"['doc \ud800', '\ud800', ('a\udcff', 1), '\ud800-\ud801', '\udfffok', 'inner \udc00', 'matched', '\ud800', '\ud800', '\ud800']"
    );
}

#[test]
fn no_nesting_crashes_the_compiler() {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    let output = crate::child_process("compiler_fuzz::no_nesting_crashes_the_compiler", CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last_case = stdout
        .lines()
        .rfind(|l| l.starts_with("case "))
        .unwrap_or("none");
    assert!(
        output.status.success(),
        "the child died ({:?}) at {last_case}",
        output.status
    );
    let bad: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("UNACCEPTABLE"))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let summary = stdout.lines().find(|l| l.starts_with("fuzzed ")).unwrap();
    eprintln!("{summary}");
    assert!(!summary.starts_with("fuzzed 0 "), "{summary}");
}
