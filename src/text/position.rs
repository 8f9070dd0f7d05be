//! Byte offsets to positions, in the two conventions tactful speaks:
//! - [`line_col`] and [`LineIndex`]: the JSON contract's 1-based lines (a CRLF is one break)
//!   and 1-based columns counted in Unicode scalar values (as rustc's JSON does);
//! - [`LineIndex16`]: LSP's 0-based lines split at `\n`, `\r\n` or a lone `\r`, and characters
//!   in UTF-16 code units (the default and only encoding every client supports), so an emoji
//!   outside the Basic Multilingual Plane counts two and a Hebrew letter one.

use std::cell::Cell;

/// Line and column of byte `offset` in `text` (clamped to the text, rounded down to a char).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Precomputed line starts, for many look-ups in one file.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last look-up's offset and column: findings come in order, so counting columns from
    /// there keeps a file with one huge line linear instead of quadratic.
    last: Cell<(usize, usize)>,
    /// Bytes walked to count columns so far: the work the look-ups did (for tests).
    walked: Cell<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            text,
            starts,
            last: Cell::new((0, 1)),
            walked: Cell::new(0),
        }
    }

    /// The 0-based line that holds byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Where 0-based line `line` starts, if the text has that many lines.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// Bytes walked so far to count columns.
    pub fn walked(&self) -> usize {
        self.walked.get()
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let next_line = self.starts.get(line).copied().unwrap_or(usize::MAX);
        let (last, last_col) = self.last.get();
        let same_line = last >= start && last < next_line;
        let from_last = same_line && last.abs_diff(offset) < offset - start;
        let walk = if from_last {
            last.abs_diff(offset)
        } else {
            offset - start
        };
        self.walked.set(self.walked.get() + walk);
        let column = if from_last {
            if last <= offset {
                last_col + self.text[last..offset].chars().count()
            } else {
                last_col - self.text[offset..last].chars().count()
            }
        } else {
            self.text[start..offset].chars().count() + 1
        };
        self.last.set((offset, column));
        (line, column)
    }
}

/// A 0-based line and a 0-based character offset in UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf16Position {
    pub line: u32,
    pub character: u32,
}

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
    pub fn position(&self, offset: usize) -> Utf16Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Utf16Position {
            line: line as u32,
            character: character as u32,
        }
    }

    /// The byte offset of a position. A character past the end of its line means the line's
    /// end (as LSP specifies); a position inside a surrogate pair moves to the character's start.
    pub fn offset(&self, pos: Utf16Position) -> usize {
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
    fn counts_scalars_and_crlf() {
        let t = "ab\r\nżółw x";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 4), (2, 1));
        let x = t.find('x').unwrap();
        assert_eq!(line_col(t, x), (2, 6));
        assert_eq!(LineIndex::new(t).line_col(x), (2, 6));
    }

    #[test]
    fn look_ups_in_any_order_agree_with_counting_from_the_line_start() {
        let t = "żółw ab\r\nה x 👋 y\nz";
        let idx = LineIndex::new(t);
        let offsets: Vec<usize> = (0..=t.len()).filter(|&i| t.is_char_boundary(i)).collect();
        for &o in offsets
            .iter()
            .chain(offsets.iter().rev())
            .chain(offsets.iter().step_by(3))
        {
            assert_eq!(idx.line_col(o), line_col(t, o), "offset {o}");
        }
    }

    #[test]
    fn in_order_look_ups_on_one_long_line_walk_it_once() {
        // 20,000 findings (start and end each) along a 1.6 MB line of two-byte letters.
        let t = "ż".repeat(800_000);
        let idx = LineIndex::new(&t);
        let mut expected_col = 1;
        for i in 0..20_000 {
            let start = i * 80;
            assert_eq!(idx.line_col(start), (1, expected_col));
            assert_eq!(idx.line_col(start + 20), (1, expected_col + 10));
            expected_col += 40;
        }
        // Counting each column from the line start would walk ~16 GB; in order it is once.
        assert!(idx.walked() <= t.len(), "walked {} bytes", idx.walked());
    }

    fn pos(line: u32, character: u32) -> Utf16Position {
        Utf16Position { line, character }
    }

    #[test]
    fn emoji_count_two_units_and_hebrew_one() {
        let text = "👋 שלום demo\nx";
        let idx = LineIndex16::new(text);
        let demo = text.find("demo").unwrap();
        // 👋 = 2 units, space, 4 Hebrew letters, space
        assert_eq!(idx.position(demo), pos(0, 8));
        assert_eq!(idx.offset(pos(0, 8)), demo);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x), pos(1, 0));
    }

    #[test]
    fn crlf_and_lone_cr_break_lines() {
        let text = "a\r\nb\rc\nd";
        let idx = LineIndex16::new(text);
        assert_eq!(idx.position(text.find('b').unwrap()), pos(1, 0));
        assert_eq!(idx.position(text.find('c').unwrap()), pos(2, 0));
        assert_eq!(idx.position(text.find('d').unwrap()), pos(3, 0));
        assert_eq!(
            idx.offset(pos(0, 99)),
            1,
            "past the end of a line is its end"
        );
        assert_eq!(idx.offset(pos(9, 0)), text.len());
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
