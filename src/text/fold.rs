//! The folded copy of a text that patterns run on: lower case, plain ASCII apostrophes and
//! quotes, one space for any run of white space, Hebrew points and invisible characters
//! removed. A back map turns folded offsets into offsets of the original text.

/// A folded text and, for every byte of it, the offset of the original character it came from.
#[derive(Debug, Clone)]
pub struct Folded {
    pub text: String,
    back: Vec<u32>,
    orig_len: usize,
}

/// Characters dropped entirely: soft hyphen, zero-width characters, the BOM, and Hebrew
/// niqqud and cantillation marks (so pointed and unpointed Hebrew fold to the same letters).
fn dropped(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}'
        | '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}')
}

fn replacement(c: char) -> Option<char> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{00B4}' | '\u{0060}'
        | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' | '\u{05F4}' => '"',
        '\u{05F3}' => '\'',
        '\u{0130}' => 'i',
        _ => return None,
    })
}

/// Whether `c` counts as part of a word for the implicit word boundaries of patterns.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\u{0300}'..='\u{036F}')
}

/// Folds one character into `out`; returns whether it was white space.
#[inline]
fn fold_char(c: char, out: &mut String) {
    if let Some(r) = replacement(c) {
        out.push(r);
    } else if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Folds a single word or phrase the same way texts are folded (for pattern literals).
pub fn fold_str(s: &str) -> String {
    fold(s).text
}

pub fn fold(s: &str) -> Folded {
    let mut text = String::with_capacity(s.len());
    let mut back: Vec<u32> = Vec::with_capacity(s.len() + 1);
    let mut in_space = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                text.push(' ');
                back.push(i as u32);
                in_space = true;
            }
            continue;
        }
        in_space = false;
        if dropped(c) {
            continue;
        }
        let before = text.len();
        fold_char(c, &mut text);
        back.resize(text.len(), i as u32);
        debug_assert!(text.len() > before);
    }
    Folded {
        text,
        back,
        orig_len: s.len(),
    }
}

impl Folded {
    /// Original offset of a folded start offset.
    pub fn orig_start(&self, pos: usize) -> usize {
        self.back.get(pos).map_or(self.orig_len, |&b| b as usize)
    }

    /// Original offset of a folded end offset: the start of the next folded character, so
    /// dropped marks after the last letter stay inside the range; at the very end, the end of
    /// the original text.
    pub fn orig_end(&self, pos: usize) -> usize {
        if pos >= self.text.len() {
            self.orig_len
        } else {
            self.back[pos] as usize
        }
    }

    pub fn orig_range(&self, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let s = self.orig_start(r.start);
        s..self.orig_end(r.end).max(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_and_collapses_space() {
        let f = fold("Book  A\n Demo");
        assert_eq!(f.text, "book a demo");
        assert_eq!(f.orig_range(7..11), 9..13);
    }

    #[test]
    fn typographic_apostrophes_become_ascii() {
        let f = fold("I’ve added you");
        assert_eq!(f.text, "i've added you");
        assert_eq!(f.orig_range(0..4), 0..6);
    }

    #[test]
    fn hebrew_points_are_dropped_and_kept_inside_spans() {
        let pointed = "שָׁלוֹם";
        let f = fold(pointed);
        assert_eq!(f.text, "שלום");
        assert_eq!(f.orig_range(0..f.text.len()), 0..pointed.len());
    }

    #[test]
    fn non_ascii_case_folding() {
        assert_eq!(fold("ŁÓDŹ İSTANBUL ÄRGER").text, "łódź istanbul ärger");
    }
}
