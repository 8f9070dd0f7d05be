//! Applying a compiled pack to a message: fold and pre-filter the segments once, run each
//! applicable rule's kind (`rules/kinds/`), and turn its hits into findings in source offsets,
//! with rewrites fitted to where they go.

use crate::context::Context;
use crate::finding::{Finding, Related, Suggestion};
use crate::message::{Message, Segment, SegmentKind};
use crate::rules::kinds::scan::{sentences, Hit, Scan, View};
use crate::rules::Pack;
use crate::text::fold::fold;
use std::ops::Range;

/// Checks `msg` with `pack`, looking only at segments for which `include` holds.
pub fn run_pack(
    pack: &Pack,
    msg: &Message,
    ctx: &Context,
    include: &dyn Fn(&Segment) -> bool,
) -> Vec<Finding> {
    // Only segments some rule of this pack reads are folded and scanned.
    let wanted: Vec<SegmentKind> = pack
        .rules
        .iter()
        .filter(|r| r.kind.reads_text(r, msg))
        .flat_map(|r| r.segments.iter().copied())
        .collect();
    let views: Vec<View> = msg
        .segments
        .iter()
        .filter(|s| include(s) && wanted.contains(&s.kind))
        .map(|seg| {
            let folded = fold(&msg.prose[seg.range.clone()]);
            let candidates = pack.candidates(&folded.text);
            View::new(seg, folded, candidates, &msg.prose)
        })
        .collect();
    let mut hits = Vec::new();
    for (ri, rule) in pack.rules.iter().enumerate() {
        if (rule.kind.gated() && !views.iter().any(|v| v.candidates.any_of_rule(ri)))
            || !rule.when.applies(ctx)
        {
            continue;
        }
        let views_of_rule: Vec<&View> = views
            .iter()
            .filter(|v| rule.segments.contains(&v.seg.kind))
            .collect();
        let scan = Scan {
            pack,
            rule,
            index: ri,
            msg,
            ctx,
            views: &views_of_rule,
        };
        rule.kind.run(&scan, &mut hits);
    }
    hits.into_iter()
        .map(|h| to_finding(pack, msg, ctx, h))
        .collect()
}

/// The sentence (trailing white space trimmed) around a prose range, within its segment.
fn sentence_around(msg: &Message, r: &Range<usize>) -> Range<usize> {
    let Some(seg) = msg
        .segments
        .iter()
        .find(|s| s.range.start <= r.start && r.start < s.range.end)
    else {
        return r.clone();
    };
    // Sentences are found in a window around the finding: a huge one-line segment must not be
    // split again for every finding.
    const WINDOW: usize = 4096;
    let mut lo = r.start.saturating_sub(WINDOW).max(seg.range.start);
    while !msg.prose.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = (r.end + WINDOW).min(seg.range.end);
    while !msg.prose.is_char_boundary(hi) {
        hi -= 1;
    }
    let sentence = sentences(&msg.prose, &(lo..hi))
        .into_iter()
        .find(|s| s.start <= r.start && r.start < s.end)
        .unwrap_or_else(|| r.clone());
    let end = sentence.start + msg.prose[sentence.clone()].trim_end().len();
    sentence.start..end.max(r.end.min(sentence.end))
}

/// A rewrite that opens with a capital keeps the case of the place it goes: in mid-sentence
/// ("Also, I've added you…") its first letter is lowered.
fn fit_case(replacement: String, source: &str, at: usize) -> String {
    let before = source[..at.min(source.len())].trim_end_matches([' ', '\t']);
    let mid_sentence = before
        .chars()
        .next_back()
        .is_some_and(|c| !matches!(c, '\n' | '\r' | '.' | '!' | '?' | '…' | ':' | '"' | '>'));
    let mut chars = replacement.chars();
    match chars.next() {
        Some(first) if mid_sentence && first.is_uppercase() => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => replacement,
    }
}

/// Fills `${recipient}` in a suggestion; no suggestion when the recipient is not known.
fn with_recipient(replacement: String, ctx: &Context) -> Option<String> {
    if !replacement.contains("${recipient}") {
        return Some(replacement);
    }
    let name = ctx.recipient.as_deref()?;
    Some(replacement.replace("${recipient}", name))
}

fn to_finding(pack: &Pack, msg: &Message, ctx: &Context, h: Hit) -> Finding {
    let rule = &pack.rules[h.rule];
    let span = msg.to_source(h.primary.clone());
    let suggestion = h
        .suggestion
        .and_then(|s| with_recipient(s, ctx))
        .map(|replacement| {
            // A rewrite that is only shown (not safe to apply) is a whole alternative sentence:
            // it replaces the sentence holding the finding, not just the matched words.
            let at = if rule.fix_safe {
                span.clone()
            } else {
                msg.to_source(sentence_around(msg, &h.primary))
            };
            (fit_case(replacement, &msg.source, at.start), at)
        })
        .map(|(replacement, at)| Suggestion {
            span: at,
            replacement,
            safe: rule.fix_safe && msg.map.is_exact(h.primary.clone()),
        });
    Finding {
        rule: rule.id.clone(),
        category: rule.category.clone(),
        severity: h.severity.unwrap_or(rule.severity),
        message: rule.message.clone(),
        help: rule.help.clone(),
        label: decoded_label(
            msg,
            &h.primary,
            h.label.unwrap_or_else(|| rule.message.clone()),
        ),
        related: h
            .related
            .into_iter()
            .map(|(r, label)| Related {
                span: msg.to_source(r),
                label,
            })
            .collect(),
        span,
        suggestion,
    }
}

/// Where the span's bytes are not the words themselves (quoted-printable or base64 email, an
/// HTML entity), the label quotes the decoded words.
fn decoded_label(msg: &Message, primary: &Range<usize>, label: String) -> String {
    let on_placeholder = msg
        .placeholders
        .iter()
        .any(|p| p.prose.start < primary.end && primary.start < p.prose.end);
    if msg.map.is_exact(primary.clone()) || on_placeholder {
        return label;
    }
    let Some(words) = msg.prose.get(primary.clone()) else {
        return label;
    };
    let words: String = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        return label;
    }
    let short: String = words.chars().take(80).collect();
    let ellipsis = if short.len() < words.len() { "…" } else { "" };
    format!("{label}: “{short}{ellipsis}”")
}
