//! `Error`: Python exceptions with their tracebacks, SystemExit, conversion, pickle and
//! build errors.

use super::captured;
use brine::{Error, Runtime};
use std::process::Command;

/// A script with a chained exception and a note, raised from a function.
const FAILING: &str = "\
def parse(text):
    return int(text)

def load(text):
    try:
        return parse(text)
    except ValueError as e:
        e.add_note('while loading the job list')
        raise RuntimeError('bad job list') from e

load('seven')
";

#[test]
fn the_traceback_is_what_brine_file_prints() {
    let dir = std::env::temp_dir().join(format!("brine-traceback-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("failing.py");
    std::fs::write(&script, FAILING).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brine"))
        .arg(&script)
        .env_remove("PYTHONPATH")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let printed = String::from_utf8(out.stderr).unwrap();

    let rt = captured();
    let Err(Error::Python(err)) = rt.run_file(&script) else {
        panic!("the script fails")
    };
    assert_eq!(err.traceback(), printed);
    assert_eq!(err.type_name(), "RuntimeError");
    assert_eq!(err.message(), "bad job list");
    assert!(
        printed.contains("The above exception was the direct cause"),
        "{printed}"
    );
    assert!(printed.contains("while loading the job list"), "{printed}");
    // The exception object itself is there for the host to look into.
    let exc = err.exception().expect("raised in Python");
    let cause = exc.get_attr("__cause__").unwrap();
    assert_eq!(cause.type_name(), "ValueError");
    assert_eq!(rt.take_stderr(), "", "the runtime printed nothing itself");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn python_errors_name_their_qualified_type() {
    let rt = Runtime::new().unwrap();
    rt.run("class RetryLater(Exception):\n    pass").unwrap();
    let Err(Error::Python(err)) = rt.run("raise RetryLater('in 5 s')") else {
        panic!()
    };
    assert_eq!(err.type_name(), "__main__.RetryLater");
    assert_eq!(err.to_string(), "__main__.RetryLater: in 5 s");
    let Err(Error::Python(err)) = rt.run("import pickle\npickle.loads(b'\\x80\\x05K')") else {
        panic!()
    };
    assert_eq!(err.type_name(), "_pickle.UnpicklingError");
    let Err(Error::Python(err)) = rt.run("raise ValueError") else {
        panic!()
    };
    assert_eq!(
        err.to_string(),
        "ValueError",
        "an empty message shows the type alone"
    );
    assert_eq!(err.message(), "");
}

#[test]
fn sys_exit_is_an_error_not_a_process_exit() {
    let rt = Runtime::new().unwrap();
    let exit = |source: &str| match rt.run(source) {
        Err(Error::Exit { code, message }) => (code, message),
        other => panic!("{source}: {other:?}"),
    };
    assert_eq!(exit("import sys\nsys.exit(3)"), (3, None));
    assert_eq!(exit("import sys\nsys.exit()"), (0, None));
    assert_eq!(exit("raise SystemExit(None)"), (0, None));
    assert_eq!(
        exit("import sys\nsys.exit('no input')"),
        (1, Some("no input".to_string()))
    );
    assert_eq!(exit("raise SystemExit(2 ** 40)"), (-1, None));
    let err = rt.run("import sys\nsys.exit(4)").unwrap_err();
    assert_eq!(err.to_string(), "the script exited with status 4");
    // The runtime goes on working afterwards.
    assert_eq!(rt.eval::<i64>("1 + 1").unwrap(), 2);
}

#[test]
fn keyboard_interrupt_is_a_python_error() {
    let rt = Runtime::new().unwrap();
    let Err(Error::Python(err)) = rt.run("raise KeyboardInterrupt") else {
        panic!()
    };
    assert_eq!(err.type_name(), "KeyboardInterrupt");
    assert!(
        err.traceback().ends_with("KeyboardInterrupt\n"),
        "{}",
        err.traceback()
    );
}

#[test]
fn pickle_errors_carry_their_offset() {
    let rt = Runtime::new().unwrap();
    let Err(Error::Pickle(err)) = rt.loads(b"\x80\x05K") else {
        panic!()
    };
    assert_eq!(err.to_string(), "pickle data was truncated");
    let Err(err @ Error::Pickle(_)) = rt.loads(b"\x80\x05\xff.") else {
        panic!()
    };
    assert_eq!(err.to_string(), "invalid load key, '\\xff'. (at byte 2)");
    // An exception raised by code the load ran is a Python error.
    let Err(Error::Python(err)) = rt.loads(b"cbuiltins\nint\n(S'x'\ntR.") else {
        panic!()
    };
    assert_eq!(err.type_name(), "ValueError");
}

#[test]
fn errors_are_std_errors_with_readable_text() {
    fn describe(err: &dyn std::error::Error) -> String {
        err.to_string()
    }
    let rt = Runtime::new().unwrap();
    let err = rt.run("1 / 0").unwrap_err();
    assert_eq!(describe(&err), "ZeroDivisionError: division by zero");
    let err = rt.eval::<String>("1").unwrap_err();
    assert_eq!(describe(&err), "cannot convert Python int to String");
    let err: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    assert!(format!("{err:?}").contains("Conversion"));
}

#[test]
fn frames_are_what_extract_tb_lists() {
    use brine::Frame;
    let rt = captured();
    let Err(Error::Python(err)) = rt.run(FAILING) else {
        panic!("the script fails")
    };
    let frame = |line: u32, name: &str, source: &str| Frame {
        filename: "<string>".into(),
        line: Some(line),
        name: name.into(),
        source: Some(source.into()),
    };
    assert_eq!(
        err.frames(),
        [
            frame(11, "<module>", "load('seven')"),
            frame(9, "load", "raise RuntimeError('bad job list') from e"),
        ]
    );
    // Code compiled by the script from text that linecache never saw has no source lines.
    let Err(Error::Python(err)) =
        rt.run("exec(compile('def f():\\n    1 / 0\\nf()', '<generated>', 'exec'))")
    else {
        panic!("division by zero")
    };
    let names: Vec<(&str, &str, Option<u32>, Option<&str>)> = err
        .frames()
        .iter()
        .map(|f| {
            (
                f.filename.as_str(),
                f.name.as_str(),
                f.line,
                f.source.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "<string>",
                "<module>",
                Some(1),
                Some("exec(compile('def f():\\n    1 / 0\\nf()', '<generated>', 'exec'))")
            ),
            ("<generated>", "<module>", Some(3), None),
            ("<generated>", "f", Some(2), None),
        ]
    );
    // An error a host function made has no frames of its own.
    let err = Error::raise(brine::ExceptionKind::ValueError, "made by the host");
    let Error::Python(err) = err else { panic!() };
    assert!(err.frames().is_empty());
}
