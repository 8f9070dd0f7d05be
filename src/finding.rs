//! What a check produces: findings (a rule, a severity, a message, spans into the checked
//! file) and, per file, a [`FileResult`]. Everything above the engine speaks this vocabulary;
//! reporters, the LSP and fixes need nothing else from the linter.

use crate::context::Context;
use crate::error::SourceError;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::Arc;

/// How much a finding matters. Ordered, so `--deny warning` is `severity >= Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub span: Range<usize>,
    pub label: String,
}

/// A rewrite of one span of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub span: Range<usize>,
    pub replacement: String,
    /// Safe rewrites are applied by `--fix`; others are only shown.
    pub safe: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: String,
    pub category: String,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    /// Byte range in the file as given.
    pub span: Range<usize>,
    /// What the primary label under the span says.
    pub label: String,
    pub related: Vec<Related>,
    pub suggestion: Option<Suggestion>,
}

/// The outcome of checking one file.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The path as shown in output.
    pub path: String,
    pub context: Option<Context>,
    /// The file's text, for reporters that quote it.
    pub source: Arc<str>,
    pub findings: Vec<Finding>,
    /// Why the file could not be checked (or a rule/config file it needs is broken).
    pub errors: Vec<SourceError>,
}

impl FileResult {
    pub fn failed(path: &str, errors: Vec<SourceError>) -> FileResult {
        FileResult {
            path: path.to_string(),
            context: None,
            source: Arc::from(""),
            findings: Vec::new(),
            errors,
        }
    }
}
