//! HTML drafts and HTML email bodies: the visible text, and nothing else.
//!
//! Tags, attributes, comments, `<head>`, scripts, styles, code and hidden elements are
//! skipped, except where a link goes: a web address in `href` follows the link's text as
//! ` <https://…>`, the way the plain-text version of a mail shows it, mapped onto the `href`
//! value (see [`show_target`]); white space collapses as a browser collapses it; block
//! elements become line breaks so that segmentation sees paragraphs; entities are decoded and
//! map back to the whole entity. Quoted replies (`<blockquote>`, Gmail's and Yahoo's quote
//! containers) come out as `> ` lines and signature blocks behind a `-- ` line, so they are
//! segmented as quotes and signatures. A tolerant tokenizer, not a DOM: email HTML is rarely
//! well formed, and every byte it emits must keep its offset.

use super::layer::{covered_after, suppression_targets, Layer};
use super::template::Suppression;
use std::ops::Range;

/// Visible text of an HTML document, with `tactful-disable` comments found in it.
#[derive(Debug, Default)]
pub struct Visible {
    /// Maps the visible text to offsets in the HTML.
    pub layer: Layer,
    pub suppressions: Vec<Suppression>,
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Elements whose content is not parsed as HTML and never shown.
const RAW: &[&str] = &[
    "script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript",
];
/// Elements whose content is not prose.
const SKIP: &[&str] = &[
    "head", "template", "svg", "math", "code", "kbd", "samp", "object", "canvas", "audio", "video",
    "select",
];
const PARAGRAPH: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "blockquote",
    "hr",
    "pre",
    "dl",
    "figure",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "nav",
    "aside",
    "form",
    "fieldset",
    "address",
    "body",
];
const LINE: &[&str] = &[
    "div",
    "li",
    "tr",
    "dt",
    "dd",
    "center",
    "caption",
    "figcaption",
    "details",
    "summary",
];

#[derive(Debug, Clone, Copy, Default)]
struct Effects {
    skip: bool,
    quote: bool,
    pre: bool,
    signature: bool,
}

struct Open {
    name: String,
    effects: Effects,
    /// A visible link: its `href` value in the source, and where its text starts in the output.
    link: Option<(Range<usize>, usize)>,
}

struct Walker<'a> {
    src: &'a str,
    out: Layer,
    /// Line breaks owed before the next visible character (0, 1 or 2), and where.
    pending: u8,
    pending_at: usize,
    /// Collapsed white space owed before the next visible character.
    space: Option<Range<usize>>,
    stack: Vec<Open>,
    skip: usize,
    quote: usize,
    pre: usize,
    signature_owed: bool,
    signature_done: bool,
    suppressions: Vec<Suppression>,
}

/// Extracts the visible text of `src`.
pub fn visible_text(src: &str) -> Visible {
    let mut w = Walker::new(src);
    w.run();
    Visible {
        layer: w.out,
        suppressions: w.suppressions,
    }
}

/// The `href` value of an opening `<a …>` tag (raw HTML inside Markdown), as a range in `tag`.
pub(super) fn anchor_href(tag: &str) -> Option<Range<usize>> {
    let b = tag.as_bytes();
    if b.len() < 3
        || b[0] != b'<'
        || !b[1].eq_ignore_ascii_case(&b'a')
        || !b[2].is_ascii_whitespace()
    {
        return None;
    }
    let (_, attrs) = Walker::new(tag).attributes(2);
    attrs
        .into_iter()
        .find(|(n, _, _)| n == "href")
        .map(|(_, _, r)| r)
}

/// Whether `tag` is a closing `</a>` (raw HTML inside Markdown).
pub(super) fn is_anchor_end(tag: &str) -> bool {
    let b = tag.as_bytes();
    b.len() >= 4
        && b[..3].eq_ignore_ascii_case(b"</a")
        && (b[3] == b'>' || b[3].is_ascii_whitespace())
}

/// What a link shows after its text, if anything: the address (entities decoded), where it is
/// in `src` (white space trimmed), and whether it is there verbatim.
pub(super) fn link_target(
    src: &str,
    href: Range<usize>,
    link_text: &str,
) -> Option<(String, Range<usize>, bool)> {
    let raw = src.get(href.clone())?;
    let lead = raw.len() - raw.trim_start().len();
    let href = href.start + lead..href.start + raw.trim_end().len();
    let raw = &src[href.clone()];
    let url = if raw.contains('&') {
        decode_entities(raw)
    } else {
        raw.to_string()
    };
    let exact = url == raw;
    should_show_target(&url, link_text).then_some((url, href, exact))
}

