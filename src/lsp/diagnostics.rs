//! Findings and errors as LSP diagnostics, with UTF-16 ranges.

use super::documents::path_to_uri;
use crate::finding::{FileResult, Finding, Severity};
use crate::rules::catalog::rule_docs_url;
use crate::text::position::{LineIndex16, Utf16Position};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Uri,
};
use std::path::Path;
use std::str::FromStr;

/// The LSP range of a byte span.
pub(super) fn range(idx: &LineIndex16, span: &std::ops::Range<usize>) -> lsp_types::Range {
    let p = |o| {
        let Utf16Position { line, character } = idx.position(o);
        lsp_types::Position::new(line, character)
    };
    lsp_types::Range::new(p(span.start), p(span.end))
}

/// The byte offset of an LSP position.
pub(super) fn offset(idx: &LineIndex16, p: lsp_types::Position) -> usize {
    idx.offset(Utf16Position {
        line: p.line,
        character: p.character,
    })
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

pub(super) fn diagnostic(uri: &Uri, idx: &LineIndex16, f: &Finding) -> Diagnostic {
    let mut message = f.message.to_string();
    if !f.label.is_empty() && f.label != f.message {
        message.push_str(&format!(": {}", f.label));
    }
    if !f.help.is_empty() {
        message.push_str(&format!("\nhelp: {}", f.help.trim()));
    }
    if let Some(s) = &f.suggestion {
        message.push_str(&format!("\nsuggestion: \"{}\"", s.replacement));
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(idx, &r.span)),
            message: r.label.clone(),
        })
        .collect();
    Diagnostic {
        range: range(idx, &f.span),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.to_string())),
        code_description: Uri::from_str(&rule_docs_url(&f.rule, &f.category))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("tactful".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// Diagnostics for a check: findings, and errors (a bad front matter in this document, or a
/// broken config or rule file, shown at the top of the document and linked to the file).
pub(super) fn diagnostics(uri: &Uri, text: &str, r: &FileResult) -> Vec<Diagnostic> {
    let idx = LineIndex16::new(text);
    let mut out: Vec<Diagnostic> = r
        .findings
        .iter()
        .map(|f| diagnostic(uri, &idx, f))
        .collect();
    for e in &r.errors {
        let here = e.path == r.path;
        let at = match (&e.span, here) {
            (Some(s), true) => range(&idx, s),
            _ => lsp_types::Range::default(),
        };
        let mut message = if here {
            e.message.clone()
        } else {
            format!("{}: {}", e.path, e.message)
        };
        if let Some(h) = &e.help {
            message.push_str(&format!("\nhelp: {h}"));
        }
        let related = match (&e.span, here) {
            (Some(s), false) => path_to_uri(Path::new(&e.path)).map(|u| {
                let other = LineIndex16::new(&e.text);
                vec![DiagnosticRelatedInformation {
                    location: Location::new(u, range(&other, s)),
                    message: e.message.clone(),
                }]
            }),
            _ => None,
        };
        out.push(Diagnostic {
            range: at,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String(crate::internal::INPUT_ERROR.into())),
            source: Some("tactful".into()),
            message,
            related_information: related,
            ..Default::default()
        });
    }
    out
}
