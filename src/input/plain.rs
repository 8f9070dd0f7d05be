//! Text drafts (plain, HTML or Markdown): optional BOM, optional front matter, then the
//! message itself, rendered through template syntax and the markup's visible text.

use super::layer::Layer;
use super::render::{assemble, Markup, Piece};
use super::{frontmatter, ReadMessage};
use crate::error::SourceError;
use crate::message::Vocabulary;

pub fn read(
    path: &str,
    text: String,
    markup: Markup,
    template: bool,
    vocab: &Vocabulary,
) -> Result<ReadMessage, SourceError> {
    let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let fm = frontmatter::parse(path, &text, start)?;
    let body_start = fm.as_ref().map_or(start, |f| f.body_start);
    let base = Layer::identity(&text[body_start..], body_start);
    let piece = Piece::new(&base, markup, template);
    let mut message = assemble(
        text.clone(),
        None,
        std::slice::from_ref(&piece),
        vocab,
        Vec::new(),
    );
    message.front_matter = fm.as_ref().map(|f| f.range.clone());
    Ok(ReadMessage {
        message,
        context: fm.as_ref().map(|f| f.context.clone()).unwrap_or_default(),
        front_matter: fm,
    })
}
