//! One problem, one finding: when findings cover the same words (overlapping spans in one
//! file), the reader gets the strongest one, with the others listed as its related entries
//! ("also mass-message/…: <message>") instead of two or three diagnostics on one sentence
//! (issue 9, "duplicate categories"). That holds across categories and within one: two rules of
//! one category on the same words (a phrase rule and an any-word-order rule both reading "you
//! will now receive our newsletter") are one problem too.
//!
//! Runs after suppressions, `allow:`, the selection and the configured severities (a rule the
//! user turned off cannot hide another one) and before the per-rule cap. Special cases:
//! - a learned finding overlapped by a pattern finding of its own category is dropped with no
//!   related entry: the pattern has the exact words and the fix. The learned kind already skips
//!   sentences the patterns before it in the pack cover; this catches a user's pattern rule
//!   loaded after it;
//! - two findings of the same rule on overlapping words (a template's renderings can give a rule
//!   two spans over one sentence) become the stronger one with no related entry: "also" the same
//!   message would say nothing new.
//!
//! What is left alone:
//! - tactful's own findings (`tactful/*`);
//! - findings whose span is more than one sentence (a paragraph-wide or whole-message finding
//!   would otherwise swallow every finding inside it);
//! - a finding with a fix whose winner has none: `--fix` applies only the kept finding's fix,
//!   so such a finding stays on its own rather than have its fix dropped silently.
//!
//! The strongest: higher severity, then a pattern finding over a learned one, then the wider
//! span, then one with a fix (so an equal finding without one does not keep both on the
//! reader's screen), then the rule id (then the position), so the outcome does not depend on
//! input order.
//! The kept finding keeps its severity, which is the highest of the group, so the exit status
//! does not change.

use crate::finding::{Finding, MergedFrom, Related, Text};
use crate::rules::CategoryDef;
use std::cmp::Ordering;
use std::ops::Range;

/// Groups of overlapping findings larger than this are left as they are: merging is quadratic
/// in the size of a group, and a group this large is not one sentence anyway.
const MAX_GROUP: usize = 64;

/// Folds overlapping findings into the strongest one; keeps the order of what is left (by
/// position, as given).
pub fn merge_overlapping(findings: &mut Vec<Finding>, source: &str) {
    if findings.len() < 2 {
        return;
    }
    let eligible: Vec<bool> = findings.iter().map(|f| mergeable(f, source)).collect();
    // Indices of eligible findings by start, then swept into groups of overlapping spans.
    let mut order: Vec<usize> = (0..findings.len()).filter(|&i| eligible[i]).collect();
    if order.len() < 2 {
        return;
    }
    order.sort_by_key(|&i| (findings[i].span.start, findings[i].span.end));
    // Each group is a run of `order` (its first index there): no allocation per group, which
    // in a file with a finding in every sentence is one per finding.
    let mut groups: Vec<usize> = Vec::new();
    let mut end = 0;
    for (at, &i) in order.iter().enumerate() {
        let span = &findings[i].span;
        if at > 0 && span.start < end {
            end = end.max(span.end);
        } else {
            groups.push(at);
            end = span.end;
        }
    }
    groups.push(order.len());
    // What each folded finding becomes: (index of the kept finding, the related entry).
    let mut folded: Vec<Option<usize>> = vec![None; findings.len()];
    let mut added: Vec<(usize, Related)> = Vec::new();
    let mut dropped = vec![false; findings.len()];
    let mut g: Vec<usize> = Vec::new();
    for run in groups.windows(2) {
        if run[1] - run[0] < 2 || run[1] - run[0] > MAX_GROUP {
            continue;
        }
        g.clear();
        g.extend_from_slice(&order[run[0]..run[1]]);
        // A pattern finding covers a learned one of its category, whatever the severities.
        for &i in &g {
            let f = &findings[i];
            dropped[i] = f.confidence.is_some()
                && g.iter().any(|&j| {
                    let p = &findings[j];
                    p.confidence.is_none() && p.category == f.category && overlaps(&p.span, &f.span)
                });
        }
        g.retain(|&i| !dropped[i]);
        g.sort_by(|&a, &b| stronger(&findings[a], &findings[b]));
        let mut kept: Vec<usize> = Vec::with_capacity(g.len());
        for &i in &g {
            let f = &findings[i];
            let into = kept.iter().copied().find(|&k| {
                let w = &findings[k];
                overlaps(&w.span, &f.span) && !(f.suggestion.is_some() && w.suggestion.is_none())
            });
            match into {
                Some(k) => {
                    folded[i] = Some(k);
                    if findings[k].rule != f.rule {
                        added.push((k, related_entry(f)));
                    }
                    // Its own secondary spans ("the offer is here") go with it.
                    added.extend(f.related.iter().map(|r| (k, r.clone())));
                }
                None => kept.push(i),
            }
        }
    }
    if folded.iter().all(Option::is_none) && !dropped.contains(&true) {
        return;
    }
    for (k, rel) in added {
        let have = &findings[k].related;
        if !have
            .iter()
            .any(|r| r.span == rel.span && r.label == rel.label)
        {
            findings[k].related.push(rel);
        }
    }
    let mut i = 0;
    findings.retain(|_| {
        let keep = folded[i].is_none() && !dropped[i];
        i += 1;
        keep
    });
}

