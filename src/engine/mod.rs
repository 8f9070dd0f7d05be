//! Applying a compiled pack to a message: pre-filter, pattern matching with exceptions,
//! co-occurring signals, metrics. Works in prose offsets and maps findings to source offsets
//! at the end.

use crate::context::Context;
use crate::finding::{Finding, Related, Suggestion};
use crate::message::{Message, Segment, SegmentKind};
use crate::rules::pack::Candidates;
use crate::rules::schema::CountUnit;
use crate::rules::{Pack, Rule, RuleKind, Scope, Severity};
use crate::text::fold::{fold, Folded};
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// One segment prepared for matching.
struct View<'m> {
    seg: &'m Segment,
    folded: Folded,
    candidates: Candidates,
    /// Sentence ranges, computed the first time a rule needs them.
    sentences: std::cell::OnceCell<Vec<Range<usize>>>,
    prose: &'m str,
}

impl View<'_> {
    fn sentences(&self) -> &[Range<usize>] {
        self.sentences
            .get_or_init(|| sentences(self.prose, &self.seg.range))
    }

    fn start(&self) -> usize {
        self.seg.range.start
    }

    /// Runs a pattern on this segment; returns (prose range, folded range) pairs.
    fn find_both(
        &self,
        pack: &Pack,
        rule: &Rule,
        pattern: usize,
    ) -> Vec<(Range<usize>, Range<usize>)> {
        rule.patterns[pattern]
            .find_all(&self.folded.text, &pack.word_prefixes)
            .into_iter()
            .map(|r| {
                let o = self.folded.orig_range(r.clone());
                (self.start() + o.start..self.start() + o.end, r)
            })
            .collect()
    }

    /// Runs a pattern on this segment; ranges are prose offsets.
    fn find(&self, pack: &Pack, rule: &Rule, pattern: usize) -> Vec<Range<usize>> {
        self.find_both(pack, rule, pattern)
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }

    fn sentence_of(&self, pos: usize) -> Range<usize> {
        // Sentences are in order and do not overlap: a binary search keeps huge texts linear.
        let ss = self.sentences();
        ss.get(ss.partition_point(|s| s.end <= pos))
            .filter(|s| s.start <= pos)
            .cloned()
            .unwrap_or_else(|| self.seg.range.clone())
    }
}

/// Sentence ranges of a segment. Line breaks inside a paragraph are hard wrapping, not the end
/// of a sentence (UAX #29 would split there), so they are read as spaces (same byte length).
fn sentences(prose: &str, range: &Range<usize>) -> Vec<Range<usize>> {
    let text = &prose[range.clone()];
    let unwrapped;
    let text = if text.contains(['\n', '\r']) {
        unwrapped = text.replace(['\n', '\r'], " ");
        unwrapped.as_str()
    } else {
        text
    };
    text.split_sentence_bound_indices()
        .map(|(i, s)| range.start + i..range.start + i + s.len())
        .collect()
}

/// A finding before it is mapped to the source.
struct Hit {
    rule: usize,
    primary: Range<usize>,
    label: Option<String>,
    related: Vec<(Range<usize>, String)>,
    severity: Option<Severity>,
    suggestion: Option<String>,
}

