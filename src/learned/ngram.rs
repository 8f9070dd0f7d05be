//! Hashed word and character n-grams of a sentence: lower-cased words (white space split, outer
//! punctuation trimmed), word pairs, and 3- to 5-character grams of each `<word>`. Each feature is
//! FNV-1a hashed into one of 2^BUCKET_BITS buckets. model/features.py computes the same features.

use super::params;

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

/// The buckets of every feature of `text`, with repeats.
pub fn buckets(text: &str) -> Vec<usize> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .map(|w| w.trim_matches(PUNCT))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::with_capacity(words.len() * 16);
    let mut chars: Vec<char> = Vec::new();
    let mut tmp = [0u8; 4];
    for (i, w) in words.iter().enumerate() {
        let mut h = Fnv::new(b'w');
        h.eat(w.as_bytes());
        out.push(h.bucket());
        if let Some(next) = words.get(i + 1) {
            let mut h = Fnv::new(b'b');
            h.eat(w.as_bytes());
            h.eat(b" ");
            h.eat(next.as_bytes());
            out.push(h.bucket());
        }
        chars.clear();
        chars.push('<');
        chars.extend(w.chars());
        chars.push('>');
        if chars.len() - 2 > MAX_GRAM_WORD {
            continue;
        }
        for n in 3..=5 {
            for gram in chars.windows(n) {
                let mut h = Fnv::new(b'c');
                for c in gram {
                    h.eat(c.encode_utf8(&mut tmp).as_bytes());
                }
                out.push(h.bucket());
            }
        }
    }
    out
}
