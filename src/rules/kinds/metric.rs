//! `kind: metric` — a measure of the text against a limit.
//!
//! - `{metric: {length: {...}}}`: the length of some segments (`segments`, default greeting to
//!   signature) counted in `count` units (graphemes, as LinkedIn counts; utf16; words) against
//!   `max` (`max-premium` when the context says `premium: true`), with an optional softer
//!   warning above `warn-above`. The finding spans the text past the limit. Language files give
//!   only examples.
//! - `{metric: ratio}`: words about the sender against words about the reader. The language
//!   file gives the words it counts and the thresholds calibrated on them, under `metric:`
//!   (`numerator`, `denominator`, `min-count`, `max-ratio`); the rule fires when the
//!   numerator count is at least `min-count` and more than `max-ratio` times the denominator
//!   count plus one. The finding spans the body paragraph with the most numerator words. The
//!   balance is the whole message's, so its exceptions belong in `unless-message` (a reply to
//!   the reader's own enquiry is about the sender because the reader asked).
//!
//! Every figure is an option: `explain` lists it, config `options:` overrides it.

use super::scan::{Hit, Scan, View};
use super::{only_reads, Compile, Kind};
use crate::message::{Message, Segment, SegmentKind};
use crate::rules::load::Compiler;
use crate::rules::pattern::Pattern;
use crate::rules::schema::{CountUnit, RuleDef};
use crate::rules::{Rule, Severity};
use crate::yaml::Spanned;
use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Settings {
    Length(LengthDef),
    Ratio,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LengthDef {
    pub segments: Option<Vec<Spanned<String>>>,
    pub count: Option<CountUnit>,
    pub max: f64,
    pub max_premium: Option<f64>,
    pub warn_above: Option<f64>,
}

const LENGTH_SEGMENTS: [SegmentKind; 4] = [
    SegmentKind::Greeting,
    SegmentKind::Body,
    SegmentKind::Signoff,
    SegmentKind::Signature,
];

impl Compile for Settings {
    const NEEDS_SETTINGS: Option<&'static str> =
        Some("`kind: {metric: {length: {max: …}}}` or `kind: {metric: ratio}`");

    fn compile(
        &self,
        r: &RuleDef,
        cx: &mut Compiler,
        patterns: &mut Vec<Pattern>,
    ) -> Option<Box<dyn Kind>> {
        match self {
            Settings::Length(l) => {
                if !only_reads(cx, r, "metric", &[]) {
                    return None;
                }
                Some(Box::new(LengthKind {
                    segments: cx.segments(l.segments.as_ref(), &LENGTH_SEGMENTS),
                    count: l.count.unwrap_or_default(),
                    max: l.max,
                    max_premium: l.max_premium,
                    warn_above: l.warn_above,
                }))
            }
            Settings::Ratio => {
                if !only_reads(cx, r, "metric", &["metric"]) {
                    return None;
                }
                let Some(m) = &r.metric else {
                    cx.err(
                        Some(&r.id),
                        "a ratio metric needs the language's counters: `metric: {numerator, \
                         denominator, max-ratio}`",
                    );
                    return None;
                };
                if m.numerator.is_empty() || m.denominator.is_empty() {
                    cx.err(
                        Some(&r.id),
                        "a ratio metric needs `numerator` and `denominator` patterns",
                    );
                }
                let Some(max_ratio) = m.max_ratio else {
                    cx.err(Some(&r.id), "a ratio metric needs `max-ratio`");
                    return None;
                };
                Some(Box::new(RatioKind {
                    numerator: cx.helper_patterns(&m.numerator, patterns),
                    denominator: cx.helper_patterns(&m.denominator, patterns),
                    min_count: m.min_count.unwrap_or(8.0),
                    max_ratio,
                }))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct LengthKind {
    pub segments: Vec<SegmentKind>,
    pub count: CountUnit,
    pub max: f64,
    pub max_premium: Option<f64>,
    pub warn_above: Option<f64>,
}

impl Kind for LengthKind {
    fn name(&self) -> &'static str {
        "metric"
    }

    fn options(&self) -> Vec<(&'static str, f64)> {
        let mut o = vec![("max", self.max)];
        o.extend(self.max_premium.map(|p| ("max-premium", p)));
        o.extend(self.warn_above.map(|w| ("warn-above", w)));
        o
    }

    fn option_mut(&mut self, key: &str) -> Option<&mut f64> {
        match key {
            "max" => Some(&mut self.max),
            "max-premium" => Some(self.max_premium.get_or_insert(0.0)),
            "warn-above" => Some(self.warn_above.get_or_insert(0.0)),
            _ => None,
        }
    }

    fn run(&self, scan: &Scan, hits: &mut Vec<Hit>) {
        let (msg, ctx) = (scan.msg, scan.ctx);
        let segs: Vec<&Segment> = msg
            .segments
            .iter()
            .filter(|s| self.segments.contains(&s.kind))
            .collect();
        let (Some(first), Some(last)) = (segs.first(), segs.last()) else {
            return;
        };
        let range = first.range.start..last.range.end;
        let text = &msg.prose[range.clone()];
        let limit = if ctx.premium {
            self.max_premium.unwrap_or(self.max)
        } else {
            self.max
        };
        let (n, unit, cut) = measure(text, self.count, limit);
        let (severity, bound) = if n as f64 > limit {
            (None, limit)
        } else if self.warn_above.is_some_and(|w| n as f64 > w) {
            let w = self.warn_above.unwrap_or(limit);
            (Some(Severity::Warning), w)
        } else {
            return;
        };
        let cut = if severity.is_some() {
            measure(text, self.count, bound).2
        } else {
            cut
        };
        hits.push(Hit {
            label: Some(format!("{n} {unit}; the limit is {}", limit as i64)),
            severity,
            ..Hit::new(scan.index, range.start + cut..range.end)
        });
    }
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

#[derive(Debug, Clone)]
pub struct RatioKind {
    pub numerator: Vec<usize>,
    pub denominator: Vec<usize>,
    pub min_count: f64,
    pub max_ratio: f64,
}

impl Kind for RatioKind {
    fn name(&self) -> &'static str {
        "metric"
    }

    fn reads_text(&self, _rule: &Rule, _msg: &Message) -> bool {
        true
    }

    fn options(&self) -> Vec<(&'static str, f64)> {
        vec![("min-count", self.min_count), ("max-ratio", self.max_ratio)]
    }

    fn option_mut(&mut self, key: &str) -> Option<&mut f64> {
        match key {
            "min-count" => Some(&mut self.min_count),
            "max-ratio" => Some(&mut self.max_ratio),
            _ => None,
        }
    }

    fn run(&self, scan: &Scan, hits: &mut Vec<Hit>) {
        let (pack, rule) = (scan.pack, scan.rule);
        let count = |pats: &[usize], v: &View| -> usize {
            pats.iter()
                .map(|&p| v.find(pack, rule, p, false).len())
                .sum()
        };
        let mut num = 0;
        let mut den = 0;
        let mut best: Option<(usize, &View)> = None;
        for v in scan.views {
            let n = count(&self.numerator, v);
            num += n;
            den += count(&self.denominator, v);
            if v.seg.kind == SegmentKind::Body && best.is_none_or(|(b, _)| n > b) {
                best = Some((n, v));
            }
        }
        if (num as f64) < self.min_count || (num as f64) <= self.max_ratio * (den as f64 + 1.0) {
            return;
        }
        let Some((_, v)) = best else { return };
        hits.push(Hit {
            label: Some(format!(
                "{num} words about the sender, {den} about the reader"
            )),
            ..Hit::new(scan.index, v.seg.range.clone())
        });
    }
}
