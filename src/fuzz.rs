//! Entry points shared by the cargo-fuzz targets (`fuzz/`) and the CI fuzz smoke test
//! (`tests/fuzz_smoke.rs`), so both check the same invariants.
//!
//! Each entry point pushes one input through a part of tactful and returns the first broken
//! invariant as an `Err`; a panic is the caller's to catch (libFuzzer does, and so does the
//! smoke test). The invariants are the ones PRODUCT.md promises: every span lies inside the
//! file on character boundaries, `line`/`column` agree with the byte offset, `text` is the
//! spanned text, and every machine-readable output is valid JSON even when the file fails.

use crate::config::Config;
use crate::context::{Channel, Context, ContextLayer, Stage};
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Related, Severity, Suggestion};
use crate::input::{self, Format};
use crate::lint::{LintOptions, Linter};
use crate::message::Vocabulary;
use crate::report::{self, OutputFormat, Summary};
use crate::rules::{load_rule_text, Pack};
use clap::ValueEnum;
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// Every reader, each with the file names it is tried under (a template's inner extension
/// picks its markup). A new [`Format`] variant makes the `match` stop compiling until it is
/// listed here, so the fuzz targets and the smoke test always cover every reader.
pub fn all_formats() -> Vec<(Format, &'static [&'static str])> {
    [
        Format::Plain,
        Format::Template,
        Format::Email,
        Format::Html,
        Format::Markdown,
    ]
    .into_iter()
    .map(|f| {
        let names: &'static [&'static str] = match f {
            Format::Plain => &["fuzz.txt"],
            Format::Template => &["fuzz.hbs", "fuzz.html.hbs", "fuzz.eml.liquid"],
            Format::Email => &["fuzz.eml"],
            Format::Html => &["fuzz.html"],
            Format::Markdown => &["fuzz.md"],
        };
        (f, names)
    })
    .collect()
}

/// Linters built once per process (building the rule registry is the expensive part).
pub struct Harness {
    /// Language detected, default context.
    auto: Linter,
    /// Context set by flags: English, a LinkedIn connection note, a template.
    fixed: Linter,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Harness {
        let auto = Linter::new(LintOptions {
            no_config: true,
            ..Default::default()
        });
        let fixed = Linter::new(LintOptions {
            no_config: true,
            flags: ContextLayer {
                stage: Some(Stage::FollowUp),
                channel: Some(Channel::LinkedinConnect),
                lang: Some("en".into()),
                template: Some(true),
                ..Default::default()
            },
            ..Default::default()
        });
        Harness { auto, fixed }
    }

    /// A message file, read by every reader and reported by every reporter. The length's
    /// parity picks the context, so the seed corpus stays plain message files.
    pub fn message(&self, bytes: &[u8]) -> Result<(), String> {
        let linter = if bytes.len() % 2 == 0 {
            &self.auto
        } else {
            &self.fixed
        };
        for (format, names) in all_formats() {
            for name in names {
                let result = linter.check(name, None, bytes.to_vec(), Some(format));
                check_result(bytes, &result).map_err(|e| format!("{name} ({format:?}): {e}"))?;
                check_reporters(&result).map_err(|e| format!("{name} ({format:?}): {e}"))?;
            }
        }
        Ok(())
    }
}

/// A config file: parsed, then asked about a file.
pub fn config(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    match Config::parse(Path::new("/fuzz/.tactful.yaml"), text) {
        Ok(c) => {
            let _ = c.settings_for(Some(Path::new("/fuzz/drafts/a.txt")));
            Ok(())
        }
        Err(e) => check_error(&e, text),
    }
}

/// A rule file: loaded and compiled; its rules then run on their own examples.
pub fn rules(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let loaded = match load_rule_text("fuzz.yaml", text, "en", &BTreeMap::new(), true) {
        Ok(l) => l,
        Err(errors) => {
            if errors.is_empty() {
                return Err("a failed rule file gave no error".into());
            }
            return errors.iter().try_for_each(|e| check_error(e, text));
        }
    };
    let examples: Vec<String> = loaded
        .rules
        .iter()
        .flat_map(|r| r.examples.bad.iter().chain(r.examples.good.iter()))
        .map(|e| e.def().text)
        .take(8)
        .collect();
    let pack = Pack::new("en".into(), "fuzz".into(), vec!['ו', 'ה'], loaded.rules);
    let vocab = Vocabulary::default();
    for text in examples {
        let bytes = text.clone().into_bytes();
        let Ok(read) = input::read("example", bytes.clone(), Format::Plain, &vocab) else {
            continue;
        };
        let ctx = Context {
            lang: "en".into(),
            ..Default::default()
        };
        let findings =
            crate::engine::run_pack(&pack, &read.message, &ctx, crate::engine::Pass::all());
        let result = FileResult {
            path: "example".into(),
            context: Some(ctx),
            source: Arc::from(read.message.source.as_str()),
            findings,
            errors: Vec::new(),
            capped: Vec::new(),
        };
        check_result(&bytes, &result)?;
        check_reporters(&result)?;
    }
    Ok(())
}