/// One message, one diagnosis: a category that gives way to others (`gives-way-to:` in
/// `rules/categories.yaml`) is left out of a message in which one of those is reported. An
/// ask-before-give finding in a first message that pitches is the pitch's ask (the sales call,
/// "could you pass this to your QA lead"): the early-pitch finding already says what is wrong
/// with it, and the labelled real messages agree (of 127 train messages with either label, one
/// has both). Findings of both come from the same run: a category the user turned off or did
/// not select reports nothing, so it hides nothing. A category the catalogue does not know
/// gives way to nothing.
///
/// A phrase outweighs the learned layer's reading of the message: a pattern finding gives way
/// only to a pattern finding, and a learned finding of a category with no pattern finding in
/// the message gives way to a pattern finding of a category that would give way to it (a
/// founder who describes the startup and asks "could I pick your brain?" reads like a pitch to
/// the learned layer, but the phrase says it is an ask).
pub fn give_way(findings: &mut Vec<Finding>, categories: &[CategoryDef]) {
    let yields = |f: &Finding| -> &[String] {
        categories
            .iter()
            .find(|c| c.id == *f.category)
            .map_or(&[], |c| c.gives_way_to.as_slice())
    };
    if findings.iter().all(|f| yields(f).is_empty()) {
        return;
    }
    // (category, found by a pattern)
    let present: Vec<(Text, bool)> = findings
        .iter()
        .map(|f| (f.category.clone(), f.confidence.is_none()))
        .collect();
    // A pattern finding gives way only to a pattern finding: the learned layer's reading of
    // the message does not outweigh a phrase found in it.
    let by_pattern = |c: &str| present.iter().any(|(p, pat)| **p == *c && *pat);
    findings.retain(|f| {
        let learned = f.confidence.is_some();
        let gives_way = yields(f).iter().any(|c| {
            present
                .iter()
                .any(|(p, pat)| **p == **c && (*pat || learned))
        });
        // and the other way round: a learned finding, with no phrase of its own category in
        // the message, gives way to a phrase of a category that would have given way to it
        // ("can I pick your brain" is the ask of a founder's message that reads like a pitch)
        let outweighed = learned
            && !by_pattern(&f.category)
            && present.iter().any(|(p, pat)| {
                *pat && categories
                    .iter()
                    .any(|c| c.id == **p && c.gives_way_to.iter().any(|o| **o == *f.category))
            });
        !gives_way && !outweighed
    });
}

/// Whether `f` takes part in merging at all.
fn mergeable(f: &Finding, source: &str) -> bool {
    f.category != crate::internal::CATEGORY
        && !f.span.is_empty()
        && source.get(f.span.clone()).is_some_and(one_sentence)
}

/// No line break, and no sentence end followed by more text.
fn one_sentence(text: &str) -> bool {
    let t = text.trim_end();
    if t.contains('\n') {
        return false;
    }
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
            && chars.peek().is_some_and(|n| n.is_whitespace())
        {
            return false;
        }
    }
    true
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// `Less` when `a` is the stronger finding.
fn stronger(a: &Finding, b: &Finding) -> Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| a.confidence.is_some().cmp(&b.confidence.is_some()))
        .then_with(|| b.span.len().cmp(&a.span.len()))
        .then_with(|| b.suggestion.is_some().cmp(&a.suggestion.is_some()))
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| a.span.start.cmp(&b.span.start))
}

