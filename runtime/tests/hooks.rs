//! Pickler/Unpickler hooks at every protocol, ours against the VM's pure-Python pickle
//! (tests/protocols/hooks.py): persistent ids (method and attribute), dispatch tables
//! (instance and class attribute), reducer_override, state setters, the extension registry,
//! find_class for every kind of global, memo persistence, and the errors for bad reductions.

mod support;

use support::per_protocol;

per_protocol! {
    fn hooks_behave_as_the_pure_python_pickler(proto: u8) {
        let script = support::fixtures().join("protocols/hooks.py");
        let out = support::run(&[script.to_str().unwrap(), &proto.to_string()], "");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mismatches: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("ok ")).collect();
        assert!(
            mismatches.is_empty(),
            "protocol {proto}:\n{}",
            mismatches.join("\n")
        );
        assert!(stdout.lines().count() >= 14, "{stdout}");
    }
}
