//! Inspecting a file by what it contains, not by its name: a raw pickle (or several in a row,
//! as PyTorch's legacy format writes them), a zip archive (PyTorch's format, `.npz`,
//! anything), a tar archive (PyTorch's legacy checkpoints), a gzip, zlib, bzip2 or xz stream
//! around any of these (joblib's compressed dumps), or a pickle with a zip appended, which `pickle.load` and `zipfile` read from
//! opposite ends; a NumPy `.npy` array, alone or in an `.npz`, whose data is a pickle when
//! its dtype holds objects. Every part that could be a pickle is inspected and named in the
//! report.
//!
//! An archive member could be a pickle whatever its name: each is inspected, and counts as a
//! pickle when it reads to STOP or names a global or makes a call before it fails (a loader
//! would have made them); one that fails before either is data (tensor bytes start with
//! PROTO's byte as often as with any other). Deflated members are inflated (up to the
//! decoder's memory limit), bzip2 and zstd members decompressed; LZMA members make the
//! file not safe: nothing is said about what was not looked at.

use super::{AllowList, Report, Verdict, inspect_at};
use super::{npy, unpack, zip};
use crate::decoder::Limits;
use crate::opcodes::op;

/// What a file is, by its first bytes (and, for a zip, its end record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One or more pickles, perhaps with a zip after them.
    Pickle,
    /// A zip archive from its first byte.
    Zip,
    /// A NumPy array (`.npy`): its data is a pickle when its dtype holds objects.
    Npy,
    /// A tar archive (PyTorch's legacy checkpoints).
    Tar,
    /// A gzip, zlib, bzip2, xz or zstd stream (joblib's compressed dumps, `.gz` files...),
    /// read decompressed.
    Compressed(unpack::Codec),
}

/// The format of `data`.
pub fn sniff(data: &[u8]) -> Format {
    if let Some(codec) = unpack::Codec::sniff(data) {
        return Format::Compressed(codec);
    }
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        return Format::Zip;
    }
    if data.starts_with(npy::MAGIC) {
        return Format::Npy;
    }
    if data.get(257..262) == Some(b"ustar") {
        return Format::Tar;
    }
    Format::Pickle
}

/// One part of a file that was inspected as a pickle.
#[derive(Debug, Clone)]
pub struct Part {
    /// `pickle N` for pickles in a row, else the zip member's name.
    pub name: String,
    /// Where the pickle starts in the file.
    pub offset: u64,
    /// What it would use.
    pub report: Report,
}

/// What a whole file would use.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The format the file was read as.
    pub format: Format,
    /// Every part inspected as a pickle, in file order.
    pub parts: Vec<Part>,
    /// Why parts of the file could not be judged (a member `zipfile` refuses, a compressed
    /// member, an unread format); each makes the file not safe.
    pub findings: Vec<String>,
    /// What in the file is code whatever its pickles use (a TorchScript archive's `code/`
    /// members, which `torch.jit.load` compiles and runs); each makes the file unsafe.
    pub code: Vec<String>,
    /// What readers could see differently, all of it inspected (a name listed twice, an
    /// archive `zipfile` does not read beside the one it reads); no effect on the verdict.
    pub notes: Vec<String>,
}

