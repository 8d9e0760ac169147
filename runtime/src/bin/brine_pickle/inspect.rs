//! `brine-pickle inspect`: one file reported as before; several, or directories, read in
//! parallel, a report per file in the order listed, a summary, and the worst verdict as the
//! exit status (1 if any file is unsafe, else 2 if any is malformed or unreadable, else 0).

use super::mapped;
use super::walk::{Found, Listing, Walk};
use pickle_core::decoder::Limits;
use pickle_core::inspect::container::{FileReport, inspect_file};
use pickle_core::inspect::sarif::sarif_log;
use pickle_core::inspect::{AllowList, StringEncoding, Verdict};
use pickle_core::value::json_string;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How reports are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

/// `inspect`'s options.
pub struct InspectArgs {
    pub paths: Vec<String>,
    pub format: Format,
    pub allow: AllowList,
    pub walk: Walk,
    pub jobs: usize,
}

pub fn parse(mut args: impl Iterator<Item = String>) -> Result<InspectArgs, String> {
    let (mut paths, mut format, mut defaults) = (Vec::new(), Format::Text, true);
    let mut profile = String::from("default");
    let mut entries = Vec::new();
    let mut walk = Walk {
        include: Vec::new(),
        exclude: Vec::new(),
        follow_symlinks: false,
    };
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut encoding = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("argument {name}: expected one argument"))
        };
        match arg.as_str() {
            "--json" => format = Format::Json,
            "--format" => {
                format = match value(&arg)?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    other => {
                        return Err(format!(
                            "argument --format: invalid choice: '{other}' (choose from 'text', 'json', 'sarif')"
                        ));
                    }
                }
            }
            "--no-default" => defaults = false,
            "--allow" => entries.push(value(&arg)?),
            "--profile" => profile = value(&arg)?,
            "--allow-file" => entries.extend(allow_file(&value(&arg)?)?),
            "--include" => walk.include.push(value(&arg)?),
            "--exclude" => walk.exclude.push(value(&arg)?),
            "--follow-symlinks" => walk.follow_symlinks = true,
            "--encoding" => {
                let name = value(&arg)?;
                encoding = Some(StringEncoding::from_name(&name).ok_or_else(|| {
                    format!("argument --encoding: invalid choice: '{name}' (choose from 'ASCII', 'latin1', 'bytes')")
                })?)
            }
            "--jobs" => {
                jobs = value(&arg)?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("argument --jobs: expected a positive number")?
            }
            _ if arg.starts_with('-') && arg != "-" => {
                return Err(format!("unrecognized argument: {arg}"));
            }
            _ => paths.push(arg),
        }
    }
    let mut allow = match AllowList::profile(&profile) {
        Some(_) if !defaults => AllowList::empty(),
        Some(list) => list,
        None => {
            return Err(format!(
                "argument --profile: invalid choice: '{profile}' (choose from 'default', 'torch')"
            ));
        }
    };
    for entry in &entries {
        allow.add(entry)?;
    }
    if let Some(encoding) = encoding {
        allow.set_encoding(encoding);
    }
    if paths.is_empty() {
        return Err("the following arguments are required: PATH".into());
    }
    Ok(InspectArgs {
        paths,
        format,
        allow,
        walk,
        jobs,
    })
}

/// The entries of an allow-list file: a line each, `#` comments and blank lines skipped.
fn allow_file(path: &str) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

/// A file to inspect: mapped (only the pages inspection reads come in), or standard input.
fn open(path: &std::path::Path) -> Result<mapped::Mapped, String> {
    if path.as_os_str() == "-" {
        let mut data = Vec::new();
        return std::io::stdin()
            .read_to_end(&mut data)
            .map(|_| mapped::Mapped::Read(data))
            .map_err(|e| format!("-: {e}"));
    }
    std::fs::File::open(path)
        .and_then(mapped::Mapped::new)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A file's report, or why it could not be read.
type Outcome = Result<FileReport, String>;

/// Inspects `files` on `jobs` threads; the outcomes in the files' order.
fn inspect_all(files: &[Found], allow: &AllowList, jobs: usize) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(files.len()).max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let outcome =
                        open(&file.path).map(|data| inspect_file(&data, &Limits::UNTRUSTED, allow));
                    outcomes.lock().expect("no thread panics holding it")[i] = Some(outcome);
                }
            });
        }
    });
    outcomes
        .into_inner()
        .expect("no thread panics holding it")
        .into_iter()
        .map(|o| o.expect("every file inspected"))
        .collect()
}

