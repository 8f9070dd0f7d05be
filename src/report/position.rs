//! Byte offsets to lines and columns as the JSON contract defines them: 1-based lines (a CRLF
//! is one break), 1-based columns counted in Unicode scalar values.

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
        }
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
        let column = if same_line && last.abs_diff(offset) < offset - start {
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
}
