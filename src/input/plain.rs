//! Plain-text drafts: optional BOM, optional front matter, then the message itself.

use super::{frontmatter, ReadMessage};
use crate::error::SourceError;
use crate::message::{segment_lines, Message, SourceMap, Vocabulary};

pub fn read(path: &str, text: String, vocab: &Vocabulary) -> Result<ReadMessage, SourceError> {
    let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let fm = frontmatter::parse(path, &text, start)?;
    let body_start = fm.as_ref().map_or(start, |f| f.body_start);
    let segments = segment_lines(&text, body_start, vocab);
    let message = Message {
        map: SourceMap::identity(text.len()),
        prose: text.clone(),
        source: text,
        segments,
        front_matter: fm.as_ref().map(|f| f.range.clone()),
        ..Default::default()
    };
    Ok(ReadMessage {
        message,
        front_matter: fm,
    })
}