/// How many files got each verdict.
#[derive(Default)]
struct Tally {
    safe: usize,
    unsafe_: usize,
    malformed: usize,
    unreadable: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome.as_ref().map(FileReport::verdict) {
            Ok(Verdict::Safe) => self.safe += 1,
            Ok(Verdict::Unsafe(_)) => self.unsafe_ += 1,
            Ok(Verdict::Malformed(_)) => self.malformed += 1,
            Err(_) => self.unreadable += 1,
        }
    }

    /// The worst verdict as the exit status.
    fn status(&self) -> u8 {
        if self.unsafe_ > 0 {
            1
        } else if self.malformed + self.unreadable > 0 {
            2
        } else {
            0
        }
    }

    fn files(&self) -> usize {
        self.safe + self.unsafe_ + self.malformed + self.unreadable
    }
}

/// Prints the reports and the summary; the worst verdict is the exit status.
pub fn run(args: InspectArgs) -> Result<ExitCode, String> {
    let listing = args.walk.list(&args.paths);
    let outcomes = inspect_all(&listing.files, &args.allow, args.jobs);
    let mut tally = Tally::default();
    outcomes.iter().for_each(|o| tally.add(o));
    tally.unreadable += listing.errors.len();
    let unread = outcomes.iter().filter_map(|o| o.as_ref().err());
    for error in listing.errors.iter().chain(unread) {
        eprintln!("{error}");
    }
    // One file named alone is reported as it always was: its report and nothing else.
    let single = args.paths.len() == 1
        && listing.files.len() == 1
        && listing.files[0].shown == args.paths[0];
    let text = match args.format {
        Format::Sarif => sarif_text(&listing, outcomes),
        _ if single => outcomes[0]
            .as_ref()
            .map_or(String::new(), |report| match args.format {
                Format::Json => report.to_json() + "\n",
                _ => report.to_text(),
            }),
        Format::Json => json_lines(&listing, &outcomes, &tally),
        Format::Text => text_reports(&listing, &outcomes, &tally),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::from(tally.status()))
}

/// One SARIF log for every file read.
fn sarif_text(listing: &Listing, outcomes: Vec<Outcome>) -> String {
    let files: Vec<(String, FileReport)> = listing
        .files
        .iter()
        .zip(outcomes)
        .filter_map(|(f, o)| Some((f.shown.clone(), o.ok()?)))
        .collect();
    sarif_log(env!("CARGO_PKG_VERSION"), &files) + "\n"
}

/// A line per file, its report's JSON with the file first, then the summary.
fn json_lines(listing: &Listing, outcomes: &[Outcome], tally: &Tally) -> String {
    let mut out = String::new();
    for (file, outcome) in listing.files.iter().zip(outcomes) {
        if let Ok(report) = outcome {
            let json = report.to_json();
            let file = json_string(file.shown.chars().map(u32::from));
            let _ = writeln!(out, "{{\"file\":{file},{}", &json[1..]);
        }
    }
    let _ = writeln!(
        out,
        "{{\"summary\":{{\"files\":{},\"safe\":{},\"unsafe\":{},\"malformed\":{},\"unreadable\":{},\"links_skipped\":{}}}}}",
        tally.files(),
        tally.safe,
        tally.unsafe_,
        tally.malformed,
        tally.unreadable,
        listing.links_skipped
    );
    out
}

/// Each file's report under `==> PATH <==`, then the summary line.
fn text_reports(listing: &Listing, outcomes: &[Outcome], tally: &Tally) -> String {
    let mut out = String::new();
    for (file, outcome) in listing.files.iter().zip(outcomes) {
        if let Ok(report) = outcome {
            let _ = write!(out, "==> {} <==\n{}", file.shown, report.to_text());
        }
    }
    let links = match listing.links_skipped {
        0 => String::new(),
        n => format!("; {n} symbolic links not followed"),
    };
    let _ = writeln!(
        out,
        "{} files: {} safe, {} unsafe, {} malformed, {} unreadable{links}",
        tally.files(),
        tally.safe,
        tally.unsafe_,
        tally.malformed,
        tally.unreadable
    );
    out
}
