//! The default, rustc-style report: miette's graphical handler draws the code, severity,
//! primary and related labels on the source, and the help.

use super::{Reporter, Summary};
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Severity};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

struct Report {
    code: String,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    source: NamedSource<Arc<str>>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        // An error about a file or a setting has no rule code: no heading rather than a
        // made-up one.
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display + 'a>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// Lines longer than this are not quoted: miette cannot pad a column past 65,535 (Rust's
/// formatting width limit) and such a snippet would not help a reader anyway.
const MAX_QUOTED_LINE: usize = 20_000;

/// The report with its location in the message instead of a snippet, when a label sits on a
/// line too long to quote; None when the report can be drawn as it is.
fn without_wide_snippet(r: &Report) -> Option<Report> {
    let text: &str = r.source.inner();
    let wide = r.labels.iter().any(|l| {
        let at = l.offset().min(text.len());
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        end - start > MAX_QUOTED_LINE
    });
    if !wide {
        return None;
    }
    let at = r.labels.first().map_or(0, |l| l.offset().min(text.len()));
    let (line, col) = crate::text::position::line_col(text, at);
    Some(Report {
        code: r.code.clone(),
        severity: r.severity,
        message: format!("{}:{line}:{col}: {}", r.source.name(), r.message),
        help: r.help.clone(),
        labels: Vec::new(),
        source: NamedSource::new(r.source.name(), Arc::from("")),
    })
}

pub struct HumanReporter {
    handler: GraphicalReportHandler,
    color: bool,
}

impl HumanReporter {
    pub fn new(color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        HumanReporter {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false),
            color,
        }
    }

    fn render(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        let mut s = String::new();
        let narrow = without_wide_snippet(report);
        self.handler
            .render_report(&mut s, narrow.as_ref().unwrap_or(report))
            .map_err(|_| io::Error::other("could not render report"))?;
        out.write_all(s.as_bytes())?;
        out.write_all(b"\n")
    }

    fn finding(&self, path: &str, source: &Arc<str>, f: &Finding) -> Report {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(f.label.clone()),
            f.span.start..f.span.end,
        )];
        labels.extend(
            f.related.iter().map(|r| {
                LabeledSpan::new_with_span(Some(r.label.clone()), r.span.start..r.span.end)
            }),
        );
        let mut help = f.help.clone();
        if let Some(s) = &f.suggestion {
            help.push_str(&format!("\nsuggestion: \"{}\"", s.replacement));
        }
        Report {
            code: f.rule.clone(),
            severity: severity(f.severity),
            message: f.message.clone(),
            help: Some(help),
            labels,
            source: NamedSource::new(path, source.clone()),
        }
    }

    pub fn error(&self, out: &mut dyn Write, e: &SourceError) -> io::Result<()> {
        let labels = e
            .span
            .as_ref()
            .map(|s| {
                vec![LabeledSpan::new_primary_with_span(
                    Some("here".into()),
                    s.start..s.end,
                )]
            })
            .unwrap_or_default();
        let report = Report {
            code: String::new(),
            severity: miette::Severity::Error,
            message: if e.span.is_some() {
                e.message.clone()
            } else {
                format!("{}: {}", e.path, e.message)
            },
            help: e.help.clone(),
            labels,
            source: NamedSource::new(&e.path, e.text.clone()),
        };
        self.render(out, &report)
    }
}

impl Reporter for HumanReporter {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        for e in &r.errors {
            self.error(out, e)?;
        }
        for f in &r.findings {
            self.render(out, &self.finding(&r.path, &r.source, f))?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, s: &Summary) -> io::Result<()> {
        let line = s.line();
        if self.color {
            writeln!(out, "\x1b[1m{line}\x1b[0m")
        } else {
            writeln!(out, "{line}")
        }
    }
}
