//! `--format sarif`: one SARIF 2.1.0 document, as GitHub code scanning and other SARIF viewers
//! read it. The tool's driver lists every rule (descriptions, help, a link, default level);
//! results carry the rule index, level, message, the region (lines, columns in Unicode code
//! points, byte offsets), related locations and fixes. Files that could not be checked become
//! tool execution notifications, so the output stays one valid document.
//!
//! Each result carries `partialFingerprints` that survive edits elsewhere in the file (see
//! [`fingerprint`]), so code scanning keeps one alert per finding across commits.
//!
//! The document is written at the end of the run, since the rule list is only known once every
//! file has been checked (a folder's config may add rule files). Until then each result is kept
//! as compact JSON text (a `Value` tree of one result took about 7 KB, its text a fifth of that),
//! and at the end the results are written one at a time into the document.

use super::{Reporter, Summary};
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Severity};
use crate::rules::catalog::{home_url, RuleMeta};
use crate::text::position::LineIndex;
use crate::text::uri::encode_path;
use serde_json::{json, Map, Value};
use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Default)]
pub struct SarifReporter {
    rules: Vec<RuleMeta>,
    /// Results (compact JSON) with their rule id; the index is filled in at the end.
    results: Vec<(String, Box<str>)>,
    notifications: Vec<Value>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as shown, relative to the working folder when it is inside it (with `/` separators
/// and no leading `./`); None when it is outside.
pub fn relative_to_cwd(shown: &str) -> Option<String> {
    let path = Path::new(shown);
    let rel = if path.is_absolute() {
        let cwd = std::env::current_dir().ok()?;
        path.strip_prefix(cwd).ok()?.to_path_buf()
    } else {
        path.to_path_buf()
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    Some(s.strip_prefix("./").unwrap_or(&s).to_string())
}

/// The artifact location of a path as shown: relative to the working folder (with the
/// `%SRCROOT%` base) when it is inside it, else an absolute `file://` URI.
pub fn artifact_location(shown: &str) -> Value {
    match relative_to_cwd(shown) {
        Some(rel) => json!({"uri": encode_path(&rel), "uriBaseId": SRCROOT}),
        None => {
            let s = shown.replace('\\', "/");
            let s = if s.starts_with('/') {
                s
            } else {
                format!("/{s}")
            };
            json!({"uri": format!("file://{}", encode_path(&s))})
        }
    }
}

/// A text region with line/column (1-based, columns in code points, end exclusive) and the
/// same range in bytes.
fn region(source: &str, idx: &LineIndex, span: &Range<usize>) -> Value {
    let (sl, sc) = idx.line_col(span.start);
    let (el, ec) = idx.line_col(span.end);
    let mut r = json!({
        "startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec,
        "byteOffset": span.start, "byteLength": span.end.saturating_sub(span.start),
    });
    if let Some(text) = source.get(span.clone()).filter(|t| !t.is_empty()) {
        r["snippet"] = json!({"text": text});
    }
    r
}

fn physical(shown: &str, source: &str, idx: &LineIndex, span: &Range<usize>) -> Value {
    json!({"artifactLocation": artifact_location(shown), "region": region(source, idx, span)})
}

/// What identifies a finding across versions of its file: the rule, the words it matched
/// (lower case, white space collapsed, so re-wrapping a paragraph changes nothing) and which
/// occurrence of that pair in the file it is — never a line number, so lines added above it
/// keep the alert. FNV-1a (64 bits): stable across releases and platforms, unlike std's hasher.
pub fn fingerprint(rule: &str, matched: &str, occurrence: usize) -> String {
    let normal = matched
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rule.bytes().chain([0]).chain(normal.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}:{occurrence}")
}

/// The key under which the fingerprint is written (versioned, so a new scheme can coexist).
const FINGERPRINT_KEY: &str = "tactfulFindingHash/v1";

fn result(r: &FileResult, idx: &LineIndex, f: &Finding, fingerprint: String) -> Value {
    let mut text = f.message.to_string();
    if !f.label.is_empty() && f.label != f.message {
        text.push_str(&format!(": {}", f.label));
    }
    let related: Vec<Value> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, rel)| {
            text.push_str(&format!(" ([{}]({}))", escape_link(&rel.label), i + 1));
            let mut loc = json!({
                "id": i + 1,
                "physicalLocation": physical(&r.path, &r.source, idx, &rel.span),
                "message": {"text": rel.label},
            });
            if let Some(m) = &rel.merged {
                loc["properties"] = json!({"rule": m.rule, "category": m.category});
            }
            loc
        })
        .collect();
    let mut v = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [{"physicalLocation": physical(&r.path, &r.source, idx, &f.span)}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {"category": f.category},
    });
    if !related.is_empty() {
        v["relatedLocations"] = json!(related);
    }
    if f.rule == crate::cap::CAPPED_RULE {
        if let Some(c) = r.capped.iter().find(|c| c.span == f.span) {
            v["properties"]["capped"] =
                json!({"rule": c.rule, "shown": c.shown, "hidden": c.hidden});
        }
    }
    if let Some(c) = f.confidence {
        v["properties"]["confidence"] = json!(super::confidence(c));
    }
    if let Some(s) = &f.suggestion {
        v["fixes"] = json!([{
            "description": {"text": format!("Replace with \"{}\"{}", s.replacement,
                if s.safe { "" } else { " (review before applying)" })},
            "artifactChanges": [{
                "artifactLocation": artifact_location(&r.path),
                "replacements": [{
                    "deletedRegion": region(&r.source, idx, &s.span),
                    "insertedContent": {"text": s.replacement},
                }],
            }],
        }]);
        v["properties"]["safeFix"] = json!(s.safe);
    }
    v
}

