//! Hashed word and character n-grams of a sentence: lower-cased words (white space split, outer
//! punctuation trimmed), word pairs, and 3- to 5-character grams of each `<word>`. Each feature is
//! FNV-1a hashed into one of 2^BUCKET_BITS buckets. model/features.py computes the same features.

use super::{params, WordCache};
use std::cell::RefCell;

const PUNCT: &[char] = &[
    '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';', '<', '=',
    '>', '?', '@', '[', '\\', ']', '^', '_', '`', '{', '|', '}', '~', '“', '”', '‘', '’', '«', '»',
    '„', '‚', '…', '–', '—', '¿', '¡', '·', '•',
];
/// Longer "words" are links or noise: no character grams for them.
const MAX_GRAM_WORD: usize = 40;

struct Fnv(u32);
impl Fnv {
    fn new(tag: u8) -> Fnv {
        let mut h = Fnv(0x811c_9dc5);
        h.eat(&[tag, b':']);
        h
    }
    fn eat(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u32::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0193);
        }
    }
    fn bucket(&self) -> usize {
        (self.0 & ((1u32 << params::BUCKET_BITS) - 1)) as usize
    }
}

/// One word's own features (the word and its character grams, not the pairs it is in): the
/// sum of their rows of the head, and how many there are.
#[derive(Clone, Copy)]
struct WordSums {
    sums: [i32; params::N],
    count: u32,
}

thread_local! {
    /// Each word's own features, per thread: hashing every character gram of every word again
    /// was most of the n-gram head's cost, and words repeat. The sums are integers, so adding a
    /// word's total gives exactly what adding its features one by one gives.
    static WORDS: RefCell<WordCache<WordSums>> = RefCell::default();
}

fn add_row(sums: &mut [i32; params::N], table: &[u8], bucket: usize) {
    if let Some(row) = table.get(bucket * params::N..(bucket + 1) * params::N) {
        for (s, &q) in sums.iter_mut().zip(row) {
            *s += i32::from(q as i8);
        }
    }
}

/// Whether `c` is in [`PUNCT`]: every ASCII punctuation character is, and a few others.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_punctuation()
    } else {
        PUNCT.contains(&c)
    }
}

/// The lower-cased words of `text`, as the features see them.
fn words(lower: &str) -> Vec<&str> {
    lower
        .split_whitespace()
        .map(|w| w.trim_matches(is_punct))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Calls `f` with the bucket of the word `w` and of each of its character grams.
fn word_buckets(w: &str, chars: &mut Vec<char>, mut f: impl FnMut(usize)) {
    let mut tmp = [0u8; 4];
    let mut h = Fnv::new(b'w');
    h.eat(w.as_bytes());
    f(h.bucket());
    chars.clear();
    chars.push('<');
    chars.extend(w.chars());
    chars.push('>');
    if chars.len() - 2 > MAX_GRAM_WORD {
        return;
    }
    for n in 3..=5 {
        for gram in chars.windows(n) {
            let mut h = Fnv::new(b'c');
            for c in gram {
                h.eat(c.encode_utf8(&mut tmp).as_bytes());
            }
            f(h.bucket());
        }
    }
}

fn pair_bucket(w: &str, next: &str) -> usize {
    let mut h = Fnv::new(b'b');
    h.eat(w.as_bytes());
    h.eat(b" ");
    h.eat(next.as_bytes());
    h.bucket()
}

/// The sum of the rows of `table` (`params::N` int8 values per bucket) over every feature of
/// `text`, with repeats, and the number of features: what [`buckets`] would give, summed.
pub fn sums(text: &str, table: &[u8]) -> ([i32; params::N], usize) {
    let lower = text.to_lowercase();
    let words = words(&lower);
    let mut sums = [0i32; params::N];
    let mut count = 0usize;
    let mut chars: Vec<char> = Vec::new();
    WORDS.with_borrow_mut(|cache| {
        for (i, w) in words.iter().enumerate() {
            if let Some(next) = words.get(i + 1) {
                add_row(&mut sums, table, pair_bucket(w, next));
                count += 1;
            }
            let make = || {
                let mut own = WordSums {
                    sums: [0; params::N],
                    count: 0,
                };
                word_buckets(w, &mut chars, |b| {
                    add_row(&mut own.sums, table, b);
                    own.count += 1;
                });
                own
            };
            let own = cache.with(w, make, |own| *own);
            for (s, o) in sums.iter_mut().zip(own.sums) {
                *s += o;
            }
            count += own.count as usize;
        }
    });
    (sums, count)
}

/// The buckets of every feature of `text`, with repeats.
#[cfg(test)]
pub fn buckets(text: &str) -> Vec<usize> {
    let lower = text.to_lowercase();
    let words = words(&lower);
    let mut out = Vec::with_capacity(words.len() * 16);
    let mut chars: Vec<char> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        word_buckets(w, &mut chars, |b| out.push(b));
        if let Some(next) = words.get(i + 1) {
            out.push(pair_bucket(w, next));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_test_is_the_list() {
        for c in (0..0x3000).filter_map(char::from_u32) {
            assert_eq!(is_punct(c), PUNCT.contains(&c), "{c:?}");
        }
    }

    #[test]
    fn remembered_words_sum_as_their_features_do() {
        let table = super::super::NGRAM;
        let texts = [
            "",
            "Hi Ana, would you like to book a quick demo? A quick one!",
            "ΣΊΣΥΦΟΣ ΟΔΟΣ, «Größe» — l'été; za-żółć gęślą jaźń",
            "שלום דנה, ראיתי את ההרצאה שלך",
            &format!("{} short", "w".repeat(100)),
        ];
        for _ in 0..2 {
            for t in texts {
                let bs = buckets(t);
                let mut want = [0i32; params::N];
                for &b in &bs {
                    add_row(&mut want, table, b);
                }
                assert_eq!(sums(t, table), (want, bs.len()), "{t:?}");
            }
        }
    }
}
