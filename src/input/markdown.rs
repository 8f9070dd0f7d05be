//! Markdown drafts: the text a reader sees once the Markdown is rendered.
//!
//! `pulldown-cmark` parses the draft and reports each event with its source range. Text is
//! copied with its range (exact where the source holds the same bytes; escapes and entities
//! map as a whole); code spans, code blocks and images are skipped; a link's web address
//! follows its text as ` <https://…>`, mapped onto the destination in the file (the reference
//! definition's, for `[text][ref]`), as in the HTML reader; raw HTML blocks go through the
//! HTML reader; paragraphs, headings and list items become lines, and
//! block quotes become `> ` lines, so segmentation sees the same shape as in a plain draft.

use super::html;
use super::layer::{covered_after, suppression_targets, Layer};
use super::template::Suppression;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::ops::Range;

#[derive(Debug, Default)]
pub struct Visible {
    pub layer: Layer,
    pub suppressions: Vec<Suppression>,
}

struct Emitter {
    out: Layer,
    pending: u8,
    pending_at: usize,
    quote: usize,
}

impl Emitter {
    /// A raw HTML block inside Markdown: its visible text as a paragraph of its own, and its
    /// suppression comments, all shifted to the block's place in the file.
    fn html_block(&mut self, src: &str, block: Range<usize>, suppressions: &mut Vec<Suppression>) {
        let v = html::visible_text(&src[block.clone()]);
        let shift = |r: Range<usize>| r.start + block.start..r.end + block.start;
        suppressions.extend(v.suppressions.into_iter().map(|s| Suppression {
            targets: s.targets,
            comment: shift(s.comment),
            covers: shift(s.covers),
        }));
        if !v.layer.text.trim().is_empty() {
            self.owe(2, block.start);
            self.before_text();
            self.out.append(&v.layer, block.start);
            // Breaks owed after the last block come to nothing: they are only written before text.
            self.owe(2, block.end);
        }
    }

    fn owe(&mut self, n: u8, at: usize) {
        if n > self.pending {
            self.pending = n;
            self.pending_at = at;
        }
    }

    fn before_text(&mut self) {
        if self.pending > 0 {
            self.out.ensure_breaks(self.pending, self.pending_at);
        }
        self.pending = 0;
        if self.quote > 0 && self.out.at_line_start() {
            self.out.synth("> ", self.pending_at);
        }
    }
}

/// A link being read.
struct Link {
    /// The destination as parsed (escapes and entities resolved).
    dest: String,
    /// The source that holds the destination: the inline link itself, or the reference
    /// definition.
    within: Range<usize>,
    /// Whether `within` is a reference definition.
    reference: bool,
    text_from: usize,
    /// The end of the link's text in the source: the destination is after it.
    text_end: usize,
}

impl Link {
    /// Where the destination is in the source, and whether it is there verbatim: after the
    /// link's `](`, or after a reference definition's `]:`; optionally inside `<…>`.
    fn destination(&self, src: &str) -> (Range<usize>, bool) {
        let (from, opener) = if self.reference {
            (self.within.start, "]:")
        } else {
            (
                self.text_end.clamp(self.within.start, self.within.end),
                "](",
            )
        };
        let hay = src.get(from..self.within.end).unwrap_or("");
        let after = hay.find(opener).map_or(0, |i| i + 2);
        if let Some(i) = hay[after..].find(self.dest.as_str()) {
            let start = from + after + i;
            return (start..start + self.dest.len(), true);
        }
        // Escaped or encoded: the first token after the opener stands for it as a whole.
        let rest = &hay[after..];
        let lead = rest.len() - rest.trim_start().len();
        let token = rest[lead..]
            .split(|c: char| c.is_whitespace() || c == ')')
            .next()
            .unwrap_or("");
        let start = from + after + lead;
        (start..start + token.len(), false)
    }
}

