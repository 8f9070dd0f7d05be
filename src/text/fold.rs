//! The folded copy of a text that patterns run on: lower case, plain ASCII apostrophes and
//! quotes, one space for any run of white space, Hebrew points and invisible characters
//! removed. A back map turns folded offsets into offsets of the original text.

/// A folded text and, for every byte of it, the offset of the original character it came from.
#[derive(Debug, Clone)]
pub struct Folded {
    pub text: String,
    /// The back map as runs, sorted by folded offset: a byte per byte map cost four bytes for
    /// every byte of text (200 MB on a 50 MB file), while runs cost a few per line of ASCII.
    back: Vec<Run>,
    orig_len: usize,
}

/// From `folded` on: byte `folded + k` came from offset `orig + k` (`linear`: one-byte
/// characters copied in order), or every byte came from the character at `orig` (a character
/// folded into several bytes).
#[derive(Debug, Clone, Copy)]
struct Run {
    folded: u32,
    orig: u32,
    linear: bool,
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

/// Whether the byte is an ASCII character that folds to itself lower-cased: not white space
/// (`char::is_whitespace` on ASCII: tab to carriage return, and space) and not the backtick,
/// which becomes an apostrophe.
#[inline]
fn copied_lowercase(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ' | b'`')
}

/// Folds a single word or phrase the same way texts are folded (for pattern literals).
pub fn fold_str(s: &str) -> String {
    fold(s).text
}

pub fn fold(s: &str) -> Folded {
    let mut text = String::with_capacity(s.len());
    let mut back: Vec<Run> = Vec::new();
    // Records that the `len` folded bytes from `at` on came from the character at `orig`.
    fn came_from(back: &mut Vec<Run>, at: usize, len: usize, orig: usize) {
        let (at, orig) = (at as u32, orig as u32);
        if len == 1 {
            let continues = back
                .last()
                .is_some_and(|r| r.linear && r.orig + (at - r.folded) == orig);
            if !continues {
                back.push(Run {
                    folded: at,
                    orig,
                    linear: true,
                });
            }
        } else {
            back.push(Run {
                folded: at,
                orig,
                linear: false,
            });
        }
    }
    let bytes = s.as_bytes();
    let mut in_space = false;
    let mut i = 0;
    while i < bytes.len() {
        if copied_lowercase(bytes[i]) {
            // A run of ASCII that folds to itself lower-cased, byte for byte (most text):
            // copied at once, one run of the back map.
            let end = bytes[i..]
                .iter()
                .position(|&b| !copied_lowercase(b))
                .map_or(bytes.len(), |k| i + k);
            came_from(&mut back, text.len(), 1, i);
            let at = text.len();
            text.push_str(&s[i..end]);
            text[at..].make_ascii_lowercase();
            in_space = false;
            i = end;
            continue;
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let here = i;
        i += c.len_utf8();
        if c.is_whitespace() {
            if !in_space {
                came_from(&mut back, text.len(), 1, here);
                text.push(' ');
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
        debug_assert!(text.len() > before);
        came_from(&mut back, before, text.len() - before, here);
    }
    Folded {
        text,
        back,
        orig_len: s.len(),
    }
}

impl Folded {
    /// The original offset of folded byte `pos` (< the folded length).
    fn back(&self, pos: usize) -> usize {
        let k = self
            .back
            .partition_point(|r| r.folded as usize <= pos)
            .saturating_sub(1);
        match self.back.get(k) {
            Some(r) if r.linear => r.orig as usize + (pos - r.folded as usize),
            Some(r) => r.orig as usize,
            None => self.orig_len,
        }
    }

    /// Original offset of a folded start offset.
    pub fn orig_start(&self, pos: usize) -> usize {
        if pos >= self.text.len() {
            self.orig_len
        } else {
            self.back(pos)
        }
    }

    /// Original offset of a folded end offset: the start of the next folded character, so
    /// dropped marks after the last letter stay inside the range; at the very end, the end of
    /// the original text.
    pub fn orig_end(&self, pos: usize) -> usize {
        if pos >= self.text.len() {
            self.orig_len
        } else {
            self.back(pos)
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

    /// The runs give, for every folded byte, what a byte-per-byte map gives: the offset of
    /// the original character it came from.
    #[test]
    fn runs_map_every_byte_back_to_its_character() {
        let texts = [
            "Book  A\n Demo",
            "I’ve  added\u{00A0}you, İstanbul ÄÖÜ ß ﬁ — שָׁלוֹם zażółć\r\n\r\nend",
            "\u{200B}\u{00AD}x  \t y",
            "",
            "   ",
            "ASCII run `tick`\x0b\x0c\x1f\x00 then ÉCOLE and\u{85}NEL Mixed-Case_Words",
        ];
        for t in texts {
            let f = fold(t);
            // The byte-per-byte map, built the obvious way.
            let mut want = Vec::new();
            let mut want_text = String::new();
            let mut in_space = false;
            for (i, c) in t.char_indices() {
                if c.is_whitespace() {
                    if !in_space {
                        want.push(i);
                        want_text.push(' ');
                        in_space = true;
                    }
                    continue;
                }
                in_space = false;
                if dropped(c) {
                    continue;
                }
                let mut one = String::new();
                fold_char(c, &mut one);
                want.extend(std::iter::repeat_n(i, one.len()));
                want_text.push_str(&one);
            }
            assert_eq!(want_text, f.text, "{t:?}");
            assert_eq!(want.len(), f.text.len(), "{t:?}");
            for (pos, &w) in want.iter().enumerate() {
                assert_eq!(f.orig_start(pos), w, "{t:?} at {pos}");
                assert_eq!(f.orig_end(pos), w, "{t:?} at {pos}");
            }
            assert_eq!(f.orig_start(f.text.len()), t.len());
            assert_eq!(f.orig_end(f.text.len() + 3), t.len());
        }
    }

    /// Every ASCII character takes the byte-for-byte path exactly when the character path
    /// would copy it lower-cased.
    #[test]
    fn ascii_fast_path_matches_the_character_rules() {
        for b in 0u8..128 {
            let c = char::from(b);
            let mut one = String::new();
            fold_char(c, &mut one);
            let same =
                !c.is_whitespace() && !dropped(c) && one == c.to_ascii_lowercase().to_string();
            assert_eq!(copied_lowercase(b), same, "{c:?}");
        }
        let all: String = (0u8..128).map(char::from).collect();
        let f = fold(&format!("{all} Zb`C\u{2019}D{all}"));
        assert!(f.text.contains(" zb'c'd"), "{:?}", f.text);
    }

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
