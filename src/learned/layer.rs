//! The learned layer as a detector in the pipeline: which sentences it reads, under which context
//! gates and exceptions each category runs, how confident it must be, and how its findings give
//! way to the patterns'.
//!
//! It reads body sentences (never quotes or signatures) and, for assumed-closeness, greeting
//! lines. Each sentence gets at most one finding: the category whose score clears its threshold
//! by the most. A pattern finding of one of the layer's categories that overlaps the sentence
//! wins: it has an exact span and a precise message.

use super::{category_index, default_threshold, score_if_above, CATEGORIES};
use crate::context::{Context, Stage};
use crate::error::SourceError;
use crate::finding::Finding;
use crate::message::{Message, SegmentKind};
use crate::rules::catalog::RuleMeta;
use crate::rules::{Registry, Severity};
use std::collections::BTreeMap;
use std::ops::Range;

/// The config's per-rule options (`options:` in .tactful.yaml).
pub type RuleOptions = BTreeMap<String, BTreeMap<String, f64>>;

/// A sentence the layer would report, before exceptions and precedence are applied.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub category: &'static str,
    pub confidence: f32,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// The sentence as the reader sees it.
    pub sentence: String,
}

/// Categories the model scores but the layer does not report (see `gate_open`).
const DISABLED: &[&str] = &["hollow-referral"];
/// Body sentences with fewer words are not scored (a name, "Thanks!"); greetings always are.
const MIN_WORDS: usize = 3;
/// Longer sentences are not scored.
const MAX_SENTENCE_BYTES: usize = 1000;
/// At most this many sentences of one message are scored (a real message has dozens).
const MAX_SENTENCES: usize = 2000;

/// The id of the learned rule of a category.
pub fn rule_id(category: &str) -> String {
    format!("{category}/learned")
}

fn message_of(category: &str) -> &'static str {
    match category {
        "early-pitch" => "reads like a sales pitch in a first message",
        "assumed-closeness" => "assumes a closeness the relationship does not have yet",
        "signup-without-consent" => "signs the reader up for something they did not ask for",
        "ask-before-give" => "asks a stranger for a favour before offering anything",
        "hollow-referral" => "vouches for someone the sender does not seem to know",
        _ => "reads like a known outreach mistake",
    }
}

/// Whether `id` is a learned rule the layer reports (it has a page under docs/rules).
pub fn is_reported_rule(id: &str) -> bool {
    CATEGORIES
        .iter()
        .any(|c| !DISABLED.contains(c) && rule_id(c) == id)
}

/// The layer's rules as integrations describe them (SARIF descriptors, `tactful rules`, names
/// the config may use).
pub fn catalog(registry: &Registry) -> Vec<RuleMeta> {
    CATEGORIES
        .iter()
        .filter(|c| !DISABLED.contains(c))
        .map(|c| {
            let def = registry.category(c);
            RuleMeta {
                id: rule_id(c),
                category: c.to_string(),
                severity: Severity::Warning,
                message: message_of(c).to_string(),
                description: format!(
                    "The learned sentence layer: a sentence that {}, found by a model trained on \
                     real messages rather than by a phrase. Reported only when no pattern rule \
                     of the layer's categories covers the sentence; option `threshold` (0-1) \
                     sets how confident it must be.",
                    message_of(c)
                ),
                help: def
                    .map(|d| d.instead.trim().to_string())
                    .unwrap_or_default(),
                why: def.map(|d| d.why.clone()),
                suggest: None,
            }
        })
        .collect()
}

/// Whether the category's context gates let it run: the same stage and consent gates as the
/// category's pattern rules.
fn gate_open(category: &str, ctx: &Context) -> bool {
    match category {
        // Trained on 3 real messages and our own examples, its head still fires on offers to
        // introduce and on honest disclaimers (the clean fixtures): not reported until it is
        // precise. Its scores stay in the model and the golden test.
        c if DISABLED.contains(&c) => false,
        "early-pitch" | "ask-before-give" | "assumed-closeness" => ctx.stage == Stage::FirstContact,
        "signup-without-consent" => !ctx.has_list_consent(),
        _ => true,
    }
}

/// Each category's threshold: the config's `options: {<category>/learned: {threshold: x}}`, else
/// the one chosen on the training data. A category whose gate is closed gets none.
fn thresholds(
    ctx: &Context,
    options: Option<&RuleOptions>,
    errors: &mut Vec<SourceError>,
) -> [Option<f32>; super::params::N] {
    let mut out = [None; super::params::N];
    for (i, cat) in CATEGORIES.iter().enumerate() {
        if !gate_open(cat, ctx) {
            continue;
        }
        let mut t = default_threshold(cat);
        if let Some(opts) = options.and_then(|o| o.get(&rule_id(cat))) {
            for (k, v) in opts {
                match k.as_str() {
                    "threshold" if (0.0..=1.0).contains(v) => t = Some(*v as f32),
                    "threshold" => errors.push(SourceError::whole(
                        ".tactful.yaml",
                        format!(
                            "option `threshold` of `{}` must be between 0 and 1, not {v}",
                            rule_id(cat)
                        ),
                    )),
                    other => errors.push(SourceError::whole(
                        ".tactful.yaml",
                        format!(
                            "unknown option `{other}` for `{}` (it has: threshold)",
                            rule_id(cat)
                        ),
                    )),
                }
            }
        }
        out[i] = t;
    }
    out
}

