//! `--format json` (one document) and `--format jsonl` (one diagnostic a line), as PRODUCT.md
//! specifies. The JSON document is streamed file by file, so memory stays flat.

use super::{Reporter, Summary};
use crate::finding::{FileResult, Finding};
use crate::text::position::LineIndex;
use serde_json::{json, Value};
use std::io::{self, Write};

fn pos(idx: &LineIndex, offset: usize) -> Value {
    let (line, column) = idx.line_col(offset);
    json!({"line": line, "column": column})
}

pub fn diagnostic_json(source: &str, idx: &LineIndex, f: &Finding) -> Value {
    let text = source.get(f.span.clone()).unwrap_or("");
    let mut v = json!({
        "rule": f.rule,
        "category": f.category,
        "severity": f.severity.as_str(),
        "message": f.message,
        "help": f.help,
        "span": {"start": f.span.start, "end": f.span.end},
        "start": pos(idx, f.span.start),
        "end": pos(idx, f.span.end),
        "text": text,
        "label": f.label,
        "related": f.related.iter().map(related_json).collect::<Vec<_>>(),
        "suggestion": f.suggestion.as_ref().map(|s| json!({
            "span": {"start": s.span.start, "end": s.span.end},
            "replacement": s.replacement,
            "safe": s.safe,
        })),
    });
    // Only the learned layer's findings carry a confidence (PRODUCT.md).
    if let Some(c) = f.confidence {
        v["confidence"] = json!(super::confidence(c));
    }
    v
}

/// A related entry; one that is another rule's finding folded into this one (see
/// [`crate::lint::merge`]) also names that rule and its category, for programs.
fn related_json(r: &crate::finding::Related) -> Value {
    let mut v = json!({
        "span": {"start": r.span.start, "end": r.span.end},
        "label": r.label,
    });
    if let Some(m) = &r.merged {
        v["rule"] = json!(m.rule);
        v["category"] = json!(m.category);
    }
    v
}

/// A `tactful/capped` finding says in words how many findings it stands for; this adds the
/// numbers for programs: `"capped": {"rule": …, "shown": …, "hidden": …}`.
fn add_capped(v: &mut Value, r: &FileResult, f: &Finding) {
    if f.rule != crate::cap::CAPPED_RULE {
        return;
    }
    if let Some(c) = r.capped.iter().find(|c| c.span == f.span) {
        v["capped"] = json!({"rule": c.rule, "shown": c.shown, "hidden": c.hidden});
    }
}

fn diagnostic_of(r: &FileResult, idx: &LineIndex, f: &Finding) -> Value {
    let mut v = diagnostic_json(&r.source, idx, f);
    add_capped(&mut v, r, f);
    v
}

fn error_text(r: &FileResult) -> String {
    r.errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn file_json(r: &FileResult) -> Value {
    if !r.errors.is_empty() && r.context.is_none() {
        return json!({"path": r.path, "error": error_text(r)});
    }
    let idx = LineIndex::new(&r.source);
    let mut v = json!({
        "path": r.path,
        "context": r.context,
        "diagnostics": r.findings.iter().map(|f| diagnostic_of(r, &idx, f)).collect::<Vec<_>>(),
    });
    if !r.errors.is_empty() {
        v["error"] = json!(error_text(r));
    }
    v
}

/// [`file_json`] written piece by piece: a file with a huge number of findings never has all
/// their JSON in memory at once.
fn write_file_json(out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
    if !r.errors.is_empty() && r.context.is_none() {
        return Ok(serde_json::to_writer(&mut *out, &file_json(r))?);
    }
    let idx = LineIndex::new(&r.source);
    out.write_all(b"{\"path\":")?;
    serde_json::to_writer(&mut *out, &r.path)?;
    out.write_all(b",\"context\":")?;
    serde_json::to_writer(&mut *out, &r.context)?;
    out.write_all(b",\"diagnostics\":[")?;
    for (i, f) in r.findings.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &diagnostic_of(r, &idx, f))?;
    }
    out.write_all(b"]")?;
    if !r.errors.is_empty() {
        out.write_all(b",\"error\":")?;
        serde_json::to_writer(&mut *out, &error_text(r))?;
    }
    out.write_all(b"}")
}

#[derive(Default)]
pub struct JsonReporter {
    started: bool,
}

impl Reporter for JsonReporter {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        out.write_all(if self.started {
            b",\n  "
        } else {
            b"{\"version\": 1,\n \"files\": [\n  "
        })?;
        self.started = true;
        write_file_json(out, r)
    }

    fn finish(&mut self, out: &mut dyn Write, s: &Summary) -> io::Result<()> {
        if !self.started {
            out.write_all(b"{\"version\": 1,\n \"files\": [")?;
        }
        out.write_all(b"],\n \"summary\": ")?;
        let mut summary =
            json!({"files": s.files, "errors": s.errors, "warnings": s.warnings, "infos": s.infos});
        if s.hidden > 0 {
            // Totals count every finding; `hidden` says how many of them are not listed.
            summary["hidden"] = json!(s.hidden);
        }
        serde_json::to_writer(&mut *out, &summary)?;
        out.write_all(b"}\n")
    }
}

pub struct JsonlReporter;

impl Reporter for JsonlReporter {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        if !r.errors.is_empty() {
            serde_json::to_writer(&mut *out, &json!({"path": r.path, "error": error_text(r)}))?;
            out.write_all(b"\n")?;
        }
        let idx = LineIndex::new(&r.source);
        for f in &r.findings {
            let mut v = diagnostic_of(r, &idx, f);
            v["path"] = json!(r.path);
            serde_json::to_writer(&mut *out, &v)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _s: &Summary) -> io::Result<()> {
        Ok(())
    }
}
