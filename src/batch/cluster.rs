//! Clustering drafts in input order from their band keys (see the parent module). A draft joins
//! the first earlier cluster it matches; the first draft of a cluster is its representative,
//! the only kind of draft later ones are compared with.

use super::{align, similarity, Bands, Fingerprint, Slot, MAX_COMPARISONS};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

/// A draft's place in a cluster of near-identical drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// Index of the cluster's first draft.
    pub first: usize,
    /// How many drafts share the text, this one included.
    pub size: usize,
    /// The template slots the cluster's drafts fill differently, each with the values they
    /// put there (the first draft's first), in text order; empty for plain copies.
    pub slots: Arc<Vec<Vec<String>>>,
}

impl Copy {
    /// "Anna/Dev/…, Northwind/Tailspin/…": up to four slots, three values each.
    pub fn slots_text(&self) -> Option<String> {
        if self.slots.is_empty() {
            return None;
        }
        // A field used twice (the company in the first and the last sentence) is one slot.
        let mut distinct: Vec<&Vec<String>> = Vec::new();
        for values in self.slots.iter() {
            if !distinct.contains(&values) {
                distinct.push(values);
            }
        }
        let shown: Vec<String> = distinct
            .iter()
            .take(4)
            .map(|values| {
                let mut v: Vec<&str> = values
                    .iter()
                    .take(3)
                    .map(|s| {
                        if s.is_empty() {
                            "(nothing)"
                        } else {
                            s.as_str()
                        }
                    })
                    .collect();
                if values.len() > 3 {
                    v.push("…");
                }
                v.join("/")
            })
            .collect();
        let more = if distinct.len() > 4 { ", …" } else { "" };
        Some(format!("{}{more}", shown.join(", ")))
    }
}

/// Values seen in each slot of one cluster, keyed by the first draft's word position.
#[derive(Default)]
struct SlotValues {
    by_position: BTreeMap<(usize, usize), Vec<String>>,
}

impl SlotValues {
    /// Adds a value for the slot at the first draft's words `at`; a slot overlapping one
    /// already known (one copy's value shares a word with the first draft's) is the same slot.
    fn add(&mut self, at: (usize, usize), value: String) {
        let known = self
            .by_position
            .range(..(at.1.max(at.0 + 1), 0))
            .next_back()
            .map(|(k, _)| *k)
            .filter(|k| k.0 < at.1.max(at.0 + 1) && at.0 < k.1.max(k.0 + 1));
        let values = self.by_position.entry(known.unwrap_or(at)).or_default();
        if !values.contains(&value) && values.len() < 8 {
            values.push(value);
        }
    }
}

fn words_of(fp: &Fingerprint, r: &Range<usize>) -> String {
    fp.words.as_ref().map(|w| w.join(r)).unwrap_or_default()
}

/// Clusters fingerprints (in input order; `None` for drafts not compared). Returns, for every
/// draft in a cluster of two or more, its cluster's first draft, size and slots. (The tests'
/// way in; a run adds its drafts to [`Clusters`] as it reads them.)
#[cfg(test)]
pub fn cluster(prints: &[Option<Fingerprint>], threshold: f64) -> HashMap<usize, Copy> {
    let mut clusters = Clusters::new(threshold);
    let mut full = |i: usize| {
        prints
            .get(i)
            .and_then(Option::as_ref)
            .cloned()
            .map(Arc::new)
    };
    for (id, fp) in prints.iter().enumerate() {
        if let Some(fp) = fp {
            clusters.add(id, &fp.bands(), &mut full);
        }
    }
    let blasts = clusters.finish();
    blasts.members().map(|(id, c)| (id, c.clone())).collect()
}

/// Bucket lists for the bands, kept as linked lists in one vector: a distinct draft adds one
/// entry per band, not one allocation per band.
#[derive(Default)]
struct Buckets {
    /// (band, key) → index in `links` of the last draft added with it.
    heads: HashMap<(u8, u64), u32>,
    /// (draft, index of the previous draft in the same bucket, or `u32::MAX`).
    links: Vec<(u32, u32)>,
}

