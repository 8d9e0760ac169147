//! The chapter's Python 2 examples (examples/python2): changed only as their headers say, and
//! printing what the chapter documents.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

fn examples_dir() -> PathBuf {
    support::fixtures().join("../examples/python2")
}

fn seed() -> String {
    fs::read_to_string(support::fixtures().join("../../shared/seeds/001_1829bb5986b12849.txt"))
        .expect("the specification seeds beside the repository")
}

/// The file as the chapter has it: header comment dropped, each `now:` line of the header put
/// back as its `was:` line (indentation kept), blank lines dropped (the seed's rendering has
/// none).
fn as_in_the_chapter(text: &str) -> String {
    let mut changes = Vec::new();
    let mut was = None;
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(original) = line.strip_prefix("#   was: ") {
            was = Some(original.to_string());
        } else if let Some(now) = line.strip_prefix("#   now: ") {
            changes.push((now.to_string(), was.take().expect("was: before now:")));
        }
    }
    let header = text.lines().take_while(|l| l.starts_with('#')).count();
    let has_header = header > 0 && !text.starts_with("#!");
    let body = text.lines().skip(if has_header { header } else { 0 });
    let restored = body.filter(|l| !l.trim().is_empty()).map(|line| {
        let indent = &line[..line.len() - line.trim_start().len()];
        match changes.iter().find(|(now, _)| now == line.trim()) {
            Some((_, was)) => format!("{indent}{was}"),
            None => line.to_string(),
        }
    });
    restored.collect::<Vec<_>>().join("\n")
}

#[test]
fn every_example_is_the_chapters_but_for_its_listed_changes() {
    let seed = seed();
    let mut checked = 0;
    for entry in fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "README.md" || name == "find_global.py" {
            continue; // the directory's notes, and the example the chapter gives in prose only
        }
        let text = fs::read_to_string(&path).unwrap();
        let chapter = as_in_the_chapter(&text);
        assert!(seed.contains(&chapter), "{name}:\n{chapter}");
        checked += 1;
    }
    assert_eq!(checked, 6);
}

/// A scratch directory holding copies of `files` from examples/python2.
fn scratch(tag: &str, files: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("brine-py2-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    for file in files {
        fs::copy(examples_dir().join(file), dir.join(file)).unwrap();
    }
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> String {
    let out = support::brine()
        .args(args)
        .env("PYTHONPATH", ".")
        .current_dir(dir)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{args:?}:\n{stdout}{stderr}");
    stdout
}

#[test]
fn the_persistent_id_example_loads_a_fancy_integer() {
    let dir = scratch("persid", &["persistent_id.py"]);
    let out = run_in(&dir, &["persistent_id.py"]);
    // i prints as an Integer; the stream holds only the persistent id (protocol 5, Python 3's
    // default); j comes back through persistent_load as a FancyInteger.
    assert_eq!(
        out,
        "My name is integer 7\n\
         b'\\x80\\x05\\x95\\x10\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x8c\\x0bthe value 7\\x94Q.'\n\
         I am the integer 7\n"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_data_example_restores_the_self_referencing_list() {
    let dir = scratch("data", &["dump_data.py", "load_data.py"]);
    assert_eq!(run_in(&dir, &["dump_data.py"]), "");
    let out = run_in(&dir, &["load_data.py"]);
    let (data1, data2) = out.split_once('\n').unwrap();
    assert_eq!(
        data1,
        "{'a': [1, 2.0, 3, (4+6j)], 'b': ('string', 'Unicode string'), 'c': None}"
    );
    // pprint shows the list inside itself by its id, which changes from run to run.
    let id = data2
        .strip_prefix("[1, 2, 3, <Recursion on list with id=")
        .and_then(|rest| rest.strip_suffix(">]\n"))
        .unwrap_or_else(|| panic!("{data2:?}"));
    assert!(id.parse::<u64>().is_ok(), "{data2:?}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_text_reader_session_runs_across_two_processes() {
    let files = [
        "TextReader.py",
        "text_reader_session_1.txt",
        "text_reader_session_2.txt",
    ];
    let dir = scratch("reader", &files);
    let runner = support::fixtures().join("docs/run_session.py");
    let runner = runner.to_str().unwrap();
    let first = run_in(&dir, &[runner, "text_reader_session_1.txt"]);
    assert!(first.ends_with("7 passed, 0 failed\n"), "{first}");
    let second = run_in(&dir, &[runner, "text_reader_session_2.txt"]);
    assert!(second.ends_with("3 passed, 0 failed\n"), "{second}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_find_global_example_refuses_what_it_does_not_allow() {
    let dir = scratch("find-global", &["find_global.py"]);
    let out = run_in(&dir, &["find_global.py"]);
    assert_eq!(
        out,
        "refused: Global and instance pickles are not supported.\n\
         {'plain': ['data', 1]}\n\
         Point 1 2\n\
         refused: __main__.Shell is not allowed\n"
    );
    fs::remove_dir_all(&dir).unwrap();
}