impl<'a> Walker<'a> {
    fn new(src: &'a str) -> Self {
        Walker {
            src,
            out: Layer::default(),
            pending: 0,
            pending_at: 0,
            space: None,
            stack: Vec::new(),
            skip: 0,
            quote: 0,
            pre: 0,
            signature_owed: false,
            signature_done: false,
            suppressions: Vec::new(),
        }
    }
}

fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || from >= h.len() {
        return None;
    }
    (from..=h.len().saturating_sub(n.len())).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

impl Walker<'_> {
    fn run(&mut self) {
        let b = self.src.as_bytes();
        let mut pos = 0;
        let mut text_start = 0;
        while pos < b.len() {
            if b[pos] != b'<' {
                pos += 1;
                continue;
            }
            let next = b.get(pos + 1).copied().unwrap_or(b' ');
            let is_markup = next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?');
            if !is_markup {
                pos += 1;
                continue;
            }
            self.text(text_start..pos);
            pos = self.markup(pos);
            text_start = pos;
        }
        self.text(text_start..b.len());
        // Links left open at the end still lead somewhere.
        while let Some(o) = self.stack.pop() {
            if let Some((href, text_from)) = o.link {
                if self.skip == 0 {
                    self.close_link(href, text_from);
                }
            }
            if o.effects.skip {
                self.skip = self.skip.saturating_sub(1);
            }
        }
    }

    /// Handles the markup at `pos` (which holds `<`); returns where text resumes.
    fn markup(&mut self, pos: usize) -> usize {
        let src = self.src;
        let rest = &src[pos..];
        if rest.starts_with("<!--") {
            let (content_end, end) = match src[pos + 4..].find("-->") {
                Some(i) => (pos + 4 + i, pos + 4 + i + 3),
                None => (src.len(), src.len()),
            };
            let content = &src[pos + 4..content_end];
            if let Some(targets) = suppression_targets(content) {
                self.suppressions.push(Suppression {
                    targets,
                    comment: pos..end,
                    covers: covered_after(src, end),
                });
            }
            return end;
        }
        if rest.starts_with("<![CDATA[") {
            return src[pos..].find("]]>").map_or(src.len(), |i| pos + i + 3);
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            return src[pos..].find('>').map_or(src.len(), |i| pos + i + 1);
        }
        let closing = rest.starts_with("</");
        let name_start = pos + if closing { 2 } else { 1 };
        let name_len = src[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(src.len() - name_start);
        let name = src[name_start..name_start + name_len].to_ascii_lowercase();
        let (end, attrs) = self.attributes(name_start + name_len);
        if closing {
            self.end_tag(&name, pos);
            return end;
        }
        let self_closing = end >= 2 && src.as_bytes()[end - 2] == b'/';
        if RAW.contains(&name.as_str()) && !self_closing {
            let close = find_ci(src, end, &format!("</{name}")).unwrap_or(src.len());
            return src[close..].find('>').map_or(src.len(), |i| close + i + 1);
        }
        self.start_tag(&name, &attrs, pos, self_closing);
        end
    }

    /// Reads attributes up to the tag's `>`; returns the end of the tag and the few
    /// attributes that matter (lower-cased names), with where each value is in the source.
    fn attributes(&self, mut pos: usize) -> (usize, Vec<Attr>) {
        let b = self.src.as_bytes();
        let mut attrs = Vec::new();
        while pos < b.len() {
            match b[pos] {
                b'>' => return (pos + 1, attrs),
                c if c.is_ascii_whitespace() || c == b'/' => pos += 1,
                _ => {
                    let start = pos;
                    while pos < b.len()
                        && !b[pos].is_ascii_whitespace()
                        && !matches!(b[pos], b'=' | b'>' | b'/')
                    {
                        pos += 1;
                    }
                    let name = self.src[start..pos].to_ascii_lowercase();
                    let mut value = String::new();
                    let mut at = pos..pos;
                    let mut p = pos;
                    while p < b.len() && b[p].is_ascii_whitespace() {
                        p += 1;
                    }
                    if p < b.len() && b[p] == b'=' {
                        p += 1;
                        while p < b.len() && b[p].is_ascii_whitespace() {
                            p += 1;
                        }
                        if p < b.len() && (b[p] == b'"' || b[p] == b'\'') {
                            let q = b[p];
                            let vs = p + 1;
                            let ve = self.src[vs..]
                                .bytes()
                                .position(|c| c == q)
                                .map_or(b.len(), |i| vs + i);
                            value = self.src[vs..ve].to_string();
                            at = vs..ve;
                            pos = (ve + 1).min(b.len());
                        } else {
                            let vs = p;
                            while p < b.len() && !b[p].is_ascii_whitespace() && b[p] != b'>' {
                                p += 1;
                            }
                            value = self.src[vs..p].to_string();
                            at = vs..p;
                            pos = p;
                        }
                    }
                    if pos == start {
                        pos += 1;
                    }
                    if matches!(
                        name.as_str(),
                        "class" | "id" | "style" | "hidden" | "type" | "href"
                    ) {
                        attrs.push((name, value, at));
                    }
                }
            }
        }
        (b.len(), attrs)
    }

    fn start_tag(&mut self, name: &str, attrs: &[Attr], at: usize, self_closing: bool) {
        if self.skip == 0 {
            if name == "br" {
                self.pending = (self.pending + 1).min(2);
                self.pending_at = at;
                self.space = None;
            } else if PARAGRAPH.contains(&name) {
                self.owe_break(2, at);
            } else if LINE.contains(&name) {
                self.owe_break(1, at);
            } else if matches!(name, "td" | "th") && !self.out.is_empty() {
                self.space = Some(at..at);
            }
        }
        if VOID.contains(&name) || self_closing {
            return;
        }
        let attr = |k: &str| {
            attrs
                .iter()
                .find(|(n, _, _)| n == k)
                .map(|(_, v, _)| v.to_ascii_lowercase())
        };
        let class = attr("class").unwrap_or_default();
        let id = attr("id").unwrap_or_default();
        let style: String = attr("style")
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut e = Effects {
            skip: SKIP.contains(&name)
                || attrs.iter().any(|(n, _, _)| n == "hidden")
                || style.contains("display:none"),
            quote: name == "blockquote"
                || [
                    "gmail_quote",
                    "yahoo_quoted",
                    "moz-cite-prefix",
                    "gmail_attr",
                ]
                .iter()
                .any(|c| class.contains(c))
                || attr("type").is_some_and(|t| t == "cite"),
            pre: name == "pre",
            signature: class.contains("gmail_signature")
                || class.contains("moz-signature")
                || id == "signature",
        };
        if e.quote && self.quote > 0 {
            e.quote = false; // nested quote containers add no second `> `
        }
        if e.skip {
            self.skip += 1;
        }
        if e.quote {
            self.quote += 1;
            self.owe_break(2, at);
        }
        if e.pre {
            self.pre += 1;
        }
        if e.signature && !self.signature_done {
            self.signature_owed = true;
            self.owe_break(1, at);
        }
        let link = match attrs.iter().find(|(n, _, _)| n == "href") {
            Some((_, _, value)) if name == "a" && self.skip == 0 => {
                Some((value.clone(), self.out.len()))
            }
            _ => None,
        };
        self.stack.push(Open {
            name: name.to_string(),
            effects: e,
            link,
        });
    }

    /// Closes a link: shows where it goes after its text.
    fn close_link(&mut self, href: Range<usize>, text_from: usize) {
        let link_text = self.out.text.get(text_from..).unwrap_or("");
        if let Some((url, href, exact)) = link_target(self.src, href, link_text) {
            self.flush();
            show_target(&mut self.out, &url, href, exact);
        }
    }

    fn end_tag(&mut self, name: &str, at: usize) {
        if let Some(i) = self.stack.iter().rposition(|o| o.name == name) {
            while self.stack.len() > i {
                let Some(o) = self.stack.pop() else { break };
                if let Some((href, text_from)) = o.link {
                    self.close_link(href, text_from);
                }
                let e = o.effects;
                if e.skip {
                    self.skip = self.skip.saturating_sub(1);
                }
                if e.quote {
                    self.quote = self.quote.saturating_sub(1);
                    self.owe_break(2, at);
                }
                if e.pre {
                    self.pre = self.pre.saturating_sub(1);
                }
            }
        }
        if self.skip == 0 {
            if PARAGRAPH.contains(&name) {
                self.owe_break(2, at);
            } else if LINE.contains(&name) {
                self.owe_break(1, at);
            }
        }
    }

    fn owe_break(&mut self, n: u8, at: usize) {
        if n > self.pending {
            self.pending = n;
            self.pending_at = at;
        }
        self.space = None;
    }

    /// Settles owed breaks and spaces before a visible character.
    fn flush(&mut self) {
        if self.pending > 0 {
            self.out.ensure_breaks(self.pending, self.pending_at);
            self.pending = 0;
            self.space = None;
        }
        if self.signature_owed && !self.signature_done {
            if !self.out.at_line_start() {
                self.out.synth("\n", self.pending_at);
            }
            self.out.synth("-- \n", self.pending_at);
            self.signature_owed = false;
            self.signature_done = true;
        }
        if self.quote > 0 && self.out.at_line_start() {
            self.out.synth("> ", self.pending_at);
            self.space = None;
        }
        if let Some(sp) = self.space.take() {
            if !self.out.at_line_start() && !self.out.text.ends_with(' ') {
                if &self.src[sp.clone()] == " " {
                    self.out.exact(" ", sp.start);
                } else {
                    self.out.whole(" ", sp);
                }
            }
        }
    }

    fn text(&mut self, r: Range<usize>) {
        if self.skip > 0 || r.is_empty() {
            return;
        }
        let src = self.src;
        let s = &src[r.clone()];
        let mut run_start: Option<usize> = None;
        let mut i = 0;
        let flush_run = |w: &mut Walker, run_start: &mut Option<usize>, end: usize| {
            if let Some(st) = run_start.take() {
                w.out.exact(&src[r.start + st..r.start + end], r.start + st);
            }
        };
        while i < s.len() {
            let c = s[i..].chars().next().unwrap_or(' ');
            let len = c.len_utf8();
            if self.pre > 0 && (c == '\n' || c == '\r') {
                flush_run(self, &mut run_start, i);
                if c == '\n' {
                    self.pending = 0;
                    self.space = None;
                    self.out.exact("\n", r.start + i);
                }
                i += len;
                continue;
            }
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c') && self.pre == 0 {
                flush_run(self, &mut run_start, i);
                let ws_start = i;
                while i < s.len() && matches!(s.as_bytes()[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
                {
                    i += 1;
                }
                if self.space.is_none() && self.pending == 0 {
                    self.space = Some(r.start + ws_start..r.start + i);
                }
                continue;
            }
            if c == '&' {
                if let Some((decoded, n)) = entity(&s[i..]) {
                    flush_run(self, &mut run_start, i);
                    self.flush();
                    self.out.whole(&decoded, r.start + i..r.start + i + n);
                    i += n;
                    continue;
                }
            }
            if run_start.is_none() {
                self.flush();
                run_start = Some(i);
            }
            i += len;
        }
        flush_run(self, &mut run_start, s.len());
    }
}

/// An attribute: lower-cased name, value, and where the value is in the source.
type Attr = (String, String, Range<usize>);

/// `s` with its character references decoded.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s.as_bytes()[i] == b'&' {
            if let Some((d, n)) = entity(&s[i..]) {
                out.push_str(&d);
                i += n;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// A web address (what a reader's browser would open), not `mailto:`, `tel:`, an anchor, a
/// relative path or a template's stand-in.
fn is_web_address(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let rest = ["https://", "http://", "//"]
        .iter()
        .find_map(|p| lower.strip_prefix(p));
    let host = match rest {
        Some(r) => r,
        None if lower.starts_with("www.") => &lower,
        // Scheme-less `calendly.com/jo`: a dotted host name followed by a path.
        None => {
            let host = lower.split('/').next().unwrap_or("");
            if !lower.contains('/') || host.contains(':') {
                return false;
            }
            host
        }
    };
    let host = host.split(['/', '?', '#']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == ':')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_alphabetic()))
}

