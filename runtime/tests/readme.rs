//! README's examples print what README shows.

mod support;

/// The first fenced block of `lang` after `heading` in README.md.
fn block_after(readme: &str, heading: &str, lang: &str) -> String {
    let section = &readme[readme.find(heading).expect("the section exists")..];
    let fence = format!("```{lang}\n");
    let start = section.find(&fence).expect("a fenced block") + fence.len();
    let len = section[start..].find("```").expect("a closing fence");
    section[start..start + len].to_string()
}

/// The first python block after `heading`, run by brine, prints the text block after it.
fn assert_prints_what_readme_shows(heading: &str) {
    let readme = std::fs::read_to_string(support::fixtures().join("../README.md")).unwrap();
    let code = block_after(&readme, heading, "python");
    let shown = block_after(&readme, heading, "text");
    let out = support::run(&["-"], &code);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        shown,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_own_classes_example_prints_what_readme_shows() {
    assert_prints_what_readme_shows("## Pickling your own classes");
}

#[test]
fn the_python_2_example_prints_what_readme_shows() {
    assert_prints_what_readme_shows("## Writing pickles for Python 2");
}
