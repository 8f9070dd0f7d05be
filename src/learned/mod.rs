//! The learned sentence layer: a second detector behind the patterns, for recall.
//!
//! Each sentence is scored twice per category and the two probabilities averaged:
//! - static multilingual embeddings distilled from multilingual-e5-small (one int8 row and a
//!   scale per vocabulary piece, mean-pooled over the sentence's pieces, L2-normalised), with a
//!   linear head per category;
//! - hashed word and character n-grams, with an int8 linear head per category.
//!
//! Everything is built offline by `model/` (see model/README.md) and embedded with
//! `include_bytes!`; nothing is parsed at start-up. The transformer never runs here.

mod exceptions;
pub mod layer;
mod ngram;
#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic)]
mod params;
mod tokenize;

use std::sync::OnceLock;

pub use params::CATEGORIES;

static VOCAB: &[u8] = include_bytes!("../../model/out/vocab.fst");
static EMBED: &[u8] = include_bytes!("../../model/out/embed.i8");
static SCALES: &[u8] = include_bytes!("../../model/out/embed.scale");
static NGRAM: &[u8] = include_bytes!("../../model/out/ngram.i8");

/// Embedding dimensions.
pub const DIM: usize = params::DIM;

fn vocab() -> &'static fst::raw::Fst<&'static [u8]> {
    static FST: OnceLock<fst::raw::Fst<&'static [u8]>> = OnceLock::new();
    // The map is written by model/fstbuild and checked by the tests; a broken one would be a
    // build defect, not user input.
    FST.get_or_init(|| fst::raw::Fst::new(VOCAB).expect("embedded vocabulary is a valid fst"))
}

/// One sentence's scores for every category in [`CATEGORIES`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// The averaged probability, 0–1.
    pub prob: [f32; params::N],
    /// The embedding head's logit.
    pub embed_logit: [f32; params::N],
    /// The n-gram head's logit.
    pub ngram_logit: [f32; params::N],
}

impl Scores {
    pub fn of(&self, category: &str) -> Option<f32> {
        CATEGORIES
            .iter()
            .position(|c| *c == category)
            .map(|i| self.prob[i])
    }
}

/// The index of `category` in [`CATEGORIES`], if the layer knows it.
pub fn category_index(category: &str) -> Option<usize> {
    CATEGORIES.iter().position(|c| *c == category)
}

/// The threshold chosen on the training data for a category (see model/README.md).
pub fn default_threshold(category: &str) -> Option<f32> {
    category_index(category).map(|i| params::THRESHOLD[i])
}

/// The mean-pooled, L2-normalised static embedding of `text` (all zero when no piece is known).
pub fn embed(text: &str) -> [f32; DIM] {
    let mut acc = [0f32; DIM];
    for p in tokenize::pieces(vocab(), text).into_iter().flatten() {
        let Some(row) = p.row else { continue };
        let row = row as usize;
        let (Some(bytes), Some(scale)) = (
            EMBED.get(row * DIM..(row + 1) * DIM),
            SCALES.get(row * 4..row * 4 + 4),
        ) else {
            continue;
        };
        let scale = f32::from_le_bytes([scale[0], scale[1], scale[2], scale[3]]);
        for (a, &b) in acc.iter_mut().zip(bytes) {
            *a += f32::from(b as i8) * scale;
        }
    }
    let norm = acc.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 1e-12 {
        for a in &mut acc {
            *a /= norm;
        }
    }
    acc
}

/// How many pieces the tokeniser cuts `text` into (unknown characters count one each).
pub fn piece_count(text: &str) -> usize {
    tokenize::pieces(vocab(), text).len()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn ngram_logits(text: &str) -> [f32; params::N] {
    let buckets = ngram::buckets(text);
    let mut sums = [0i32; params::N];
    for b in &buckets {
        if let Some(row) = NGRAM.get(b * params::N..(b + 1) * params::N) {
            for (s, &q) in sums.iter_mut().zip(row) {
                *s += i32::from(q as i8);
            }
        }
    }
    let inv = if buckets.is_empty() {
        0.0
    } else {
        1.0 / (buckets.len() as f32).sqrt()
    };
    let mut out = params::NGRAM_B;
    for (c, l) in out.iter_mut().enumerate() {
        *l += params::NGRAM_SCALE[c] * sums[c] as f32 * inv;
    }
    out
}

fn embed_logits(text: &str) -> [f32; params::N] {
    let e = embed(text);
    let mut out = params::EMB_B;
    for (c, l) in out.iter_mut().enumerate() {
        *l += params::EMB_W[c]
            .iter()
            .zip(&e)
            .map(|(w, x)| w * x)
            .sum::<f32>();
    }
    out
}

fn combine(embed_logit: [f32; params::N], ngram_logit: [f32; params::N]) -> Scores {
    let mut prob = [0f32; params::N];
    for c in 0..params::N {
        prob[c] = 0.5 * (sigmoid(embed_logit[c]) + sigmoid(ngram_logit[c]));
    }
    Scores {
        prob,
        embed_logit,
        ngram_logit,
    }
}

/// Scores one sentence for every category.
pub fn score(text: &str) -> Scores {
    combine(embed_logits(text), ngram_logits(text))
}

/// The same scores, but only when some category could reach `min`: the n-gram head runs first,
/// and the embedding (the costlier half) only when the average could still clear `min`.
pub fn score_if_above(text: &str, min: f32) -> Option<Scores> {
    let ng = ngram_logits(text);
    if ng.iter().all(|&z| 0.5 * (sigmoid(z) + 1.0) < min) {
        return None;
    }
    Some(combine(embed_logits(text), ng))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_is_consistent() {
        assert_eq!(EMBED.len() % DIM, 0);
        assert_eq!(SCALES.len() / 4, EMBED.len() / DIM);
        assert_eq!(NGRAM.len(), (1usize << params::BUCKET_BITS) * params::N);
        assert!(vocab().len() > 1000);
    }

    #[test]
    fn any_text_scores_between_zero_and_one() {
        for t in [
            "",
            " ",
            "\u{0}",
            "שלום לך",
            "🙂🙂",
            "a\u{301}",
            &"x".repeat(5000),
        ] {
            for p in score(t).prob {
                assert!((0.0..=1.0).contains(&p), "{t:?} → {p}");
            }
        }
    }

    #[test]
    fn known_words_become_known_pieces() {
        let ps = tokenize::pieces(vocab(), "Hello world");
        assert_eq!(ps.len(), 2, "{ps:?}");
        assert!(ps.iter().all(|p| p.is_some()));
    }
}
