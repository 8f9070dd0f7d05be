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

/// Shared, immutable text: a rule's id, message and help are stored once and every finding of
/// the rule points at them (a file with 100,000 findings used to copy ~1 KB of text into each).
/// Reads like a `&str` (`Deref`, comparisons with `str`/`String`), clones in O(1).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(Arc<str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Arc::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Arc::from(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text(Arc::from(s.as_str()))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0.to_string()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, o: &str) -> bool {
        &*self.0 == o
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, o: &&str) -> bool {
        &*self.0 == *o
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, o: &String) -> bool {
        *self.0 == **o
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, o: &Text) -> bool {
        self == &*o.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, o: &Text) -> bool {
        *self == &*o.0
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, o: &Text) -> bool {
        **self == *o.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub span: Range<usize>,
    pub label: String,
    /// Set when this entry is another rule's finding folded into this one (see
    /// [`crate::lint::merge`]): which rule and category it was.
    pub merged: Option<MergedFrom>,
}

/// The rule a related entry came from, when overlapping findings of different categories were
/// reported as one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedFrom {
    pub rule: Text,
    pub category: Text,
}

/// A rewrite of one span of the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub span: Range<usize>,
    pub replacement: Text,
    /// Safe rewrites are applied by `--fix`; others are only shown.
    pub safe: bool,
}

/// Text fields are [`Text`]: those that come from the rule are shared with it, not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: Text,
    pub category: Text,
    pub severity: Severity,
    pub message: Text,
    pub help: Text,
    /// Byte range in the file as given.
    pub span: Range<usize>,
    /// What the primary label under the span says.
    pub label: Text,
    pub related: Vec<Related>,
    pub suggestion: Option<Suggestion>,
    /// How sure the learned layer is (0–1); `None` for pattern findings.
    pub confidence: Option<f32>,
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
    /// What the finding cap left out when the result was reported (see [`crate::cap`]).
    pub capped: Vec<crate::cap::Capped>,
}

impl FileResult {
    pub fn failed(path: &str, errors: Vec<SourceError>) -> FileResult {
        FileResult {
            path: path.to_string(),
            context: None,
            source: Arc::from(""),
            findings: Vec::new(),
            errors,
            capped: Vec::new(),
        }
    }
}
