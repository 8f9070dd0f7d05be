//! The default, rustc-style report: miette's graphical handler draws the code, severity,
//! primary and related labels on the source, and the help.

use super::{Reporter, Summary};
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Severity};
use crate::text::position::LineIndex;
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
    source: NamedSource<Snippet>,
}

/// The part of a file one report shows: the lines around its labels (a window inside a line
/// when that line is long), with the line and column where the window starts. miette reads a
/// whole source from its start to find a span's line, and prints the span's whole line: on a
/// big file, or a file that is one 50 MB line, that was quadratic in the findings.
struct Snippet {
    text: Arc<str>,
    window: std::ops::Range<usize>,
    /// 0-based line and column (in characters) of `window.start`.
    line: usize,
    column: usize,
}

/// Lines of context miette shows around a label (its default).
const CONTEXT_LINES: usize = 1;
/// Bytes shown on each side of a label inside a longer line.
const LONG_LINE_MARGIN: usize = 160;

impl Snippet {
    /// The window for a finding whose labels cover `covered`.
    fn new(text: &Arc<str>, idx: &LineIndex, covered: std::ops::Range<usize>) -> Snippet {
        let (a, b) = (covered.start.min(text.len()), covered.end.min(text.len()));
        let first = idx.line_of(a).saturating_sub(CONTEXT_LINES);
        let last = idx.line_of(b) + CONTEXT_LINES + 1;
        let mut start = idx.line_start(first).unwrap_or(0);
        let mut end = idx.line_start(last).unwrap_or(text.len());
        // A long line is cut around the labels (on character boundaries).
        if a.saturating_sub(start) > 4 * LONG_LINE_MARGIN {
            start = a - LONG_LINE_MARGIN;
            while !text.is_char_boundary(start) {
                start -= 1;
            }
        }
        if end.saturating_sub(b) > 4 * LONG_LINE_MARGIN {
            end = b + LONG_LINE_MARGIN;
            while !text.is_char_boundary(end) {
                end += 1;
            }
        }
        let (line, column) = idx.line_col(start);
        Snippet {
            text: text.clone(),
            window: start..end,
            line: line - 1,
            column: column - 1,
        }
    }

    /// All of a text (for errors, which are few).
    fn whole(text: Arc<str>) -> Snippet {
        Snippet {
            window: 0..text.len(),
            text,
            line: 0,
            column: 0,
        }
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let bytes = self.text.as_bytes();
        let (ws, we) = (self.window.start, self.window.end);
        if span.offset() < ws || span.offset() + span.len() > we {
            return bytes.read_span(span, before, after); // outside the window: read it all
        }
        let local = miette::SourceSpan::new((span.offset() - ws).into(), span.len());
        let c = bytes[ws..we].read_span(&local, before, after)?;
        let on_first_line = c.line() == 0;
        Ok(Box::new(miette::MietteSpanContents::new(
            c.data(),
            miette::SourceSpan::new((c.span().offset() + ws).into(), c.span().len()),
            c.line() + self.line,
            c.column() + if on_first_line { self.column } else { 0 },
            c.line_count() + self.line,
        )))
    }
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
    // Only the snippet's window is looked at: a file that is one 50 MB line is not walked
    // once per finding.
    let snippet = r.source.inner();
    let text: &str = &snippet.text[snippet.window.clone()];
    let local = |offset: usize| offset.saturating_sub(snippet.window.start).min(text.len());
    let wide = r.labels.iter().any(|l| {
        let at = local(l.offset());
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        end - start > MAX_QUOTED_LINE
    });
    if !wide {
        return None;
    }
    let at = r.labels.first().map_or(0, |l| local(l.offset()));
    let (line, col) = crate::text::position::line_col(text, at);
    let (line, col) = if line == 1 {
        (snippet.line + 1, snippet.column + col)
    } else {
        (snippet.line + line, col)
    };
    Some(Report {
        code: r.code.clone(),
        severity: r.severity,
        message: format!("{}:{line}:{col}: {}", r.source.name(), r.message),
        help: r.help.clone(),
        labels: Vec::new(),
        source: NamedSource::new(r.source.name(), Snippet::whole(Arc::from(""))),
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

    fn finding(&self, path: &str, source: &Arc<str>, idx: &LineIndex, f: &Finding) -> Report {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(f.label.to_string()),
            f.span.start..f.span.end,
        )];
        labels.extend(f.related.iter().map(|r| {
            LabeledSpan::new_with_span(Some(r.label.to_string()), r.span.start..r.span.end)
        }));
        let covered = f.related.iter().fold(f.span.clone(), |c, r| {
            c.start.min(r.span.start)..c.end.max(r.span.end)
        });
        let mut help = f.help.to_string();
        if let Some(s) = &f.suggestion {
            help.push_str(&format!("\nsuggestion: \"{}\"", s.replacement));
        }
        Report {
            code: f.rule.to_string(),
            severity: severity(f.severity),
            message: f.message.to_string(),
            help: Some(help),
            labels,
            source: NamedSource::new(path, Snippet::new(source, idx, covered)),
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
            source: NamedSource::new(&e.path, Snippet::whole(e.text.clone())),
        };
        self.render(out, &report)
    }
}

impl Reporter for HumanReporter {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        for e in &r.errors {
            self.error(out, e)?;
        }
        let idx = LineIndex::new(&r.source);
        for f in &r.findings {
            self.render(out, &self.finding(&r.path, &r.source, &idx, f))?;
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
