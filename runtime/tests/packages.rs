//! Installing and testing packages with brine, as a user with no CPython does: `venv` and
//! pip (from a directory; from a package index over HTTPS, with its certificate trusted and
//! refused), the `ssl` module under them, and pytest with hypothesis on examples/testing and
//! on a suite that uses pytest's features (tests/pytest). Nothing here needs the network but
//! the pytest tests' first run, which downloads the wheels they need once into a cache in the
//! target directory; where the package index cannot be reached they say so and pass.

mod support;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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

/// A scratch directory of this test binary's, made empty.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// One environment for the tests below, made once by `brine -m venv`.
fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let env = scratch("packages-venv").join("env");
        let out = support::run(&["-m", "venv", env.to_str().unwrap()], "");
        assert!(out.status.success(), "{}", stderr(&out));
        env
    })
}

/// `program` (pip or python) of [`venv`], with this machine's pip settings taken away (its
/// configuration files, `PIP_*`, and the certificate bundles requests and OpenSSL read), so
/// that each test says what it trusts.
fn in_venv(program: &str) -> Command {
    let mut command = Command::new(venv().join("bin").join(program));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("PIP_")
            || [
                "REQUESTS_CA_BUNDLE",
                "CURL_CA_BUNDLE",
                "SSL_CERT_FILE",
                "SSL_CERT_DIR",
            ]
            .contains(&&*name)
        {
            command.env_remove(&*name);
        }
    }
    command
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("PYTHONPATH");
    command
}

/// A server brine runs from tests/fixtures/tls (a package index over HTTPS, a proxy), which
/// prints its port first; stopped when dropped.
struct Served {
    server: Child,
    port: u16,
    /// What the server prints after its port.
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Served {
    /// Runs `script` of tests/fixtures/tls with `args`.
    fn start(script: &str, args: &[&Path]) -> Served {
        let tls = support::fixtures().join("fixtures/tls");
        let mut server = support::brine()
            .arg(tls.join(script))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
        let first = lines.next().expect("the server prints its port").unwrap();
        let port = first.trim().parse().expect("a port");
        Served {
            server,
            port,
            lines,
        }
    }

    /// A package index over HTTPS serving `root`, with the committed certificate for
    /// localhost.
    fn https_index(root: &Path) -> Served {
        let tls = support::fixtures().join("fixtures/tls");
        Served::start(
            "https_index.py",
            &[root, &tls.join("localhost.pem"), &tls.join("localhost.key")],
        )
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// pip installs from a package index over HTTPS (the server brine too) when its certificate
/// is trusted, through requests' `REQUESTS_CA_BUNDLE` or OpenSSL's `SSL_CERT_FILE` (which
/// RustPython's `ssl` had read without trusting a self-signed certificate in it), also
/// through a proxy (`HTTPS_PROXY`, a tunnel brine serves), and refuses it otherwise, with
/// pip's own message. CPython 3.11's pip answers the same.
#[test]
fn pip_installs_over_https_only_from_a_trusted_index() {
    let root = scratch("https-index");
    fs::create_dir_all(root.join("files")).unwrap();
    fs::create_dir_all(root.join("simple/brine-tls-demo")).unwrap();
    wheel(&root.join("files"), "brine_tls_demo", "py3-none-any");
    fs::write(
        root.join("simple/brine-tls-demo/index.html"),
        "<a href=\"../../files/brine_tls_demo-1.0-py3-none-any.whl\">brine_tls_demo-1.0-py3-none-any.whl</a>\n",
    )
    .unwrap();
    let index = Served::https_index(&root);
    let url = format!("https://localhost:{}/simple/", index.port);
    let certificate = support::fixtures().join("fixtures/tls/localhost.pem");
    let install = |trust: Option<&str>, proxy: Option<u16>| {
        let mut pip = in_venv("pip");
        pip.args(["install", "--retries", "0", "--timeout", "30"])
            .args(["--index-url", &url, "brine-tls-demo"]);
        if let Some(variable) = trust {
            pip.env(variable, &certificate);
        }
        for variable in [
            "NO_PROXY",
            "no_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            pip.env_remove(variable);
        }
        if let Some(port) = proxy {
            pip.env("HTTPS_PROXY", format!("http://127.0.0.1:{port}"));
        }
        pip.output().unwrap()
    };
    let uninstall = || {
        let out = in_venv("pip")
            .args(["uninstall", "-y", "brine-tls-demo"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let refused = install(None, None);
    let said = format!("{}{}", stdout(&refused), stderr(&refused));
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        said.contains("There was a problem confirming the ssl certificate")
            && said.contains("CERTIFICATE_VERIFY_FAILED")
            && said.contains("No matching distribution found for brine-tls-demo"),
        "{said}"
    );
    for variable in ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"] {
        let trusted = install(Some(variable), None);
        assert!(
            stdout(&trusted).contains("Successfully installed brine-tls-demo-1.0"),
            "{variable}: {}{}",
            stdout(&trusted),
            stderr(&trusted)
        );
        uninstall();
    }
    let mut proxy = Served::start("connect_proxy.py", &[]);
    let proxied = install(Some("REQUESTS_CA_BUNDLE"), Some(proxy.port));
    assert!(
        stdout(&proxied).contains("Successfully installed brine-tls-demo-1.0"),
        "through the proxy: {}{}",
        stdout(&proxied),
        stderr(&proxied)
    );
    let tunnel = proxy
        .lines
        .next()
        .expect("the proxy opened a tunnel")
        .unwrap();
    assert_eq!(tunnel, format!("CONNECT localhost:{}", index.port));
    uninstall();
}

/// The wheels pytest and hypothesis need, downloaded once by brine's own pip from the package
/// index into a cache in the target directory; `None`, saying why, where the index cannot be
/// reached. A download that reaches the index and fails on a certificate fails the test.
fn pytest_wheels() -> Option<PathBuf> {
    static WHEELS: OnceLock<Option<PathBuf>> = OnceLock::new();
    WHEELS
        .get_or_init(|| {
            let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pytest-wheels");
            if cache.join("complete").exists() {
                return Some(cache);
            }
            if !index_reachable() {
                eprintln!(
                    "skipped: pypi.org cannot be reached to download pytest and hypothesis once"
                );
                return None;
            }
            let out = Command::new(venv().join("bin/pip"))
                .args(["download", "--only-binary", ":all:", "--dest"])
                .arg(&cache)
                .args(["pytest", HYPOTHESIS])
                .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
                .env_remove("PIP_FIND_LINKS")
                .output()
                .unwrap();
            let said = format!("{}{}", stdout(&out), stderr(&out));
            assert!(!said.contains("CERTIFICATE_VERIFY_FAILED"), "{said}");
            if !out.status.success() {
                eprintln!("skipped: pip could not download pytest and hypothesis:\n{said}");
                return None;
            }
            fs::write(cache.join("complete"), "").unwrap();
            Some(cache)
        })
        .clone()
}

/// The last hypothesis release that is pure Python (README says why).
const HYPOTHESIS: &str = "hypothesis<6.156";

/// Whether pypi.org answers on its HTTPS port within a few seconds (or a proxy is set, which
/// pip goes through).
fn index_reachable() -> bool {
    use std::net::{TcpStream, ToSocketAddrs};
    let proxied = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|name| std::env::var_os(name).is_some());
    proxied
        || ("pypi.org", 443)
            .to_socket_addrs()
            .is_ok_and(|mut addresses| {
                addresses.any(|a| {
                    TcpStream::connect_timeout(&a, std::time::Duration::from_secs(5)).is_ok()
                })
            })
}

/// pytest and hypothesis installed into [`venv`] from the cached wheels, with no index.
fn pytest_installed() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        let Some(wheels) = pytest_wheels() else {
            return false;
        };
        let out = in_venv("pip")
            .args(["install", "--no-index", "--find-links"])
            .arg(&wheels)
            .args(["pytest", HYPOTHESIS])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        true
    })
}

