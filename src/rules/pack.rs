//! A compiled language pack: its rules and one Aho-Corasick automaton over the literals of
//! all their patterns, so a message is scanned once and only rules whose words occur run.

use super::Rule;
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;

/// Identifies one pattern of one rule.
pub type PatternRef = (u32, u32);

#[derive(Debug)]
pub struct Pack {
    pub lang: String,
    pub name: String,
    pub rules: Vec<Rule>,
    pub word_prefixes: Vec<char>,
    prefilter: Option<AhoCorasick>,
    /// For each literal of the automaton, the patterns it stands for.
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
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut literals: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<PatternRef>> = Vec::new();
        let mut always = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            for pi in prefiltered_patterns(rule) {
                let r = (ri as u32, pi as u32);
                let lits = &rule.patterns[pi].literals;
                if lits.is_empty() {
                    always.push(r);
                }
                for l in lits {
                    let slot = *index.entry(l.clone()).or_insert_with(|| {
                        literals.push(l.clone());
                        owners.push(Vec::new());
                        literals.len() - 1
                    });
                    owners[slot].push(r);
                }
            }
        }
        let prefilter = (!literals.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&literals)
                .expect("literal automaton builds for any set of strings")
        });
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
            prefilter,
            owners,
            always,
            pattern_base,
            pattern_count: pattern_count as usize,
        }
    }

    /// Scans a folded text once and returns the patterns worth running on it.
    pub fn candidates(&self, folded: &str) -> Candidates {
        let mut c = Candidates {
            bits: vec![0; self.pattern_count.div_ceil(64)],
            rules: vec![false; self.rules.len()],
        };
        for &r in &self.always {
            c.insert(&self.pattern_base, r);
        }
        if let Some(ac) = &self.prefilter {
            let mut seen = vec![false; self.owners.len()];
            for m in ac.find_overlapping_iter(folded) {
                let p = m.pattern().as_usize();
                if !seen[p] {
                    seen[p] = true;
                    for &r in &self.owners[p] {
                        c.insert(&self.pattern_base, r);
                    }
                }
            }
        }
        c
    }

    pub fn literal_count(&self) -> usize {
        self.owners.len()
    }
}

/// The patterns that decide whether a rule fires (not its exceptions or metric counters).
pub fn prefiltered_patterns(rule: &Rule) -> Vec<usize> {
    rule.kind.prefiltered()
}