impl Buckets {
    fn add(&mut self, band: usize, key: u64, id: usize) {
        let at = self.links.len() as u32;
        let prev = self.heads.insert((band as u8, key), at).unwrap_or(u32::MAX);
        self.links.push((id as u32, prev));
    }

    fn each(&self, band: usize, key: u64, mut f: impl FnMut(usize)) {
        let mut at = self
            .heads
            .get(&(band as u8, key))
            .copied()
            .unwrap_or(u32::MAX);
        while let Some(&(id, prev)) = self.links.get(at as usize) {
            f(id as usize);
            at = prev;
        }
    }
}

/// A representative a draft matches: its fingerprint, the score, the slots when the two align,
/// and its index.
type Match = (Arc<Fingerprint>, f64, Option<Vec<Slot>>, usize);

/// The clustering so far: drafts are added in input order ([`Clusters::add`]), and the
/// clusters read at the end ([`Clusters::finish`]). The whole fingerprint of a draft is asked
/// for only when it shares a band with an earlier representative, so a caller need hold only
/// the representatives' fingerprints (or compute them again), not every draft's. Adding every
/// draft of [`cluster`]'s input gives its clusters.
pub struct Clusters {
    threshold: f64,
    buckets: Buckets,
    /// By draft: the representative of the cluster it joined, or [`NONE`] (4 bytes a draft).
    rep_of: Vec<u32>,
    size: HashMap<usize, usize>,
    slots: HashMap<usize, SlotValues>,
    /// Bands each representative shares with the draft being added (by draft; zero between
    /// drafts), and which are non-zero.
    shared: Vec<u32>,
    touched: Vec<usize>,
}

impl Clusters {
    pub fn new(threshold: f64) -> Clusters {
        Clusters {
            threshold,
            buckets: Buckets::default(),
            rep_of: Vec::new(),
            size: HashMap::new(),
            slots: HashMap::new(),
            shared: Vec::new(),
            touched: Vec::new(),
        }
    }

