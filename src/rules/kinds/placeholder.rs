//! `kind: placeholder` — mail-merge tags left in a message, or a sending tool's marker for a
//! value it could not fill.
//!
//! The input readers find the tags (`{{first_name}}`, `*|FNAME|*`, `[First Name]`, … see
//! docs/formats.md); this kind reports those in the rule's segments. Settings:
//! `without-fallback: true` reports only tags with no fallback; `marker: true` only vendors'
//! missing-token markers ("[[MISSING TOKEN …]]"), `false` only tags, unset both. A language's
//! `unless` patterns excuse a tag the sentence talks about ("type your name where it says
//! [Name]") rather than leaves behind.

use super::scan::{Hit, Scan};
use super::{only_reads, Compile, Kind};
use crate::message::Message;
use crate::rules::load::Compiler;
use crate::rules::pattern::Pattern;
use crate::rules::schema::RuleDef;
use crate::rules::Rule;
use serde::Deserialize;
use std::ops::Range;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub without_fallback: Option<bool>,
    pub marker: Option<bool>,
}

impl Compile for Settings {
    fn compile(
        &self,
        r: &RuleDef,
        cx: &mut Compiler,
        _patterns: &mut Vec<Pattern>,
    ) -> Option<Box<dyn Kind>> {
        only_reads(cx, r, "placeholder", &["unless"]).then(|| {
            Box::new(PlaceholderKind {
                without_fallback: self.without_fallback.unwrap_or(false),
                marker: self.marker,
            }) as Box<dyn Kind>
        })
    }
}

#[derive(Debug, Clone)]
pub struct PlaceholderKind {
    pub without_fallback: bool,
    pub marker: Option<bool>,
}

impl Kind for PlaceholderKind {
    fn name(&self) -> &'static str {
        "placeholder"
    }

    fn reads_text(&self, rule: &Rule, msg: &Message) -> bool {
        // Only to look for exceptions around a tag.
        !rule.unless.is_empty() && !msg.placeholders.is_empty()
    }

    fn run(&self, scan: &Scan, hits: &mut Vec<Hit>) {
        let (rule, msg, views) = (scan.rule, scan.msg, scan.views);
        // Each segment's exceptions, found once (not once per placeholder: that was
        // quadratic in a template with thousands of tags).
        let excs: Vec<std::cell::OnceCell<super::scan::Exceptions>> =
            views.iter().map(|_| Default::default()).collect();
        // Segments and views are in text order and do not overlap: a placeholder's own is
        // found by binary search (scanning them for each of 20,000 tags was quadratic).
        let rule_segs: Vec<&Range<usize>> = msg
            .segments
            .iter()
            .filter(|s| rule.segments.contains(&s.kind))
            .map(|s| &s.range)
            .collect();
        let view_ranges: Vec<&Range<usize>> = views.iter().map(|v| &v.seg.range).collect();
        let in_order = |rs: &[&Range<usize>]| rs.windows(2).all(|w| w[0].end <= w[1].start);
        let ordered = in_order(&rule_segs) && in_order(&view_ranges);
        let holding = |ranges: &[&Range<usize>], p: &Range<usize>| -> Option<usize> {
            let holds = |j: &usize| ranges[*j].start <= p.start && p.end <= ranges[*j].end;
            if !ordered {
                return (0..ranges.len()).find(holds); // not in order: scan
            }
            let i = ranges.partition_point(|r| r.end < p.end);
            // Empty or touching ranges: look at the neighbours too.
            (i.saturating_sub(1)..(i + 2).min(ranges.len())).find(holds)
        };
        for p in &msg.placeholders {
            if self.without_fallback && p.has_fallback || self.marker.is_some_and(|m| m != p.marker)
            {
                continue;
            }
            let in_segment = holding(&rule_segs, &p.prose).is_some();
            // `unless` works as for patterns: "write your name where it says [name]" mentions
            // a placeholder rather than leaving one.
            let view = holding(&view_ranges, &p.prose);
            let mentioned = match view {
                Some(vi) if !rule.unless.is_empty() => {
                    let v = views[vi];
                    let excs = excs[vi].get_or_init(|| scan.exceptions(&[v]));
                    scan.excused(v, &p.prose, excs)
                }
                _ => false,
            };
            if (in_segment || rule.segments.is_empty()) && !mentioned {
                let label = if p.marker {
                    format!("the sending tool could not fill `{}`", p.name)
                } else if self.without_fallback {
                    format!(
                        "`{}` has no fallback: an empty value leaves a gap here",
                        p.name
                    )
                } else {
                    format!("`{}` is not filled in", p.name)
                };
                hits.push(Hit {
                    label: Some(label),
                    ..Hit::new(scan.index, p.prose.clone())
                });
            }
        }
    }
}
