//! What the engine reports: a rule, a severity, a message, and spans into the checked file.

use crate::rules::Severity;
use serde::Serialize;
use std::ops::Range;

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