/// Extracts the visible text of the Markdown in `src`.
pub fn visible_text(src: &str) -> Visible {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut e = Emitter {
        out: Layer::default(),
        pending: 0,
        pending_at: 0,
        quote: 0,
    };
    let mut suppressions = Vec::new();
    let mut hidden = 0usize; // inside code blocks and images
    let mut html_block: Option<Range<usize>> = None;
    let note_comment = |html: &str, at: usize, suppressions: &mut Vec<Suppression>| {
        let mut pos = 0;
        while let Some(i) = html[pos..].find("<!--") {
            let start = pos + i;
            let Some(j) = html[start + 4..].find("-->") else {
                break;
            };
            let end = start + 4 + j + 3;
            if let Some(targets) = suppression_targets(&html[start + 4..end - 3]) {
                suppressions.push(Suppression {
                    targets,
                    comment: at + start..at + end,
                    covers: covered_after(src, at + end),
                });
            }
            pos = end;
        }
    };
    // Open links: where the destination is, where the link's text starts in the output, and
    // where the text ends in the source (the destination comes after it).
    let mut links: Vec<Option<Link>> = Vec::new();
    // Inline HTML anchors (`<a href="…">text</a>` in a paragraph): the `href` value in the
    // source and where the link's text starts in the output.
    let mut anchors: Vec<(Range<usize>, usize)> = Vec::new();
    let mut events = Parser::new_ext(src, opts).into_offset_iter();
    while let Some((event, range)) = events.next() {
        if let Some(Some(link)) = links.last_mut() {
            if !matches!(
                event,
                Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link)
            ) {
                link.text_end = link.text_end.max(range.end);
            }
        }
        if let Some(block) = html_block.as_mut() {
            match &event {
                Event::Html(_) => {
                    block.end = block.end.max(range.end);
                    continue;
                }
                _ => {
                    let block = html_block.take().unwrap_or(0..0);
                    e.html_block(src, block, &mut suppressions);
                }
            }
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::List(_)
                | Tag::Table(_)
                | Tag::FootnoteDefinition(_) => e.owe(2, range.start),
                Tag::Item | Tag::TableRow | Tag::TableHead => e.owe(1, range.start),
                Tag::BlockQuote(_) => {
                    e.owe(2, range.start);
                    e.quote += 1;
                }
                Tag::CodeBlock(_) | Tag::Image { .. } | Tag::MetadataBlock(_) => {
                    e.owe(2, range.start);
                    hidden += 1;
                }
                Tag::HtmlBlock => html_block = Some(range.start..range.start),
                Tag::Link {
                    link_type,
                    dest_url,
                    id,
                    ..
                } => {
                    let dest = match link_type {
                        LinkType::Inline => Some((range.clone(), false)),
                        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => events
                            .reference_definitions()
                            .get(&id)
                            .map(|d| (d.span.clone(), true)),
                        // Autolinks show their address as their text already.
                        _ => None,
                    };
                    links.push(
                        dest.filter(|_| hidden == 0)
                            .map(|(within, reference)| Link {
                                dest: dest_url.to_string(),
                                within,
                                reference,
                                text_from: e.out.len(),
                                text_end: range.start,
                            }),
                    );
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) if hidden == 0 => {
                    // "Jo\n-- " is a signature delimiter to the writer, a setext heading to
                    // Markdown: keep the delimiter line so segmentation finds the signature.
                    let h = &src[range.clone()];
                    let trimmed = h.trim_end();
                    if let Some(nl) = trimmed.rfind('\n') {
                        let last = &trimmed[nl + 1..];
                        if last.trim_end() == "--" {
                            let at = range.start + nl + 1 + (last.len() - last.trim_start().len());
                            e.out.synth("\n", at);
                            e.out.exact("--", at);
                            e.owe(1, range.end);
                            continue;
                        }
                    }
                    e.owe(2, range.end)
                }
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::FootnoteDefinition => e.owe(2, range.end),
                TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead => e.owe(1, range.end),
                TagEnd::TableCell if hidden == 0 && !e.out.at_line_start() => {
                    e.out.synth(" ", range.end);
                }
                TagEnd::BlockQuote(_) => {
                    e.quote = e.quote.saturating_sub(1);
                    e.owe(2, range.end);
                }
                TagEnd::CodeBlock | TagEnd::Image | TagEnd::MetadataBlock(_) => {
                    hidden = hidden.saturating_sub(1);
                    e.owe(2, range.end);
                }
                TagEnd::Link => {
                    if let Some(Some(link)) = links.pop() {
                        let link_text = e.out.text.get(link.text_from..).unwrap_or("");
                        if html::should_show_target(&link.dest, link_text) {
                            let (at, exact) = link.destination(src);
                            e.before_text();
                            html::show_target(&mut e.out, &link.dest, at, exact);
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if hidden > 0 || t.is_empty() {
                    continue;
                }
                e.before_text();
                if src.get(range.clone()) == Some(&*t) {
                    e.out.exact(&t, range.start);
                } else {
                    e.out.whole(&t, range.clone());
                }
            }
            Event::SoftBreak | Event::HardBreak if hidden == 0 && !e.out.is_empty() => {
                if e.quote > 0 {
                    e.owe(1, range.start);
                } else if src.get(range.clone()) == Some("\n") {
                    e.out.exact("\n", range.start);
                } else {
                    e.out.whole("\n", range.clone());
                }
            }
            Event::Rule => e.owe(2, range.start),
            Event::InlineHtml(h) if hidden == 0 && html::anchor_href(&h).is_some() => {
                if let Some(r) = html::anchor_href(&h) {
                    let at = range.start;
                    anchors.push((at + r.start..at + r.end, e.out.len()));
                }
            }
            Event::InlineHtml(h) if html::is_anchor_end(&h) => {
                if let Some((href, text_from)) = anchors.pop() {
                    let link_text = e.out.text.get(text_from..).unwrap_or("");
                    if let Some((url, at, exact)) = html::link_target(src, href, link_text) {
                        e.before_text();
                        html::show_target(&mut e.out, &url, at, exact);
                    }
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                note_comment(&h, range.start, &mut suppressions);
                let lower = h.to_ascii_lowercase();
                if lower.starts_with("<br") {
                    e.owe(1, range.start);
                }
            }
            // Code, math, footnote references and task markers are not prose.
            _ => {}
        }
    }
    if let Some(block) = html_block.take() {
        e.html_block(src, block, &mut suppressions);
    }
    Visible {
        layer: e.out,
        suppressions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(md: &str) -> String {
        visible_text(md).layer.text
    }

    #[test]
    fn prose_without_markup() {
        let md = "# Hello\n\nHi **Ana**,\nI read [your post](#post) on `hiring`.\n\n```\nbook a demo\n```\n\n![a demo](x.png)\n\n- one\n- two\n";
        assert_eq!(
            text(md),
            "Hello\n\nHi Ana,\nI read your post on .\n\none\ntwo"
        );
    }

    #[test]
    fn spans_point_into_the_markdown() {
        let md = "Hi *Ana* &amp; Jo,\n\nThe **demo** is ready.";
        let v = visible_text(md);
        assert_eq!(v.layer.text, "Hi Ana & Jo,\n\nThe demo is ready.");
        let d = v.layer.text.find("demo").unwrap();
        assert_eq!(&md[v.layer.map.to_source(d..d + 4)], "demo");
        let amp = v.layer.text.find('&').unwrap();
        assert_eq!(&md[v.layer.map.to_source(amp..amp + 1)], "&amp;");
        let line = v.layer.text.find("The").unwrap();
        assert_eq!(
            &md[v.layer.map.to_source(line..v.layer.text.len())],
            "The **demo** is ready."
        );
    }

    #[test]
    fn quotes_get_markers_and_html_blocks_are_read() {
        let md = "Thanks!\n\n> On Mon, Ana wrote:\n> can we talk?\n\n<div>\n<p>Visible <b>html</b></p>\n<!-- tactful-disable early-pitch -->\n</div>\n";
        let v = visible_text(md);
        assert_eq!(
            v.layer.text,
            "Thanks!\n\n> On Mon, Ana wrote:\n> can we talk?\n\nVisible html"
        );
        assert_eq!(v.suppressions.len(), 1);
    }

    #[test]
    fn signature_delimiter_survives() {
        let md = "Best,\nJo\n-- \nJo Smith | Acme\n";
        assert_eq!(text(md), "Best,\nJo\n--\n\nJo Smith | Acme");
    }

    /// The prose range of `needle` mapped to the file.
    fn source_of(md: &str, v: &Visible, needle: &str) -> String {
        let at = v.layer.text.find(needle).expect("needle in prose");
        md[v.layer.map.to_source(at..at + needle.len())].to_string()
    }

    #[test]
    fn inline_link_destinations_are_shown_and_map_to_the_file() {
        let md = "Pick [a *slot*](https://calendly.com/jo/15min \"my calendar\") today.\n";
        let v = visible_text(md);
        assert_eq!(
            v.layer.text,
            "Pick a slot <https://calendly.com/jo/15min> today."
        );
        let span_text = source_of(md, &v, "calendly.com/");
        assert_eq!(span_text, "calendly.com/");
        let at = v.layer.text.find("calendly").unwrap();
        assert_eq!(
            v.layer.map.to_source(at..at + 8).start,
            md.find("calendly").unwrap()
        );
        // Angle-bracketed and escaped destinations.
        let md = "[x](<https://cal.com/jo>) [y](https://x.io/a\\_b)";
        let v = visible_text(md);
        assert_eq!(v.layer.text, "x <https://cal.com/jo> y <https://x.io/a_b>");
        assert_eq!(source_of(md, &v, "cal.com/jo"), "cal.com/jo");
        assert_eq!(source_of(md, &v, "a_b"), "https://x.io/a\\_b");
    }

    #[test]
    fn reference_links_map_to_their_definition() {
        let md = "Grab [a slot][cal] or [Calendly].\n\n[cal]: https://calendly.com/jo\n[calendly]: <https://savvycal.com/jo> \"t\"\n";
        let v = visible_text(md);
        assert_eq!(
            v.layer.text,
            "Grab a slot <https://calendly.com/jo> or Calendly <https://savvycal.com/jo>."
        );
        let at = v.layer.text.find("calendly.com").unwrap();
        assert_eq!(
            v.layer.map.to_source(at..at + 12),
            md.rfind("calendly.com").unwrap()..md.rfind("calendly.com").unwrap() + 12
        );
        assert_eq!(source_of(md, &v, "savvycal.com/jo"), "savvycal.com/jo");
    }

    #[test]
    fn inline_html_anchors_show_their_target() {
        let md = "Pick <A class=b HREF='https://calendly.com/jo'>a *slot*</a> or <a href=\"#x\">none</a> <abbr>x</abbr><€ </a >.";
        let v = visible_text(md);
        assert_eq!(
            v.layer.text,
            "Pick a slot <https://calendly.com/jo> or none x<€ ."
        );
        assert_eq!(source_of(md, &v, "calendly.com/jo"), "calendly.com/jo");
        let at = v.layer.text.find("calendly").unwrap();
        assert_eq!(
            v.layer.map.to_source(at..at + 8).start,
            md.find("calendly").unwrap()
        );
    }

    #[test]
    fn autolinks_and_other_targets_are_not_doubled() {
        let md = "See <https://calendly.com/jo> or [calendly.com/jo](https://calendly.com/jo), [me](mailto:jo@x.io), [top](#top), `[x](https://a.io/b)`.";
        assert_eq!(
            text(md),
            "See https://calendly.com/jo or calendly.com/jo, me, top, ."
        );
    }
}