/// `python -m pytest ARGS` in [`venv`], run from a scratch directory (hypothesis keeps its
/// example database in `.hypothesis` there); no cache written beside the tests. Hypothesis's
/// default profile is asked for by name: where `CI` is set, hypothesis loads its "ci" profile
/// instead, which keeps no example database and derandomizes.
fn pytest(place: &str, args: &[&str]) -> Output {
    let cwd = scratch(place);
    in_venv("python")
        .args(["-m", "pytest", "-p", "no:cacheprovider"])
        .arg("--hypothesis-profile=default")
        .args(args)
        .current_dir(&cwd)
        .output()
        .unwrap()
}

/// examples/testing passes under pytest, its hypothesis property included, as README's
/// commands run it.
#[test]
fn pytest_runs_the_testing_example() {
    if !pytest_installed() {
        return;
    }
    let example = support::fixtures().join("../examples/testing");
    let out = pytest("pytest-example", &["-q", example.to_str().unwrap()]);
    let shown = stdout(&out);
    assert!(out.status.success(), "{shown}{}", stderr(&out));
    assert!(shown.contains("14 passed"), "{shown}");
}

/// pytest's features as a suite meets them (tests/pytest/test_pytest_features.py): fixtures,
/// parametrize, tmp_path, capsys, raises, `-k`, `-x`, assertion rewriting, and hypothesis's
/// shrinking to the smallest failing example, kept in its database. Each report as CPython's
/// pytest writes it.
#[test]
fn pytest_features_report_as_under_cpython() {
    if !pytest_installed() {
        return;
    }
    let suite = support::fixtures().join("pytest/test_pytest_features.py");
    let suite = suite.to_str().unwrap();
    let passing = pytest("pytest-pass", &["-q", "-k", "not on_purpose", suite]);
    let shown = stdout(&passing);
    assert!(passing.status.success(), "{shown}{}", stderr(&passing));
    assert!(shown.contains("11 passed, 2 deselected in "), "{shown}");

    let first = pytest("pytest-x", &["-q", "-x", suite]);
    let shown = stdout(&first);
    assert_eq!(first.status.code(), Some(1), "{shown}{}", stderr(&first));
    for expected in [
        "E       assert [1, 2, 3] == [1, 2, 4]",
        "E         At index 2 diff: 3 != 4",
        "!!!!!!!!!!!!!!!!!!!!!!!!!! stopping after 1 failures !!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "1 failed, 11 passed in ",
    ] {
        assert!(shown.contains(expected), "{expected:?} in:\n{shown}");
    }

    let place = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pytest-shrink");
    let shrunk = pytest("pytest-shrink", &["-q", "-k", "shrinking", suite]);
    let shown = stdout(&shrunk);
    assert_eq!(shrunk.status.code(), Some(1), "{shown}{}", stderr(&shrunk));
    assert!(
        shown.contains(
            "Falsifying example: test_fails_on_purpose_shrinking(\nE           n=1000,\nE       )"
        ),
        "{shown}"
    );
    assert!(
        fs::read_dir(place.join(".hypothesis/examples")).is_ok_and(|mut d| d.next().is_some()),
        "hypothesis keeps the failing example in its database"
    );
}
