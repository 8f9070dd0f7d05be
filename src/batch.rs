//! Batches: finding the same blast sent to many people among the drafts of one run.
//!
//! Mail merge fills a template's fields (a name, a company, an industry) and sends the rest
//! unchanged, so two copies of one blast differ in a few short runs of words. Each draft's body
//! is reduced to a fingerprint: its words (up to [`MAX_ALIGNED_WORDS`]), a MinHash signature of
//! its word set (names, companies and numbers masked), banded for locality-sensitive hashing so
//! that likely matches are found through hash buckets rather than by comparing all pairs, and a
//! bottom-k sketch of its three-word shingles. A draft is compared with at most
//! [`MAX_COMPARISONS`] earlier representatives, the ones sharing the most bands. Two drafts are
//! copies when
//! - their words align: walking both, every place they differ is a short run of at most
//!   [`MAX_SLOT_WORDS`] words on each side (a template slot) after which the text agrees again,
//!   and the shared skeleton is at least `similarity` of the aligned units (each slot counting
//!   as one unit, however many words fill it); or
//! - their shingle sets are at least `similarity` alike (Jaccard, from the sketches): copies
//!   with a sentence added or dropped.
//!
//! Clustering needs only each draft's band keys to find candidates ([`Clusters`]); the whole
//! fingerprint is asked for when a band is shared, so a run over many distinct drafts need not
//! hold every draft's words (see `lint::session`'s budget).
//!
//! Each comparison is linear in the drafts' length, so a run is O(n log n) in the number of
//! drafts (the sort of candidates). Drafts are clustered in input order: a draft joins the first
//! earlier draft it matches, so the first copy of a blast is its earliest file, and the
//! cluster's slots (the values its drafts put in each) are listed for the finding.

use crate::message::{Message, SegmentKind};
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
/// Drafts longer than this are compared by their shingles only (their words are not kept).
pub const MAX_ALIGNED_WORDS: usize = 2_000;
/// The longest run of words one side of a template slot may have ("Northwind Traders Ltd").
pub const MAX_SLOT_WORDS: usize = 5;
/// Words that must agree after a slot for the alignment to resume there.
const ANCHOR: usize = 2;
/// How many likely representatives a draft is compared with, at most.
const MAX_COMPARISONS: usize = 16;

mod cluster;
#[cfg(test)]
use cluster::cluster;
pub use cluster::{Blasts, Clusters, Copy};

/// A draft's words in one string, one line break apart: a representative keeps these for the
/// slot values of its cluster's finding. A word never holds a line break (Unicode word
/// boundaries always fall around one), so the text alone says where each word ends.
#[derive(Debug, Clone)]
struct Words(Box<str>);

impl Words {
    fn new(words: &[&str]) -> Words {
        // Defensive only: a line break inside a word would shift every later word.
        let words: Vec<std::borrow::Cow<str>> = words
            .iter()
            .map(|w| {
                if w.contains('\n') {
                    w.replace('\n', " ").into()
                } else {
                    (*w).into()
                }
            })
            .collect();
        Words(words.join("\n").into())
    }

    /// Words `r`, joined with single spaces; empty when `r` goes past the last word.
    fn join(&self, r: &Range<usize>) -> String {
        if r.is_empty() {
            return String::new();
        }
        let picked: Vec<&str> = self.0.split('\n').skip(r.start).take(r.len()).collect();
        if picked.len() < r.len() {
            return String::new();
        }
        picked.join(" ")
    }
}

/// What is kept of one draft: what later drafts are compared with. About 2.5 KB for a
/// 1 KB draft (the shingle sketch, one 4-byte key and the text of each word).
#[derive(Debug, Clone)]
pub struct Fingerprint {
    /// The band keys of its MinHash signature (the signature itself is not needed again).
    bands: Bands,
    /// The smallest shingle hashes (their high 32 bits), sorted.
    bottom: Box<[u32]>,
    /// The body's words as written, when there are at most [`MAX_ALIGNED_WORDS`] of them.
    words: Option<Words>,
    /// Their lower-cased hashes, for the alignment. 32 bits are plenty to tell apart the
    /// words of two drafts, and take half the room of a representative held for the run.
    keys: Box<[u32]>,
    /// Source range of the compared text (the body), for the finding.
    pub span: Range<usize>,
}

/// A draft's locality-sensitive hash keys, one per band of its MinHash signature: all the
/// clustering needs to find which earlier drafts to compare a draft with. A fixed 128 bytes a
/// draft; the rest of its fingerprint is needed only when a band is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bands([u64; BANDS]);

impl Bands {
    fn of(minhash: &[u32; HASHES]) -> Bands {
        let mut keys = [0u64; BANDS];
        for (b, k) in keys.iter_mut().enumerate() {
            *k = minhash[b * ROWS..(b + 1) * ROWS]
                .iter()
                .fold(b as u64, |acc, &x| mix(acc ^ u64::from(x)));
        }
        Bands(keys)
    }
}