impl FileReport {
    /// A report of a file of `format` with nothing in it yet.
    pub fn empty(format: Format) -> FileReport {
        FileReport {
            format,
            parts: Vec::new(),
            findings: Vec::new(),
            code: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Unsafe when any part is, else malformed when any part is or anything could not be
    /// read, else safe.
    pub fn verdict(&self) -> Verdict {
        let mut problems = self.code.clone();
        let mut malformed = self.findings.clone();
        for part in &self.parts {
            match part.report.verdict() {
                Verdict::Safe => {}
                Verdict::Unsafe(p) => {
                    problems.extend(p.into_iter().map(|p| format!("{}: {p}", part.name)));
                }
                Verdict::Malformed(e) => {
                    problems.extend(
                        part.report
                            .problems()
                            .into_iter()
                            .map(|p| format!("{}: {p}", part.name)),
                    );
                    malformed.push(format!("{}: {e}", part.name));
                }
            }
        }
        if !problems.is_empty() {
            Verdict::Unsafe(problems)
        } else if !malformed.is_empty() {
            Verdict::Malformed(malformed.join("; "))
        } else {
            Verdict::Safe
        }
    }
}

/// How deep pickles inside pickles are followed; deeper ones make the file malformed.
const MAX_NESTING: usize = 8;

/// Adds `part`, then the pickles it hands to loading functions, each as a part of its own
/// named after the call (`data.pkl > pickle.loads argument`), and theirs in turn.
fn push_part(out: &mut FileReport, part: Part, limits: &Limits, allow: &AllowList, depth: usize) {
    let nested: Vec<_> = part
        .report
        .nested
        .iter()
        .map(|n| {
            (
                format!("{} > {} argument", part.name, n.callable),
                n.data.clone(),
            )
        })
        .collect();
    let offset = part.offset;
    out.parts.push(part);
    for (name, data) in nested {
        if depth >= MAX_NESTING {
            out.findings.push(format!(
                "{name}: pickles nested deeper than {MAX_NESTING} are not followed"
            ));
            continue;
        }
        let (report, _) = inspect_at(&data, limits, allow);
        // Nested pickles have no place in the file: they are the argument's bytes.
        push_part(
            out,
            Part {
                name,
                offset,
                report,
            },
            limits,
            allow,
            depth + 1,
        );
    }
}

/// Inspects every part of `data` that could be a pickle.
pub fn inspect_file(data: &[u8], limits: &Limits, allow: &AllowList) -> FileReport {
    // One more than the members inspected: the last is the finding that says the rest are not.
    let budget = std::cell::Cell::new(MAX_MEMBERS + 1);
    let made = std::cell::Cell::new(limits.max_memory.saturating_mul(MADE_PER_LIMIT));
    let reading = Reading {
        limits,
        allow,
        layers: 0,
        members_left: &budget,
        bytes_left: &made,
    };
    inspect_nested_file(data, reading)
}

/// How many layers of archives and compressed streams are opened (a gzip of a gzip, a zip
/// in a tar member...).
const MAX_LAYERS: usize = 4;

/// How many archive members one file may have inspected, through all its layers: archives
/// whose entries share their data can multiply at every layer.
const MAX_MEMBERS: usize = 100_000;

/// How many times the memory limit one file may have decompressed or expanded in all (each
/// stream or member at most the limit itself): a small file can hold thousands of members
/// that each inflate a thousandfold.
const MADE_PER_LIMIT: u64 = 16;

/// How a file is being read: with what limits and allow-list, how many layers of archives and
/// compressed streams in, how many members are left to inspect and how many bytes are left
/// to decompress.
#[derive(Clone, Copy)]
pub(super) struct Reading<'a> {
    pub(super) limits: &'a Limits,
    pub(super) allow: &'a AllowList,
    pub(super) layers: usize,
    pub(super) members_left: &'a std::cell::Cell<usize>,
    pub(super) bytes_left: &'a std::cell::Cell<u64>,
}

impl Reading<'_> {
    /// How many bytes the next stream or member may decompress to.
    pub(super) fn room(self) -> u64 {
        self.limits.max_memory.min(self.bytes_left.get())
    }

    /// Counts `made` bytes decompressed or expanded against the file's total.
    pub(super) fn spend(self, made: usize) {
        let left = self.bytes_left.get();
        self.bytes_left.set(left.saturating_sub(made as u64));
    }

    /// The reading of what lies one layer further in.
    pub(super) fn inner(self) -> Self {
        Reading {
            layers: self.layers + 1,
            ..self
        }
    }

    /// Takes one member from the file's budget; once it is spent, the member is a finding
    /// (said once) and is not inspected.
    pub(super) fn take_member(self, name: &str, out: &mut FileReport) -> bool {
        match self.members_left.get() {
            0 => false,
            1 => {
                self.members_left.set(0);
                out.findings.push(format!(
                    "{name} and the members after it: more than {MAX_MEMBERS} archive members are not inspected"
                ));
                false
            }
            left => {
                self.members_left.set(left - 1);
                true
            }
        }
    }

    /// Whether a `format` inside the member `name` is opened: not past [`MAX_LAYERS`]
    /// layers, which is a finding.
    pub(super) fn can_open(self, name: &str, format: Format, out: &mut FileReport) -> bool {
        if self.layers < MAX_LAYERS {
            return true;
        }
        out.findings.push(format!(
            "{name}: a {} in more than {MAX_LAYERS} layers of archives and compressed streams is not opened",
            format.name()
        ));
        false
    }
}

fn inspect_nested_file(data: &[u8], reading: Reading) -> FileReport {
    let format = sniff(data);
    if format != Format::Pickle {
        let mut report = as_sniffed(format, data, reading);
        also_as_a_pickle(data, reading.limits, reading.allow, &mut report);
        return report;
    }
    as_sniffed(format, data, reading)
}

/// `data` read as the format its first bytes say.
fn as_sniffed(format: Format, data: &[u8], reading: Reading) -> FileReport {
    if let Format::Compressed(codec) = format {
        return decompressed(codec, data, reading);
    }
    let Reading { limits, allow, .. } = reading;
    let mut report = FileReport::empty(format);
    match format {
        Format::Pickle => {
            pickles_in_a_row(data, limits, allow, &mut report);
            if let Ok(archive) = zip::read(data) {
                members::zip_members(data, &archive, reading, &mut report);
            }
        }
        Format::Npy => members::npy_array("array", data, 0, reading, &mut report),
        Format::Tar => members::tar_members(data, reading, &mut report),
        Format::Compressed(_) => unreachable!("handled above"),
        Format::Zip => match zip::read(data) {
            Ok(archive) => members::zip_members(data, &archive, reading, &mut report),
            Err(e) => report.findings.push(format!("zip: {e}")),
        },
    }
    report
}

