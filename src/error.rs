//! Errors that point into a file: a bad rule, a bad config, unreadable input. They are reported
//! like findings (path, span, message) and make the run exit with status 2.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct SourceError {
    pub path: String,
    /// The text of the file, when there is one to show.
    pub text: Arc<str>,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl SourceError {
    pub fn new(
        path: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        SourceError {
            path: path.to_string(),
            text: Arc::from(text),
            span,
            message: message.into(),
            help: None,
        }
    }

    /// An error about a file as a whole (it could not be read, it is not UTF-8).
    pub fn whole(path: &str, message: impl Into<String>) -> Self {
        SourceError::new(path, "", None, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// 1-based line and column (in characters) of the span's start.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let start = self.span.as_ref()?.start;
        Some(crate::text::position::line_col(&self.text, start))
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col() {
            Some((l, c)) => write!(f, "{}:{}:{}: {}", self.path, l, c, self.message)?,
            None => write!(f, "{}: {}", self.path, self.message)?,
        }
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for SourceError {}
