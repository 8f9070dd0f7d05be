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
        Some(Box::new(&self.code))
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
        self.handler
            .render_report(&mut s, report)
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
            code: "tactful::error".into(),
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
