//! A compiled language pack: its rules and a pre-filter over the literals of all their
//! patterns, so a message is scanned once and only rules whose words occur run.
//!
//! The pre-filter has two forms. Building an Aho-Corasick automaton over a pack's thousands of
//! literals costs ~10 ms, more than the rest of a one-message run, so short texts are scanned
//! with the sorted literals indexed by their first byte (then a binary search on the second); the
//! automaton is built only once the pack has scanned enough text to pay for it.
//!
//! The automaton also looks for the other pieces patterns need (their required sets, and the
//! literals of exceptions), so on a long text a pattern whose pieces are not all there is
//! ruled out by a few bit tests instead of substring searches or a regex search per paragraph.

use super::Rule;
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Texts at least this long go to the automaton at once.
const AUTOMATON_TEXT: usize = 16 * 1024;
/// Once a pack has scanned this much text with the table, it builds the automaton. The table
/// costs about 15 times the automaton per byte of text (callgrind on English corpus messages:
/// ~1.3 M instructions for a 750-byte message against ~90 k), and building the English pack's
/// automaton costs what the table spends on about 15 such messages: so a run of more than a few
/// dozen messages builds it, and one message never does.
const AUTOMATON_TOTAL: usize = 24 * 1024;

/// Identifies one pattern of one rule.
pub type PatternRef = (u32, u32);

#[derive(Debug)]
pub struct Pack {
    pub lang: String,
    pub name: String,
    pub rules: Vec<Rule>,
    pub word_prefixes: Vec<char>,
    /// The distinct literals, sorted by bytes (the automaton's pattern ids), one after
    /// another: literal `i` is `text[starts[i]..starts[i + 1]]`. One string rather than one
    /// allocation per literal (a pack has thousands).
    text: String,
    starts: Vec<u32>,
    /// `by_first[a]..by_first[a + 1]`: the literals whose first byte is `a` (sorted, so
    /// contiguous; within them, a one-byte literal comes first, then by second byte).
    by_first: Vec<u32>,
    automaton: OnceLock<Automaton>,
    /// Bytes scanned with the table so far.
    scanned: AtomicUsize,
    /// `owners[owner_starts[i]..owner_starts[i + 1]]`: the patterns literal `i` stands for.
    owners: Vec<PatternRef>,
    owner_starts: Vec<u32>,
    /// Patterns without literals: they run whenever their rule applies.
    always: Vec<PatternRef>,
    /// Index of each rule's first pattern in the candidate bitset.
    pub pattern_base: Vec<u32>,
    pattern_count: usize,
}

/// The automaton over the pre-filter's literals (ids `0..literal_count()`) and the other
/// pieces patterns need (ids after them), with each pattern's sets of piece ids.
#[derive(Debug)]
struct Automaton {
    ac: AhoCorasick,
    /// How many literals the automaton has in all.
    literals: usize,
    /// `pattern_sets[sets_of[g]..sets_of[g + 1]]`: the sets of the pack's pattern `g`
    /// (`pattern_base[rule] + pattern`); each must have one of its literals in the text. Sets
    /// are distinct (patterns share many through pattern variables).
    sets_of: Vec<u32>,
    pattern_sets: Vec<u32>,
    /// `literal_sets[in_sets[l]..in_sets[l + 1]]`: the sets literal `l` belongs to, so that a
    /// scan marks a set present once, when one of its literals is first seen.
    in_sets: Vec<u32>,
    literal_sets: Vec<u32>,
    /// How many distinct sets there are.
    sets: usize,
    /// Per rule with exceptions: its index, whether it is gated, and its exceptions.
    unless: Vec<(usize, bool, Vec<usize>)>,
}

impl Automaton {
    /// Whether every set of pattern `g` is among the sets `present`.
    fn pieces_present(&self, g: usize, present: &[u64]) -> bool {
        let sets = self.sets_of[g] as usize..self.sets_of[g + 1] as usize;
        self.pattern_sets[sets]
            .iter()
            .all(|&s| has(present, s as usize))
    }
}

