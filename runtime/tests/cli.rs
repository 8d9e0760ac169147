//! `brine` behaves like `python` on the command line.

mod support;

use std::fs;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn pickle_is_ours_and_speaks_protocol_5() {
    let code = "import pickle, _pickle; print(pickle.Pickler is _pickle.Pickler, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL)";
    assert_eq!(support::python(code), "True 5 5\n");
    assert_eq!(
        support::python("import _pickle; print(_pickle._implementation)"),
        "brine\n"
    );
    assert_eq!(
        support::python(
            "import pickle, _pickle; print(pickle.PickleError is _pickle.PickleError, pickle.UnpicklingError.__mro__[1].__name__)"
        ),
        "True PickleError\n"
    );
}

#[test]
fn the_rustpython_pickle_can_be_selected_for_benchmarks() {
    let mut cmd = support::brine();
    cmd.env("BRINE_PICKLE_IMPL", "rustpython");
    let out = support::run_with(
        cmd,
        &[
            "-c",
            "import _pickle; print(hasattr(_pickle, '_implementation'), _pickle.dumps([1], 2))",
        ],
        "",
    );
    assert_eq!(stdout(&out), "False b'\\x80\\x02]q\\x00K\\x01a.'\n");
}

#[test]
fn dash_c_sets_argv() {
    let out = support::run(&["-c", "import sys; print(sys.argv)", "a", "b c"], "");
    assert_eq!(stdout(&out), "['-c', 'a', 'b c']\n");
}

