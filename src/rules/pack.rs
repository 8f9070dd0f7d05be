//! A compiled language pack: its rules and a pre-filter over the literals of all their
//! patterns, so a message is scanned once and only rules whose words occur run.
//!
//! The pre-filter has two forms. Building an Aho-Corasick automaton over a pack's thousands of
//! literals costs ~10 ms, more than the rest of a one-message run, so short texts are scanned
//! with a table of the literals by their first two bytes (a few compares per byte); the
//! automaton is built only once the pack has scanned enough text to pay for it.

use super::Rule;
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Texts at least this long go to the automaton at once.
const AUTOMATON_TEXT: usize = 16 * 1024;
/// Once a pack has scanned this much text with the table, it builds the automaton.
const AUTOMATON_TOTAL: usize = 256 * 1024;

/// Identifies one pattern of one rule.
pub type PatternRef = (u32, u32);

#[derive(Debug)]
pub struct Pack {
    pub lang: String,
    pub name: String,
    pub rules: Vec<Rule>,
    pub word_prefixes: Vec<char>,
    /// The distinct literals, sorted (the table's order and the automaton's pattern ids).
    literals: Vec<String>,
    /// `by_pair[k]..by_pair[k + 1]`: the literals whose first two bytes are `k` (big-endian).
    by_pair: Vec<u32>,
    /// One-byte literals (rare: `?`).
    single: Vec<u32>,
    /// Literal ids in table order (`by_pair` indexes this).
    table: Vec<u32>,
    automaton: OnceLock<AhoCorasick>,
    /// Bytes scanned with the table so far.
    scanned: AtomicUsize,
    /// For each literal, the patterns it stands for.
    owners: Vec<Vec<PatternRef>>,
    /// Patterns without literals: they run whenever their rule applies.
    always: Vec<PatternRef>,
    /// Index of each rule's first pattern in the candidate bitset.
    pub pattern_base: Vec<u32>,
    pattern_count: usize,
}

/// The patterns whose literals occur in a text: a bit per pattern of the pack, and a flag per
/// rule so that rules with nothing to look for are skipped at once.
#[derive(Debug, Default)]
pub struct Candidates {
    bits: Vec<u64>,
    rules: Vec<bool>,
}

impl Candidates {
    fn insert(&mut self, base: &[u32], (rule, pattern): PatternRef) {
        let i = (base[rule as usize] + pattern) as usize;
        self.bits[i / 64] |= 1 << (i % 64);
        self.rules[rule as usize] = true;
    }

    pub fn contains(&self, base: &[u32], rule: usize, pattern: usize) -> bool {
        let i = base[rule] as usize + pattern;
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn any_of_rule(&self, rule: usize) -> bool {
        self.rules.get(rule).copied().unwrap_or(false)
    }
}

impl Pack {
    pub fn new(lang: String, name: String, word_prefixes: Vec<char>, rules: Vec<Rule>) -> Pack {
        let mut by_literal: HashMap<&str, Vec<PatternRef>> = HashMap::new();
        let mut always = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for pi in prefiltered_patterns(rule) {
                let r = (ri as u32, pi as u32);
                let lits = &rule.patterns[pi].literals;
                // An empty literal occurs in every text.
                if lits.is_empty() || lits.iter().any(|l| l.is_empty()) {
                    always.push(r);
                }
                for l in lits.iter().filter(|l| !l.is_empty()) {
                    by_literal.entry(l.as_str()).or_default().push(r);
                }
            }
        }
        let mut entries: Vec<(&str, Vec<PatternRef>)> = by_literal.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let literals: Vec<String> = entries.iter().map(|(l, _)| l.to_string()).collect();
        let owners: Vec<Vec<PatternRef>> = entries.into_iter().map(|(_, o)| o).collect();
        // Sorted by bytes, so the literals sharing their first two bytes are contiguous.
        let mut by_pair = vec![0u32; (1 << 16) + 1];
        let mut single = Vec::new();
        for (i, l) in literals.iter().enumerate() {
            match l.as_bytes() {
                [a, b, ..] => by_pair[pair(*a, *b) + 1] += 1,
                _ => single.push(i as u32),
            }
        }
        for k in 1..by_pair.len() {
            by_pair[k] += by_pair[k - 1];
        }
        // Counting sort: each two-byte key's literals go to its range of the table.
        let mut table = vec![0u32; literals.len() - single.len()];
        let mut next = by_pair.clone();
        for (i, l) in literals.iter().enumerate() {
            if let [a, b, ..] = l.as_bytes() {
                let k = pair(*a, *b);
                table[next[k] as usize] = i as u32;
                next[k] += 1;
            }
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
            literals,
            by_pair,
            single,
            table,
            automaton: OnceLock::new(),
            scanned: AtomicUsize::new(0),
            owners,
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
        };
        for &r in &self.always {
            c.insert(&self.pattern_base, r);
        }
        if self.literals.is_empty() {
            return c;
        }
        let mut seen = vec![false; self.literals.len()];
        let mut hit = |p: usize, c: &mut Candidates| {
            if !seen[p] {
                seen[p] = true;
                for &r in &self.owners[p] {
                    c.insert(&self.pattern_base, r);
                }
            }
        };
        if automaton {
            let ac = self.automaton.get_or_init(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&self.literals)
                    .expect("literal automaton builds for any set of strings")
            });
            for m in ac.find_overlapping_iter(folded) {
                hit(m.pattern().as_usize(), &mut c);
            }
            return c;
        }
        let text = folded.as_bytes();
        for i in 0..text.len() {
            let rest = &text[i..];
            for &l in &self.single {
                if rest[0] == self.literals[l as usize].as_bytes()[0] {
                    hit(l as usize, &mut c);
                }
            }
            let [a, b, ..] = rest else { continue };
            let k = pair(*a, *b);
            for &l in &self.table[self.by_pair[k] as usize..self.by_pair[k + 1] as usize] {
                if rest.starts_with(self.literals[l as usize].as_bytes()) {
                    hit(l as usize, &mut c);
                }
            }
        }
        c
    }

    pub fn literal_count(&self) -> usize {
        self.owners.len()
    }
}

fn pair(a: u8, b: u8) -> usize {
    (a as usize) << 8 | b as usize
}

/// The patterns that decide whether a rule fires (not its exceptions or metric counters).
pub fn prefiltered_patterns(rule: &Rule) -> Vec<usize> {
    rule.kind.prefiltered()
}

#[cfg(test)]
mod tests {
    use crate::rules::{Registry, RuleSources};

    /// The table scan short texts get and the automaton long ones get find the same patterns.
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
        let mut compared = 0;
        for lang in ["en", "es", "pl", "any"] {
            let pack = reg
                .pack(lang)
                .expect("pack exists")
                .as_ref()
                .expect("pack builds");
            assert!(lang == "any" || pack.literal_count() > 0, "{lang}");
            for t in texts {
                let (a, b) = (pack.scan(t, false), pack.scan(t, true));
                assert_eq!(a.bits, b.bits, "{lang}: {t}");
                assert_eq!(a.rules, b.rules, "{lang}: {t}");
                compared += a.rules.iter().filter(|x| **x).count();
            }
        }
        assert!(compared > 10, "{compared}");
    }
}
