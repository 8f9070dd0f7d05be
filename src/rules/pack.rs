//! A compiled language pack: its rules and one Aho-Corasick automaton over the literals of
//! all their patterns, so a message is scanned once and only rules whose words occur run.

use super::{Rule, RuleKind};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Signal {
    pub label: String,
    pub patterns: Vec<usize>,
}

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
}

/// The patterns whose literals occur in a text.
#[derive(Debug, Default)]
pub struct Candidates {
    hit: std::collections::HashSet<PatternRef>,
}

impl Candidates {
    pub fn contains(&self, rule: usize, pattern: usize) -> bool {
        self.hit.contains(&(rule as u32, pattern as u32))
    }

    pub fn any_of_rule(&self, rule: usize) -> bool {
        self.hit.iter().any(|(r, _)| *r as usize == rule)
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
        Pack {
            lang,
            name,
            rules,
            word_prefixes,
            prefilter,
            owners,
            always,
        }
    }

    /// Scans a folded text once and returns the patterns worth running on it.
    pub fn candidates(&self, folded: &str) -> Candidates {
        let mut c = Candidates::default();
        c.hit.extend(self.always.iter().copied());
        if let Some(ac) = &self.prefilter {
            let mut seen = vec![false; self.owners.len()];
            for m in ac.find_overlapping_iter(folded) {
                let p = m.pattern().as_usize();
                if !seen[p] {
                    seen[p] = true;
                    c.hit.extend(self.owners[p].iter().copied());
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
    match &rule.kind {
        RuleKind::Match { patterns } => patterns.clone(),
        RuleKind::Signals { signals, .. } => signals
            .iter()
            .flat_map(|s| s.patterns.iter().copied())
            .collect(),
        _ => Vec::new(),
    }
}
