//! Text drafts (plain, HTML or Markdown): optional BOM, optional front matter, then the
//! message itself, rendered through template syntax and the markup's visible text.

use super::decode::Decoded;
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
    read_decoded(path, text, None, markup, template, vocab)
}

/// A file not in UTF-8: `text` is the raw file with the same byte offsets (see
/// [`super::lossless_text`]), `decoded` its real text with the map back to those bytes. Front
/// matter is read from the decoded text and its spans moved onto the raw bytes.
pub fn read_decoded(
    path: &str,
    text: String,
    decoded: Option<(&Decoded, &[u8])>,
    markup: Markup,
    template: bool,
    vocab: &Vocabulary,
) -> Result<ReadMessage, SourceError> {
    let readable = decoded.map_or(text.as_str(), |(d, _)| d.text.as_str());
    let start = if readable.starts_with('\u{FEFF}') {
        3
    } else {
        0
    };
    let mut fm = frontmatter::parse(path, readable, start).map_err(|mut e| {
        if let Some((d, _)) = decoded {
            e.span = e.span.map(|r| d.to_raw(r));
            e.text = text.as_str().into();
        }
        e
    })?;
    if let (Some(f), Some((d, _))) = (fm.as_mut(), decoded) {
        f.map_spans(|r| d.to_raw(r));
    }
    let base = match decoded {
        Some((d, raw)) => {
            let body = fm.as_ref().map_or(0, |f| f.body_start);
            // `body_start` is a raw offset now; the layer starts at the matching character.
            let from = d.text_offset(body);
            d.layer_from(from, raw)
        }
        None => {
            let body_start = fm.as_ref().map_or(start, |f| f.body_start);
            Layer::identity(&text[body_start..], body_start)
        }
    };
    let piece = Piece::new(&base, markup, template, vocab);
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
