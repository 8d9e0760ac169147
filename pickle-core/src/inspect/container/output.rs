//! A [`FileReport`] as text and as JSON. As text, a file that is one plain pickle is shown
//! exactly as [`Report`](super::Report) shows it, anything else part by part; as JSON every
//! file has the same schema.

use super::{FileReport, Format};
use crate::inspect::Verdict;
use crate::value::json_string;
use std::fmt::Write as _;

fn quoted(text: &str) -> String {
    json_string(text.chars().map(u32::from))
}

impl Format {
    /// The format's name in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Pickle => "pickle",
            Format::Zip => "zip",
            Format::Npy => "npy",
            Format::Tar => "tar",
            Format::Compressed(codec) => codec.name(),
        }
    }
}

impl FileReport {
    /// Whether the file is a single pickle and nothing else was found.
    fn is_plain_pickle(&self) -> bool {
        self.format == Format::Pickle
            && self.parts.len() == 1
            && self.findings.is_empty()
            && self.code.is_empty()
            && self.notes.is_empty()
            // A pickle malformed after something not allowed is malformed as a part, and
            // unsafe as a file (a loader runs what comes before the error): the file's
            // verdict is then said too.
            && std::mem::discriminant(&self.parts[0].report.verdict())
                == std::mem::discriminant(&self.verdict())
    }

    /// Each part's report under its name and offset, then what could not be read, then the
    /// verdict for the whole file.
    pub fn to_text(&self) -> String {
        if self.is_plain_pickle() {
            return self.parts[0].report.to_text();
        }
        let mut out = format!("format: {}\n", self.format.name());
        for part in &self.parts {
            let _ = writeln!(out, "{} (at byte {}):", part.name, part.offset);
            for line in part.report.to_text().lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if !self.code.is_empty() {
            out.push_str("code:\n");
            for code in &self.code {
                let _ = writeln!(out, "  {code}");
            }
        }
        if !self.findings.is_empty() {
            out.push_str("not read:\n");
            for finding in &self.findings {
                let _ = writeln!(out, "  {finding}");
            }
        }
        if !self.notes.is_empty() {
            out.push_str("notes:\n");
            for note in &self.notes {
                let _ = writeln!(out, "  {note}");
            }
        }
        crate::inspect::report::write_verdict(&mut out, "file verdict", self.verdict());
        out
    }

    /// One JSON object: `format`, `verdict`, `problems`, `error`, `findings`, `code`, `notes`
    /// and `parts`
    /// (each `name`, `offset` and `report`, a report as [`Report::to_json`] writes it): the
    /// same schema for every kind of file, a plain pickle being a file of one part.
    ///
    /// [`Report::to_json`]: super::Report::to_json
    pub fn to_json(&self) -> String {
        let (verdict, problems, error) = match self.verdict() {
            Verdict::Safe => ("safe", Vec::new(), None),
            Verdict::Unsafe(problems) => ("unsafe", problems, None),
            Verdict::Malformed(error) => ("malformed", Vec::new(), Some(error)),
        };
        let list = |items: Vec<String>| format!("[{}]", items.join(","));
        let parts = self.parts.iter().map(|p| {
            format!(
                "{{\"name\":{},\"offset\":{},\"report\":{}}}",
                quoted(&p.name),
                p.offset,
                p.report.to_json()
            )
        });
        format!(
            "{{\"format\":\"{}\",\"verdict\":\"{verdict}\",\"problems\":{},\"error\":{},\"findings\":{},\"code\":{},\"notes\":{},\"parts\":{}}}",
            self.format.name(),
            list(problems.iter().map(|p| quoted(p)).collect()),
            error.map_or("null".to_string(), |e| quoted(&e)),
            list(self.findings.iter().map(|f| quoted(f)).collect()),
            list(self.code.iter().map(|c| quoted(c)).collect()),
            list(self.notes.iter().map(|n| quoted(n)).collect()),
            list(parts.collect()),
        )
    }
}