/// Findings built straight from the bytes (any valid span, odd labels and paths), for the
/// reporters alone.
pub fn reporters(data: &[u8]) -> Result<(), String> {
    let mut bytes = Bytes(data);
    let path = bytes.string(24);
    let source = bytes.string(4096);
    let boundaries: Vec<usize> = source
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(source.len()))
        .collect();
    let span = |b: &mut Bytes| {
        let mut pick = || boundaries[b.index() % boundaries.len()];
        let (a, z) = (pick(), pick());
        a.min(z)..a.max(z)
    };
    let mut findings = Vec::new();
    while !bytes.0.is_empty() && findings.len() < 16 {
        let severity = match bytes.next() % 3 {
            0 => Severity::Error,
            1 => Severity::Warning,
            _ => Severity::Info,
        };
        let s = span(&mut bytes);
        let related = (0..bytes.next() % 3)
            .map(|_| Related {
                span: span(&mut bytes),
                label: bytes.string(8),
                merged: None,
            })
            .collect();
        let suggestion = (bytes.next() % 2 == 1).then(|| Suggestion {
            span: s.clone(),
            replacement: bytes.string(12).into(),
            safe: bytes.next() % 2 == 0,
        });
        findings.push(Finding {
            rule: format!("fuzz/{}", bytes.string(6)).into(),
            category: "fuzz".into(),
            severity,
            message: bytes.string(16).into(),
            help: bytes.string(16).into(),
            span: s,
            label: bytes.string(8).into(),
            related,
            suggestion,
            confidence: None,
        });
    }
    let errors = if bytes.next() % 4 == 0 {
        let s = span(&mut bytes);
        vec![SourceError::new(
            &path,
            &source,
            Some(s),
            format!("e{}", bytes.string(16)),
        )]
    } else {
        Vec::new()
    };
    let result = FileResult {
        path,
        context: Some(Context::default()),
        source: Arc::from(source.as_str()),
        findings,
        errors,
        capped: Vec::new(),
    };
    check_result(source.as_bytes(), &result)?;
    check_reporters(&result)
}

/// Reads fuzz bytes as small values and strings.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn index(&mut self) -> usize {
        usize::from(self.next()) << 8 | usize::from(self.next())
    }

    /// A string of at most `max` bytes from the input (lossy, so any bytes make text).
    fn string(&mut self, max: usize) -> String {
        let n = (self.next() as usize).min(max).min(self.0.len());
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(s).into_owned()
    }
}

fn check_span(what: &str, span: &Range<usize>, text: &str) -> Result<(), String> {
    if span.start > span.end || span.end > text.len() {
        return Err(format!(
            "{what} span {span:?} outside the file ({} bytes)",
            text.len()
        ));
    }
    if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
        return Err(format!("{what} span {span:?} not on character boundaries"));
    }
    Ok(())
}

fn check_error(e: &SourceError, text: &str) -> Result<(), String> {
    if e.message.trim().is_empty() {
        return Err("an error without a message".into());
    }
    if let Some(s) = &e.span {
        check_span("error", s, text)?;
    }
    Ok(())
}

/// Spans of a checked file: inside the file exactly as given, on character boundaries.
pub fn check_result(file: &[u8], r: &FileResult) -> Result<(), String> {
    if r.context.is_none() && r.errors.is_empty() {
        return Err("a file with neither a context nor an error".into());
    }
    for e in &r.errors {
        if let Some(s) = &e.span {
            check_span("error", s, &e.text)?;
        }
        if e.message.trim().is_empty() {
            return Err("an error without a message".into());
        }
    }
    if r.context.is_none() {
        return Ok(());
    }
    // Spans are offsets into the file as given, so the source must be the file itself.
    if std::str::from_utf8(file).is_ok() && r.source.as_bytes() != file {
        return Err("the reported source is not the file as given".into());
    }
    let src = &r.source;
    for f in &r.findings {
        check_span(&f.rule, &f.span, src)?;
        for rel in &f.related {
            check_span(&format!("{} related", f.rule), &rel.span, src)?;
        }
        if let Some(s) = &f.suggestion {
            check_span(&format!("{} suggestion", f.rule), &s.span, src)?;
        }
    }
    Ok(())
}

