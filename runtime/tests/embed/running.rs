//! Running code: `run`, `run_file`, `eval`, `compile` + `exec`, `import`, `call`, and where
//! output goes.

use super::captured;
use brine::{Error, Object, Output, Runtime};

#[test]
fn run_executes_in_main_and_eval_sees_its_globals() {
    let rt = captured();
    rt.run("x = 6 * 7\nprint(__name__, x)").unwrap();
    assert_eq!(rt.eval::<i64>("x").unwrap(), 42);
    assert_eq!(rt.take_stdout(), "__main__ 42\n");
    assert_eq!(rt.take_stdout(), "", "taking empties the buffer");
    let globals = rt.globals().unwrap();
    assert_eq!(globals.get_item::<i64>("x").unwrap(), 42);
}

#[test]
fn run_file_sets_file_while_it_runs() {
    let dir = std::env::temp_dir().join(format!("brine-run-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("job.py");
    std::fs::write(
        &script,
        "seen = __file__\nprint('running', __file__.endswith('job.py'))\n",
    )
    .unwrap();
    let rt = captured();
    rt.run_file(&script).unwrap();
    assert_eq!(rt.take_stdout(), "running True\n");
    assert_eq!(rt.eval::<String>("seen").unwrap(), script.to_string_lossy());
    // As CPython's PyRun_SimpleFile, the name it set is gone afterwards.
    assert!(!rt.eval::<bool>("'__file__' in globals()").unwrap());
    let Err(Error::Python(err)) = rt.run_file(dir.join("missing.py")) else {
        panic!("a missing file is an error")
    };
    assert_eq!(err.type_name(), "FileNotFoundError");
    assert!(
        err.message().contains("No such file or directory"),
        "{}",
        err.message()
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn compiled_code_runs_many_times_without_recompiling() {
    let rt = Runtime::new().unwrap();
    rt.run("total = 0").unwrap();
    let code = rt.compile("total += 2", "<step>").unwrap();
    assert_eq!(code.filename().unwrap(), "<step>");
    for _ in 0..1000 {
        rt.exec(&code).unwrap();
    }
    assert_eq!(rt.eval::<i64>("total").unwrap(), 2000);
    // Compiling checks the syntax; the error is Python's SyntaxError.
    let Err(Error::Python(err)) = rt.compile("def (:", "<bad>") else {
        panic!("a syntax error")
    };
    assert_eq!(err.type_name(), "SyntaxError");
}

#[test]
fn import_returns_the_module_itself_and_call_resolves_dotted_paths() {
    let rt = Runtime::new().unwrap();
    let path = rt.import("os.path").unwrap();
    assert_eq!(
        path.get_attr("__name__")
            .unwrap()
            .extract::<String>()
            .unwrap(),
        "posixpath"
    );
    assert_eq!(
        rt.call::<String>("os.path.join", ("a", "b")).unwrap(),
        "a/b"
    );
    assert_eq!(
        rt.call::<String>("json.dumps", (vec![1, 2],)).unwrap(),
        "[1, 2]"
    );
    // A class attribute path, a builtin, and a function of __main__.
    assert_eq!(
        rt.call::<String>("collections.OrderedDict.__name__.upper", ())
            .unwrap(),
        "ORDEREDDICT"
    );
    assert_eq!(rt.call::<usize>("len", ("four",)).unwrap(), 4);
    rt.run("def twice(x):\n    return 2 * x").unwrap();
    assert_eq!(rt.call::<i64>("twice", (21,)).unwrap(), 42);
    assert_eq!(rt.call::<i64>("__main__.twice", (4,)).unwrap(), 8);
    // A first part that is no module: a builtin's or __main__'s name, then attributes.
    assert_eq!(rt.call::<String>("str.upper", ("ok",)).unwrap(), "OK");
    rt.run(
        "class Greeter:\n    @staticmethod\n    def hello(name):\n        return 'hello ' + name",
    )
    .unwrap();
    assert_eq!(
        rt.call::<String>("Greeter.hello", ("ada",)).unwrap(),
        "hello ada"
    );
    let Err(Error::Python(err)) = rt.call::<Object>("no_such_module.f", ()) else {
        panic!("a missing module is an error")
    };
    assert_eq!(
        err.to_string(),
        "ModuleNotFoundError: No module named 'no_such_module'"
    );
    let Err(Error::Python(err)) = rt.call::<Object>("nothing_here", ()) else {
        panic!("a missing name is an error")
    };
    assert_eq!(
        err.to_string(),
        "NameError: name 'nothing_here' is not defined"
    );
}

#[test]
fn builder_options_reach_sys() {
    let dir = std::env::temp_dir().join(format!("brine-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("plugin_mod.py"), "NAME = 'from a path'\n").unwrap();
    let rt = Runtime::builder()
        .argv(["tool", "--verbose"])
        .path(dir.to_string_lossy())
        .recursion_limit(321)
        .build()
        .unwrap();
    assert_eq!(
        rt.eval::<Vec<String>>("__import__('sys').argv").unwrap(),
        ["tool", "--verbose"]
    );
    assert_eq!(
        rt.eval::<usize>("__import__('sys').getrecursionlimit()")
            .unwrap(),
        321
    );
    assert_eq!(
        rt.eval::<String>("__import__('plugin_mod').NAME").unwrap(),
        "from a path"
    );
    let first: String = rt.eval("__import__('sys').path[0]").unwrap();
    assert_eq!(first, dir.to_string_lossy());
    // Without argv, sys.argv is [''] as for an embedded CPython.
    assert_eq!(
        Runtime::new()
            .unwrap()
            .eval::<Vec<String>>("__import__('sys').argv")
            .unwrap(),
        [""]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn python_modules_import_as_modules_and_packages() {
    let rt = Runtime::builder()
        .python_module(
            "rules",
            "from rules.limits import MAX\ndef allowed(n):\n    return n <= MAX\n",
        )
        .python_module("rules.limits", "MAX = 10\n")
        .build()
        .unwrap();
    assert!(rt.call::<bool>("rules.allowed", (3,)).unwrap());
    assert!(!rt.call::<bool>("rules.allowed", (11,)).unwrap());
    assert_eq!(
        rt.eval::<i64>("__import__('rules.limits').limits.MAX")
            .unwrap(),
        10
    );
    // Found again after being removed from sys.modules, as a module on a path would be.
    rt.run("import sys\ndel sys.modules['rules']\nimport rules\nassert rules.allowed(1)")
        .unwrap();
    // Its source is shown in tracebacks.
    let rt = Runtime::builder()
        .python_module(
            "broken",
            "def fail():\n    raise ValueError('from a host module')\n",
        )
        .build()
        .unwrap();
    let Err(Error::Python(err)) = rt.call::<()>("broken.fail", ()) else {
        panic!()
    };
    assert!(
        err.traceback()
            .contains("    raise ValueError('from a host module')\n"),
        "{}",
        err.traceback()
    );
    // A syntax error is found when the runtime is built.
    let Err(Error::Build(msg)) = Runtime::builder().python_module("bad", "def (:\n").build() else {
        panic!("a build error")
    };
    assert!(msg.starts_with("python_module bad: "), "{msg}");
    assert!(msg.contains("SyntaxError"), "{msg}");
}

#[test]
fn output_can_be_captured_discarded_or_inherited() {
    let rt = captured();
    rt.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.stdout.write('é\\n')")
        .unwrap();
    assert_eq!(rt.take_stdout(), "out\né\n");
    assert_eq!(rt.take_stderr(), "err\n");
    // A traceback printed by the script goes to the captured stderr too.
    rt.run("import traceback\ntry:\n    1/0\nexcept ZeroDivisionError:\n    traceback.print_exc()")
        .unwrap();
    assert!(
        rt.take_stderr()
            .ends_with("ZeroDivisionError: division by zero\n")
    );
    // Text UTF-8 cannot hold is refused, as by a strict UTF-8 stream, not garbled.
    let Err(Error::Python(err)) = rt.run("print('a\\udc80b')") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "UnicodeEncodeError: 'utf-8' codec can't encode character '\\udc80' in position 1: surrogates not allowed"
    );
    assert_eq!(rt.take_stdout(), "");
    let quiet = Runtime::builder().stdout(Output::Discard).build().unwrap();
    quiet.run("print('dropped')").unwrap();
    assert_eq!(quiet.take_stdout(), "");
    assert!(
        !quiet
            .eval::<bool>("__import__('sys').stdout.isatty()")
            .unwrap()
    );
    // Inherited: the process's own stream (not a host buffer).
    let inherited = Runtime::new().unwrap();
    assert_ne!(
        inherited
            .eval::<String>("type(__import__('sys').stdout).__name__")
            .unwrap(),
        "HostStream"
    );
    assert_eq!(inherited.take_stdout(), "");
}

/// Building a runtime gives the frozen standard library's pages back to the system once its
/// table of modules is made; modules imported afterwards are read from the binary again, in
/// this runtime and in the next one built.
#[test]
fn frozen_modules_import_after_their_pages_are_given_back() {
    for _ in 0..2 {
        let rt = Runtime::new().unwrap();
        rt.run(concat!(
            "import fractions, decimal, json, textwrap\n",
            "value = (str(fractions.Fraction(1, 3) + 1), str(decimal.Decimal('1.10') * 3),\n",
            "         json.dumps({'a': [1, 2]}), textwrap.dedent('  x\\n  y'))",
        ))
        .unwrap();
        assert_eq!(
            rt.eval::<(String, String, String, String)>("value")
                .unwrap(),
            (
                "4/3".to_owned(),
                "3.30".to_owned(),
                "{\"a\": [1, 2]}".to_owned(),
                "x\ny".to_owned()
            )
        );
    }
}

/// A script's own `sys.monitoring` tool gets LINE events in a runtime whose own tool guards
/// the monitoring functions (limits/safe_points.rs), and a loop longer than 255 code units
/// runs to its end under them (vm/line_events.rs); a time limit still stops a run.
#[test]
fn a_scripts_line_monitoring_works_beside_the_runtimes_tool() {
    let rt = Runtime::new().unwrap();
    rt.run(
        "import sys\n\
         body = '\\n'.join(f'        x{i} = item + {i}' for i in range(150))\n\
         exec(f'def long_loop(items):\\n    for item in items:\\n{body}\\n    return x149')\n\
         lines = []\n\
         sys.monitoring.use_tool_id(2, 'script')\n\
         sys.monitoring.register_callback(2, sys.monitoring.events.LINE, lambda c, n: lines.append(n))\n\
         sys.monitoring.set_events(2, sys.monitoring.events.LINE)\n\
         result = long_loop([1, 2])\n\
         sys.monitoring.set_events(2, 0)\n\
         sys.monitoring.free_tool_id(2)",
    )
    .unwrap();
    assert_eq!(rt.eval::<i64>("result").unwrap(), 151);
    assert!(rt.eval::<i64>("len(lines)").unwrap() > 300);
    let stopped = rt.with_time_limit(std::time::Duration::from_millis(50), |rt| {
        rt.run("while True:\n    pass")
    });
    assert!(
        matches!(stopped, Err(brine::Error::Timeout { .. })),
        "{stopped:?}"
    );
}