/// Cuts a segment's text into sentences: at line breaks, and after `.`, `!`, `?` or `…` followed
/// by white space. Ranges are trimmed; pieces shorter than two characters are dropped.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut raw = Vec::new();
    let mut start = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let end = i + c.len_utf8();
        if c == '\n' {
            raw.push(start..i);
            start = end;
        } else if matches!(c, '.' | '!' | '?' | '…')
            && it.peek().is_some_and(|&(_, n)| n.is_whitespace())
        {
            raw.push(start..end);
            start = end;
        }
    }
    raw.push(start..text.len());
    raw.into_iter()
        .filter_map(|r| {
            let s = &text[r.clone()];
            let lead = s.len() - s.trim_start().len();
            let t = s.trim();
            (t.chars().count() >= 2).then(|| r.start + lead..r.start + lead + t.len())
        })
        .collect()
}

/// Scores the message's sentences; returns those above their category's threshold.
pub fn candidates(
    msg: &Message,
    ctx: &Context,
    options: Option<&RuleOptions>,
    errors: &mut Vec<SourceError>,
) -> Vec<Candidate> {
    let thr = thresholds(ctx, options, errors);
    let Some(min_thr) = thr.iter().flatten().copied().reduce(f32::min) else {
        return Vec::new();
    };
    let closeness = category_index("assumed-closeness");
    let mut out = Vec::new();
    let mut scored = 0usize;
    for seg in &msg.segments {
        let greeting = seg.kind == SegmentKind::Greeting;
        if seg.kind != SegmentKind::Body
            && !(greeting && closeness.is_some_and(|c| thr[c].is_some()))
        {
            continue;
        }
        let text = &msg.prose[seg.range.clone()];
        for r in sentences(text) {
            let sentence = &text[r.clone()];
            // A "sentence" this long is a table, a link dump or an unbroken blob, not prose the
            // model was trained on; skipping it also keeps huge one-line files linear.
            if sentence.len() > MAX_SENTENCE_BYTES
                || (!greeting && sentence.split_whitespace().count() < MIN_WORDS)
            {
                continue;
            }
            scored += 1;
            if scored > MAX_SENTENCES {
                return out;
            }
            let Some(scores) = score_if_above(sentence, min_thr) else {
                continue;
            };
            let best = scores
                .prob
                .iter()
                .enumerate()
                .filter(|(i, _)| !greeting || Some(*i) == closeness)
                .filter_map(|(i, &p)| thr[i].filter(|&t| p >= t).map(|t| (i, p, p - t)))
                .max_by(|a, b| a.2.total_cmp(&b.2));
            if let Some((i, p, _)) = best {
                let prose = seg.range.start + r.start..seg.range.start + r.end;
                out.push(Candidate {
                    category: CATEGORIES[i],
                    confidence: p,
                    span: msg.to_source(prose),
                    sentence: sentence.to_string(),
                });
            }
        }
    }
    out
}

/// Turns candidates into findings: drops those the message's exceptions excuse (the reader asked
/// for it, the sender offers something) and those a pattern finding already covers.
pub fn findings(
    candidates: Vec<Candidate>,
    registry: &Registry,
    lang: &str,
    message_text: &str,
    patterns: &[Finding],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let folded = crate::text::fold::fold_str(message_text);
    for c in candidates {
        let covered = patterns.iter().any(|f| {
            CATEGORIES.contains(&f.category.as_str())
                && f.span.start < c.span.end.max(c.span.start + 1)
                && c.span.start < f.span.end.max(f.span.start + 1)
        });
        if covered || super::exceptions::excused(registry, lang, c.category, &folded, &c.sentence) {
            continue;
        }
        let help = registry
            .category(c.category)
            .map(|d| d.instead.trim().to_string())
            .unwrap_or_default();
        out.push(Finding {
            rule: rule_id(c.category).into(),
            category: c.category.to_string().into(),
            severity: Severity::Warning,
            message: message_of(c.category).to_string().into(),
            help: help.into(),
            label: format!(
                "{} (learned layer, confidence {:.2})",
                message_of(c.category),
                c.confidence
            )
            .into(),
            span: c.span,
            related: Vec::new(),
            suggestion: None,
            confidence: Some(c.confidence),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_cut_at_lines_and_end_marks() {
        let t = "Hi there.  How are you?\nFine… thanks!\n\nv1.2 is out";
        let got: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            got,
            [
                "Hi there.",
                "How are you?",
                "Fine…",
                "thanks!",
                "v1.2 is out"
            ]
        );
    }
}