/// The contract's line and column of a byte offset, computed the slow, obvious way: lines
/// are counted by `\n` (so CRLF is one break), columns in Unicode scalar values, both 1-based.
pub fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u64, column as u64)
}

/// Runs every reporter over `r`; JSON formats must give valid JSON that agrees with `r`.
pub fn check_reporters(r: &FileResult) -> Result<(), String> {
    let mut summary = Summary::default();
    summary.add(r);
    for format in OutputFormat::value_variants() {
        let name = format
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        for color in [false, true] {
            let mut out = Vec::new();
            let mut rep = report::reporter(*format, color);
            rep.file(&mut out, r)
                .and_then(|_| rep.finish(&mut out, &summary))
                .map_err(|e| format!("{name}: write failed: {e}"))?;
            let text = String::from_utf8(out).map_err(|_| format!("{name}: output not UTF-8"))?;
            match name.as_str() {
                "json" => check_json_doc(r, &text)?,
                "jsonl" => {
                    for line in text.lines() {
                        let v: Value = serde_json::from_str(line)
                            .map_err(|e| format!("jsonl: invalid line ({e}): {line}"))?;
                        if v.get("error").is_none() {
                            check_diagnostic(r, &v)?;
                        }
                    }
                }
                n if n.contains("json") || n == "sarif" => {
                    serde_json::from_str::<Value>(&text)
                        .map_err(|e| format!("{n}: invalid JSON ({e})"))?;
                }
                _ => {}
            }
            if name != "human" {
                break; // only the human format has colour
            }
        }
    }
    Ok(())
}

fn check_json_doc(r: &FileResult, text: &str) -> Result<(), String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("json: invalid JSON ({e}): {text}"))?;
    let file = &doc["files"][0];
    if file["path"].as_str() != Some(r.path.as_str()) {
        return Err("json: path missing or wrong".into());
    }
    if doc["summary"]["files"].as_u64() != Some(1) {
        return Err("json: summary missing".into());
    }
    if !r.errors.is_empty() && file["error"].as_str().is_none() {
        return Err("json: a failed file has no `error`".into());
    }
    let diags = file["diagnostics"].as_array().cloned().unwrap_or_default();
    if r.context.is_some() && diags.len() != r.findings.len() {
        return Err(format!(
            "json: {} diagnostics for {} findings",
            diags.len(),
            r.findings.len()
        ));
    }
    diags.iter().try_for_each(|d| check_diagnostic(r, d))
}

/// One JSON diagnostic: span, line/column and text agree with the source.
fn check_diagnostic(r: &FileResult, d: &Value) -> Result<(), String> {
    let src = &r.source;
    let num = |v: &Value| {
        v.as_u64()
            .ok_or_else(|| format!("json: not a number in {d}"))
    };
    let start = num(&d["span"]["start"])? as usize;
    let end = num(&d["span"]["end"])? as usize;
    check_span("json", &(start..end), src)?;
    for (key, offset) in [("start", start), ("end", end)] {
        let want = line_col(src, offset);
        let got = (num(&d[key]["line"])?, num(&d[key]["column"])?);
        if got != want {
            return Err(format!(
                "json: {key} at byte {offset} is line/column {got:?}, expected {want:?}"
            ));
        }
    }
    if d["text"].as_str() != Some(&src[start..end]) {
        return Err(format!("json: `text` is not the spanned text in {d}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_crlf_once_and_scalars() {
        let t = "a\r\nżx\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, t.find('x').unwrap()), (2, 2));
        assert_eq!(line_col(t, t.len()), (3, 1));
    }

    #[test]
    fn a_bad_span_is_caught() {
        assert!(check_span("x", &(0..2), "ż").is_ok());
        assert!(check_span("x", &(1..2), "ż").is_err());
        assert!(check_span("x", &(0..3), "ż").is_err());
    }

    #[test]
    fn reporters_take_any_bytes() {
        for seed in 0u8..=255 {
            let data: Vec<u8> = (0..600u32)
                .map(|i| (i.wrapping_mul(31) as u8) ^ seed)
                .collect();
            reporters(&data).unwrap();
        }
    }
}