/// Checks `msg` with `pack`, looking only at segments for which `include` holds.
pub fn run_pack(
    pack: &Pack,
    msg: &Message,
    ctx: &Context,
    include: &dyn Fn(&Segment) -> bool,
) -> Vec<Finding> {
    // Only segments some text rule of this pack looks at are folded and scanned.
    let wanted: Vec<SegmentKind> = pack
        .rules
        .iter()
        .filter(|r| {
            matches!(
                r.kind,
                RuleKind::Match { .. } | RuleKind::Signals { .. } | RuleKind::Ratio(_)
            ) || (matches!(r.kind, RuleKind::Placeholder { .. })
                && !r.unless.is_empty()
                && !msg.placeholders.is_empty())
        })
        .flat_map(|r| r.segments.iter().copied())
        .collect();
    let views: Vec<View> = msg
        .segments
        .iter()
        .filter(|s| include(s) && wanted.contains(&s.kind))
        .map(|seg| {
            let folded = fold(&msg.prose[seg.range.clone()]);
            let candidates = pack.candidates(&folded.text);
            View {
                seg,
                folded,
                candidates,
                sentences: std::cell::OnceCell::new(),
                prose: &msg.prose,
            }
        })
        .collect();
    let mut hits = Vec::new();
    for (ri, rule) in pack.rules.iter().enumerate() {
        let text_rule = matches!(rule.kind, RuleKind::Match { .. } | RuleKind::Signals { .. });
        if (text_rule && !views.iter().any(|v| v.candidates.any_of_rule(ri)))
            || !rule.when.applies(ctx)
        {
            continue;
        }
        let views_of_rule: Vec<&View> = views
            .iter()
            .filter(|v| rule.segments.contains(&v.seg.kind))
            .collect();
        match &rule.kind {
            RuleKind::Match { patterns } => match_rule(
                pack,
                ri,
                rule,
                patterns,
                &views_of_rule,
                &msg.prose,
                &mut hits,
            ),
            RuleKind::Signals {
                signals,
                require,
                scope,
            } => signal_rule(
                pack,
                ri,
                rule,
                signals,
                *require,
                *scope,
                &views_of_rule,
                &mut hits,
            ),
            RuleKind::Ratio(m) => {
                let all: Vec<&View> = views
                    .iter()
                    .filter(|v| rule.segments.contains(&v.seg.kind))
                    .collect();
                ratio_rule(pack, ri, rule, m, &all, &mut hits)
            }
            RuleKind::Length(m) => length_rule(ri, m, msg, ctx, &mut hits),
            RuleKind::Placeholder {
                without_fallback,
                marker,
            } => {
                // Each segment's exceptions, found once (not once per placeholder: that was
                // quadratic in a template with thousands of tags).
                let excs: Vec<std::cell::OnceCell<Vec<Range<usize>>>> =
                    views_of_rule.iter().map(|_| Default::default()).collect();
                for p in &msg.placeholders {
                    if *without_fallback && p.has_fallback || marker.is_some_and(|m| m != p.marker)
                    {
                        continue;
                    }
                    let in_segment = msg.segments.iter().any(|s| {
                        rule.segments.contains(&s.kind)
                            && s.range.start <= p.prose.start
                            && p.prose.end <= s.range.end
                    });
                    // `unless` works as for patterns: "write your name where it says [name]"
                    // mentions a placeholder rather than leaving one.
                    let view = views_of_rule.iter().position(|v| {
                        v.seg.range.start <= p.prose.start && p.prose.end <= v.seg.range.end
                    });
                    let mentioned = match view {
                        Some(vi) if !rule.unless.is_empty() => {
                            let v = views_of_rule[vi];
                            let excs = excs[vi].get_or_init(|| exceptions(pack, rule, &[v]));
                            excused(rule, v, &p.prose, excs)
                        }
                        _ => false,
                    };
                    if (in_segment || rule.segments.is_empty()) && !mentioned {
                        hits.push(Hit {
                            rule: ri,
                            primary: p.prose.clone(),
                            label: Some(if p.marker {
                                format!("the sending tool could not fill `{}`", p.name)
                            } else if *without_fallback {
                                format!(
                                    "`{}` has no fallback: an empty value leaves a gap here",
                                    p.name
                                )
                            } else {
                                format!("`{}` is not filled in", p.name)
                            }),
                            related: Vec::new(),
                            severity: None,
                            suggestion: None,
                        });
                    }
                }
            }
            RuleKind::Duplicate { .. } => {}
        }
    }
    hits.into_iter()
        .map(|h| to_finding(pack, msg, ctx, h))
        .collect()
}

/// Prose ranges of the `unless` matches of a rule in the given views.
fn exceptions(pack: &Pack, rule: &Rule, views: &[&View]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for v in views {
        for &u in &rule.unless {
            out.extend(v.find(pack, rule, u));
        }
    }
    out
}

/// Whether a hit in view `v` is excused by an exception in its scope.
fn excused(rule: &Rule, v: &View, hit: &Range<usize>, excs: &[Range<usize>]) -> bool {
    if excs.is_empty() {
        return false;
    }
    let scope = match rule.unless_scope {
        Scope::Sentence => v.sentence_of(hit.start),
        Scope::Paragraph => v.seg.range.clone(),
        Scope::Message => return true,
    };
    excs.iter()
        .any(|e| e.start < scope.end && scope.start < e.end)
}