/// Link text in a SARIF message may not contain unescaped brackets.
fn escape_link(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

fn notification(e: &SourceError) -> Value {
    let mut text = e.message.clone();
    if let Some(h) = &e.help {
        text.push_str(&format!(" ({h})"));
    }
    let mut loc = json!({"artifactLocation": artifact_location(&e.path)});
    if let Some(span) = &e.span {
        let idx = LineIndex::new(&e.text);
        loc["region"] = region(&e.text, &idx, span);
    }
    json!({
        "level": "error",
        "message": {"text": text},
        "locations": [{"physicalLocation": loc}],
        "descriptor": {"id": crate::internal::INPUT_ERROR},
    })
}

/// A kept result with its rule's index added (last, as the document always had it).
fn with_index(json: &str, id: &str, index: &std::collections::HashMap<String, usize>) -> Value {
    let mut v: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    v["ruleIndex"] = json!(index.get(id).copied().unwrap_or(0));
    v
}

fn descriptor(m: &RuleMeta) -> Value {
    let help = m.help_text();
    let mut v = json!({
        "id": m.id,
        "name": m.id.rsplit('/').next().unwrap_or(&m.id),
        "shortDescription": {"text": m.message},
        "fullDescription": {"text": m.description.trim()},
        "help": {"text": help, "markdown": help},
        "helpUri": m.docs_url(),
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {"category": m.category, "tags": [m.category]},
    });
    if let Some((s, safe)) = &m.suggest {
        v["properties"]["suggestion"] = json!(s);
        v["properties"]["safeFix"] = json!(safe);
    }
    v
}

impl SarifReporter {
    /// The whole document.
    pub fn document(&self) -> Value {
        let (rules, index) = self.rules_and_index();
        let results: Vec<Value> = self
            .results
            .iter()
            .map(|(id, text)| with_index(text, id, &index))
            .collect();
        self.document_of(&rules, results)
    }

    /// The rule list (the catalog, and any rule a result names that it lacks) and where each
    /// rule is in it.
    fn rules_and_index(&self) -> (Vec<RuleMeta>, std::collections::HashMap<String, usize>) {
        let mut rules = self.rules.clone();
        for (id, _) in &self.results {
            if !rules.iter().any(|m| &m.id == id) {
                let category = id.split('/').next().unwrap_or(id).to_string();
                rules.push(RuleMeta {
                    id: id.clone(),
                    category,
                    severity: Severity::Warning,
                    message: id.clone(),
                    description: id.clone(),
                    help: String::new(),
                    why: None,
                    suggest: None,
                });
            }
        }
        let index = rules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        (rules, index)
    }

    /// The document with these rules and results.
    fn document_of(&self, rules: &[RuleMeta], results: Vec<Value>) -> Value {
        let mut base = Map::new();
        if let Ok(cwd) = std::env::current_dir() {
            let mut s = cwd.to_string_lossy().replace('\\', "/");
            if !s.starts_with('/') {
                s.insert(0, '/');
            }
            if !s.ends_with('/') {
                s.push('/');
            }
            base.insert(
                SRCROOT.into(),
                json!({"uri": format!("file://{}", encode_path(&s))}),
            );
        }
        json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "tactful",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": home_url(),
                    "rules": rules.iter().map(descriptor).collect::<Vec<_>>(),
                }},
                "originalUriBaseIds": base,
                "invocations": [{
                    "executionSuccessful": self.notifications.is_empty(),
                    "toolExecutionNotifications": self.notifications,
                }],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        })
    }
}

impl Reporter for SarifReporter {
    fn file(&mut self, _out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        self.notifications.extend(r.errors.iter().map(notification));
        let idx = LineIndex::new(&r.source);
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for f in &r.findings {
            let matched = r.source.get(f.span.clone()).unwrap_or("");
            let base = fingerprint(&f.rule, matched, 0);
            let n = seen.entry(base).or_default();
            let print = fingerprint(&f.rule, matched, *n);
            *n += 1;
            let text = result(r, &idx, f, print).to_string().into_boxed_str();
            self.results.push((f.rule.to_string(), text));
        }
        Ok(())
    }