/// Whatever its first bytes look like, `pickle.load` reads a file as a pickle: a protocol-0
/// pickle can begin like a zlib header (`(S` is one), a tar's first member name can be a
/// pickle. When that reading counts as a pickle (it reads to STOP, or names a global or makes
/// a call before it fails), its parts join the report, and the sniffed format's failure to
/// read the file no longer makes it malformed: some reader reads it. Otherwise the bytes are
/// not a pickle, and the sniffed reading stands alone.
fn also_as_a_pickle(data: &[u8], limits: &Limits, allow: &AllowList, out: &mut FileReport) {
    let (report, end) = inspect_at(data, limits, allow);
    if !counts_as_pickle(&report) {
        return;
    }
    if out.parts.is_empty() && out.code.is_empty() {
        out.findings.clear();
    }
    let mut as_pickle = FileReport::empty(Format::Pickle);
    pickles_in_a_row_from(report, end, data, limits, allow, &mut as_pickle);
    for mut part in as_pickle.parts {
        part.name = format!("as a pickle: {}", part.name);
        out.parts.push(part);
    }
    out.findings.extend(as_pickle.findings);
}

/// A compressed file: what it inflates to, inspected as a file of its own (a pickle, a tar
/// archive...), reported under the compressed format's name.
fn decompressed(codec: unpack::Codec, data: &[u8], reading: Reading) -> FileReport {
    let name = codec.name();
    let failed = |finding: String| FileReport {
        findings: vec![finding],
        ..FileReport::empty(Format::Compressed(codec))
    };
    if reading.layers >= MAX_LAYERS {
        return failed(format!(
            "{name}: more than {MAX_LAYERS} layers of archives and compressed streams are not opened"
        ));
    }
    let inner = |bytes: &[u8]| FileReport {
        format: Format::Compressed(codec),
        ..inspect_nested_file(bytes, reading.inner())
    };
    let unpacked = unpack::unpack(codec, data, reading.room());
    reading.spend(unpacked.as_ref().map_or_else(|p| p.data.len(), Vec::len));
    match unpacked {
        Ok(bytes) => inner(&bytes),
        Err(partial) if partial.data.is_empty() => failed(format!("{name}: {}", partial.error)),
        Err(partial) => {
            // A streaming reader has read these bytes, and what they hold has run, before
            // the error is raised, if it is reached at all.
            let mut report = inner(&partial.data);
            report.findings.push(format!(
                "{name}: {} (the {} bytes before it are inspected)",
                partial.error,
                partial.data.len()
            ));
            report
        }
    }
}

/// The pickles at the start of `data`, one after another while the next begins with PROTO:
/// PyTorch's legacy format writes five, then raw tensor bytes.
fn pickles_in_a_row(data: &[u8], limits: &Limits, allow: &AllowList, out: &mut FileReport) {
    let (report, end) = inspect_at(data, limits, allow);
    pickles_in_a_row_from(report, end, data, limits, allow, out);
}

/// [`pickles_in_a_row`] once the first has been read (its `report`, and the `end` it took).
fn pickles_in_a_row_from(
    report: Report,
    end: usize,
    data: &[u8],
    limits: &Limits,
    allow: &AllowList,
    out: &mut FileReport,
) {
    let first = Part {
        name: "pickle 1".into(),
        offset: 0,
        report,
    };
    more_pickles(
        first,
        data,
        end,
        |n| format!("pickle {n}"),
        limits,
        allow,
        out,
    );
}

/// Adds `first` (a pickle that took `end` bytes of `data`), then the pickles right after it
/// while each begins with PROTO, the n-th named by `name(n)`.
fn more_pickles(
    first: Part,
    data: &[u8],
    mut end: usize,
    name: impl Fn(usize) -> String,
    limits: &Limits,
    allow: &AllowList,
    out: &mut FileReport,
) {
    let base = first.offset;
    let mut failed = first.report.error.is_some();
    push_part(out, first, limits, allow, 0);
    for count in 2.. {
        if failed || data.get(end) != Some(&op::PROTO) {
            return;
        }
        let (report, used) = inspect_at(&data[end..], limits, allow);
        failed = report.error.is_some();
        if !counts_as_pickle(&report) {
            // Raw data that happens to start with PROTO's byte (storage bytes after
            // PyTorch's legacy pickles).
            return;
        }
        let part = Part {
            name: name(count),
            offset: base + end as u64,
            report,
        };
        push_part(out, part, limits, allow, 0);
        end += used;
    }
}

/// Whether bytes read as `report` count as a pickle: they read to STOP, or named a global or
/// made a call before failing (a loader would have). Raw tensor bytes start with PROTO's byte
/// once in 256, and a failed read that named nothing runs nothing.
fn counts_as_pickle(report: &Report) -> bool {
    report.error.is_none() || !report.globals.is_empty() || !report.calls.is_empty()
}

mod members;
mod output;

#[cfg(test)]
mod tests;
