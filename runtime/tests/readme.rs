//! README's examples print what README shows.

mod support;

/// The first fenced block of `lang` after `heading` in README.md.
fn block_after(readme: &str, heading: &str, lang: &str) -> String {
    nth_block_after(readme, heading, lang, 0)
}

/// The fenced block of `lang` after `heading` in README.md, counting from 0.
fn nth_block_after(readme: &str, heading: &str, lang: &str, n: usize) -> String {
    let mut section = &readme[readme.find(heading).expect("the section exists")..];
    let fence = format!("```{lang}\n");
    for _ in 0..n {
        let start = section.find(&fence).expect("a fenced block") + fence.len();
        section = &section[start..];
        section = &section[section.find("```").expect("a closing fence") + 3..];
    }
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

/// README's `n`th `sh` block after `heading`, its lines run by `sh` from the repository's
/// top with `cargo run ... --bin brine --` standing for the `brine` this test built, and
/// `.venv` for `venv`.
fn run_readme_commands(
    heading: &str,
    n: usize,
    venv: &str,
    env: &[(&str, &std::ffi::OsStr)],
) -> std::process::Output {
    let readme = std::fs::read_to_string(support::fixtures().join("../README.md")).unwrap();
    let commands = nth_block_after(&readme, heading, "sh", n);
    let brine = env!("CARGO_BIN_EXE_brine");
    let script = commands
        .replace("cargo run --ignore-rust-version -q --bin brine --", brine)
        .replace(".venv", venv);
    assert!(!script.contains("cargo "), "{script}");
    std::process::Command::new("sh")
        .args(["-e", "-c", &script])
        .current_dir(support::fixtures().join(".."))
        .env_remove("PYTHONPATH")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn the_unittest_example_passes_as_readme_runs_it() {
    let out = run_readme_commands(TESTING, 0, ".venv", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Ran 5 tests") && stderr.ends_with("\nOK\n"),
        "{stderr}"
    );
}

const TESTING: &str = "## Testing your classes' pickling without CPython";

/// README's venv, pip and pytest commands, as written but for the environment's place. pip
/// finds pytest and hypothesis in the wheels tests/packages.rs downloaded once (`PIP_NO_INDEX`
/// and `PIP_FIND_LINKS` point it there), or on the package index with `BRINE_NETWORK_TESTS=1`;
/// with neither, the test says so and passes.
#[test]
fn the_pytest_example_passes_as_readme_runs_it() {
    let wheels = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pytest-wheels");
    let cached = wheels.join("complete").exists();
    if !cached && !support::network_allowed("README's pip install (no wheels cached)") {
        return;
    }
    let venv = std::env::temp_dir().join(format!("brine-readme-venv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&venv);
    let pip_settings: &[(&str, &std::ffi::OsStr)] = if cached {
        &[
            ("PIP_NO_INDEX", "1".as_ref()),
            ("PIP_FIND_LINKS", wheels.as_os_str()),
        ]
    } else {
        &[]
    };
    let out = run_readme_commands(TESTING, 1, venv.to_str().unwrap(), pip_settings);
    let _ = std::fs::remove_dir_all(&venv);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("14 passed"), "{stdout}");
}