    fn wants_rules(&self) -> bool {
        true
    }

    fn set_rules(&mut self, rules: Vec<RuleMeta>) {
        self.rules = rules;
    }

    fn finish(&mut self, out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        let (rules, index) = self.rules_and_index();
        let results = std::mem::take(&mut self.results);
        // The document without its results, pretty-printed; `results` is the run's last key,
        // so they go where its empty list is, each printed as it would be inside the document.
        let text = serde_json::to_string_pretty(&self.document_of(&rules, Vec::new()))?;
        const EMPTY: &str = "\"results\": []";
        let at = match text.rfind(EMPTY) {
            Some(at) if !results.is_empty() => at,
            _ => {
                out.write_all(text.as_bytes())?;
                return out.write_all(b"\n");
            }
        };
        out.write_all(&text.as_bytes()[..at])?;
        out.write_all(b"\"results\": [")?;
        for (k, (id, json)) in results.iter().enumerate() {
            out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
            let pretty = serde_json::to_string_pretty(&with_index(json, id, &index))?;
            // Inside the document a result sits four levels deep (JSON strings hold no raw
            // line breaks, so every line is indented the same).
            for (i, line) in pretty.lines().enumerate() {
                if i > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(b"        ")?;
                out.write_all(line.as_bytes())?;
            }
        }
        out.write_all(b"\n      ]")?;
        out.write_all(&text.as_bytes()[at + EMPTY.len()..])?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results are written one at a time into the document, exactly as the whole document
    /// prints.
    #[test]
    fn the_written_document_is_the_whole_document_printed() {
        let linter = crate::lint::Linter::new(crate::lint::LintOptions {
            no_config: true,
            ..Default::default()
        });
        let text = "Hi Ana,\n\nOur platform helps companies like yours, and I would love to \
                    book a quick demo. Grab a slot on my calendar link.\n\nBest,\nSam\n";
        let mut reporter = SarifReporter::default();
        let mut sink = Vec::new();
        for name in ["a.txt", "b.txt"] {
            let r = linter.check(name, None, text.as_bytes().to_vec(), None);
            assert!(!r.findings.is_empty());
            reporter.file(&mut sink, &r).unwrap();
        }
        let whole = serde_json::to_string_pretty(&reporter.document()).unwrap() + "\n";
        reporter.finish(&mut sink, &Summary::default()).unwrap();
        assert_eq!(String::from_utf8(sink).unwrap(), whole);
        // With no results the document is printed as it is.
        let mut empty = SarifReporter::default();
        let whole = serde_json::to_string_pretty(&empty.document()).unwrap() + "\n";
        let mut sink = Vec::new();
        empty.finish(&mut sink, &Summary::default()).unwrap();
        assert_eq!(String::from_utf8(sink).unwrap(), whole);
    }

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(
            encode_path("drafts/my note #1.txt"),
            "drafts/my%20note%20%231.txt"
        );
        assert_eq!(encode_path("żółw.txt"), "%C5%BC%C3%B3%C5%82w.txt");
        let loc = artifact_location("./a/b.txt");
        assert_eq!(loc["uri"], "a/b.txt");
        assert_eq!(loc["uriBaseId"], SRCROOT);
        let outside = artifact_location("/definitely/not/under/cwd.txt");
        assert_eq!(outside["uri"], "file:///definitely/not/under/cwd.txt");
    }

    #[test]
    fn fingerprints_ignore_case_and_wrapping_but_not_rule_text_or_occurrence() {
        let a = fingerprint("early-pitch/demo-request", "book a quick\n demo", 0);
        assert_eq!(
            a,
            fingerprint("early-pitch/demo-request", "Book a quick demo", 0)
        );
        assert!(a.ends_with(":0") && a.len() == 18);
        assert_ne!(a, fingerprint("early-pitch/demo-request", "book a demo", 0));
        assert_ne!(
            a,
            fingerprint("early-pitch/calendar-link", "book a quick demo", 0)
        );
        assert_ne!(
            a,
            fingerprint("early-pitch/demo-request", "book a quick demo", 1)
        );
    }

    #[test]
    fn regions_have_lines_columns_and_bytes() {
        let text = "ab\nżółw x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        let r = region(text, &idx, &(x..x + 1));
        assert_eq!(r["startLine"], 2);
        assert_eq!(r["startColumn"], 6);
        assert_eq!(r["endColumn"], 7);
        assert_eq!(r["byteOffset"], x);
        assert_eq!(r["byteLength"], 1);
        assert_eq!(r["snippet"]["text"], "x");
    }
}
