//! `kind: pattern` — any of the language's `match` patterns is a hit.
//!
//! The language file lists the patterns (`match`), optional pre-filter `keywords` for a pattern
//! without literal words, exceptions (`unless`, within `unless-scope`) and a rewrite
//! (`suggest`, whose `$1` / `${name}` take the match's groups). One finding per sentence: two
//! phrasings of the same mistake in one sentence are one mistake to the reader.

use super::scan::{Hit, Scan, View};
use super::{only_reads, Compile, Kind};
use crate::finding::Text;
use crate::message::Message;
use crate::rules::load::Compiler;
use crate::rules::pattern::Pattern;
use crate::rules::schema::RuleDef;
use crate::rules::{Rule, Scope};
use serde::Deserialize;
use std::ops::Range;

/// No settings: everything is the language's evidence.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

impl Compile for Settings {
    fn compile(
        &self,
        r: &RuleDef,
        cx: &mut Compiler,
        patterns: &mut Vec<Pattern>,
    ) -> Option<Box<dyn Kind>> {
        if !only_reads(cx, r, "pattern", &["match", "unless"]) {
            return None;
        }
        if r.patterns.is_empty() {
            cx.err(
                Some(&r.id),
                format!(
                    "rule `{}` is of kind `pattern` and needs `match`",
                    r.id.value
                ),
            );
            return None;
        }
        Some(Box::new(PatternKind {
            patterns: cx.patterns(&r.patterns, &r.keywords, patterns),
        }))
    }
}

#[derive(Debug, Clone)]
pub struct PatternKind {
    /// Indices into the rule's patterns.
    pub patterns: Vec<usize>,
}

/// One match of one of the rule's patterns.
struct Found {
    /// Index of the view it is in.
    view: usize,
    /// Prose range.
    range: Range<usize>,
    pattern: usize,
    /// Start in the view's folded text (where its groups are read from).
    folded_start: usize,
}

impl Kind for PatternKind {
    fn name(&self) -> &'static str {
        "pattern"
    }

    fn prefiltered(&self) -> Vec<usize> {
        self.patterns.clone()
    }

    fn evidence(&self) -> Vec<(String, Vec<usize>)> {
        vec![("match".into(), self.patterns.clone())]
    }

    fn gated(&self) -> bool {
        true
    }

    fn reads_text(&self, _rule: &Rule, _msg: &Message) -> bool {
        true
    }

    fn run(&self, scan: &Scan, hits: &mut Vec<Hit>) {
        let (pack, rule, ri, views) = (scan.pack, scan.rule, scan.index, scan.views);
        let mut found: Vec<Found> = Vec::new();
        for (vi, v) in views.iter().enumerate() {
            let checked = v.candidates.checked(ri, true);
            for &p in &self.patterns {
                if v.candidates.contains(&pack.pattern_base, ri, p) {
                    found.extend(
                        v.find_both(pack, rule, p, checked)
                            .into_iter()
                            .map(|(r, f)| Found {
                                view: vi,
                                range: r,
                                pattern: p,
                                folded_start: f.start,
                            }),
                    );
                }
            }
        }
        if found.is_empty() {
            return;
        }
        let excs = if rule.unless.is_empty() {
            Default::default()
        } else if rule.unless_scope == Scope::Message {
            scan.exceptions(views)
        } else {
            let vis: std::collections::BTreeSet<usize> = found.iter().map(|f| f.view).collect();
            let vs: Vec<&View> = vis.iter().map(|&i| views[i]).collect();
            scan.exceptions(&vs)
        };
        found.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
        let mut last_end = 0;
        // One finding per rule and sentence: two phrasings of the same mistake in one sentence
        // are one mistake to the reader. (A set, not a list: a file with a finding in every
        // sentence made this quadratic.)
        let mut sentences_hit: std::collections::HashSet<(usize, usize)> = Default::default();
        for f in found {
            let v = views[f.view];
            if f.range.start < last_end || scan.excused(v, &f.range, &excs) {
                continue;
            }
            let sentence = v.sentence_of(f.range.start);
            if !sentences_hit.insert((sentence.start, sentence.end)) {
                continue;
            }
            last_end = f.range.end;
            let suggestion = rule.suggest.as_ref().and_then(|s| {
                expand_suggestion(s, rule, f.pattern, v, f.folded_start, &scan.msg.prose)
            });
            hits.push(Hit {
                suggestion,
                sentence: Some(sentence),
                ..Hit::new(ri, f.range)
            });
        }
    }
}

/// Fills `$1` / `${name}` in a suggestion with the original text of the match's groups. A
/// suggestion that names a group this pattern does not have is not offered (a rule's other
/// patterns may not capture what the rewrite needs); a group that did not take part is empty.
/// `${recipient}` is left for the context to fill.
fn expand_suggestion(
    template: &Text,
    rule: &Rule,
    pattern: usize,
    v: &View,
    folded_start: usize,
    prose: &str,
) -> Option<Text> {
    if !template.contains('$') {
        return Some(template.clone()); // shared with the rule, not copied
    }
    let caps = rule.patterns[pattern].captures_at(&v.folded.text, folded_start)?;
    let names: Vec<&str> = rule.patterns[pattern]
        .regex()
        .map(|r| r.capture_names().flatten().collect())
        .unwrap_or_default();
    let mut out = String::new();
    let mut rest: &str = template;
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
    Some(out.into())
}