fn match_rule(
    pack: &Pack,
    ri: usize,
    rule: &Rule,
    patterns: &[usize],
    views: &[&View],
    prose: &str,
    hits: &mut Vec<Hit>,
) {
    // (view, prose range, pattern, folded start)
    let mut found: Vec<(usize, Range<usize>, usize, usize)> = Vec::new();
    for (vi, v) in views.iter().enumerate() {
        for &p in patterns {
            if v.candidates.contains(&pack.pattern_base, ri, p) {
                found.extend(
                    v.find_both(pack, rule, p)
                        .into_iter()
                        .map(|(r, f)| (vi, r, p, f.start)),
                );
            }
        }
    }
    if found.is_empty() {
        return;
    }
    let excs = if rule.unless.is_empty() {
        Vec::new()
    } else if rule.unless_scope == Scope::Message {
        exceptions(pack, rule, views)
    } else {
        let vis: std::collections::BTreeSet<usize> = found.iter().map(|f| f.0).collect();
        let vs: Vec<&View> = vis.iter().map(|&i| views[i]).collect();
        exceptions(pack, rule, &vs)
    };
    found.sort_by_key(|f| (f.1.start, std::cmp::Reverse(f.1.end)));
    let mut last_end = 0;
    // One finding per rule and sentence: two phrasings of the same mistake in one sentence are
    // one mistake to the reader.
    let mut sentences_hit: Vec<Range<usize>> = Vec::new();
    for (vi, range, p, folded_start) in found {
        if range.start < last_end || excused(rule, views[vi], &range, &excs) {
            continue;
        }
        let sentence = views[vi].sentence_of(range.start);
        if sentences_hit.contains(&sentence) {
            continue;
        }
        sentences_hit.push(sentence);
        last_end = range.end;
        let suggestion = rule
            .suggest
            .as_ref()
            .and_then(|s| expand_suggestion(s, rule, p, views[vi], folded_start, prose));
        hits.push(Hit {
            rule: ri,
            primary: range,
            label: None,
            related: Vec::new(),
            severity: None,
            suggestion,
        });
    }
}

