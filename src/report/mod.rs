//! Reporters turn file results into output. Each format is one file here; they all receive
//! results in input order through the [`Reporter`] trait and never see the engine.

pub mod github;
pub mod html;
mod human;
mod json;
pub mod sarif;
mod short;

use crate::finding::{FileResult, Severity};
use std::io::{self, Write};

pub use github::GithubReporter;
pub use html::HtmlReporter;
pub use human::HumanReporter;
pub use json::{diagnostic_json, JsonReporter, JsonlReporter};
pub use sarif::SarifReporter;
pub use short::ShortReporter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Compiler-style report: the source, the span, a label and the help.
    Human,
    /// `path:line:column: severity[rule]: message`, one line per finding (Vim, Emacs).
    Short,
    /// One JSON document: files, their context and diagnostics, a summary.
    Json,
    /// One JSON diagnostic per line, each with its `path`.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on a pull request.
    Github,
    /// One self-contained HTML page: totals, a sortable file list, highlighted text.
    Html,
}

/// Totals over a run.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Files that could not be checked.
    #[serde(skip)]
    pub failed: usize,
    /// Findings counted above but not listed: the per-file cap replaced them with a
    /// `tactful/capped` finding (see [`crate::cap`]).
    pub hidden: usize,
}

impl Summary {
    /// The line every report ends with: "1 error, 3 warnings in 1 file".
    pub fn line(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let files = plural(self.files, "file");
        if self.errors + self.warnings + self.infos == 0 && self.failed == 0 {
            return format!("no problems found in {files}");
        }
        let mut parts = vec![
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
        ];
        if self.infos > 0 {
            parts.push(plural(self.infos, "note"));
        }
        if self.failed > 0 {
            parts.push(format!("{} not checked", plural(self.failed, "file")));
        }
        if self.hidden > 0 {
            parts.push(format!(
                "{} not listed (--max-per-rule)",
                plural(self.hidden, "finding")
            ));
        }
        format!("{} in {files}", parts.join(", "))
    }

    pub fn add(&mut self, r: &FileResult) {
        self.files += 1;
        if !r.errors.is_empty() {
            self.failed += 1;
        }
        for f in &r.findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }
}

pub trait Reporter {
    fn file(&mut self, out: &mut dyn Write, result: &FileResult) -> io::Result<()>;
    fn finish(&mut self, out: &mut dyn Write, summary: &Summary) -> io::Result<()>;
    /// Whether [`Reporter::set_rules`] should be called before `finish` (SARIF lists them).
    fn wants_rules(&self) -> bool {
        false
    }
    fn set_rules(&mut self, _rules: Vec<crate::rules::catalog::RuleMeta>) {}
}

pub fn reporter(format: OutputFormat, color: bool) -> Box<dyn Reporter> {
    match format {
        OutputFormat::Human => Box::new(HumanReporter::new(color)),
        OutputFormat::Short => Box::new(ShortReporter),
        OutputFormat::Json => Box::new(JsonReporter::default()),
        OutputFormat::Jsonl => Box::new(JsonlReporter),
        OutputFormat::Sarif => Box::new(SarifReporter::default()),
        OutputFormat::Github => Box::new(GithubReporter),
        OutputFormat::Html => Box::new(HtmlReporter::default()),
    }
}

/// A learned finding's confidence as printed: three decimals, so output is stable.
pub fn confidence(c: f32) -> f64 {
    (f64::from(c) * 1000.0).round() / 1000.0
}
