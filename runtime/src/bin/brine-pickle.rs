//! `brine-pickle`: tools for pickle files that need no Python VM.
//!
//! ```text
//! brine-pickle dis [-a] [-m] [-l N] [-p PREAMBLE] [-o OUTPUT] FILE|- ...
//! brine-pickle optimize IN|- OUT|-
//! brine-pickle json FILE|-
//! brine-pickle inspect [--json|--format text|json|sarif] [--profile default|torch] [--allow ENTRY]...
//!                      [--allow-file FILE] [--no-default] [--include GLOB]... [--exclude GLOB]...
//!                      [--follow-symlinks] [--jobs N] [--encoding ASCII|latin1|bytes] PATH|- ...
//! ```
//!
//! `dis` prints exactly what `brine -m pickletools FILE ...` prints (CPython 3.14's
//! pickletools): the first pickle of each file, a preamble line before each when there are
//! several files, and pickletools' exception (type and message on stderr, exit status 1)
//! where it would raise. `optimize` writes what `pickletools.optimize` returns for the
//! first pickle of IN. `json` prints the first pickle of FILE as JSON (the shapes are
//! `pickle_core::value::to_json`'s), read with the limits for untrusted input; a malformed
//! pickle exits with status 2. `inspect` lists the globals, calls, persistent ids and
//! buffers the pickle would use and judges them against an allow-list (the default one of
//! `pickle_core::inspect`, or with `--profile torch` also what PyTorch's `weights_only`
//! loader accepts, plus entries given, or only those with `--no-default`); exit
//! status 0 safe, 1 unsafe, 2 malformed. The file is recognised by its content: several
//! pickles in a row, a zip archive (every member that could be a pickle, whatever its name)
//! or a pickle with a zip appended are reported part by part (`pickle_core::inspect::container`).
//! Directories are walked (brine_pickle/walk.rs) and their files read in parallel, a report
//! each and a summary; `--format sarif` writes one SARIF 2.1.0 log for all of them.

use pickle_core::decoder::Limits;
use pickle_core::disasm::{DisMemo, DisOptions, dis, optimize};
use pickle_core::value::{from_slice, to_json};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: brine-pickle dis [-a|--annotate] [-m|--memo] [-l|--indentlevel N] [-p|--preamble TEXT] [-o|--output FILE] FILE|- ...
       brine-pickle optimize IN|- OUT|-
       brine-pickle json FILE|-
       brine-pickle inspect [--json|--format text|json|sarif] [--profile default|torch] [--allow ENTRY]... [--allow-file FILE] [--no-default]
                            [--include GLOB]... [--exclude GLOB]... [--follow-symlinks] [--jobs N] [--encoding ASCII|latin1|bytes] PATH|- ...";

/// `dis`'s options, as pickletools' command line has them.
struct DisArgs {
    files: Vec<String>,
    memo: bool,
    indent: usize,
    annotate: usize,
    preamble: String,
    output: Option<String>,
}

fn parse_dis(mut args: impl Iterator<Item = String>) -> Result<DisArgs, String> {
    let mut parsed = DisArgs {
        files: Vec::new(),
        memo: false,
        indent: 4,
        annotate: 0,
        preamble: "==> {name} <==".into(),
        output: None,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("argument {name}: expected one argument"))
        };
        match arg.as_str() {
            "-m" | "--memo" => parsed.memo = true,
            "-l" | "--indentlevel" => {
                parsed.indent = value(&arg)?
                    .parse()
                    .map_err(|_| format!("argument {arg}: invalid int value"))?
            }
            "-p" | "--preamble" => parsed.preamble = value(&arg)?,
            "-o" | "--output" => parsed.output = Some(value(&arg)?),
            "-a" | "--annotate" => parsed.annotate = 30,
            _ if arg.starts_with('-') && arg != "-" => {
                return Err(format!("unrecognized argument: {arg}"));
            }
            _ => parsed.files.push(arg),
        }
    }
    if parsed.files.is_empty() {
        return Err("the following arguments are required: pickle_file".into());
    }
    Ok(parsed)
}

