//! Inspection results as SARIF 2.1.0, the format code-scanning dashboards read: one run of
//! the tool, a rule per kind of finding, and a result per finding with the file it is in and
//! the byte offset where it starts (counted in the decompressed bytes for a part inside a
//! compressed stream).

use super::ProblemKind;
use super::container::FileReport;
use crate::value::json_string;

/// A kind of finding: its rule id, a short description, and the SARIF level of its results.
struct Rule {
    id: &'static str,
    description: &'static str,
    level: &'static str,
}

const RULES: [Rule; 8] = [
    Rule {
        id: "global-not-allowed",
        description: "The pickle imports a global outside the allow-list.",
        level: "error",
    },
    Rule {
        id: "call-not-allowed",
        description: "The pickle calls something outside the allow-list.",
        level: "error",
    },
    Rule {
        id: "extension-code",
        description: "An extension code names a global only the loading process knows.",
        level: "error",
    },
    Rule {
        id: "frame-straddle",
        description: "An argument crosses a frame's end: pickle.load(file) reads it otherwise than pickle.loads.",
        level: "error",
    },
    Rule {
        id: "loader-refuses",
        description: "The profile's loader refuses what the pickle does (torch.load with weights_only=True: SETITEM(S) or BUILD on a tensor, a view past its storage's end, a storage record of another size).",
        level: "error",
    },
    Rule {
        id: "archive-code",
        description: "The archive holds code its loader runs (a TorchScript archive).",
        level: "error",
    },
    Rule {
        id: "malformed",
        description: "A pickle that no loader reads to its end; what it used before is reported too.",
        level: "warning",
    },
    Rule {
        id: "not-read",
        description: "Part of the file could not be read, so nothing is said of it.",
        level: "warning",
    },
];

/// One finding: its rule, what it says, and where it starts.
pub struct Finding {
    rule: usize,
    /// What the finding says.
    pub message: String,
    /// Its byte offset in the file, when it has one.
    pub offset: Option<u64>,
}

impl Finding {
    /// The rule's id.
    pub fn rule_id(&self) -> &'static str {
        RULES[self.rule].id
    }
}

fn rule(id: &str) -> usize {
    RULES
        .iter()
        .position(|r| r.id == id)
        .expect("a rule of RULES")
}

/// The rule of a pickle's problem of `kind`.
fn rule_of(kind: ProblemKind) -> &'static str {
    match kind {
        ProblemKind::Global => "global-not-allowed",
        ProblemKind::Call => "call-not-allowed",
        ProblemKind::Extension => "extension-code",
        ProblemKind::FrameStraddle => "frame-straddle",
        ProblemKind::Refused => "loader-refuses",
    }
}

impl FileReport {
    /// Every finding of the file, part by part (its problems, then its error), then those
    /// of the file as a whole. Offsets are in the file: a part's own, plus the problem's in
    /// the part when it has one.
    pub fn findings_located(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut add = |id: &str, message: String, offset: Option<u64>| {
            out.push(Finding {
                rule: rule(id),
                message,
                offset,
            })
        };
        for part in &self.parts {
            let report = &part.report;
            for problem in report.located_problems() {
                let message = format!("{}: {}", part.name, problem.text);
                let offset = part.offset + problem.offset.unwrap_or(0);
                add(rule_of(problem.kind), message, Some(offset));
            }
            if let Some(error) = &report.error {
                let message = format!("{}: {error}", part.name);
                add("malformed", message, Some(part.offset + error.offset));
            }
        }
        for code in &self.code {
            add("archive-code", code.clone(), None);
        }
        for finding in &self.findings {
            add("not-read", finding.clone(), None);
        }
        out
    }
}

fn quoted(text: &str) -> String {
    json_string(text.chars().map(u32::from))
}

/// A SARIF 2.1.0 log of `files` (each its URI, relative to where the scan started, and its
/// report): the tool `brine-pickle` at `version`, its rules, and every finding.
pub fn sarif_log(version: &str, files: &[(String, FileReport)]) -> String {
    let rules: Vec<String> = RULES
        .iter()
        .map(|r| {
            format!(
                "{{\"id\":\"{}\",\"shortDescription\":{{\"text\":{}}},\"defaultConfiguration\":{{\"level\":\"{}\"}}}}",
                r.id,
                quoted(r.description),
                r.level
            )
        })
        .collect();
    let mut results = Vec::new();
    for (uri, report) in files {
        for finding in report.findings_located() {
            let region = finding.offset.map_or(String::new(), |o| {
                format!(",\"region\":{{\"byteOffset\":{o}}}")
            });
            results.push(format!(
                "{{\"ruleId\":\"{}\",\"ruleIndex\":{},\"level\":\"{}\",\"message\":{{\"text\":{}}},\"locations\":[{{\"physicalLocation\":{{\"artifactLocation\":{{\"uri\":{}}}{region}}}}}]}}",
                finding.rule_id(),
                finding.rule,
                RULES[finding.rule].level,
                quoted(&finding.message),
                quoted(&uri_of(uri)),
            ));
        }
    }
    format!(
        "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{{\"name\":\"brine-pickle\",\"version\":{},\"rules\":[{}]}}}},\"results\":[{}]}}]}}",
        quoted(version),
        rules.join(","),
        results.join(",")
    )
}

/// A path as a relative URI reference: separators as `/`, and what a URI cannot hold
/// percent-encoded (RFC 3986's unreserved characters and `/` stay).
fn uri_of(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoder::Limits;
    use crate::inspect::AllowList;
    use crate::inspect::container::inspect_file;

    #[test]
    fn each_finding_has_its_rule_and_byte_offset() {
        // Two bytes of PROTO, then GLOBAL at byte 2 and REDUCE at byte 21.
        let data = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.";
        let report = inspect_file(data, &Limits::UNTRUSTED, &AllowList::safe_default());
        let found: Vec<_> = report
            .findings_located()
            .iter()
            .map(|f| (f.rule_id(), f.offset))
            .collect();
        assert_eq!(
            found,
            [
                ("global-not-allowed", Some(2)),
                ("call-not-allowed", Some(21))
            ]
        );
        let log = sarif_log("0.1.0", &[("models/a b.pkl".into(), report)]);
        assert!(log.starts_with(
            "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\""
        ));
        assert!(
            log.contains(
                "\"artifactLocation\":{\"uri\":\"models/a%20b.pkl\"},\"region\":{\"byteOffset\":21}"
            ),
            "{log}"
        );
        assert!(
            log.contains("\"ruleId\":\"call-not-allowed\",\"ruleIndex\":1,\"level\":\"error\"")
        );
    }
}