#[test]
fn a_script_gets_its_path_and_arguments() {
    let dir = std::env::temp_dir().join(format!("brine-cli-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let script = dir.join("show_args.py");
    fs::write(
        &script,
        "import sys\nprint(sys.argv[1:], sys.argv[0].endswith('show_args.py'))\n",
    )
    .unwrap();
    let out = support::run(&[script.to_str().unwrap(), "x", "--flag"], "");
    assert_eq!(stdout(&out), "['x', '--flag'] True\n");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dash_reads_the_program_from_stdin_and_exit_status_is_kept() {
    let out = support::run(&["-", "arg"], "import sys\nprint(sys.argv)\nsys.exit(3)\n");
    assert_eq!(stdout(&out), "['-', 'arg']\n");
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn no_arguments_with_piped_stdin_runs_it() {
    let out = support::run(&[], "print(6 * 7)\n");
    assert_eq!(stdout(&out), "42\n");
    assert!(out.status.success());
}

#[test]
fn the_interactive_loop_evaluates_expressions() {
    let out = support::run(&["-i", "-c", "x = 20"], "x + 1\n");
    assert!(stdout(&out).contains("21"), "REPL output: {}", stdout(&out));
}

#[test]
fn an_uncaught_exception_prints_a_traceback_and_exits_1() {
    let out = support::run(&["-c", "raise ValueError('boom')"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("Traceback (most recent call last):"),
        "stderr: {err}"
    );
    assert!(
        err.trim_end().ends_with("ValueError: boom"),
        "stderr: {err}"
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn pythonpath_and_dash_m_find_modules() {
    let dir = std::env::temp_dir().join(format!("brine-path-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("brine_probe_mod.py"),
        "import sys\nprint('ran as', __name__, sys.argv[1:])\nVALUE = 42\n",
    )
    .unwrap();
    let mut cmd = support::brine();
    cmd.env("PYTHONPATH", &dir);
    let out = support::run_with(cmd, &["-m", "brine_probe_mod", "z"], "");
    assert_eq!(stdout(&out), "ran as __main__ ['z']\n");
    let mut cmd = support::brine();
    cmd.env("PYTHONPATH", &dir);
    let out = support::run_with(
        cmd,
        &["-c", "import brine_probe_mod as m; print(m.VALUE)"],
        "",
    );
    assert_eq!(stdout(&out), "ran as brine_probe_mod []\n42\n");
    fs::remove_dir_all(&dir).unwrap();
}

/// A piped program runs whole, as in CPython: a blank line inside a block does not end it
/// (an interactive loop would), and an error gives a traceback and status 1.
#[test]
fn a_piped_program_runs_as_one_script() {
    let program = "import sys\nclass A:\n\n    def f(self):\n\n        return 'inside'\nprint(A().f(), sys.argv)\nraise KeyError('k')\n";
    let out = support::run(&["-", "x"], program);
    assert_eq!(stdout(&out), "inside ['-', 'x']\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).trim_end().ends_with("KeyError: 'k'"),
        "{}",
        stderr(&out)
    );
    let out = support::run(&[], "import sys\nif True:\n\n    print(sys.argv)\n");
    assert_eq!(stdout(&out), "['']\n");
}

/// As CPython: `site` is imported unless -S, and `warnings` only when there are warning
/// options; a warning is still shown without it, and -W still applies.
#[test]
fn startup_imports_site_unless_dash_s_and_warnings_only_for_options() {
    let probe = "import sys; print('site' in sys.modules, 'warnings' in sys.modules)";
    assert_eq!(stdout(&support::run(&["-c", probe], "")), "True False\n");
    assert_eq!(
        stdout(&support::run(&["-S", "-c", probe], "")),
        "False False\n"
    );
    assert_eq!(
        stdout(&support::run(&["-W", "error", "-c", probe], "")),
        "True True\n"
    );
    let warn = "import _warnings; _warnings.warn('careful')";
    let out = support::run(&["-c", warn], "");
    assert_eq!(stderr(&out), "<string>:1: UserWarning: careful\n");
    let out = support::run(&["-W", "error", "-c", warn], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with("UserWarning: careful\n"),
        "{}",
        stderr(&out)
    );
}

/// At exit the program's threads are joined when it used `threading`, as CPython does; when
/// it did not, finalizing does not import it for the program, yet an `atexit` function that
/// imports it gets the real module.
#[test]
fn exit_joins_threads_and_atexit_gets_the_real_threading() {
    let threads = "import threading, time\n\
        threading.Thread(target=lambda: (time.sleep(0.2), print('joined'))).start()\n";
    assert_eq!(stdout(&support::run(&["-c", threads], "")), "joined\n");
    let at_exit = "import atexit, sys\n\
        def report():\n\
        \x20   import threading\n\
        \x20   print(type(threading.Lock()).__name__, hasattr(threading, 'Thread'), threading.current_thread().name)\n\
        atexit.register(report)\n\
        print('threading' in sys.modules)\n";
    assert_eq!(
        stdout(&support::run(&["-c", at_exit], "")),
        "False\nlock True MainThread\n"
    );
}

/// A chain of 100,000 iterators that each ask the next one (`it = map(abs, it)` in a loop)
/// recursed in native code until the process died; it is a RecursionError the script can
/// catch, and the iterators still work.
#[test]
fn chains_of_wrapping_iterators_are_a_recursion_error_not_a_crash() {
    for step in [
        "it = map(abs, it)",
        "it = filter(None, it)",
        "it = zip(it)",
        "it = enumerate(it)",
        "it = itertools.chain(it)",
        "it = itertools.islice(it, None)",
        "it = itertools.accumulate(it)",
        "it = itertools.takewhile(bool, it)",
        "it = itertools.dropwhile(bool, it)",
        "it = itertools.filterfalse(None, it)",
        "it = itertools.compress(it, itertools.repeat(1))",
        "it = itertools.zip_longest(it)",
        "it = itertools.pairwise(it)",
        "it = itertools.batched(it, 1)",
        "it = itertools.cycle(it)",
        "it = itertools.groupby(it)",
        "it = itertools.starmap(abs, zip(it))",
    ] {
        let script = format!(
            "import itertools\nit = iter([1])\nfor _ in range(100_000):\n    {step}\ntry:\n    next(it)\nexcept RecursionError as e:\n    print(e)\nprint(list(map(abs, [-1, -2])), list(zip('ab', range(2))), list(enumerate('x')), list(filter(None, [0, 1])))"
        );
        let out = support::run(&["-c", &script], "");
        assert_eq!(out.status.code(), Some(0), "{step}: {}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "maximum recursion depth exceeded while getting the next item\n[1, 2] [('a', 0), ('b', 1)] [(0, 'x')] [1]\n",
            "{step}"
        );
    }
}

/// `min` and `max` read their iterable one item at a time (RustPython's took it whole first),
/// with CPython's results and errors (these are CPython 3.13's).
#[test]
fn min_and_max_stream_their_iterable_with_cpythons_errors() {
    let script = "pulled = 0\n\
        def items():\n\
        \x20   global pulled\n\
        \x20   for i in range(5):\n\
        \x20       pulled += 1\n\
        \x20       yield i\n\
        seen = []\n\
        print(max(items(), key=lambda x: seen.append(pulled) or x), seen)\n\
        print(max(3, 1, 2), min('bca'), max([], default=7), max([(1, 'a'), (1, 'b')], key=lambda t: t[0]), min(1, 2, key=None))\n\
        print(max.__module__, type(max).__name__, repr(min))\n\
        for call in ['max()', 'max([])', 'min(1, 2, default=3)', 'max([1], foo=1)', 'max(1)', 'max([1, \"a\"])']:\n\
        \x20   try:\n\
        \x20       eval(call)\n\
        \x20   except Exception as e:\n\
        \x20       print(type(e).__name__, e)\n";
    let out = support::run(&["-c", script], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "4 [1, 2, 3, 4, 5]\n\
         3 a 7 (1, 'a') 1\n\
         builtins builtin_function_or_method <built-in function min>\n\
         TypeError max expected at least 1 argument, got 0\n\
         ValueError max() iterable argument is empty\n\
         TypeError Cannot specify a default for min() with multiple positional arguments\n\
         TypeError max() got an unexpected keyword argument 'foo'\n\
         TypeError 'int' object is not iterable\n\
         TypeError '>' not supported between instances of 'str' and 'int'\n"
    );
}

/// A wheel of one module, `module` (`ANSWER = 42`), tagged `tag`, written with `zipfile` by
/// `brine` itself into `dir`: what `pip install --no-index --find-links DIR` finds.
fn wheel(dir: &std::path::Path, module: &str, tag: &str) {
    let code = r#"import sys, zipfile, hashlib, base64
d, module, tag = sys.argv[1:]
info = f'{module}-1.0.dist-info'
files = {
    f'{module}.py': b'ANSWER = 42\n',
    f'{info}/METADATA': f'Metadata-Version: 2.1\nName: {module.replace("_", "-")}\nVersion: 1.0\n'.encode(),
    f'{info}/WHEEL': f'Wheel-Version: 1.0\nGenerator: brine-test\nRoot-Is-Purelib: true\nTag: {tag}\n'.encode(),
}
def digest(data):
    return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
record = ''.join(f'{name},{digest(data)},{len(data)}\n' for name, data in files.items())
record += f'{info}/RECORD,,\n'
with zipfile.ZipFile(f'{d}/{module}-1.0-{tag}.whl', 'w') as z:
    for name, data in files.items():
        z.writestr(name, data)
    z.writestr(f'{info}/RECORD', record)
"#;
    let out = support::run(&["-c", code, dir.to_str().unwrap(), module, tag], "");
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `brine -m venv` makes an environment with pip in it (ensurepip installs the wheel the
/// binary carries), whose `python` is brine and whose `pip` installs from a local directory;
/// a package with only native wheels is refused with pip's own message.
#[test]
fn venv_gets_pip_and_pip_installs_from_a_directory() {
    let dir = std::env::temp_dir().join(format!("brine-venv-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("wheels")).unwrap();
    wheel(&dir.join("wheels"), "brine_demo", "py3-none-any");
    // A package with native code only: a wheel for CPython 3.13 alone.
    wheel(
        &dir.join("wheels"),
        "brine_native",
        "cp313-cp313-manylinux_2_17_x86_64",
    );
    let env = dir.join("env");
    let out = support::run(&["-m", "venv", env.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let run_env = |program: &str, args: &[&str]| {
        std::process::Command::new(env.join("bin").join(program))
            .args(args)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env_remove("PYTHONPATH")
            .output()
            .unwrap()
    };
    let version = run_env("pip", &["--version"]);
    assert!(
        stdout(&version).starts_with("pip 26.1.2 from ")
            && stdout(&version).contains(&*env.to_string_lossy()),
        "{}{}",
        stdout(&version),
        stderr(&version)
    );
    let wheels = dir.join("wheels");
    let install = run_env(
        "pip",
        &[
            "install",
            "--no-index",
            "--find-links",
            wheels.to_str().unwrap(),
            "brine-demo",
        ],
    );
    assert!(
        stdout(&install).contains("Successfully installed brine-demo-1.0"),
        "{}{}",
        stdout(&install),
        stderr(&install)
    );
    let native = run_env(
        "pip",
        &[
            "install",
            "--no-index",
            "--find-links",
            wheels.to_str().unwrap(),
            "brine-native",
        ],
    );
    assert_eq!(native.status.code(), Some(1), "{}", stderr(&native));
    assert!(
        stderr(&native).contains("No matching distribution found for brine-native"),
        "{}",
        stderr(&native)
    );
    let imported = run_env(
        "python",
        &[
            "-c",
            "import sys, brine_demo; print(brine_demo.ANSWER, sys.prefix != sys.base_prefix)",
        ],
    );
    assert_eq!(stdout(&imported), "42 True\n", "{}", stderr(&imported));
    fs::remove_dir_all(&dir).unwrap();
}

/// The `ssl` module (rustls under RustPython's `_ssl`) serves and verifies TLS, with no
/// network: a server on a thread with the committed certificate for localhost
/// (tests/fixtures/tls), a client that trusts it, and two that must refuse it (another host
/// name; the default context, whose stores do not hold it). CPython 3.11 prints the same
/// lines.
#[test]
fn ssl_serves_and_verifies_certificates() {
    let script = r#"import socket, ssl, sys, threading
here = sys.argv[1]
server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_ctx.load_cert_chain(here + '/localhost.pem', here + '/localhost.key')
listener = socket.create_server(('127.0.0.1', 0))
port = listener.getsockname()[1]

def serve(count):
    for _ in range(count):
        conn, _ = listener.accept()
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(tls.recv(100).upper())
        except (ssl.SSLError, OSError):
            pass

thread = threading.Thread(target=serve, args=(3,))
thread.start()
trusting = ssl.create_default_context(cafile=here + '/localhost.pem')
with trusting.wrap_socket(socket.create_connection(('127.0.0.1', port)), server_hostname='localhost') as tls:
    tls.sendall('héllo'.encode())
    print(tls.version(), tls.recv(100).decode(), tls.getpeercert()['subject'])
for name, ctx in [('other host', trusting), ('unknown issuer', ssl.create_default_context())]:
    try:
        host = 'example.org' if name == 'other host' else 'localhost'
        ctx.wrap_socket(socket.create_connection(('127.0.0.1', port)), server_hostname=host)
        print(name, 'accepted')
    except ssl.SSLCertVerificationError as e:
        print(name, 'refused:', type(e).__name__, isinstance(e, ssl.SSLError))
thread.join()
"#;
    let fixtures = support::fixtures().join("fixtures/tls");
    let out = support::run(&["-c", script, fixtures.to_str().unwrap()], "");
    assert_eq!(
        stdout(&out),
        "TLSv1.3 HéLLO ((('commonName', 'localhost'),),)\n\
         other host refused: SSLCertVerificationError True\n\
         unknown issuer refused: SSLCertVerificationError True\n",
        "{}",
        stderr(&out)
    );
}

/// `brine -m venv --upgrade-deps` upgrades the bundled pip from the package index: run with
/// `BRINE_NETWORK_TESTS=1`, skipped otherwise (CI has no network).
#[test]
fn venv_upgrade_deps_reaches_the_package_index() {
    if !support::network_allowed("--upgrade-deps") {
        return;
    }
    let env = std::env::temp_dir().join(format!("brine-upgrade-{}", std::process::id()));
    let _ = fs::remove_dir_all(&env);
    let out = support::run(&["-m", "venv", "--upgrade-deps", env.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let version = std::process::Command::new(env.join("bin/pip"))
        .arg("--version")
        .output()
        .unwrap();
    let shown = stdout(&version);
    fs::remove_dir_all(&env).unwrap();
    let pip = shown.split_whitespace().nth(1).unwrap_or("");
    assert!(shown.starts_with("pip ") && pip != "26.1.2", "{shown}");
}

/// brine reports Python 3.14.0, the final release its contract is (RustPython 0.6.0 builds in
/// "3.14.0 alpha 0", which pytest's header showed as "Python 3.14.0.alpha").
#[test]
fn the_python_version_is_the_final_release() {
    let code = "import sys, platform\n\
print(tuple(sys.version_info), type(sys.version_info).__name__, hex(sys.hexversion))\n\
print(platform.python_version(), sys.version.split()[0], sys.version_info >= (3, 14, 0, 'final'))";
    assert_eq!(
        support::python(code),
        "(3, 14, 0, 'final', 0) version_info 0x30e00f0\n3.14.0 3.14.0 True\n"
    );
}
