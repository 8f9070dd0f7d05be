//! Batches: finding the same blast sent to many people among the drafts of one run.
//!
//! Each draft's body is reduced to a fingerprint: its words with names, companies and numbers
//! masked, cut into overlapping three-word shingles, hashed. Two sketches of that set are kept
//! (never the text): a MinHash signature, banded for locality-sensitive hashing so that likely
//! matches are found through hash buckets rather than by comparing all pairs, and a bottom-k
//! sketch that measures the Jaccard similarity of a candidate pair (exactly for drafts of up to
//! [`BOTTOM_K`] shingles, closely above that). Drafts are clustered in input order: a draft
//! joins the first earlier draft it matches, so the first copy of a blast is its earliest file.

use crate::message::{Message, SegmentKind};
use std::collections::HashMap;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

const SHINGLE: usize = 3;
const HASHES: usize = 64;
const ROWS: usize = 4;
const BANDS: usize = HASHES / ROWS;
/// Size of the bottom-k sketch used to measure similarity.
pub const BOTTOM_K: usize = 256;
/// Below this many words a draft is too short to call a blast ("Thanks!").
const MIN_WORDS: usize = 12;

/// What is kept of one draft.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    minhash: [u32; HASHES],
    /// The smallest shingle hashes, sorted.
    bottom: Vec<u64>,
    /// Source range of the compared text (the body), for the finding.
    pub span: Range<usize>,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: a fast, well-spread 64-bit hash step.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn hash_str(s: &str) -> u64 {
    // FNV-1a, then mixed: stable across runs and platforms (std's hasher is seeded per process).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// The body's words with what differs between copies of a blast masked: capitalised words
/// that do not start a sentence (names, companies) and numbers.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in text.unicode_sentences() {
        for (i, w) in sentence.unicode_words().enumerate() {
            let first = w.chars().next().unwrap_or(' ');
            let t = if first.is_numeric() {
                "#".to_string()
            } else if i > 0 && first.is_uppercase() {
                "@".to_string()
            } else {
                w.to_lowercase()
            };
            out.push(t);
        }
    }
    out
}

/// The fingerprint of a message's body, or `None` when the body is too short to tell.
pub fn fingerprint(msg: &Message) -> Option<Fingerprint> {
    let body: Vec<_> = msg
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Body)
        .collect();
    let (first, last) = (body.first()?, body.last()?);
    let text = body
        .iter()
        .map(|s| msg.segment_text(s))
        .collect::<Vec<_>>()
        .join("\n");
    let words = tokens(&text);
    if words.len() < MIN_WORDS {
        return None;
    }
    let mut shingles: Vec<u64> = words
        .windows(SHINGLE)
        .map(|w| hash_str(&w.join(" ")))
        .collect();
    shingles.sort_unstable();
    shingles.dedup();
    let mut minhash = [u32::MAX; HASHES];
    for &s in &shingles {
        for (i, m) in minhash.iter_mut().enumerate() {
            let h = (mix(s ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 32) as u32;
            if h < *m {
                *m = h;
            }
        }
    }
    shingles.truncate(BOTTOM_K);
    Some(Fingerprint {
        minhash,
        bottom: shingles,
        span: msg.to_source(first.range.start..last.range.end),
    })
}

/// Jaccard similarity estimated from two bottom-k sketches (exact when both sets are small).
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    let k = BOTTOM_K.min(a.bottom.len().max(b.bottom.len()));
    // The k smallest hashes of the union, and how many of them are in both sets.
    let (mut i, mut j, mut taken, mut both) = (0, 0, 0, 0);
    while taken < k && (i < a.bottom.len() || j < b.bottom.len()) {
        let x = a.bottom.get(i).copied().unwrap_or(u64::MAX);
        let y = b.bottom.get(j).copied().unwrap_or(u64::MAX);
        if x == y {
            both += 1;
            i += 1;
            j += 1;
        } else if x < y {
            i += 1;
        } else {
            j += 1;
        }
        taken += 1;
    }
    if taken == 0 {
        return 0.0;
    }
    both as f64 / taken as f64
}

/// A draft's place in a cluster of near-identical drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// Index of the cluster's first draft.
    pub first: usize,
    /// How many drafts share the text, this one included.
    pub size: usize,
}

/// Clusters fingerprints (in input order; `None` for drafts not compared). Returns, for every
/// draft in a cluster of two or more, its cluster's first draft and size.
/// How many likely representatives a draft is compared with, at most.
const MAX_COMPARISONS: usize = 16;

