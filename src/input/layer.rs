//! A text a reader derived from the file, with a map back to the text below it. Readers stack
//! layers (MIME decoding → template rendering → visible text of HTML or Markdown) and compose
//! their maps, so the prose rules read always maps back to the bytes of the file.

use crate::message::SourceMap;
use std::ops::Range;

#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub text: String,
    /// From `text` offsets to offsets in the layer below (or the file).
    pub map: SourceMap,
}

impl Layer {
    /// The text itself, mapped one to one onto `base..base + text.len()`.
    pub fn identity(text: &str, base: usize) -> Layer {
        let mut l = Layer::default();
        l.exact(text, base);
        l
    }

    /// Appends text copied verbatim from `src_start` below.
    pub fn exact(&mut self, s: &str, src_start: usize) {
        let p = self.text.len();
        self.text.push_str(s);
        self.map
            .push(p..self.text.len(), src_start..src_start + s.len(), true);
    }

    /// Appends text that stands for `src` as a whole (a decoded entity or escape, a stand-in).
    pub fn whole(&mut self, s: &str, src: Range<usize>) {
        let p = self.text.len();
        self.text.push_str(s);
        self.map.push_whole(p..self.text.len(), src);
    }

    /// Appends text that is in no source byte (a line break for a `<p>`), placed at `at`.
    pub fn synth(&mut self, s: &str, at: usize) {
        self.whole(s, at..at);
    }

    /// Appends another layer whose map points at offsets `source_shift` lower than ours.
    pub fn append(&mut self, other: &Layer, source_shift: usize) {
        let at = self.text.len();
        self.text.push_str(&other.text);
        self.map.append(&other.map, at, source_shift);
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Ends the text with at least `breaks` line breaks (none when the text is empty), the
    /// missing ones synthesised at `at`: a block element or a paragraph owes them.
    pub fn ensure_breaks(&mut self, breaks: u8, at: usize) {
        if self.text.is_empty() {
            return;
        }
        let have = self.text.bytes().rev().take_while(|&c| c == b'\n').count();
        for _ in have..usize::from(breaks) {
            self.synth("\n", at);
        }
    }

    /// Whether the text ends with a line break (or is empty).
    pub fn at_line_start(&self) -> bool {
        self.text.is_empty() || self.text.ends_with('\n')
    }
}

/// The line that holds `pos`: its start and its end (before the line break).
pub fn line_around(text: &str, pos: usize) -> Range<usize> {
    let pos = pos.min(text.len());
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    let end = if end > start && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    start..end
}

/// What a suppression comment covers: the rest of its line when words follow it there, else
/// the next non-blank line.
pub fn covered_after(text: &str, comment_end: usize) -> Range<usize> {
    let line = line_around(text, comment_end);
    if !text
        .get(comment_end..line.end)
        .unwrap_or("")
        .trim()
        .is_empty()
    {
        return comment_end..line.end;
    }
    let mut pos = text[comment_end..]
        .find('\n')
        .map_or(text.len(), |i| comment_end + i + 1);
    while pos < text.len() {
        let l = line_around(text, pos);
        if !text[l.clone()].trim().is_empty() {
            return l;
        }
        pos = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
    }
    comment_end..comment_end
}

/// Parses the words after `tactful-disable` in a comment: rule ids or categories separated by
/// spaces or commas; none means every rule. `None` when the comment is not a suppression.
pub fn suppression_targets(comment: &str) -> Option<Vec<String>> {
    let t = comment
        .trim()
        .trim_matches(|c: char| c == '-' || c == '!' || c.is_whitespace());
    let rest = t.strip_prefix("tactful-disable")?;
    if rest.starts_with(|c: char| c.is_alphanumeric() || c == '-') {
        return None;
    }
    Some(
        rest.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_the_next_line_or_the_rest_of_this_one() {
        let t = "<!--c-->\n\nBook a demo now.\nNext";
        let end = t.find("-->").unwrap() + 3;
        assert_eq!(&t[covered_after(t, end)], "Book a demo now.");
        let t2 = "A {{!c}} book a demo\nNext";
        assert_eq!(&t2[covered_after(t2, 8)], " book a demo");
    }

    #[test]
    fn suppression_words() {
        assert_eq!(
            suppression_targets(" tactful-disable early-pitch, self-focus "),
            Some(vec!["early-pitch".into(), "self-focus".into()])
        );
        assert_eq!(suppression_targets("-- tactful-disable --"), Some(vec![]));
        assert_eq!(suppression_targets("tactful-disabled"), None);
        assert_eq!(suppression_targets("note to self"), None);
    }
}
