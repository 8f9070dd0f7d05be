//! The message model: what a checked file becomes before any rule sees it.
//!
//! A [`Message`] owns the file's exact text (`source`), the *prose* that rules read (the words
//! the recipient will see, with markup, headers and template syntax taken out) and a
//! [`SourceMap`] from prose offsets back to source offsets, so every finding points at the bytes
//! the user has open. The prose is cut into [`Segment`]s: subject, greeting, body paragraphs,
//! sign-off, signature and quoted text.

mod segment;
mod source_map;

pub use segment::{segment_body, segment_lines, MarkerWords, Markers, SegmentKind, Vocabulary};
pub use source_map::SourceMap;

use std::ops::Range;

/// One part of a message, as a byte range into [`Message::prose`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub kind: SegmentKind,
    pub range: Range<usize>,
    /// The language of this part when it differs from the message's (set by detection).
    pub lang: Option<String>,
}

/// A merge-tag placeholder found in a template or in a draft (`{{first_name}}`, `*|FNAME|*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Byte range in the source file.
    pub source: Range<usize>,
    /// Byte range of the stand-in text in the prose.
    pub prose: Range<usize>,
    /// The variable's name as written (`first_name`, `Contact.FirstName`).
    pub name: String,
    /// Whether the tag carries a fallback for an empty value (or sits in a conditional whose
    /// other branch says something instead).
    pub has_fallback: bool,
    /// A vendor's marker for a value it could not fill (`[[MISSING TOKEN …]]`), not a tag.
    pub marker: bool,
}

/// Something the reader noticed about the input that the user should know (a malformed MIME
/// part, an undecodable charset); reported as a warning, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputNote {
    pub message: String,
    pub span: Range<usize>,
}

/// A suppression comment found in the file (`{{!-- tactful-disable early-pitch --}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineSuppression {
    /// Rule ids or categories it names; empty means every rule.
    pub targets: Vec<String>,
    /// Where the comment is, in the source.
    pub comment: Range<usize>,
    /// The source range it silences.
    pub covers: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Message {
    /// The file's text exactly as given (BOM, front matter, headers and markup included).
    pub source: String,
    /// The words rules look at.
    pub prose: String,
    pub map: SourceMap,
    pub segments: Vec<Segment>,
    /// Source range of the YAML front matter block, delimiters included.
    pub front_matter: Option<Range<usize>>,
    pub placeholders: Vec<Placeholder>,
    pub suppressions: Vec<InlineSuppression>,
    pub notes: Vec<InputNote>,
    /// Other renderings of the same file: a template's other branches, fallbacks and spintax
    /// options. Each is checked like the message itself and the findings are merged. They
    /// share this message's `source`, so theirs is left empty; they have no variants, notes
    /// or suppressions of their own.
    pub variants: Vec<Message>,
}

impl Message {
    /// Source byte range of a prose byte range.
    pub fn to_source(&self, prose: Range<usize>) -> Range<usize> {
        self.map.to_source(prose)
    }

    pub fn segment_text(&self, seg: &Segment) -> &str {
        &self.prose[seg.range.clone()]
    }

    /// The prose of every segment of the given kinds, in order, joined by blank lines.
    pub fn text_of(&self, kinds: &[SegmentKind]) -> String {
        let mut out = String::new();
        for seg in self.segments.iter().filter(|s| kinds.contains(&s.kind)) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(self.segment_text(seg));
        }
        out
    }
}
