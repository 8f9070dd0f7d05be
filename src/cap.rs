//! The finding cap: a file that repeats one mistake a thousand times needs the first few
//! findings and a count, not a thousand diagnostics (a 5 MB file with a pitch in every sentence
//! wrote 100 MB of JSON). After the first `max` findings of a rule in a file, the rest are
//! replaced by one finding, `tactful/capped`, placed where the first hidden one was, that says
//! how many more there are. The cap is applied when a result is reported, after suppressions and
//! severities, so exit status, totals and `--fix` still see every finding.

use crate::finding::{FileResult, Finding, Severity, Text};
use std::collections::HashMap;

/// Findings of one rule shown per file when neither `--max-per-rule` nor the config says.
pub const DEFAULT_MAX_PER_RULE: usize = 50;

/// The rule id of the finding that stands for the hidden ones.
pub const CAPPED_RULE: &str = crate::internal::CAPPED.id;

/// What the cap left out of one file for one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Capped {
    pub rule: Text,
    /// How many findings of the rule are listed.
    pub shown: usize,
    /// How many are not.
    pub hidden: usize,
    /// The span of the first hidden finding (where the summary finding sits).
    pub span: std::ops::Range<usize>,
}

/// Keeps the first `max` findings of each rule (in the order given: by position) and replaces
/// the rest with one summary finding per rule. `max == 0` keeps everything. Returns what was
/// left out. Linear in the number of findings.
pub fn apply(findings: &mut Vec<Finding>, max: usize) -> Vec<Capped> {
    if max == 0 || findings.len() <= max {
        return Vec::new();
    }
    let mut totals: HashMap<Text, usize> = HashMap::new();
    for f in findings.iter() {
        *totals.entry(f.rule.clone()).or_insert(0) += 1;
    }
    if totals.values().all(|&n| n <= max) {
        return Vec::new();
    }
    // Per rule over the cap: findings seen so far, the summary's index in `out`, its severity.
    let mut seen: HashMap<Text, (usize, usize, Severity)> = HashMap::new();
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len().min(totals.len() * (max + 1)));
    let mut capped: Vec<Capped> = Vec::new();
    for f in findings.drain(..) {
        let total = totals.get(&f.rule).copied().unwrap_or(0);
        if total <= max {
            out.push(f);
            continue;
        }
        let entry = seen
            .entry(f.rule.clone())
            .or_insert((0, usize::MAX, f.severity));
        entry.0 += 1;
        if entry.0 <= max {
            out.push(f);
        } else if entry.0 == max + 1 {
            let hidden = total - max;
            entry.1 = out.len();
            entry.2 = f.severity;
            capped.push(Capped {
                rule: f.rule.clone(),
                shown: max,
                hidden,
                span: f.span.clone(),
            });
            out.push(summary(&f, hidden));
        } else if f.severity > entry.2 {
            entry.2 = f.severity;
        }
    }
    // The summary says the most severe level among what it stands for.
    for (_, (_, at, severity)) in seen {
        if let Some(s) = out.get_mut(at) {
            s.severity = severity;
        }
    }
    *findings = out;
    capped
}

/// The finding that stands for the hidden findings of `first`'s rule.
fn summary(first: &Finding, hidden: usize) -> Finding {
    let findings = if hidden == 1 { "finding" } else { "findings" };
    let mut f = crate::internal::CAPPED.finding(
        format!("{hidden} more {findings} of {} in this file", first.rule),
        first.span.clone(),
        format!("{hidden} more {findings} of {} from here on", first.rule),
    );
    // The summary is as severe as what it stands for.
    f.severity = first.severity;
    f
}

/// [`apply`] to a file's result, recording what was left out in `result.capped`; returns how
/// many findings were hidden.
pub fn apply_to(result: &mut FileResult, max: usize) -> usize {
    let capped = apply(&mut result.findings, max);
    let hidden = capped.iter().map(|c| c.hidden).sum();
    result.capped.extend(capped);
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(rule: &str, at: usize, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            category: rule.split('/').next().unwrap_or(rule).into(),
            severity,
            message: "m".into(),
            help: "h".into(),
            span: at..at + 1,
            label: "l".into(),
            related: Vec::new(),
            suggestion: None,
            confidence: None,
        }
    }

    #[test]
    fn keeps_the_first_of_each_rule_and_counts_the_rest() {
        let mut v: Vec<Finding> = (0..10)
            .map(|i| {
                let rule = if i % 2 == 0 { "a/x" } else { "b/y" };
                f(rule, i, Severity::Warning)
            })
            .collect();
        v.push(f("c/z", 20, Severity::Error));
        let capped = apply(&mut v, 2);
        let rules: Vec<&str> = v.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["a/x", "b/y", "a/x", "b/y", CAPPED_RULE, CAPPED_RULE, "c/z"]
        );
        assert_eq!(
            v[4].span,
            4..5,
            "the summary sits at the first hidden finding"
        );
        assert_eq!(&*v[4].message, "3 more findings of a/x in this file");
        assert_eq!(&*v[5].message, "3 more findings of b/y in this file");
        assert_eq!(capped.len(), 2);
        assert_eq!((capped[0].shown, capped[0].hidden), (2, 3));
    }

    #[test]
    fn the_summary_takes_the_most_severe_hidden_level() {
        let mut v = vec![
            f("a/x", 0, Severity::Info),
            f("a/x", 1, Severity::Info),
            f("a/x", 2, Severity::Error),
        ];
        apply(&mut v, 1);
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].severity, Severity::Error);
        assert_eq!(&*v[1].message, "2 more findings of a/x in this file");
    }

    #[test]
    fn zero_or_few_findings_change_nothing() {
        let mut v: Vec<Finding> = (0..5).map(|i| f("a/x", i, Severity::Error)).collect();
        let before = v.clone();
        assert!(apply(&mut v, 0).is_empty());
        assert!(apply(&mut v, 5).is_empty());
        assert_eq!(v, before);
    }
}