pub fn cluster(prints: &[Option<Fingerprint>], threshold: f64) -> HashMap<usize, Copy> {
    let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    let mut rep_of: HashMap<usize, usize> = HashMap::new();
    let mut size: HashMap<usize, usize> = HashMap::new();
    for (id, fp) in prints.iter().enumerate() {
        let Some(fp) = fp else { continue };
        let keys: Vec<(usize, u64)> = (0..BANDS)
            .map(|b| {
                let band = &fp.minhash[b * ROWS..(b + 1) * ROWS];
                let h = band
                    .iter()
                    .fold(b as u64, |acc, &x| mix(acc ^ u64::from(x)));
                (b, h)
            })
            .collect();
        // Candidates are the representatives sharing a band; the ones sharing the most bands
        // are the likeliest copies. Only the first few are compared, so drafts built from the
        // same stock sentences (many shared bands, few real copies) stay linear.
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for k in &keys {
            for &rep in buckets.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                *shared.entry(rep).or_insert(0) += 1;
            }
        }
        let mut candidates: Vec<(usize, usize)> = shared.into_iter().collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut best: Option<(usize, f64)> = None;
        for &(rep, _) in candidates.iter().take(MAX_COMPARISONS) {
            let Some(Some(r)) = prints.get(rep) else {
                continue;
            };
            let s = similarity(fp, r);
            if s >= threshold && best.is_none_or(|(b, bs)| s > bs || (s == bs && rep < b)) {
                best = Some((rep, s));
            }
        }
        match best {
            Some((rep, _)) => {
                rep_of.insert(id, rep);
                *size.entry(rep).or_insert(1) += 1;
            }
            None => {
                for k in keys {
                    buckets.entry(k).or_default().push(id);
                }
            }
        }
    }
    let mut out = HashMap::new();
    for (&rep, &n) in &size {
        out.insert(
            rep,
            Copy {
                first: rep,
                size: n,
            },
        );
    }
    for (&id, &rep) in &rep_of {
        out.insert(
            id,
            Copy {
                first: rep,
                size: size[&rep],
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{segment_lines, SourceMap, Vocabulary};

    fn msg(text: &str) -> Message {
        let vocab = Vocabulary {
            greetings: vec!["hi".into(), "hello".into()],
            signoffs: vec!["best".into()],
        };
        Message {
            source: text.into(),
            prose: text.into(),
            map: SourceMap::identity(text.len()),
            segments: segment_lines(text, 0, &vocab),
            ..Default::default()
        }
    }

    const BLAST: &str = "I came across your profile and was impressed by your work at {c}. I help companies like yours grow their pipeline with a proven outbound system, and I would love to show you how it works in a short call next week.";

    #[test]
    fn names_and_companies_do_not_hide_a_blast() {
        let a = fingerprint(&msg(&format!(
            "Hi Ana,\n\n{}\n\nBest,\nSam",
            BLAST.replace("{c}", "Acme")
        )))
        .unwrap();
        let b = fingerprint(&msg(&format!(
            "Hello Ben,\n\n{}\n\nBest,\nSam",
            BLAST.replace("{c}", "Globex Corp")
        )))
        .unwrap();
        assert!(similarity(&a, &b) > 0.9, "{}", similarity(&a, &b));
        let c = fingerprint(&msg("Hi Carla,\n\nYour talk in Rotterdam on route planning for small fleets changed how I think about depots. Did the pilot with the two bakeries keep its numbers through the winter?")).unwrap();
        assert!(similarity(&a, &c) < 0.2);
    }

    #[test]
    fn clusters_name_the_first_copy_and_the_size() {
        let mut prints = Vec::new();
        for (i, name) in ["Acme", "Globex", "Initech", "Umbrella"].iter().enumerate() {
            prints.push(fingerprint(&msg(&format!(
                "Hi X{i},\n\n{}",
                BLAST.replace("{c}", name)
            ))));
            prints.push(None);
        }
        prints.push(fingerprint(&msg("Hi Dana,\n\nI loved the piece you wrote on hiring for judgement rather than scripts, and I wondered how you trained the first cohort of agents.")));
        let c = cluster(&prints, 0.8);
        assert_eq!(c.get(&0), Some(&Copy { first: 0, size: 4 }));
        assert_eq!(c.get(&6), Some(&Copy { first: 0, size: 4 }));
        assert_eq!(c.get(&1), None);
        assert_eq!(c.get(&8), None);
    }

    #[test]
    fn short_notes_are_not_compared() {
        assert!(fingerprint(&msg("Hi Ana,\n\nThanks for connecting!")).is_none());
    }

    #[test]
    fn thousands_of_drafts_cluster_quickly() {
        let mut prints = Vec::new();
        for i in 0..3000 {
            let text = if i % 3 == 0 {
                format!(
                    "Hi P{i},\n\n{}",
                    BLAST.replace("{c}", &format!("Company{i}"))
                )
            } else {
                format!("Hi P{i},\n\nI read note number {i} about topic {} and wondered whether the approach {} would work for teams like {} in region {}.", i * 7, i % 13, i % 17, i % 19)
                    .replace(char::is_numeric, "")
                    + &" word".repeat(i % 5)
                    + &format!(" unique{}", "x".repeat(i % 40))
            };
            prints.push(fingerprint(&msg(&text)));
        }
        let t = std::time::Instant::now();
        let c = cluster(&prints, 0.8);
        assert!(t.elapsed().as_secs_f64() < 5.0);
        assert_eq!(c.get(&3).map(|x| x.first), Some(0));
    }
}
