//! Applying a compiled pack to a message: fold and pre-filter the segments once, run each
//! applicable rule's kind (`rules/kinds/`), and turn its hits into findings in source offsets,
//! with rewrites fitted to where they go.

use crate::context::Context;
use crate::finding::{Finding, Related, Suggestion, Text};
use crate::message::{Message, Segment, SegmentKind};
use crate::rules::kinds::scan::{sentences, Hit, Scan, View};
use crate::rules::{Pack, Rule};
use crate::text::fold::fold;
use rayon::prelude::*;
use std::ops::Range;

/// What the pipeline tells the engine about one pass of a pack over a message.
#[derive(Clone, Copy)]
pub struct Pass<'a> {
    /// The segments the pack reads (a language pack: those in its language).
    pub include: &'a dyn Fn(&Segment) -> bool,
    /// Findings the packs run before this one made on the same rendering (a kind that gives
    /// way to others reads them).
    pub found: &'a [Finding],
    /// The message is one of a template's other renderings, not the text as written.
    pub variant: bool,
    /// Kinds left out of the run (`--no-learned` leaves out `learned`).
    pub skip: &'a [&'a str],
}

impl Pass<'_> {
    /// A pass over every segment, with nothing found before and no kind left out.
    pub fn all() -> Pass<'static> {
        Pass {
            include: &|_| true,
            found: &[],
            variant: false,
            skip: &[],
        }
    }
}

/// Prose at least this long has its rules run on several threads (a shorter message is
/// done before a thread pool would have started).
const PARALLEL_PROSE: usize = 256 * 1024;

/// Checks `msg` with `pack`, looking only at the segments `pass` includes.
pub fn run_pack(pack: &Pack, msg: &Message, ctx: &Context, pass: Pass) -> Vec<Finding> {
    let parallel = msg.prose.len() >= PARALLEL_PROSE && rayon::current_num_threads() > 1;
    run_pack_in(pack, msg, ctx, pass, parallel)
}

