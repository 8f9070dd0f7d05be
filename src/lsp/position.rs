//! Byte offsets ↔ LSP positions. LSP counts lines split at `\n`, `\r\n` or a lone `\r`, and
//! characters in UTF-16 code units (the default and only encoding every client supports), so
//! an emoji outside the Basic Multilingual Plane counts two and a Hebrew letter one.

use lsp_types::{Position, Range};

pub struct LineIndex16<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex16<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex16 { text, starts }
    }

    /// The position of a byte offset (clamped to the text, rounded down to a character).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, span: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a position. A character past the end of its line means the line's
    /// end (as LSP specifies); a position inside a surrogate pair moves to the character's start.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text[start..end].trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units + c.len_utf16() > pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_count_two_units_and_hebrew_one() {
        let text = "👋 שלום demo\nx";
        let idx = LineIndex16::new(text);
        let demo = text.find("demo").unwrap();
        // 👋 = 2 units, space, 4 Hebrew letters, space
        assert_eq!(idx.position(demo), Position::new(0, 8));
        assert_eq!(idx.offset(Position::new(0, 8)), demo);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x), Position::new(1, 0));
    }

    #[test]
    fn crlf_and_lone_cr_break_lines() {
        let text = "a\r\nb\rc\nd";
        let idx = LineIndex16::new(text);
        assert_eq!(idx.position(text.find('b').unwrap()), Position::new(1, 0));
        assert_eq!(idx.position(text.find('c').unwrap()), Position::new(2, 0));
        assert_eq!(idx.position(text.find('d').unwrap()), Position::new(3, 0));
        assert_eq!(
            idx.offset(Position::new(0, 99)),
            1,
            "past the end of a line is its end"
        );
        assert_eq!(idx.offset(Position::new(9, 0)), text.len());
    }

    #[test]
    fn round_trips_every_char_boundary() {
        let text = "Hi 🙂 Dana,\r\n\r\nשלום — ça va? 👩‍💻 ok\n";
        let idx = LineIndex16::new(text);
        for (i, _) in text.char_indices() {
            let p = idx.position(i);
            if text[i..].starts_with('\n') && i > 0 && text.as_bytes()[i - 1] == b'\r' {
                continue; // the \n of a CRLF has no position of its own
            }
            assert_eq!(idx.offset(p), i, "offset {i} via {p:?}");
        }
    }
}