    /// Adds draft `id` (ids increasing) with its band keys; `full` gives a draft's whole
    /// fingerprint (`None`, say for a file that changed since, leaves it out of a comparison).
    /// Returns whether the draft is a representative: later drafts may be compared with it.
    pub fn add(
        &mut self,
        id: usize,
        bands: &Bands,
        full: &mut dyn FnMut(usize) -> Option<Arc<Fingerprint>>,
    ) -> bool {
        let keys = &bands.0;
        // Candidates are the representatives sharing a band; the ones sharing the most bands
        // are the likeliest copies. Only the first few are compared, so drafts built from the
        // same stock sentences (many shared bands, few real copies) stay linear. Shared bands
        // are counted in an array by draft (no hashing), and only the first few candidates
        // are sorted: with many drafts of stock sentences, counting and sorting every
        // candidate was half of a 10,000-file run.
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        let shared = &mut self.shared;
        for (band, &k) in keys.iter().enumerate() {
            self.buckets.each(band, k, |rep| {
                if rep >= shared.len() {
                    shared.resize(rep + 1, 0);
                }
                if shared[rep] == 0 {
                    touched.push(rep);
                }
                shared[rep] += 1;
            });
        }
        let mut candidates: Vec<(usize, usize)> = touched
            .iter()
            .map(|&rep| (rep, shared[rep] as usize))
            .collect();
        for &rep in &touched {
            shared[rep] = 0;
        }
        self.touched = touched;
        let order = |a: &(usize, usize), b: &(usize, usize)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if candidates.len() > MAX_COMPARISONS {
            candidates.select_nth_unstable_by(MAX_COMPARISONS - 1, order);
            candidates.truncate(MAX_COMPARISONS);
        }
        candidates.sort_by(order);
        let fp = if candidates.is_empty() {
            None
        } else {
            full(id)
        };
        let threshold = self.threshold;
        // The best match: the most similar; a slot alignment counts as its skeleton's share.
        let mut best: Option<Match> = None;
        for &(rep, _) in &candidates {
            let Some(fp) = fp.as_deref() else { break };
            let Some(r) = full(rep) else {
                continue;
            };
            let jaccard = similarity(fp, &r);
            let (score, aligned) = if r.words.is_some() && fp.words.is_some() {
                match align(&r.keys, &fp.keys, threshold) {
                    Some(s) => {
                        let same = r.keys.len() - s.iter().map(|x| x.a.len()).sum::<usize>();
                        (
                            (same as f64 / (same + s.len()).max(1) as f64).max(jaccard),
                            Some(s),
                        )
                    }
                    None => (jaccard, None),
                }
            } else {
                (jaccard, None)
            };
            if score >= threshold
                && best
                    .as_ref()
                    .is_none_or(|(_, bs, _, b)| score > *bs || (score == *bs && rep < *b))
            {
                best = Some((r, score, aligned, rep));
            }
        }
        match (best, fp) {
            (Some((r, _, aligned, rep)), Some(fp)) => {
                if self.rep_of.len() <= id {
                    self.rep_of.resize(id + 1, NONE);
                }
                self.rep_of[id] = rep as u32;
                *self.size.entry(rep).or_insert(1) += 1;
                if let Some(found) = aligned {
                    let values = self.slots.entry(rep).or_default();
                    for s in found {
                        let at = (s.a.start, s.a.end);
                        values.add(at, words_of(&r, &s.a));
                        values.add(at, words_of(&fp, &s.b));
                    }
                }
                false
            }
            _ => {
                for (band, &k) in keys.iter().enumerate() {
                    self.buckets.add(band, k, id);
                }
                true
            }
        }
    }

    /// The clusters of two or more drafts: each one's first draft, size and slots, and which
    /// drafts are in it.
    pub fn finish(mut self) -> Blasts {
        let mut reps: Vec<usize> = self.size.keys().copied().collect();
        reps.sort_unstable();
        let mut index: HashMap<usize, u32> = HashMap::with_capacity(reps.len());
        let mut clusters = Vec::with_capacity(reps.len());
        for rep in reps {
            let slots: Vec<Vec<String>> = self
                .slots
                .remove(&rep)
                .map(|v| v.by_position.into_values().collect())
                .unwrap_or_default();
            index.insert(rep, clusters.len() as u32);
            clusters.push(Copy {
                first: rep,
                size: self.size[&rep],
                slots: Arc::new(slots),
            });
        }
        let mut of = vec![
            NONE;
            self.rep_of
                .len()
                .max(index.keys().max().map_or(0, |r| r + 1))
        ];
        for (&rep, &c) in &index {
            of[rep] = c;
        }
        for (id, &rep) in self.rep_of.iter().enumerate() {
            if rep != NONE {
                of[id] = index.get(&(rep as usize)).copied().unwrap_or(NONE);
            }
        }
        Blasts { clusters, of }
    }
}

/// No cluster (or no representative).
const NONE: u32 = u32::MAX;

/// The clusters of a run ([`Clusters::finish`]): one entry per cluster, and 4 bytes per draft
/// saying which cluster, if any, it is in.
#[derive(Debug, Default)]
pub struct Blasts {
    clusters: Vec<Copy>,
    of: Vec<u32>,
}

impl Blasts {
    /// The cluster draft `id` is in.
    pub fn of(&self, id: usize) -> Option<&Copy> {
        let c = *self.of.get(id)?;
        self.clusters.get(c as usize)
    }

    /// Every draft in a cluster, with its cluster, in draft order.
    pub fn members(&self) -> impl Iterator<Item = (usize, &Copy)> {
        (0..self.of.len()).filter_map(|id| Some((id, self.of(id)?)))
    }
}