/// Without scheme, `www.` and trailing `/`, lower case: how a reader compares addresses.
fn bare_address(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let s = ["https://", "http://", "//"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_string()
}

/// Whether a link's target should be shown after its text: a web address that the text does
/// not already show (`<a href="https://x.io/a">x.io/a</a>` would be read twice).
pub(super) fn should_show_target(url: &str, link_text: &str) -> bool {
    is_web_address(url) && !bare_address(link_text).contains(&bare_address(url))
}

/// Appends ` <url>` to the visible text: the address maps onto `src` (verbatim when `exact`),
/// the brackets and the space are synthesised at its edges.
pub(super) fn show_target(out: &mut Layer, url: &str, src: Range<usize>, exact: bool) {
    if !out.at_line_start() && !out.text.ends_with([' ', '\t']) {
        out.synth(" ", src.start);
    }
    out.synth("<", src.start);
    if exact {
        out.exact(url, src.start);
    } else {
        out.whole(url, src.clone());
    }
    out.synth(">", src.end);
}

/// Decodes the character reference at the start of `s` (`&amp;`, `&#8217;`, `&#x2019;`).
fn entity(s: &str) -> Option<(String, usize)> {
    let mut cap = s.len().min(40);
    while !s.is_char_boundary(cap) {
        cap -= 1;
    }
    let semi = s[..cap].find(';')?;
    let token = &s[..=semi];
    if token.len() < 3
        || !token[1..semi]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '#')
    {
        return None;
    }
    let mut out = String::new();
    mail_parser::decoders::html::add_html_token(&mut out, token.as_bytes(), false);
    (out != token).then_some((out, token.len()))
}

#[cfg(test)]
mod tests;
