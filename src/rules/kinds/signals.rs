//! `kind: signals` — enough different signals within one scope.
//!
//! One pitch word is not a pitch. The language file lists labelled `signals` (each a list of
//! patterns, strongest first), how many must occur together (`require`, default all) and where
//! (`scope`: sentence, paragraph or message). Both belong to the language because they count
//! its signals. The first signal present gives the primary span; each other one adds a related
//! label at its first match.

use super::scan::{Hit, Scan};
use super::{only_reads, Compile, Kind};
use crate::message::Message;
use crate::rules::load::Compiler;
use crate::rules::pattern::Pattern;
use crate::rules::schema::RuleDef;
use crate::rules::{Rule, Scope};
use crate::yaml::Spanned;
use serde::Deserialize;
use std::ops::Range;

/// No settings: everything is the language's evidence.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

/// One signal as a language file writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignalDef {
    pub label: String,
    #[serde(rename = "match")]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// A compiled signal: its label and the indices of its patterns in the rule.
#[derive(Debug, Clone)]
pub struct Signal {
    pub label: String,
    pub patterns: Vec<usize>,
}

impl Compile for Settings {
    fn compile(
        &self,
        r: &RuleDef,
        cx: &mut Compiler,
        patterns: &mut Vec<Pattern>,
    ) -> Option<Box<dyn Kind>> {
        if !only_reads(cx, r, "signals", &["signals", "require", "scope", "unless"]) {
            return None;
        }
        let signals: Vec<Signal> = r
            .signals
            .iter()
            .map(|s| Signal {
                label: s.label.clone(),
                patterns: cx.patterns(&s.patterns, &s.keywords, patterns),
            })
            .collect();
        let require = r.require.unwrap_or(signals.len());
        if require == 0 || require > signals.len() {
            cx.err(
                Some(&r.id),
                format!(
                    "`require: {require}` must be between 1 and the number of signals ({})",
                    signals.len()
                ),
            );
            return None;
        }
        Some(Box::new(SignalsKind {
            signals,
            require,
            scope: r.scope.unwrap_or(Scope::Sentence),
        }))
    }
}

#[derive(Debug, Clone)]
pub struct SignalsKind {
    pub signals: Vec<Signal>,
    pub require: usize,
    pub scope: Scope,
}

impl Kind for SignalsKind {
    fn name(&self) -> &'static str {
        "signals"
    }

    fn prefiltered(&self) -> Vec<usize> {
        self.signals
            .iter()
            .flat_map(|s| s.patterns.iter().copied())
            .collect()
    }

    fn evidence(&self) -> Vec<(String, Vec<usize>)> {
        self.signals
            .iter()
            .map(|s| (format!("signal `{}`", s.label), s.patterns.clone()))
            .collect()
    }

    fn gated(&self) -> bool {
        true
    }

    fn reads_text(&self, _rule: &Rule, _msg: &Message) -> bool {
        true
    }

    fn run(&self, scan: &Scan, hits: &mut Vec<Hit>) {
        let (pack, rule, ri, views) = (scan.pack, scan.rule, scan.index, scan.views);
        let (signals, require) = (&self.signals, self.require);
        // Too few signals have their words in the text: no need to run any regex. (A signal
        // without literals always counts, but runs only when the others could fire too.)
        let possible = signals
            .iter()
            .filter(|s| {
                s.patterns.iter().any(|&p| {
                    views
                        .iter()
                        .any(|v| v.candidates.contains(&pack.pattern_base, ri, p))
                })
            })
            .count();
        if possible < require {
            return;
        }
        // Hits of each signal, per view, minus excused ones.
        let mut per_signal: Vec<Vec<(usize, Range<usize>)>> = vec![Vec::new(); signals.len()];
        let mut any = false;
        for (si, s) in signals.iter().enumerate() {
            for (vi, v) in views.iter().enumerate() {
                let checked = v.candidates.checked(ri, true);
                for &p in &s.patterns {
                    if v.candidates.contains(&pack.pattern_base, ri, p) {
                        for r in v.find(pack, rule, p, checked) {
                            per_signal[si].push((vi, r));
                            any = true;
                        }
                    }
                }
            }
            per_signal[si].sort_by_key(|h| h.1.start);
        }
        if !any || per_signal.iter().filter(|h| !h.is_empty()).count() < require {
            return;
        }
        let excs = scan.exceptions(views);
        for hs in per_signal.iter_mut() {
            hs.retain(|(vi, r)| !scan.excused(views[*vi], r, &excs));
        }
        let units: Vec<Range<usize>> = match self.scope {
            Scope::Sentence => views
                .iter()
                .flat_map(|v| v.sentences().iter().cloned())
                .collect(),
            Scope::Paragraph => views.iter().map(|v| v.seg.range.clone()).collect(),
            Scope::Message => std::iter::once(0..usize::MAX).collect(),
        };
        for unit in units {
            let present: Vec<(usize, &Range<usize>)> = per_signal
                .iter()
                .enumerate()
                .filter_map(|(si, hs)| {
                    // Hits are sorted by start: skip those before the unit instead of scanning
                    // them for every unit (quadratic on a huge one-paragraph text).
                    hs[hs.partition_point(|(_, r)| r.start < unit.start)..]
                        .iter()
                        .take_while(|(_, r)| r.start <= unit.end)
                        .find(|(_, r)| r.end <= unit.end)
                        .map(|(_, r)| (si, r))
                })
                .collect();
            if present.len() < require {
                continue;
            }
            let (first_si, primary) = present[0];
            hits.push(Hit {
                label: Some(signals[first_si].label.clone()),
                related: present[1..]
                    .iter()
                    .map(|(si, r)| ((*r).clone(), signals[*si].label.clone()))
                    .collect(),
                suggestion: rule.suggest.clone(),
                sentence: (self.scope == Scope::Sentence).then(|| unit.clone()),
                ..Hit::new(ri, primary.clone())
            });
        }
    }
}