fn read_input(name: &str) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let read = if name == "-" {
        std::io::stdin().read_to_end(&mut data)
    } else {
        std::fs::File::open(name).and_then(|mut f| f.read_to_end(&mut data))
    };
    read.map(|_| data).map_err(|e| format!("{name}: {e}"))
}

/// Why a command failed: an error pickletools would raise (exit status 1, as Python's for an
/// uncaught exception), a pickle that cannot be read, or a usage or I/O problem (both exit
/// status 2).
enum Failure {
    Raised(String),
    Malformed(String),
    Usage(String),
}

/// Disassembles each file, streaming the listing; what was listed before a failure stays
/// written, as with pickletools.
fn run_dis(args: DisArgs) -> Result<(), Failure> {
    let sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path).map_err(|e| Failure::Usage(format!("{path}: {e}")))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(sink);
    let mut memo = DisMemo::new();
    let options = DisOptions {
        indent_level: args.indent,
        annotate: args.annotate,
    };
    let mut failure = None;
    for name in &args.files {
        if args.files.len() > 1 {
            let shown = if name == "-" {
                "<stdin>"
            } else {
                name.as_str()
            };
            writeln!(out, "{}", args.preamble.replace("{name}", shown))
                .map_err(|e| Failure::Usage(e.to_string()))?;
        }
        let data = read_input(name).map_err(Failure::Usage)?;
        if !args.memo {
            memo.clear();
        }
        if let Err(e) = dis(&data, &mut out, &mut memo, &options) {
            failure = Some(Failure::Raised(e.to_string()));
            break;
        }
    }
    out.flush().map_err(|e| Failure::Usage(e.to_string()))?;
    failure.map_or(Ok(()), Err)
}

/// `optimize IN OUT`: nothing is written when the input cannot be optimized.
fn run_optimize(mut args: impl Iterator<Item = String>) -> Result<(), Failure> {
    let (Some(input), Some(output), None) = (args.next(), args.next(), args.next()) else {
        return Err(Failure::Usage(format!(
            "{USAGE}\nbrine-pickle optimize: error: expected IN and OUT"
        )));
    };
    let data = read_input(&input).map_err(Failure::Usage)?;
    let optimized = optimize(&data).map_err(|e| Failure::Raised(e.to_string()))?;
    let written = if output == "-" {
        std::io::stdout().lock().write_all(&optimized)
    } else {
        std::fs::write(&output, &optimized)
    };
    written.map_err(|e| Failure::Usage(format!("{output}: {e}")))
}

/// `json FILE`: the graph as one line of JSON.
fn run_json(mut args: impl Iterator<Item = String>) -> Result<(), Failure> {
    let (Some(input), None) = (args.next(), args.next()) else {
        return Err(Failure::Usage(format!(
            "{USAGE}\nbrine-pickle json: error: expected one FILE"
        )));
    };
    let data = read_input(&input).map_err(Failure::Usage)?;
    let malformed = |e: pickle_core::PickleError| Failure::Malformed(e.to_string());
    let pickle = from_slice(&data, &Limits::UNTRUSTED).map_err(malformed)?;
    let json = to_json(&pickle).map_err(malformed)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").map_err(|e| Failure::Usage(e.to_string()))
}

#[path = "brine_pickle/inspect.rs"]
mod inspect;
#[path = "brine_pickle/mapped.rs"]
mod mapped;
#[path = "brine_pickle/walk.rs"]
mod walk;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let done = |()| ExitCode::SUCCESS;
    let result = match args.next().as_deref() {
        Some("dis") => parse_dis(args)
            .map_err(|e| Failure::Usage(format!("{USAGE}\nbrine-pickle dis: error: {e}")))
            .and_then(run_dis)
            .map(done),
        Some("optimize") => run_optimize(args).map(done),
        Some("json") => run_json(args).map(done),
        Some("inspect") => inspect::parse(args)
            .map_err(|e| Failure::Usage(format!("{USAGE}\nbrine-pickle inspect: error: {e}")))
            .and_then(|args| inspect::run(args).map_err(Failure::Usage)),
        _ => Err(Failure::Usage(USAGE.to_string())),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Raised(message)) => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
        Err(Failure::Malformed(message)) => {
            eprintln!("malformed pickle: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
