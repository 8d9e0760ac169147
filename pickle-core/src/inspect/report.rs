//! A [`Report`] as text for people and as JSON for programs.

use super::{Report, Verdict};
use crate::value::json_string;
use std::fmt::Write as _;

fn quoted(text: &str) -> String {
    json_string(text.chars().map(u32::from))
}

fn marker(allowed: bool) -> &'static str {
    if allowed { "" } else { "  NOT ALLOWED" }
}

/// `LABEL: safe`, `LABEL: unsafe` with a line per problem, or `LABEL: malformed: ERROR`.
pub(super) fn write_verdict(out: &mut String, label: &str, verdict: Verdict) {
    match verdict {
        Verdict::Safe => {
            let _ = writeln!(out, "{label}: safe");
        }
        Verdict::Unsafe(problems) => {
            let _ = writeln!(out, "{label}: unsafe");
            for problem in problems {
                let _ = writeln!(out, "  - {problem}");
            }
        }
        Verdict::Malformed(error) => {
            let _ = writeln!(out, "{label}: malformed: {error}");
        }
    }
}

impl Report {
    /// The report as text: a section per kind of use (empty ones left out), then the verdict
    /// with one line per problem.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(out, "{title}:");
                for line in lines {
                    let _ = writeln!(out, "  {line}");
                }
            }
        };
        section(
            "globals",
            self.globals
                .iter()
                .map(|g| {
                    let written = format!("{}.{}", g.module, g.name);
                    let renamed = if written == g.resolved {
                        String::new()
                    } else {
                        format!(" (written {written})")
                    };
                    format!("{} {}{renamed}{}", g.opcode, g.resolved, marker(g.allowed))
                })
                .collect(),
        );
        section(
            "calls",
            self.calls
                .iter()
                .map(|c| format!("{} {}{}", c.opcode, c.callable, marker(c.allowed)))
                .collect(),
        );
        section("persistent ids", self.persistent_ids.clone());
        section(
            "tensors",
            self.tensors
                .iter()
                .map(|t| {
                    let dims: Vec<_> = t.shape.iter().map(i64::to_string).collect();
                    format!(
                        "storage {} {} [{}] {}",
                        t.storage_key,
                        t.dtype,
                        dims.join(", "),
                        t.location
                    )
                })
                .collect(),
        );
        section(
            "extension codes",
            self.extensions.iter().map(i32::to_string).collect(),
        );
        section(
            "buffers",
            self.buffers
                .iter()
                .map(|b| {
                    let readonly = if b.readonly { " (read-only)" } else { "" };
                    format!("{}{readonly}", b.index)
                })
                .collect(),
        );
        write_verdict(&mut out, "verdict", self.verdict());
        out
    }

    /// The report as one JSON object: `verdict` (`"safe"`, `"unsafe"` or `"malformed"`),
    /// `problems`, `error` (or null), `globals`, `calls`, `persistent_ids`, `extensions`,
    /// `buffers` and `tensors` (`storage_key`, `dtype`, `shape`, `location`).
    pub fn to_json(&self) -> String {
        let verdict = self.verdict();
        let (name, problems, error) = match &verdict {
            Verdict::Safe => ("safe", Vec::new(), None),
            Verdict::Unsafe(problems) => ("unsafe", problems.clone(), None),
            Verdict::Malformed(error) => ("malformed", self.problems(), Some(error.as_str())),
        };
        let list = |items: Vec<String>| format!("[{}]", items.join(","));
        let globals = self.globals.iter().map(|g| {
            format!(
                "{{\"opcode\":\"{}\",\"module\":{},\"name\":{},\"resolved\":{},\"allowed\":{},\"offset\":{}}}",
                g.opcode,
                quoted(&g.module),
                quoted(&g.name),
                quoted(&g.resolved),
                g.allowed,
                g.offset
            )
        });
        let calls = self.calls.iter().map(|c| {
            format!(
                "{{\"opcode\":\"{}\",\"callable\":{},\"allowed\":{},\"offset\":{}}}",
                c.opcode,
                quoted(&c.callable),
                c.allowed,
                c.offset
            )
        });
        let buffers = self
            .buffers
            .iter()
            .map(|b| format!("{{\"index\":{},\"readonly\":{}}}", b.index, b.readonly));
        let tensors = self.tensors.iter().map(|t| {
            let dims: Vec<_> = t.shape.iter().map(i64::to_string).collect();
            format!(
                "{{\"storage_key\":{},\"dtype\":{},\"shape\":[{}],\"location\":{}}}",
                quoted(&t.storage_key),
                quoted(&t.dtype),
                dims.join(","),
                quoted(&t.location)
            )
        });
        format!(
            "{{\"verdict\":\"{name}\",\"problems\":{},\"error\":{},\"globals\":{},\"calls\":{},\"persistent_ids\":{},\"extensions\":{},\"buffers\":{},\"tensors\":{},\"refused\":{}}}",
            list(problems.iter().map(|p| quoted(p)).collect()),
            error.map_or("null".to_string(), quoted),
            list(globals.collect()),
            list(calls.collect()),
            list(self.persistent_ids.iter().map(|p| quoted(p)).collect()),
            list(self.extensions.iter().map(i32::to_string).collect()),
            list(buffers.collect()),
            list(tensors.collect()),
            list(self.refused.iter().map(|r| quoted(r)).collect()),
        )
    }
}