fn run_pack_in(
    pack: &Pack,
    msg: &Message,
    ctx: &Context,
    pass: Pass,
    parallel: bool,
) -> Vec<Finding> {
    let include = pass.include;
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
    let placeholders = PlaceholderIndex::new(msg);
    let message_text = std::sync::OnceLock::new();
    let runs = |ri: usize, rule: &Rule| {
        (!rule.kind.gated() || views.iter().any(|v| v.candidates.any_of_rule(ri)))
            && rule.when.applies(ctx)
            && !pass.skip.contains(&rule.kind.name())
    };
    // Rule `ri` over the views it reads, seeing `found` (the findings of the rules before it),
    // its hits turned into findings.
    let run = |ri: usize, rule: &Rule, found: &[Finding]| -> Vec<Finding> {
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
            found: [pass.found, found],
            variant: pass.variant,
            message_text: &message_text,
        };
        let mut hits = Vec::new();
        rule.kind.run(&scan, &mut hits);
        // `unless-message`: one place for every kind, asked only when there is something to excuse.
        if !hits.is_empty() && scan.excused_by_message() {
            hits.clear();
        }
        // Hits become findings rule by rule, so a file dense with findings never holds both
        // forms of all of them at once.
        hits.into_iter()
            .map(|h| to_finding(pack, msg, ctx, &placeholders, h))
            .collect()
    };
    // A long message: the rules that do not read earlier findings run beforehand, side by
    // side (an empty list for one that does not apply). Then, in the pack's order, each other
    // rule runs on exactly the findings of the rules before it, so the findings come out as from
    // one rule after another.
    let mut ahead: Vec<Option<Vec<Finding>>> = if parallel {
        pack.rules
            .par_iter()
            .enumerate()
            .map(|(ri, rule)| {
                (!rule.kind.reads_findings()).then(|| {
                    if runs(ri, rule) {
                        run(ri, rule, &[])
                    } else {
                        Vec::new()
                    }
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut findings = Vec::new();
    for (ri, rule) in pack.rules.iter().enumerate() {
        let found = match ahead.get_mut(ri).and_then(Option::take) {
            Some(found) => found,
            None if runs(ri, rule) => run(ri, rule, &findings),
            None => continue,
        };
        findings.extend(found);
    }
    findings
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
    trimmed_sentence(&msg.prose, &sentence, r)
}

/// A sentence without its trailing white space, still covering the hit `r` inside it.
fn trimmed_sentence(prose: &str, sentence: &Range<usize>, r: &Range<usize>) -> Range<usize> {
    let end = sentence.start + prose[sentence.clone()].trim_end().len();
    sentence.start..end.max(r.end.min(sentence.end))
}

/// A rewrite that opens with a capital keeps the case of the place it goes: in mid-sentence
/// ("Also, I've added you…") its first letter is lowered.
fn fit_case(replacement: Text, source: &str, at: usize) -> Text {
    let before = source[..at.min(source.len())].trim_end_matches([' ', '\t']);
    let mid_sentence = before
        .chars()
        .next_back()
        .is_some_and(|c| !matches!(c, '\n' | '\r' | '.' | '!' | '?' | '…' | ':' | '"' | '>'));
    let mut chars = replacement.chars();
    match chars.next() {
        Some(first) if mid_sentence && first.is_uppercase() => {
            first.to_lowercase().chain(chars).collect::<String>().into()
        }
        _ => replacement,
    }
}

/// Fills `${recipient}` in a suggestion; no suggestion when the recipient is not known.
fn with_recipient(replacement: Text, ctx: &Context) -> Option<Text> {
    if !replacement.contains("${recipient}") {
        return Some(replacement);
    }
    let name = ctx.recipient.as_deref()?;
    Some(replacement.replace("${recipient}", name).into())
}

fn to_finding(
    pack: &Pack,
    msg: &Message,
    ctx: &Context,
    placeholders: &PlaceholderIndex,
    h: Hit,
) -> Finding {
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
                let sentence = match &h.sentence {
                    Some(s) if s.start <= h.primary.start && h.primary.start < s.end => {
                        trimmed_sentence(&msg.prose, s, &h.primary)
                    }
                    _ => sentence_around(msg, &h.primary),
                };
                msg.to_source(sentence)
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
        label: decoded_label(msg, placeholders, &h.primary, h.label, &rule.message),
        related: h
            .related
            .into_iter()
            .map(|(r, label)| Related {
                span: msg.to_source(r),
                label,
                merged: None,
            })
            .collect(),
        span,
        suggestion,
        confidence: h.confidence,
    }
}

/// The prose ranges of a message's placeholders, for asking "does this range touch one?" in
/// O(log n): a template with 20,000 tags asked it of every finding by scanning them all.
pub(crate) struct PlaceholderIndex {
    /// Placeholder ranges sorted by start.
    ranges: Vec<Range<usize>>,
    /// `max_end[i]`: the largest end among `ranges[..=i]` (tags may nest or overlap).
    max_end: Vec<usize>,
}

impl PlaceholderIndex {
    pub(crate) fn new(msg: &Message) -> Self {
        let mut ranges: Vec<Range<usize>> =
            msg.placeholders.iter().map(|p| p.prose.clone()).collect();
        ranges.sort_by_key(|r| r.start);
        let mut max_end = Vec::with_capacity(ranges.len());
        let mut m = 0;
        for r in &ranges {
            m = m.max(r.end);
            max_end.push(m);
        }
        PlaceholderIndex { ranges, max_end }
    }

    /// Whether some placeholder overlaps `r` (`p.start < r.end && r.start < p.end`).
    pub(crate) fn overlaps(&self, r: &Range<usize>) -> bool {
        let before_end = self.ranges.partition_point(|p| p.start < r.end);
        before_end > 0 && self.max_end[before_end - 1] > r.start
    }
}

/// Where the span's bytes are not the words themselves (quoted-printable or base64 email, an
/// HTML entity), the label quotes the decoded words. Without a label of its own, a finding's
/// label is the rule's message, shared rather than copied.
fn decoded_label(
    msg: &Message,
    placeholders: &PlaceholderIndex,
    primary: &Range<usize>,
    label: Option<String>,
    message: &Text,
) -> Text {
    let plain = |label: Option<String>| label.map_or_else(|| message.clone(), Text::from);
    if msg.map.is_exact(primary.clone()) || placeholders.overlaps(primary) {
        return plain(label);
    }
    let Some(words) = msg.prose.get(primary.clone()) else {
        return plain(label);
    };
    // The first 80 characters of the words, white space collapsed; only the quoted part is
    // walked (a finding spanning a huge paragraph costs no more than a short one).
    let mut short = String::new();
    let mut taken = 0;
    let mut more = false;
    for w in words.split_whitespace() {
        if taken >= 80 {
            more = true;
            break;
        }
        if !short.is_empty() {
            short.push(' ');
            taken += 1;
        }
        for c in w.chars() {
            if taken == 80 {
                more = true;
                break;
            }
            short.push(c);
            taken += 1;
        }
    }
    if short.is_empty() {
        return plain(label);
    }
    let ellipsis = if more { "…" } else { "" };
    let label = label.as_deref().unwrap_or(message.as_str());
    format!("{label}: “{short}{ellipsis}”").into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{self, Format};
    use crate::message::Vocabulary;
    use crate::rules::{Registry, RuleSources};

    /// Rules side by side give the findings of rules one after another, in the same order.
    #[test]
    fn rules_side_by_side_find_what_they_find_one_after_another() {
        let reg = Registry::new(&RuleSources::default()).expect("built-in rules");
        let pack = reg.pack("en").expect("pack").as_ref().expect("pack builds");
        let paragraph = "Hi Dana, we help teams like yours cut hiring costs by 40%, so could \
                         we book a quick demo next week? As we discussed, I added you to our \
                         newsletter. I loved your talk on warehouse robotics last week.";
        let text = vec![paragraph; 40].join("\n\n");
        let read = input::read(
            "long.txt",
            text.into_bytes(),
            Format::Plain,
            &Vocabulary::default(),
        )
        .expect("plain text reads");
        let ctx = Context {
            lang: "en".into(),
            stage: crate::context::Stage::FirstContact,
            ..Default::default()
        };
        let one_by_one = run_pack_in(pack, &read.message, &ctx, Pass::all(), false);
        let side_by_side = run_pack_in(pack, &read.message, &ctx, Pass::all(), true);
        assert!(one_by_one.len() >= 80, "{}", one_by_one.len());
        assert_eq!(one_by_one, side_by_side);
    }
}