fn related_entry(f: &Finding) -> Related {
    Related {
        span: f.span.clone(),
        label: format!("also {}: {}", f.rule, f.message),
        merged: Some(MergedFrom {
            rule: f.rule.clone(),
            category: f.category.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Severity, Suggestion};

    const SRC: &str = "Hi Ana, we are the leading agency and want a quick call. Thanks!\nBye";

    fn f(rule: &str, sev: Severity, span: Range<usize>) -> Finding {
        Finding {
            rule: rule.into(),
            category: rule.split('/').next().unwrap_or(rule).into(),
            severity: sev,
            message: format!("{rule} says so").into(),
            help: "help".into(),
            span,
            label: "here".into(),
            related: Vec::new(),
            suggestion: None,
            confidence: None,
        }
    }

    /// A finding of the learned layer.
    fn learned_f(rule: &str, sev: Severity, span: Range<usize>) -> Finding {
        Finding {
            confidence: Some(0.9),
            ..f(rule, sev, span)
        }
    }

    fn rules(fs: &[Finding]) -> Vec<&str> {
        fs.iter().map(|f| f.rule.as_str()).collect()
    }

    fn merged(f: &Finding) -> Vec<&str> {
        f.related
            .iter()
            .filter_map(|r| r.merged.as_ref().map(|m| m.rule.as_str()))
            .collect()
    }

    fn cat(id: &str, gives_way_to: &[&str]) -> CategoryDef {
        CategoryDef {
            id: id.into(),
            title: id.into(),
            catches: String::new(),
            why: String::new(),
            instead: String::new(),
            example: String::new(),
            gives_way_to: gives_way_to.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_category_gives_way_only_where_the_other_is_reported() {
        let cats = [
            cat("early-pitch", &[]),
            cat("ask-before-give", &["early-pitch"]),
            cat("self-focus", &[]),
        ];
        let ask = || f("ask-before-give/call", Severity::Warning, 40..55);
        // Anywhere in the message, overlapping or not.
        let mut v = vec![
            ask(),
            f("early-pitch/demo", Severity::Error, 0..20),
            f("self-focus/boast", Severity::Warning, 8..30),
        ];
        give_way(&mut v, &cats);
        assert_eq!(rules(&v), ["early-pitch/demo", "self-focus/boast"]);
        // A learned ask gives way to any pitch, learned or not.
        let mut v = vec![
            learned_f("ask-before-give/learned", Severity::Warning, 40..55),
            learned_f("early-pitch/learned", Severity::Warning, 0..20),
        ];
        give_way(&mut v, &cats);
        assert_eq!(rules(&v), ["early-pitch/learned"]);
        // A phrase outweighs the learned layer: the ask found by a pattern stays, and the
        // learned pitch with no phrase of its own gives way to it.
        let mut v = vec![
            ask(),
            learned_f("early-pitch/learned", Severity::Warning, 0..20),
        ];
        give_way(&mut v, &cats);
        assert_eq!(rules(&v), ["ask-before-give/call"]);
        // With a pitch phrase as well, the pitch is the diagnosis.
        let mut v = vec![
            ask(),
            learned_f("early-pitch/learned", Severity::Warning, 0..20),
            f("early-pitch/demo", Severity::Error, 20..30),
        ];
        give_way(&mut v, &cats);
        assert_eq!(rules(&v), ["early-pitch/learned", "early-pitch/demo"]);
        // Without a pitch, nothing goes; an unknown category gives way to nothing.
        let mut v = vec![ask(), f("self-focus/boast", Severity::Warning, 8..30)];
        give_way(&mut v, &cats);
        assert_eq!(rules(&v), ["ask-before-give/call", "self-focus/boast"]);
        let mut v = vec![ask(), f("early-pitch/demo", Severity::Error, 0..10)];
        give_way(&mut v, &[]);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn built_in_categories_give_way_to_known_other_categories() {
        let Ok(cats) = crate::rules::builtin::categories() else {
            panic!("rules/categories.yaml parses");
        };
        let ids: Vec<&str> = cats.iter().map(|c| c.id.as_str()).collect();
        for c in cats {
            for o in &c.gives_way_to {
                assert!(ids.contains(&o.as_str()) && *o != c.id, "{}: {o}", c.id);
            }
        }
        let abg = cats.iter().find(|c| c.id == "ask-before-give");
        assert_eq!(
            abg.map(|c| c.gives_way_to.clone()),
            Some(vec!["early-pitch".to_string()])
        );
    }

    #[test]
    fn severity_wins_then_pattern_then_width_then_id() {
        // Severity first, even over a wider span.
        let mut v = vec![
            f("self-focus/boast", Severity::Warning, 0..40),
            f("early-pitch/call", Severity::Error, 36..55),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/call"]);
        assert_eq!(merged(&v[0]), ["self-focus/boast"]);
        assert_eq!(v[0].severity, Severity::Error);
        assert_eq!(v[0].related[0].span, 0..40);
        assert!(v[0].related[0].label.contains("self-focus/boast says so"));

        // Same severity: a pattern finding beats a learned one, even a wider one.
        let learned = learned_f("early-pitch/learned", Severity::Warning, 0..56);
        let mut v = vec![learned, f("self-focus/boast", Severity::Warning, 8..40)];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["self-focus/boast"]);
        assert_eq!(merged(&v[0]), ["early-pitch/learned"]);

        // Same category: a pattern finding drops an overlapping learned one, even a stronger
        // one, and lists nothing (it says the same thing, with the exact words).
        let learned = learned_f("early-pitch/learned", Severity::Error, 0..56);
        let mut v = vec![
            learned,
            f("early-pitch/user-call", Severity::Warning, 36..55),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/user-call"]);
        assert!(v[0].related.is_empty());
        // ... but not a learned finding of its category elsewhere.
        let learned = learned_f("early-pitch/learned", Severity::Warning, 0..30);
        let mut v = vec![
            learned,
            f("early-pitch/user-call", Severity::Warning, 36..55),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/learned", "early-pitch/user-call"]);

        // Same severity and kind: the wider span.
        let mut v = vec![
            f("ask-before-give/call", Severity::Warning, 45..55),
            f("early-pitch/offer", Severity::Warning, 19..55),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/offer"]);

        // Everything equal: the rule id, whatever the input order.
        for flip in [false, true] {
            let mut v = vec![
                f("self-focus/b", Severity::Warning, 19..40),
                f("early-pitch/a", Severity::Warning, 19..40),
            ];
            if flip {
                v.reverse();
            }
            merge_overlapping(&mut v, SRC);
            assert_eq!(rules(&v), ["early-pitch/a"]);
            assert_eq!(merged(&v[0]), ["self-focus/b"]);
        }
    }

    #[test]
    fn three_categories_become_one_with_two_related() {
        let mut v = vec![
            f("ask-before-give/call", Severity::Warning, 45..55),
            f("early-pitch/call", Severity::Error, 36..55),
            f("self-focus/boast", Severity::Warning, 8..40),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/call"]);
        assert_eq!(merged(&v[0]), ["self-focus/boast", "ask-before-give/call"]);
    }

    #[test]
    fn a_folded_finding_keeps_its_secondary_spans() {
        // The weaker finding pointed at a second place ("the offer is here"); folding it into
        // the stronger one must not lose that pointer, and one pointer is listed once.
        let pointer = Related {
            span: 45..55,
            label: "the ask".into(),
            merged: None,
        };
        let mut weak = f("early-pitch/b", Severity::Warning, 19..40);
        weak.related.push(pointer.clone());
        let mut strong = f("early-pitch/a", Severity::Error, 8..40);
        strong.related.push(pointer.clone());
        let mut v = vec![weak, strong];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/a"]);
        assert_eq!(merged(&v[0]), ["early-pitch/b"]);
        assert_eq!(v[0].related.iter().filter(|r| **r == pointer).count(), 1);

        let mut weak = f("self-focus/b", Severity::Warning, 19..40);
        weak.related.push(pointer.clone());
        let mut v = vec![weak, f("early-pitch/a", Severity::Error, 8..40)];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/a"]);
        assert!(v[0].related.contains(&pointer), "{:?}", v[0].related);
    }

    #[test]
    fn one_category_is_one_problem_too() {
        // Two rules of one category on overlapping words: the wider one, the other as related.
        let mut v = vec![
            f("signup-without-consent/b", Severity::Warning, 19..40),
            f("signup-without-consent/a", Severity::Warning, 30..55),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["signup-without-consent/a"]);
        assert_eq!(merged(&v[0]), ["signup-without-consent/b"]);
        assert_eq!(v[0].related[0].span, 19..40);

        // Severity first, as across categories.
        let mut v = vec![
            f("early-pitch/wide", Severity::Info, 8..55),
            f("early-pitch/narrow", Severity::Error, 45..55),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/narrow"]);
        assert_eq!(v[0].severity, Severity::Error);
        assert_eq!(merged(&v[0]), ["early-pitch/wide"]);

        // One category and another on the same words: one finding with both others related.
        let mut v = vec![
            f("early-pitch/a", Severity::Warning, 36..55),
            f("early-pitch/b", Severity::Warning, 38..55),
            f("self-focus/c", Severity::Warning, 8..40),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["self-focus/c"]);
        assert_eq!(merged(&v[0]), ["early-pitch/a", "early-pitch/b"]);

        // Not overlapping: both stay, whatever the category.
        let mut v = vec![
            f("early-pitch/a", Severity::Warning, 8..30),
            f("early-pitch/b", Severity::Warning, 36..55),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["early-pitch/a", "early-pitch/b"]);
        assert!(v.iter().all(|f| f.related.is_empty()));
    }

    #[test]
    fn one_rule_twice_on_the_same_words_is_one_finding_without_an_also() {
        let mut v = vec![
            f("assumed-closeness/x", Severity::Warning, 8..25),
            f("assumed-closeness/x", Severity::Warning, 8..40),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].span, 8..40);
        assert!(v[0].related.is_empty());
    }

    #[test]
    fn left_alone() {
        for (case, pair) in [
            (
                "not overlapping (adjacent spans do not overlap)",
                [
                    f("early-pitch/a", Severity::Warning, 19..40),
                    f("self-focus/b", Severity::Warning, 40..55),
                ],
            ),
            (
                "tactful's own findings",
                [
                    f("tactful/unused-suppression", Severity::Warning, 19..40),
                    f("self-focus/b", Severity::Warning, 19..40),
                ],
            ),
            (
                "a finding over more than one sentence",
                [
                    f("self-focus/whole", Severity::Error, 0..64),
                    f("early-pitch/a", Severity::Warning, 19..40),
                ],
            ),
            (
                "a finding over more than one line",
                [
                    f("self-focus/lines", Severity::Error, 57..68),
                    f("early-pitch/a", Severity::Warning, 57..60),
                ],
            ),
        ] {
            let mut v = pair.to_vec();
            merge_overlapping(&mut v, SRC);
            assert_eq!(v.len(), 2, "{case}");
        }
    }

    #[test]
    fn an_only_fix_is_not_folded_away() {
        let mut fixable = f("mass-message/generic", Severity::Warning, 0..6);
        fixable.suggestion = Some(Suggestion {
            span: 0..6,
            replacement: "Hi Ana".into(),
            safe: true,
        });
        let mut v = vec![
            f("assumed-closeness/x", Severity::Error, 0..6),
            fixable.clone(),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(v.len(), 2, "the fix would be lost");

        // All else equal, the one with the fix wins, and the other is folded into it.
        for flip in [false, true] {
            let mut v = vec![
                f("signup-without-consent/a-group", Severity::Error, 0..6),
                f("signup-without-consent/b-list", Severity::Error, 0..6),
            ];
            v[1].suggestion = fixable.suggestion.clone();
            if flip {
                v.reverse();
            }
            merge_overlapping(&mut v, SRC);
            assert_eq!(rules(&v), ["signup-without-consent/b-list"]);
            assert_eq!(merged(&v[0]), ["signup-without-consent/a-group"]);
        }

        // When the winner has a fix of its own, the weaker one is folded in.
        let mut winner = f("assumed-closeness/x", Severity::Error, 0..6);
        winner.suggestion = fixable.suggestion.clone();
        let mut v = vec![winner, fixable.clone()];
        merge_overlapping(&mut v, SRC);
        assert_eq!(rules(&v), ["assumed-closeness/x"]);

        // The same within one category.
        let mut v = vec![
            f("mass-message/strong", Severity::Error, 0..6),
            fixable.clone(),
        ];
        merge_overlapping(&mut v, SRC);
        assert_eq!(v.len(), 2, "the fix would be lost");
    }
}