impl Fingerprint {
    pub fn bands(&self) -> Bands {
        self.bands
    }

    /// About how many bytes the fingerprint holds (for a memory budget).
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Fingerprint>()
            + self.bottom.len() * 4
            + self.keys.len() * 4
            + self.words.as_ref().map_or(0, |w| w.0.len())
    }
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

/// A word's alignment key: the high half of its lower-cased hash.
fn key_of(word: &str) -> u32 {
    (hash_str(&word.to_lowercase()) >> 32) as u32
}

/// The body's words: as written, and masked where copies of a blast differ — capitalised
/// words that do not start a sentence (names, companies) and numbers.
fn tokens(text: &str) -> (Vec<&str>, Vec<String>) {
    let mut words = Vec::new();
    let mut masked = Vec::new();
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
            words.push(w);
            masked.push(t);
        }
    }
    (words, masked)
}

fn minhash_of(items: &[u64]) -> [u32; HASHES] {
    let mut minhash = [u32::MAX; HASHES];
    for &s in items {
        for (i, m) in minhash.iter_mut().enumerate() {
            let h = (mix(s ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 32) as u32;
            if h < *m {
                *m = h;
            }
        }
    }
    minhash
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
    let (words, masked) = tokens(&text);
    if masked.len() < MIN_WORDS {
        return None;
    }
    let mut shingles: Vec<u32> = masked
        .windows(SHINGLE)
        .map(|w| (hash_str(&w.join(" ")) >> 32) as u32)
        .collect();
    shingles.sort_unstable();
    shingles.dedup();
    // Candidates come from the word set: a filled-in field changes one word of it, but every
    // shingle that word is in.
    let mut unigrams: Vec<u64> = masked.iter().map(|w| hash_str(w)).collect();
    unigrams.sort_unstable();
    unigrams.dedup();
    let bands = Bands::of(&minhash_of(&unigrams));
    shingles.truncate(BOTTOM_K);
    let aligned = words.len() <= MAX_ALIGNED_WORDS;
    Some(Fingerprint {
        bands,
        bottom: shingles.into(),
        keys: if aligned {
            words.iter().map(|w| key_of(w)).collect()
        } else {
            Box::default()
        },
        words: aligned.then(|| Words::new(&words)),
        span: msg.to_source(first.range.start..last.range.end),
    })
}

/// Jaccard similarity estimated from two bottom-k sketches (exact when both sets are small).
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    let k = BOTTOM_K.min(a.bottom.len().max(b.bottom.len()));
    // The k smallest hashes of the union, and how many of them are in both sets.
    let (mut i, mut j, mut taken, mut both) = (0, 0, 0, 0);
    while taken < k && (i < a.bottom.len() || j < b.bottom.len()) {
        let x = a.bottom.get(i).copied().unwrap_or(u32::MAX);
        let y = b.bottom.get(j).copied().unwrap_or(u32::MAX);
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

/// A place where two aligned drafts differ: word ranges in each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub a: Range<usize>,
    pub b: Range<usize>,
}

/// Aligns two word sequences as fillings of one template: walks both while they agree, and
/// where they differ looks for the nearest place, at most [`MAX_SLOT_WORDS`] words on in each,
/// where [`ANCHOR`] words agree again. Returns the slots, or `None` when the texts part for
/// longer than that (they are not the same template) or the skeleton's share of the aligned
/// units (words that agree, plus one per slot) falls below `min_share`. Linear in the length:
/// each slot is looked for in a (`MAX_SLOT_WORDS` + 1)² window.
pub fn align<K: Eq>(a: &[K], b: &[K], min_share: f64) -> Option<Vec<Slot>> {
    let (mut i, mut j) = (0, 0);
    let mut slots = Vec::new();
    let mut same = 0usize;
    // Both texts agree again from (x, y): on the next ANCHOR words, or on all that is left.
    let agree_at = |x: usize, y: usize| -> bool {
        if x + ANCHOR <= a.len() && y + ANCHOR <= b.len() {
            a[x..x + ANCHOR] == b[y..y + ANCHOR]
        } else {
            a[x..] == b[y..]
        }
    };
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
            same += 1;
            continue;
        }
        // The smallest detour (di + dj) after which both agree again.
        let mut resume = None;
        'search: for d in 1..=2 * MAX_SLOT_WORDS {
            for di in d.saturating_sub(MAX_SLOT_WORDS)..=d.min(MAX_SLOT_WORDS) {
                let dj = d - di;
                let (x, y) = (i + di, j + dj);
                if x <= a.len() && y <= b.len() && agree_at(x, y) {
                    resume = Some((x, y));
                    break 'search;
                }
            }
        }
        let (x, y) = resume?;
        split_slot(a, b, i..x, j..y, &mut slots);
        i = x;
        j = y;
    }
    let share = same as f64 / (same + slots.len()).max(1) as f64;
    (share >= min_share && same >= MIN_WORDS.min(a.len().min(b.len()))).then_some(slots)
}

