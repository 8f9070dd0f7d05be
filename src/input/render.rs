//! Assembling a [`Message`] from decoded layers: template rendering, then the visible text of
//! the markup, then segmentation. Every format goes through here, so a placeholder in an
//! email, an HTML draft or a Markdown file is found and mapped the same way.

use super::layer::Layer;
use super::template::{self, Suppression, Template};
use super::{html, markdown};
use crate::message::{
    segment_body, segment_lines, InlineSuppression, InputNote, Message, Placeholder, Segment,
    SegmentKind, Vocabulary,
};
use std::ops::Range;

/// How the words inside a piece of text are marked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Markup {
    Plain,
    Html,
    Markdown,
}

/// One decoded piece of a file (a whole draft, an email's subject or one body part), parsed
/// for template syntax once and rendered per variant.
pub struct Piece<'a> {
    pub base: &'a Layer,
    pub markup: Markup,
    pub template: Template,
}

impl<'a> Piece<'a> {
    pub fn new(base: &'a Layer, markup: Markup, merge_tags: bool, vocab: &Vocabulary) -> Piece<'a> {
        Piece {
            template: template::parse_with_fields(
                &base.text,
                merge_tags,
                markup == Markup::Plain,
                &vocab.fields,
            ),
            base,
            markup,
        }
    }
}

/// A piece rendered for one variant, mapped to the file.
struct Built {
    layer: Layer,
    placeholders: Vec<Placeholder>,
    suppressions: Vec<Suppression>,
}

fn build(piece: &Piece, variant: usize) -> Built {
    let rendered = piece.template.render(&piece.base.text, variant);
    let (visible, markup_suppressions) = match piece.markup {
        Markup::Plain => (None, Vec::new()),
        Markup::Html => {
            let v = html::visible_text(&rendered.layer.text);
            (Some(v.layer), v.suppressions)
        }
        Markup::Markdown => {
            let v = markdown::visible_text(&rendered.layer.text);
            (Some(v.layer), v.suppressions)
        }
    };
    let to_file = rendered.layer.map.compose(&piece.base.map);
    let (text, map) = match &visible {
        Some(v) => (v.text.clone(), v.map.compose(&to_file)),
        None => (rendered.layer.text.clone(), to_file.clone()),
    };
    let placeholders = rendered
        .placeholders
        .iter()
        .filter_map(|p| {
            let prose = match &visible {
                Some(v) => v.map.to_prose(p.rendered.clone())?,
                None => p.rendered.clone(),
            };
            Some(Placeholder {
                source: piece.base.map.to_source(p.tag.clone()),
                prose,
                name: p.name.clone(),
                has_fallback: p.has_fallback,
                marker: p.marker,
            })
        })
        .collect();
    let suppressions = markup_suppressions
        .into_iter()
        .map(|s| Suppression {
            targets: s.targets,
            comment: to_file.to_source(s.comment),
            covers: to_file.to_source(s.covers),
        })
        .collect();
    Built {
        layer: Layer { text, map },
        placeholders,
        suppressions,
    }
}

/// Byte ranges of Markdown code in `text`: inline code spans and code blocks.
fn markdown_code(text: &str) -> Vec<Range<usize>> {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new(text)
        .into_offset_iter()
        .filter_map(|(e, r)| match e {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => Some(r),
            _ => None,
        })
        .collect()
}

/// Builds the message (and its other renderings, as `variants`) from the pieces of a file.
/// `subject` is an email's Subject header; `bodies` are read in order, a blank line apart.
pub fn assemble(
    source: String,
    subject: Option<Piece>,
    bodies: &[Piece],
    vocab: &Vocabulary,
    mut notes: Vec<InputNote>,
) -> Message {
    let count = subject
        .iter()
        .chain(bodies)
        .map(|p| p.template.variants)
        .max()
        .unwrap_or(1)
        .max(1);
    let mut suppressions = Vec::new();
    for p in subject.iter().chain(bodies) {
        // A comment shown as code in Markdown (`` `{{!-- tactful-disable x --}}` `` in a
        // how-to) is an example for the reader, not a suppression.
        let code = if p.markup == Markup::Markdown && !p.template.suppressions.is_empty() {
            markdown_code(&p.base.text)
        } else {
            Vec::new()
        };
        for s in &p.template.suppressions {
            if code
                .iter()
                .any(|c| c.start <= s.comment.start && s.comment.end <= c.end)
            {
                continue;
            }
            suppressions.push(InlineSuppression {
                targets: s.targets.clone(),
                comment: p.base.map.to_source(s.comment.clone()),
                covers: p.base.map.to_source(s.covers.clone()),
            });
        }
        for (message, span) in &p.template.notes {
            notes.push(InputNote {
                message: message.clone(),
                span: p.base.map.to_source(span.clone()),
            });
        }
    }
    let mut messages = Vec::with_capacity(count);
    for v in 0..count {
        let mut prose = Layer::default();
        let mut placeholders = Vec::new();
        let mut segments = Vec::new();
        let mut add =
            |prose: &mut Layer, b: Built, placeholders: &mut Vec<Placeholder>| -> Range<usize> {
                let at = prose.len();
                prose.append(&b.layer, 0);
                placeholders.extend(b.placeholders.into_iter().map(|mut p| {
                    p.prose = p.prose.start + at..p.prose.end + at;
                    p
                }));
                if v == 0 {
                    suppressions.extend(b.suppressions.into_iter().map(|s| InlineSuppression {
                        targets: s.targets,
                        comment: s.comment,
                        covers: s.covers,
                    }));
                }
                at..prose.len()
            };
        if let Some(s) = &subject {
            let r = add(&mut prose, build(s, v), &mut placeholders);
            let text = &prose.text[r.clone()];
            let lead = text.len() - text.trim_start().len();
            let t = text.trim();
            // A subject is one line: folded or multi-line junk counts up to its first break.
            let end = t.find('\n').map_or(t.len(), |i| t[..i].trim_end().len());
            if end > 0 {
                segments.push(Segment {
                    kind: SegmentKind::Subject,
                    range: r.start + lead..r.start + lead + end,
                    lang: None,
                });
            }
            let at = s.base.map.to_source(0..0).start;
            prose.synth("\n\n", at);
        }
        let body_start = prose.len();
        for (k, b) in bodies.iter().enumerate() {
            if k > 0 {
                let at = b.base.map.to_source(0..0).start;
                prose.synth("\n\n", at);
            }
            add(&mut prose, build(b, v), &mut placeholders);
        }
        if subject.is_some() {
            segments.extend(segment_body(&prose.text, body_start, vocab));
        } else {
            segments = segment_lines(&prose.text, body_start, vocab);
        }
        messages.push(Message {
            source: String::new(),
            prose: prose.text,
            map: prose.map,
            segments,
            placeholders,
            ..Default::default()
        });
    }
    let mut main = messages.remove(0);
    main.source = source;
    main.variants = messages;
    main.suppressions = suppressions;
    main.notes = notes;
    main
}