/// Whether bit `i` of `bits` is set.
fn has(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// Sets bit `i` of `bits`; whether it was not set before.
fn mark(bits: &mut [u64], i: usize) -> bool {
    let was = has(bits, i);
    bits[i / 64] |= 1 << (i % 64);
    !was
}

/// The patterns whose literals occur in a text: a bit per pattern of the pack, and a flag per
/// rule so that rules with nothing to look for are skipped at once.
#[derive(Debug, Default)]
pub struct Candidates {
    bits: Vec<u64>,
    rules: Vec<bool>,
    /// Scanned with the automaton: a pattern's bit is also cleared when one of its required
    /// pieces is missing, and the exceptions of the rules that may run (`rules`, or any rule
    /// that is not gated) have a bit that says whether their pieces are all there.
    refined: bool,
}

impl Candidates {
    fn insert(&mut self, base: &[u32], (rule, pattern): PatternRef) {
        mark(&mut self.bits, (base[rule as usize] + pattern) as usize);
        self.rules[rule as usize] = true;
    }

    pub fn contains(&self, base: &[u32], rule: usize, pattern: usize) -> bool {
        let i = base[rule] as usize + pattern;
        i / 64 < self.bits.len() && has(&self.bits, i)
    }

    pub fn any_of_rule(&self, rule: usize) -> bool {
        self.rules.get(rule).copied().unwrap_or(false)
    }

    /// Whether the bits of rule `rule`'s patterns and exceptions say for certain whether their
    /// pieces all occur in the text (else a search has to look for them itself).
    pub fn checked(&self, rule: usize, gated: bool) -> bool {
        self.refined && (!gated || self.any_of_rule(rule))
    }

    fn clear(&mut self, g: usize) {
        self.bits[g / 64] &= !(1 << (g % 64));
    }
}

impl Pack {
    pub fn new(lang: String, name: String, word_prefixes: Vec<char>, rules: Vec<Rule>) -> Pack {
        // (literal, pattern) pairs sorted, rather than a hash map of lists: no hashing and
        // no allocation per literal, which made building the English pack a fifth of a
        // one-message run.
        let mut pairs: Vec<(&str, PatternRef)> = Vec::new();
        let mut always = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for pi in prefiltered_patterns(rule) {
                let r = (ri as u32, pi as u32);
                let lits = rule.patterns[pi].literals();
                let before = pairs.len();
                let mut empty = false;
                for l in lits {
                    if l.is_empty() {
                        empty = true;
                    } else {
                        pairs.push((l, r));
                    }
                }
                // An empty literal occurs in every text.
                if empty || pairs.len() == before {
                    always.push(r);
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut text = String::new();
        let mut starts = vec![0u32];
        let mut owners = Vec::with_capacity(pairs.len());
        let mut owner_starts = vec![0u32];
        let mut by_first = vec![0u32; 257];
        for (k, (lit, r)) in pairs.iter().enumerate() {
            if k == 0 || pairs[k - 1].0 != *lit {
                if k > 0 {
                    owner_starts.push(owners.len() as u32);
                }
                text.push_str(lit);
                starts.push(text.len() as u32);
                by_first[lit.as_bytes()[0] as usize + 1] += 1;
            }
            owners.push(*r);
        }
        if !pairs.is_empty() {
            owner_starts.push(owners.len() as u32);
        }
        for a in 1..by_first.len() {
            by_first[a] += by_first[a - 1];
        }
        let mut pattern_base = Vec::with_capacity(rules.len());
        let mut pattern_count = 0u32;
        for r in &rules {
            pattern_base.push(pattern_count);
            pattern_count += r.patterns.len() as u32;
        }
        Pack {
            lang,
            name,
            rules,
            word_prefixes,
            text,
            starts,
            by_first,
            automaton: OnceLock::new(),
            scanned: AtomicUsize::new(0),
            owners,
            owner_starts,
            always,
            pattern_base,
            pattern_count: pattern_count as usize,
        }
    }

    /// Scans a folded text once and returns the patterns worth running on it.
    pub fn candidates(&self, folded: &str) -> Candidates {
        let automaton = self.automaton.get().is_some()
            || folded.len() >= AUTOMATON_TEXT
            || self.scanned.fetch_add(folded.len(), Ordering::Relaxed) + folded.len()
                >= AUTOMATON_TOTAL;
        self.scan(folded, automaton)
    }

    fn scan(&self, folded: &str, automaton: bool) -> Candidates {
        let mut c = Candidates {
            bits: vec![0; self.pattern_count.div_ceil(64)],
            rules: vec![false; self.rules.len()],
            refined: false,
        };
        for &r in &self.always {
            c.insert(&self.pattern_base, r);
        }
        let n = self.literal_count();
        if automaton {
            let auto = self.automaton.get_or_init(|| self.build_automaton());
            // Literals seen and sets present, a bit each (a vector of flags per paragraph cost
            // more to clear).
            let mut seen = vec![0u64; auto.literals.div_ceil(64)];
            let mut present = vec![0u64; auto.sets.div_ceil(64)];
            for m in auto.ac.find_overlapping_iter(folded) {
                let p = m.pattern().as_usize();
                if !mark(&mut seen, p) {
                    continue;
                }
                let sets = auto.in_sets[p] as usize..auto.in_sets[p + 1] as usize;
                for &s in &auto.literal_sets[sets] {
                    mark(&mut present, s as usize);
                }
                if p < n {
                    let owners = self.owner_starts[p] as usize..self.owner_starts[p + 1] as usize;
                    for &r in &self.owners[owners] {
                        c.insert(&self.pattern_base, r);
                    }
                }
            }
            for w in 0..c.bits.len() {
                let mut word = c.bits[w];
                while word != 0 {
                    let g = w * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    if !auto.pieces_present(g, &present) {
                        c.clear(g);
                    }
                }
            }
            for (ri, gated, unless) in &auto.unless {
                if *gated && !c.rules[*ri] {
                    continue;
                }
                for &u in unless {
                    let g = self.pattern_base[*ri] as usize + u;
                    if auto.pieces_present(g, &present) {
                        mark(&mut c.bits, g);
                    }
                }
            }
            c.refined = true;
            return c;
        }
        if n == 0 {
            return c;
        }
        // A bit per literal (a pack has thousands; a byte each made clearing this a tenth of
        // the scan of a short message).
        let mut seen = vec![0u64; n.div_ceil(64)];
        let mut hit = |p: usize, c: &mut Candidates| {
            if mark(&mut seen, p) {
                let owners = self.owner_starts[p] as usize..self.owner_starts[p + 1] as usize;
                for &r in &self.owners[owners] {
                    c.insert(&self.pattern_base, r);
                }
            }
        };
        let text = folded.as_bytes();
        for i in 0..text.len() {
            let rest = &text[i..];
            let a = rest[0] as usize;
            let (mut lo, hi) = (self.by_first[a] as usize, self.by_first[a + 1] as usize);
            if lo == hi {
                continue;
            }
            if self.literal(lo).len() == 1 {
                hit(lo, &mut c);
                lo += 1;
            }
            let Some(&b) = rest.get(1) else { continue };
            // The literals starting with `a b`: a run inside `lo..hi`, sorted by second byte.
            let (mut from, mut to) = (lo, hi);
            while from < to {
                let mid = (from + to) / 2;
                if self.literal(mid).as_bytes()[1] < b {
                    from = mid + 1;
                } else {
                    to = mid;
                }
            }
            for l in from..hi {
                let lit = self.literal(l).as_bytes();
                if lit[1] != b {
                    break;
                }
                if rest.starts_with(lit) {
                    hit(l, &mut c);
                }
            }
        }
        c
    }

    /// The automaton over the pre-filter's literals and every pattern's other pieces.
    fn build_automaton(&self) -> Automaton {
        let n = self.literal_count();
        let mut extra: Vec<&str> = Vec::new();
        let mut extra_ids: std::collections::HashMap<&str, u32> = Default::default();
        let mut sets_of = vec![0u32];
        let mut pattern_sets = Vec::new();
        let mut set_ids: std::collections::HashMap<Vec<u32>, u32> = Default::default();
        // (literal, set) pairs.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut unless = Vec::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            for p in &rule.patterns {
                for set in p.pieces() {
                    let mut members = Vec::new();
                    let mut always = false;
                    for lit in set {
                        if lit.is_empty() {
                            always = true; // an empty literal occurs in every text
                            break;
                        }
                        let id = if let Some(known) = self.find_literal(lit) {
                            known as u32
                        } else {
                            *extra_ids.entry(lit).or_insert_with(|| {
                                extra.push(lit);
                                (n + extra.len() - 1) as u32
                            })
                        };
                        members.push(id);
                    }
                    if always {
                        continue;
                    }
                    members.sort_unstable();
                    members.dedup();
                    let next = set_ids.len() as u32;
                    let id = *set_ids.entry(members.clone()).or_insert_with(|| {
                        pairs.extend(members.iter().map(|&l| (l, next)));
                        next
                    });
                    if !pattern_sets[sets_of[sets_of.len() - 1] as usize..].contains(&id) {
                        pattern_sets.push(id);
                    }
                }
                sets_of.push(pattern_sets.len() as u32);
            }
            if !rule.unless.is_empty() {
                unless.push((ri, rule.kind.gated(), rule.unless.clone()));
            }
        }
        let literals = n + extra.len();
        pairs.sort_unstable();
        let mut in_sets = vec![0u32; literals + 1];
        for &(l, _) in &pairs {
            in_sets[l as usize + 1] += 1;
        }
        for l in 1..in_sets.len() {
            in_sets[l] += in_sets[l - 1];
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build((0..n).map(|i| self.literal(i)).chain(extra.iter().copied()))
            .expect("literal automaton builds for any set of strings");
        Automaton {
            ac,
            literals,
            sets_of,
            pattern_sets,
            in_sets,
            literal_sets: pairs.into_iter().map(|(_, s)| s).collect(),
            sets: set_ids.len(),
            unless,
        }
    }

    /// The id of a pre-filter literal (they are sorted).
    fn find_literal(&self, lit: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.literal_count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.literal(mid).cmp(lit) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Literal `i` of the pre-filter.
    #[inline]
    fn literal(&self, i: usize) -> &str {
        &self.text[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    pub fn literal_count(&self) -> usize {
        self.starts.len() - 1
    }
}

/// The patterns that decide whether a rule fires (not its exceptions or metric counters).
pub fn prefiltered_patterns(rule: &Rule) -> Vec<usize> {
    rule.kind.prefiltered()
}

#[cfg(test)]
mod tests {
    use crate::rules::{Registry, RuleSources};

    /// The table scan short texts get and the automaton long ones get find the same rules, and
    /// the automaton rules out exactly the patterns whose required pieces are missing.
    #[test]
    fn table_and_automaton_find_the_same_candidates() {
        let reg = Registry::new(&RuleSources::default()).expect("built-in rules");
        let texts = [
            "i'd love to book a quick demo with you next week, 20% off?",
            "hi anna, i've added you to our newsletter. reply stop to unsubscribe",
            "as we discussed, my friend: could you introduce me to your cto?",
            "x",
            "",
            "zażółć gęślą jaźń — {{first_name}} [name] %firma% ¿quieres una demo?",
        ];
        let (mut compared, mut pruned) = (0, 0);
        for lang in ["en", "es", "pl", "any"] {
            let pack = reg
                .pack(lang)
                .expect("pack exists")
                .as_ref()
                .expect("pack builds");
            assert!(lang == "any" || pack.literal_count() > 0, "{lang}");
            for t in texts {
                let (a, b) = (pack.scan(t, false), pack.scan(t, true));
                assert_eq!(a.rules, b.rules, "{lang}: {t}");
                assert!(!a.refined && b.refined);
                // The automaton keeps a pattern the table found only if its other pieces are
                // in the text too, and says the same of the exceptions of the rules that run.
                for (ri, rule) in pack.rules.iter().enumerate() {
                    let base = &pack.pattern_base;
                    for pi in 0..rule.patterns.len() {
                        let may = rule.patterns[pi].may_match(t);
                        let want = if rule.unless.contains(&pi) {
                            b.checked(ri, rule.kind.gated()) && may
                        } else {
                            a.contains(base, ri, pi) && may
                        };
                        assert_eq!(b.contains(base, ri, pi), want, "{lang}: {t}: {ri} {pi}");
                        pruned += usize::from(a.contains(base, ri, pi) && !may);
                    }
                }
                compared += a.rules.iter().filter(|x| **x).count();
            }
        }
        assert!(compared > 10 && pruned > 0, "{compared} {pruned}");
    }
}