/// Two fields one word apart ("logistics in Leeds" / "retail in Porto") are found as one
/// differing run, since the alignment resumes only where [`ANCHOR`] words agree: a word both
/// sides share inside the run splits it into two slots.
fn split_slot<K: Eq>(a: &[K], b: &[K], ar: Range<usize>, br: Range<usize>, out: &mut Vec<Slot>) {
    for d in 1..(ar.len() + br.len()).saturating_sub(1) {
        for p in ar.start..ar.end {
            let dp = p - ar.start;
            if dp > d {
                break;
            }
            let q = br.start + (d - dp);
            if q >= br.end || a[p] != b[q] {
                continue;
            }
            let after = (p + 1 < ar.end) || (q + 1 < br.end);
            if after {
                out.push(Slot {
                    a: ar.start..p,
                    b: br.start..q,
                });
                return split_slot(a, b, p + 1..ar.end, q + 1..br.end, out);
            }
        }
    }
    out.push(Slot { a: ar, b: br });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{segment_lines, SourceMap, Vocabulary};

    fn msg(text: &str) -> Message {
        let vocab = Vocabulary {
            greetings: vec!["hi".into(), "hello".into()],
            signoffs: vec!["best".into()],
            ..Default::default()
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
        let at = |i: usize| c.get(&i).map(|x| (x.first, x.size));
        assert_eq!(at(0), Some((0, 4)));
        assert_eq!(at(6), Some((0, 4)));
        assert_eq!(at(1), None);
        assert_eq!(at(8), None);
        // The company is the one slot, named with the values the copies put there.
        assert_eq!(
            c.get(&6).and_then(Copy::slots_text).as_deref(),
            Some("Acme/Globex/Initech/…")
        );
    }

    fn keys(text: &str) -> Vec<u64> {
        text.split_whitespace()
            .map(|w| hash_str(&w.to_lowercase()))
            .collect()
    }

    #[test]
    fn alignment_finds_the_slots_of_a_template() {
        let a = keys("I saw that Northwind Traders is hiring in Leeds and thought of you Anna because we help logistics teams onboard faster");
        let b = keys("I saw that Tailspin is hiring in Porto and thought of you Dev because we help retail teams onboard faster");
        let slots = align(&a, &b, 0.8).expect("one template");
        let spans: Vec<(Range<usize>, Range<usize>)> =
            slots.iter().map(|s| (s.a.clone(), s.b.clone())).collect();
        assert_eq!(
            spans,
            [
                (3..5, 3..4),
                (8..9, 7..8),
                (13..14, 12..13),
                (17..18, 16..17)
            ]
        );
        // Identical texts align with no slot.
        assert_eq!(align(&a, &a, 0.8), Some(Vec::new()));
    }

    #[test]
    fn texts_that_part_for_longer_than_a_slot_do_not_align() {
        let a = keys("thank you for the talk on cold storage audits last week it changed how we log our fridge temperatures every morning");
        let b = keys("thank you for the thread on hiring a first support lead we are about to do the same at our bakery co op soon");
        assert_eq!(align(&a, &b, 0.8), None);
        // Too many slots for the skeleton: every other word differs.
        let c = keys("one a two b three c four d five e six f seven g eight h nine i ten j");
        let d = keys("one k two l three m four n five o six p seven q eight r nine s ten t");
        assert_eq!(align(&c, &d, 0.8), None);
    }

    #[test]
    fn a_long_text_with_many_slots_aligns_slot_by_slot() {
        // A long text against itself with one word changed every 20 words: linear work.
        let words: Vec<String> = (0..20_000).map(|i| format!("w{}", i % 997)).collect();
        let a: Vec<u64> = words.iter().map(|w| hash_str(w)).collect();
        let mut b = a.clone();
        for i in (10..b.len()).step_by(20) {
            b[i] = hash_str("changed");
        }
        let slots = align(&a, &b, 0.8).expect("aligned");
        assert_eq!(slots.len(), 1000);
        assert!(slots.iter().all(|s| s.a.len() == 1 && s.b.len() == 1));
    }

    #[test]
    fn kept_words_join_as_the_words_did() {
        let words = ["Hi", "Zoë", "we", "help", "Northwind", "Traders", "grow"];
        let w = Words::new(&words);
        for start in 0..=words.len() {
            for end in start..=words.len() {
                assert_eq!(
                    w.join(&(start..end)),
                    words[start..end].join(" "),
                    "{start}..{end}"
                );
            }
        }
        assert_eq!(w.join(&(5..99)), "");
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