/// Fills `$1` / `${name}` in a suggestion with the original text of the match's groups. A
/// suggestion that names a group this pattern does not have is not offered (a rule's other
/// patterns may not capture what the rewrite needs); a group that did not take part is empty.
/// `${recipient}` is left for the context to fill.
fn expand_suggestion(
    template: &str,
    rule: &Rule,
    pattern: usize,
    v: &View,
    folded_start: usize,
    prose: &str,
) -> Option<String> {
    if !template.contains('$') {
        return Some(template.to_string());
    }
    let caps = rule.patterns[pattern].captures_at(&v.folded.text, folded_start)?;
    let names: Vec<&str> = rule.patterns[pattern]
        .regex()
        .map(|r| r.capture_names().flatten().collect())
        .unwrap_or_default();
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, len) = if let Some(stripped) = after.strip_prefix('{') {
            match stripped.find('}') {
                Some(e) => (&stripped[..e], e + 2),
                None => ("", 0),
            }
        } else {
            let n = after.chars().take_while(|c| c.is_ascii_digit()).count();
            (&after[..n], n)
        };
        if len > 0 && name == "recipient" {
            out.push_str("${recipient}");
            rest = &after[len..];
            continue;
        }
        let known = name
            .parse::<usize>()
            .map_or(names.contains(&name), |n| n < caps.len());
        if len > 0 && !known {
            return None;
        }
        let group = name
            .parse::<usize>()
            .ok()
            .and_then(|n| caps.get(n))
            .or_else(|| caps.name(name));
        match group {
            None if len > 0 => rest = &after[len..],
            Some(g) if len > 0 => {
                let o = v.folded.orig_range(g.range());
                out.push_str(&prose[v.start() + o.start..v.start() + o.end]);
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
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

#[allow(clippy::too_many_arguments)]
fn signal_rule(
    pack: &Pack,
    ri: usize,
    rule: &Rule,
    signals: &[crate::rules::Signal],
    require: usize,
    scope: Scope,
    views: &[&View],
    hits: &mut Vec<Hit>,
) {
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
            for &p in &s.patterns {
                if v.candidates.contains(&pack.pattern_base, ri, p) {
                    for r in v.find(pack, rule, p) {
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
    let excs = exceptions(pack, rule, views);
    for hs in per_signal.iter_mut() {
        hs.retain(|(vi, r)| !excused(rule, views[*vi], r, &excs));
    }
    let units: Vec<Range<usize>> = match scope {
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
            rule: ri,
            primary: primary.clone(),
            label: Some(signals[first_si].label.clone()),
            related: present[1..]
                .iter()
                .map(|(si, r)| ((*r).clone(), signals[*si].label.clone()))
                .collect(),
            severity: None,
            suggestion: rule.suggest.clone(),
        });
    }
}

fn ratio_rule(
    pack: &Pack,
    ri: usize,
    rule: &Rule,
    m: &crate::rules::RatioMetric,
    views: &[&View],
    hits: &mut Vec<Hit>,
) {
    let count = |pats: &[usize], v: &View| -> usize {
        pats.iter().map(|&p| v.find(pack, rule, p).len()).sum()
    };
    let mut num = 0;
    let mut den = 0;
    let mut best: Option<(usize, &View)> = None;
    for v in views {
        let n = count(&m.numerator, v);
        num += n;
        den += count(&m.denominator, v);
        if v.seg.kind == SegmentKind::Body && best.is_none_or(|(b, _)| n > b) {
            best = Some((n, v));
        }
    }
    if (num as f64) < m.min_count || (num as f64) <= m.max_ratio * (den as f64 + 1.0) {
        return;
    }
    let Some((_, v)) = best else { return };
    hits.push(Hit {
        rule: ri,
        primary: v.seg.range.clone(),
        label: Some(format!(
            "{num} words about the sender, {den} about the reader"
        )),
        related: Vec::new(),
        severity: None,
        suggestion: None,
    });
}

fn length_rule(
    ri: usize,
    m: &crate::rules::LengthMetric,
    msg: &Message,
    ctx: &Context,
    hits: &mut Vec<Hit>,
) {
    let segs: Vec<&Segment> = msg
        .segments
        .iter()
        .filter(|s| m.segments.contains(&s.kind))
        .collect();
    let (Some(first), Some(last)) = (segs.first(), segs.last()) else {
        return;
    };
    let range = first.range.start..last.range.end;
    let text = &msg.prose[range.clone()];
    let limit = if ctx.premium {
        m.max_premium.unwrap_or(m.max)
    } else {
        m.max
    };
    let (n, unit, cut) = measure(text, m.count, limit);
    let (severity, bound) = if n as f64 > limit {
        (None, limit)
    } else if m.warn_above.is_some_and(|w| n as f64 > w) {
        let w = m.warn_above.unwrap_or(limit);
        (Some(Severity::Warning), w)
    } else {
        return;
    };
    let cut = if severity.is_some() {
        measure(text, m.count, bound).2
    } else {
        cut
    };
    hits.push(Hit {
        rule: ri,
        primary: range.start + cut..range.end,
        label: Some(format!("{n} {unit}; the limit is {}", limit as i64)),
        related: Vec::new(),
        severity,
        suggestion: None,
    });
}

/// Counts `text` in `unit`; also returns the byte offset where the count passes `limit`.
fn measure(text: &str, unit: CountUnit, limit: f64) -> (usize, &'static str, usize) {
    let limit = limit.max(0.0) as usize;
    let mut cut = text.len();
    let (n, name) = match unit {
        CountUnit::Graphemes => {
            let mut n = 0;
            for (i, _) in text.grapheme_indices(true) {
                if n == limit {
                    cut = i;
                }
                n += 1;
            }
            (n, "characters")
        }
        CountUnit::Utf16 => {
            let mut n = 0;
            for (i, c) in text.char_indices() {
                if n >= limit && cut == text.len() {
                    cut = i;
                }
                n += c.len_utf16();
            }
            (n, "UTF-16 units")
        }
        CountUnit::Words => {
            let mut n = 0;
            for (i, _) in text.unicode_word_indices() {
                if n == limit {
                    cut = i;
                }
                n += 1;
            }
            (n, "words")
        }
    };
    (n, name, cut)
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
