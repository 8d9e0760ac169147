//! The pickle chapter's examples (examples/docs), run verbatim through `brine`.

mod support;

use std::fs;

/// "Examples": dump_data.py writes data.pickle; load_data.py reads it back. The chapter shows
/// no output, so the test prints what load_data.py loaded and compares it with the dict the
/// chapter pickles. (Set order is printed sorted: `{None, True, False}` iterates in hash
/// order.)
#[test]
fn the_data_example_dumps_and_loads() {
    let dir = std::env::temp_dir().join(format!("brine-doc-data-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let examples = support::fixtures().join("../examples/docs/python3");
    let dump = examples.join("dump_data.py");
    let mut cmd = support::brine();
    cmd.current_dir(&dir);
    let out = support::run_with(cmd, &[dump.to_str().unwrap()], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = fs::read(dir.join("data.pickle")).unwrap();
    assert_eq!(&data[..2], b"\x80\x05", "written with the highest protocol");

    let load = examples.join("load_data.py");
    let check = format!(
        "exec(open({:?}).read())\nprint(data['a'], data['b'], sorted(data['c'], key=repr))",
        load.to_str().unwrap()
    );
    let mut cmd = support::brine();
    cmd.current_dir(&dir);
    let out = support::run_with(cmd, &["-c", &check], "");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[1, 2.0, 3, (4+6j)] ('character string', b'byte string') [False, None, True]\n"
    );
    fs::remove_dir_all(&dir).unwrap();
}

/// The chapter's examples directory and the Python 3 seed they were copied from.
fn examples_dir() -> std::path::PathBuf {
    support::fixtures().join("../examples/docs/python3")
}

fn example(name: &str) -> String {
    examples_dir().join(name).to_str().unwrap().to_owned()
}

fn session_runner() -> String {
    support::fixtures()
        .join("docs/run_session.py")
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn every_example_is_verbatim_from_the_chapter() {
    let seed =
        fs::read_to_string(support::fixtures().join("../../shared/seeds/004_9c65e783e841070f.txt"))
            .expect("the specification seeds beside the repository");
    let mut checked = 0;
    for entry in fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "hello.txt" {
            continue; // the session's input file, which the chapter describes but does not show
        }
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            seed.contains(text.trim()),
            "{} is not verbatim from the chapter",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} examples");
}

/// "Handling Stateful Objects": the TextReader session, run as a doctest in a directory holding
/// its hello.txt.
#[test]
fn the_text_reader_session_runs_as_documented() {
    let dir = std::env::temp_dir().join(format!("brine-doc-reader-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    fs::copy(examples_dir().join("hello.txt"), dir.join("hello.txt")).unwrap();
    let mut cmd = support::brine();
    cmd.current_dir(&dir);
    let out = support::run_with(
        cmd,
        &[
            &session_runner(),
            &example("text_reader_session.txt"),
            &example("text_reader.py"),
        ],
        "",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.ends_with("5 passed, 0 failed\n"), "{stdout}");
    fs::remove_dir_all(&dir).unwrap();
}

/// "Restricting Globals": the hand-made os.system stream runs `echo hello world`, whose output
/// the shell writes directly, then the REPL shows os.system's result.
#[test]
fn the_os_system_stream_prints_hello_world_and_returns_0() {
    let out = support::run(
        &[
            &session_runner(),
            "--transcript",
            &example("os_system_session.txt"),
        ],
        "",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello world\n0\n");
}

/// "Restricting Globals": RestrictedUnpickler allows the safe builtins and forbids the rest
/// with the documented messages. (The chapter writes `pickle.UnpicklingError`; CPython and
/// brine print `_pickle.UnpicklingError`; run_session.py says so and normalises that.)
#[test]
fn the_restricted_unpickler_session_runs_as_documented() {
    let out = support::run(
        &[
            &session_runner(),
            &example("restricting_globals_session.txt"),
            &example("restricting_globals.py"),
        ],
        "",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.ends_with("3 passed, 0 failed\n"), "{stdout}");
}

/// The `Foo` example: only the class's name is pickled, so its class attribute is not; a
/// process whose Foo lacks `attr` loads the pickle as its own Foo.
#[test]
fn classes_are_pickled_by_reference_without_their_attributes() {
    let dump = format!(
        "import pickle\nexec(open({:?}).read())\nprint(picklestring)\nprint(b'A class attribute' in picklestring)",
        example("foo_class_attribute.py")
    );
    let out = support::python(&dump);
    assert_eq!(
        out,
        "b'\\x80\\x05\\x95\\x14\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x08__main__\\x94\\x8c\\x03Foo\\x94\\x93\\x94.'\nFalse\n"
    );
    let load = "import pickle\nclass Foo:\n    pass\n\
        cls = pickle.loads(b'\\x80\\x05\\x95\\x14\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x08__main__\\x94\\x8c\\x03Foo\\x94\\x93\\x94.')\n\
        print(cls is Foo, hasattr(cls, 'attr'))";
    assert_eq!(support::python(load), "True False\n");
}

/// "Pickling Class Instances": the sketch of the default behaviour rebuilds an instance
/// without calling `__init__`.
#[test]
fn the_default_save_load_sketch_skips_init() {
    let code = format!(
        "exec(open({:?}).read())\n\
         class Point:\n    inits = 0\n    def __init__(self, x):\n        Point.inits += 1\n        self.x = x\n\
         p = load(*save(Point(3)))\n\
         print(type(p).__name__, p.x, Point.inits)",
        example("default_save_load.py")
    );
    assert_eq!(support::python(&code), "Point 3 1\n");
}

/// "Dispatch Tables": each of the three snippets makes a pickler that reduces SomeClass
/// through reduce_SomeClass; the two private tables leave other picklers alone.
#[test]
fn the_dispatch_table_snippets_use_reduce_someclass() {
    let prelude = "import copyreg, io, pickle\n\
        class SomeClass:\n    def __init__(self, value):\n        self.value = value\n\
        def reduce_SomeClass(obj):\n    return (SomeClass, (obj.value * 10,))\n";
    for (snippet, private) in [
        ("dispatch_table_private.py", true),
        ("dispatch_table_subclass.py", true),
        ("dispatch_table_copyreg.py", false),
    ] {
        let code = format!(
            "{prelude}exec(open({:?}).read())\n\
             p.dump(SomeClass(4))\n\
             print(pickle.loads(f.getvalue()).value, pickle.loads(pickle.dumps(SomeClass(4))).value)",
            example(snippet)
        );
        let want = if private { "40 4\n" } else { "40 40\n" };
        assert_eq!(support::python(&code), want, "{snippet}");
    }
}

/// examples/persistent_records.py (ours, in the spirit of the chapter's persistent-id
/// example): records are pickled as ids and reloaded from an in-memory SQLite database. The
/// expected output is what CPython prints for the same file.
#[test]
fn persistent_ids_resolve_through_a_database() {
    let script = support::fixtures().join("../examples/persistent_records.py");
    let out = support::run(&[script.to_str().unwrap()], "");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "pickled 84 bytes; the task texts are not in it: True\n\
         owner brine count 3\n\
         Record(key=1, task='learn italian')\n\
         Record(key=2, task='prepare group meeting')\n\
         Record(key=3, task='fight with a zebra')\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
