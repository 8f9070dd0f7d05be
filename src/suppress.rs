//! Inline suppressions: a template comment such as `{{!-- tactful-disable early-pitch --}}` or
//! `{# tactful-disable early-pitch/demo-request #}` silences findings in the source range it
//! covers (the readers decide the range: the next line or block). The comment never reaches the
//! recipient, so it is the right place to say "this one is intended".
//!
//! A finding is silenced when its primary span starts inside the covered range and the comment
//! names its rule id or its category (a comment naming nothing silences every rule). A comment
//! that silences nothing is itself reported as `tactful/unused-suppression`, as clippy reports
//! an `#[expect]` that is not fulfilled: stale suppressions would hide the next real finding.

use crate::finding::Finding;
use crate::internal::UNUSED_SUPPRESSION;
use crate::message::InlineSuppression;

fn targets(s: &InlineSuppression, f: &Finding) -> bool {
    s.targets.is_empty() || s.targets.iter().any(|t| *t == f.rule || *t == f.category)
}

fn covers(s: &InlineSuppression, f: &Finding) -> bool {
    s.covers.start <= f.span.start
        && (f.span.start < s.covers.end || f.span.start == s.covers.start)
}

/// Drops the findings the comments silence and adds one finding per comment (or per named
/// target of a comment) that silenced nothing.
pub fn apply_inline(findings: &mut Vec<Finding>, suppressions: &[InlineSuppression]) {
    if suppressions.is_empty() {
        return;
    }
    // used[i][j]: target j of suppression i silenced something (j = 0 for "every rule").
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.targets.len().max(1)])
        .collect();
    findings.retain(|f| {
        // Findings about suppressions themselves cannot be suppressed inline.
        if f.rule == UNUSED_SUPPRESSION.id {
            return true;
        }
        let mut keep = true;
        for (i, s) in suppressions.iter().enumerate() {
            if !covers(s, f) || !targets(s, f) {
                continue;
            }
            keep = false;
            if s.targets.is_empty() {
                used[i][0] = true;
            }
            for (j, t) in s.targets.iter().enumerate() {
                if *t == f.rule || *t == f.category {
                    used[i][j] = true;
                }
            }
        }
        keep
    });
    for (s, used) in suppressions.iter().zip(used) {
        let unused: Vec<&str> = if s.targets.is_empty() {
            if used[0] {
                Vec::new()
            } else {
                vec!["every rule"]
            }
        } else {
            s.targets
                .iter()
                .zip(&used)
                .filter(|(_, u)| !**u)
                .map(|(t, _)| t.as_str())
                .collect()
        };
        if unused.is_empty() {
            continue;
        }
        let what = if s.targets.is_empty() {
            "this `tactful-disable` comment silences nothing".to_string()
        } else {
            let names: Vec<String> = unused.iter().map(|t| format!("`{t}`")).collect();
            format!(
                "`tactful-disable {}` silences nothing here",
                names.join(" ")
            )
        };
        findings.push(UNUSED_SUPPRESSION.finding(what, s.comment.clone(), "nothing to silence"));
    }
    findings.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn finding(rule: &str, span: std::ops::Range<usize>) -> Finding {
        Finding {
            rule: rule.into(),
            category: rule.split('/').next().unwrap_or(rule).into(),
            severity: Severity::Error,
            message: "m".into(),
            help: "".into(),
            span,
            label: "".into(),
            related: Vec::new(),
            suggestion: None,
            confidence: None,
        }
    }

    fn sup(
        targets: &[&str],
        comment: std::ops::Range<usize>,
        covers: std::ops::Range<usize>,
    ) -> InlineSuppression {
        InlineSuppression {
            targets: targets.iter().map(|t| t.to_string()).collect(),
            comment,
            covers,
        }
    }

    fn rules(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn silences_named_rules_and_categories_in_range_only() {
        let mut f = vec![
            finding("early-pitch/demo", 40..50),
            finding("assumed-closeness/as-discussed", 45..55),
            finding("early-pitch/price", 90..95),
        ];
        apply_inline(&mut f, &[sup(&["early-pitch"], 0..30, 31..60)]);
        assert_eq!(
            rules(&f),
            ["assumed-closeness/as-discussed", "early-pitch/price"]
        );

        let mut f = vec![
            finding("early-pitch/demo", 40..50),
            finding("early-pitch/price", 52..55),
        ];
        apply_inline(&mut f, &[sup(&["early-pitch/demo"], 0..30, 31..60)]);
        assert_eq!(rules(&f), ["early-pitch/price"]);
    }

    #[test]
    fn no_targets_means_every_rule() {
        let mut f = vec![
            finding("early-pitch/demo", 40..50),
            finding("self-focus/we", 41..70),
        ];
        apply_inline(&mut f, &[sup(&[], 0..30, 31..60)]);
        assert!(f.is_empty());
    }

    #[test]
    fn a_suppression_that_silences_nothing_is_reported_at_the_comment() {
        let mut f = vec![finding("early-pitch/demo", 100..110)];
        apply_inline(&mut f, &[sup(&["early-pitch"], 0..30, 31..60)]);
        assert_eq!(
            rules(&f),
            ["tactful/unused-suppression", "early-pitch/demo"]
        );
        assert_eq!(f[0].span, 0..30);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn each_unused_name_of_a_comment_is_reported() {
        let mut f = vec![finding("early-pitch/demo", 40..50)];
        apply_inline(
            &mut f,
            &[sup(&["early-pitch", "self-focus"], 0..30, 31..60)],
        );
        assert_eq!(rules(&f), ["tactful/unused-suppression"]);
        assert!(f[0].message.contains("`self-focus`"), "{}", f[0].message);
        assert!(!f[0].message.contains("early-pitch"), "{}", f[0].message);

        let mut f = Vec::new();
        apply_inline(&mut f, &[sup(&[], 0..30, 31..60)]);
        assert_eq!(rules(&f), ["tactful/unused-suppression"]);
    }

    #[test]
    fn a_finding_starting_outside_the_range_is_kept() {
        let mut f = vec![finding("early-pitch/demo", 20..45)];
        apply_inline(&mut f, &[sup(&["early-pitch"], 0..10, 31..60)]);
        assert_eq!(
            rules(&f),
            ["tactful/unused-suppression", "early-pitch/demo"]
        );
    }

    /// A template as the formats reader will give it: the comment taken out of the prose, a
    /// suppression covering the next line. Run through the real engine with the test rules.
    #[test]
    fn a_template_comment_silences_the_next_line_through_the_engine() {
        use crate::lang::LanguageDetector;
        use crate::message::{segment_lines, Message, SourceMap, Vocabulary};
        use crate::rules::{Registry, RuleSources};
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/integrations");
        let reg = Registry::new(&RuleSources {
            extra: vec![root.into()],
            no_builtin: false,
        })
        .expect("rules");
        let detector = LanguageDetector::new(&reg.languages());
        let source = "{{!-- tactful-disable signup-without-consent --}}\nI've added you to our newsletter.\nI've added you to our weekly digest.\n{# tactful-disable early-pitch #}\nThanks!\n";
        let comment1 = 0..source.find('\n').expect("line");
        let line2 = comment1.end + 1
            ..source[comment1.end + 1..].find('\n').expect("line") + comment1.end + 2;
        let c2_start = source.find("{#").expect("comment");
        let comment2 = c2_start..c2_start + source[c2_start..].find('\n').expect("line");
        let line5 = comment2.end + 1..source.len();
        // The prose leaves both comment lines out; the map sends prose offsets back.
        let mut prose = String::new();
        let mut map = SourceMap::default();
        for r in [line2.clone(), line2.end..c2_start, line5.clone()] {
            let at = prose.len();
            prose.push_str(&source[r.clone()]);
            map.push(at..prose.len(), r, true);
        }
        let msg = Message {
            source: source.into(),
            segments: segment_lines(&prose, 0, &Vocabulary::default()),
            prose,
            map,
            suppressions: vec![
                InlineSuppression {
                    targets: vec!["signup-without-consent".into()],
                    comment: comment1.clone(),
                    covers: line2.clone(),
                },
                InlineSuppression {
                    targets: vec!["early-pitch".into()],
                    comment: comment2.clone(),
                    covers: line5,
                },
            ],
            ..Default::default()
        };
        let ctx = crate::context::Context {
            lang: "zz".into(),
            ..Default::default()
        };
        let sups = msg.suppressions.clone();
        let mut result = crate::lint::check_message(&reg, &detector, msg, ctx, None);
        let before: Vec<std::ops::Range<usize>> =
            result.findings.iter().map(|f| f.span.clone()).collect();
        assert_eq!(
            before.len(),
            2,
            "both announcements are found: {:?}",
            result.findings
        );
        apply_inline(&mut result.findings, &sups);
        let left: Vec<(&str, &str)> = result
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), &source[f.span.clone()]))
            .collect();
        assert_eq!(
            left,
            [
                (
                    "signup-without-consent/zz-added-to-list",
                    "I've added you to our weekly digest."
                ),
                (
                    "tactful/unused-suppression",
                    "{# tactful-disable early-pitch #}"
                ),
            ]
        );
    }
}
