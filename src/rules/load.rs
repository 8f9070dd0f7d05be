//! Turning a rule file's YAML into compiled [`Rule`]s, with every error pointing into the YAML.

use super::literals::expand_vars;
use super::pattern::Pattern;
use super::schema::{FixKind, MetricDef, MetricKind, RuleDef, RuleFileDef, Scope};
use super::{LengthMetric, RatioMetric, Rule, RuleKind, Signal, When};
use crate::error::SourceError;
use crate::message::SegmentKind;
use crate::yaml::{self, Spanned};
use std::collections::BTreeMap;

/// The rules of one file.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub path: String,
    pub lang: String,
    pub category: String,
    pub rules: Vec<Rule>,
}

const DEFAULT_SEGMENTS: [SegmentKind; 3] = [
    SegmentKind::Subject,
    SegmentKind::Greeting,
    SegmentKind::Body,
];

struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
    vars: &'a BTreeMap<String, String>,
    eager: bool,
    errors: Vec<SourceError>,
}

impl Ctx<'_> {
    fn err<T>(&mut self, at: Option<&Spanned<T>>, msg: impl Into<String>) {
        let span = at.and_then(|s| yaml::spanned_range(s, self.text));
        self.errors
            .push(SourceError::new(self.path, self.text, span, msg));
    }

    fn pattern(
        &mut self,
        p: &Spanned<String>,
        keywords: &[String],
        into: &mut Vec<Pattern>,
        prefiltered: bool,
    ) -> Option<usize> {
        let expanded = match expand_vars(&p.value, self.vars) {
            Ok(e) => e,
            Err(e) => {
                self.err(Some(p), e);
                return None;
            }
        };
        match Pattern::with_builtin(expanded, keywords, !self.eager, prefiltered) {
            Ok(pat) => {
                if self.eager {
                    if let Err(e) = pat.compile_now() {
                        self.err(Some(p), format!("invalid pattern: {e}"));
                        return None;
                    }
                }
                into.push(pat);
                Some(into.len() - 1)
            }
            Err(e) => {
                let at = e
                    .offset
                    .map(|o| format!(" (at `{}`)", p.value.get(o).unwrap_or(&p.value)))
                    .unwrap_or_default();
                self.err(Some(p), format!("invalid pattern: {}{at}", e.message));
                None
            }
        }
    }

    /// Patterns that decide whether a rule fires; they get pre-filter literals.
    fn patterns(
        &mut self,
        ps: &[Spanned<String>],
        keywords: &[String],
        into: &mut Vec<Pattern>,
    ) -> Vec<usize> {
        ps.iter()
            .filter_map(|p| self.pattern(p, keywords, into, true))
            .collect()
    }

    /// Exceptions and metric counters: run only once a rule is under way, so no literals.
    fn helper_patterns(&mut self, ps: &[Spanned<String>], into: &mut Vec<Pattern>) -> Vec<usize> {
        ps.iter()
            .filter_map(|p| self.pattern(p, &[], into, false))
            .collect()
    }

    fn segments(
        &mut self,
        list: Option<&Vec<Spanned<String>>>,
        default: &[SegmentKind],
    ) -> Vec<SegmentKind> {
        let Some(list) = list else {
            return default.to_vec();
        };
        let mut out = Vec::new();
        for s in list {
            match SegmentKind::parse(&s.value) {
                Some(k) => out.push(k),
                None => self.err(
                    Some(s),
                    format!(
                        "unknown segment `{}` (expected one of: subject, greeting, body, signoff, signature, quote)",
                        s.value
                    ),
                ),
            }
        }
        out
    }
}

/// Parses and compiles one rule file. `lang_hint` is the folder's name; `vars` the language
/// pack's pattern variables. `eager` compiles every regex now (user rules), so a pattern too
/// big to compile is reported at load time.
pub fn load_rule_text(
    path: &str,
    text: &str,
    lang_hint: &str,
    vars: &BTreeMap<String, String>,
    eager: bool,
) -> Result<LoadedFile, Vec<SourceError>> {
    let def: RuleFileDef = yaml::parse(text, path).map_err(|e| vec![e])?;
    let lang = def.lang.clone().unwrap_or_else(|| lang_hint.to_string());
    let mut cx = Ctx {
        path,
        text,
        vars,
        eager,
        errors: Vec::new(),
    };
    let mut rules = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &def.rules {
        if let Some(rule) = compile_rule(&mut cx, &def.category, &lang, r) {
            if !seen.insert(rule.id.clone()) {
                cx.err(Some(&r.id), format!("duplicate rule id `{}`", rule.id));
                continue;
            }
            rules.push(rule);
        }
    }
    if cx.errors.is_empty() {
        Ok(LoadedFile {
            path: path.to_string(),
            lang,
            category: def.category,
            rules,
        })
    } else {
        Err(cx.errors)
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn compile_rule(cx: &mut Ctx, category: &str, lang: &str, r: &RuleDef) -> Option<Rule> {
    let errors_before = cx.errors.len();
    let id = r.id.value.clone();
    match id.split_once('/') {
        Some((cat, name)) if cat == category && valid_name(name) => {}
        _ => cx.err(
            Some(&r.id),
            format!(
                "rule id `{id}` must be `{category}/<name>` with a lower-case, kebab-case name"
            ),
        ),
    }
    let mut patterns = Vec::new();
    let segments = cx.segments(r.segments.as_ref(), &DEFAULT_SEGMENTS);
    let kind = if let Some(m) = &r.metric {
        metric_kind(cx, r, m, &mut patterns)
    } else if !r.signals.is_empty() {
        let signals: Vec<Signal> = r
            .signals
            .iter()
            .map(|s| Signal {
                label: s.label.clone(),
                patterns: cx.patterns(&s.patterns, &s.keywords, &mut patterns),
            })
            .collect();
        let require = r.require.unwrap_or(signals.len());
        if require == 0 || require > signals.len() {
            cx.err(
                Some(&r.id),
                format!(
                    "`require: {require}` must be between 1 and the number of signals ({})",
                    signals.len()
                ),
            );
        }
        Some(RuleKind::Signals {
            signals,
            require,
            scope: r.scope.unwrap_or(Scope::Sentence),
        })
    } else if !r.patterns.is_empty() {
        Some(RuleKind::Match {
            patterns: cx.patterns(&r.patterns, &r.keywords, &mut patterns),
        })
    } else {
        cx.err(Some(&r.id), "a rule needs `match`, `signals` or `metric`");
        None
    };
    let unless = cx.helper_patterns(&r.unless, &mut patterns);
    if cx.errors.len() > errors_before {
        return None;
    }
    Some(Rule {
        id,
        category: category.to_string(),
        lang: lang.to_string(),
        severity: r.severity,
        message: r.message.trim().to_string(),
        description: r.description.as_ref().map(|d| d.trim().to_string()),
        help: r.help.trim().to_string(),
        suggest: r.suggest.clone(),
        fix_safe: r.fix == Some(FixKind::Safe),
        segments,
        when: When(r.when.clone()),
        kind: kind?,
        patterns,
        unless,
        unless_scope: r.unless_scope.unwrap_or(Scope::Sentence),
        examples: r.examples.clone(),
        origin: cx.path.to_string(),
    })
}

fn metric_kind(
    cx: &mut Ctx,
    r: &RuleDef,
    m: &MetricDef,
    patterns: &mut Vec<crate::rules::pattern::Pattern>,
) -> Option<RuleKind> {
    let need = |cx: &mut Ctx, v: Option<f64>, key: &str| -> f64 {
        v.unwrap_or_else(|| {
            cx.err(
                Some(&r.id),
                format!("a `{:?}` metric needs `{key}`", m.kind).to_lowercase(),
            );
            0.0
        })
    };
    Some(match m.kind {
        MetricKind::Length => RuleKind::Length(LengthMetric {
            segments: cx.segments(
                m.segments.as_ref(),
                &[
                    SegmentKind::Greeting,
                    SegmentKind::Body,
                    SegmentKind::Signoff,
                    SegmentKind::Signature,
                ],
            ),
            count: m.count.unwrap_or_default(),
            max: need(cx, m.max, "max"),
            max_premium: m.max_premium,
            warn_above: m.warn_above,
        }),
        MetricKind::Ratio => {
            if m.numerator.is_empty() || m.denominator.is_empty() {
                cx.err(
                    Some(&r.id),
                    "a ratio metric needs `numerator` and `denominator` patterns",
                );
            }
            RuleKind::Ratio(RatioMetric {
                numerator: cx.helper_patterns(&m.numerator, patterns),
                denominator: cx.helper_patterns(&m.denominator, patterns),
                min_count: m.min_count.unwrap_or(8.0),
                max_ratio: need(cx, m.max_ratio, "max-ratio"),
            })
        }
        MetricKind::Placeholder => RuleKind::Placeholder {
            without_fallback: m.without_fallback.unwrap_or(false),
            marker: m.marker,
        },
        MetricKind::Duplicate => RuleKind::Duplicate {
            similarity: m.similarity.unwrap_or(0.8),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<LoadedFile, Vec<SourceError>> {
        load_rule_text("t.yaml", text, "en", &BTreeMap::new(), true)
    }

    #[test]
    fn a_minimal_rule_loads() {
        let f = load("category: early-pitch\nrules:\n  - id: early-pitch/demo\n    severity: error\n    message: m\n    help: h\n    match: ['book a demo']\n").unwrap();
        assert_eq!(f.rules.len(), 1);
        assert_eq!(f.rules[0].patterns[0].literals, vec!["book a demo"]);
    }

    #[test]
    fn a_bad_regex_points_at_the_pattern() {
        let text = "category: early-pitch\nrules:\n  - id: early-pitch/demo\n    severity: error\n    message: m\n    help: h\n    match: ['book (a demo']\n";
        let errs = load(text).unwrap_err();
        let span = errs[0].span.clone().unwrap();
        assert!(text[span].contains("book (a demo"));
        assert!(
            errs[0].message.contains("invalid pattern"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn an_id_outside_its_category_is_an_error() {
        let errs = load("category: early-pitch\nrules:\n  - id: self-focus/x\n    severity: error\n    message: m\n    help: h\n    match: ['abc']\n").unwrap_err();
        assert!(errs[0].message.contains("early-pitch/<name>"));
    }

    #[test]
    fn a_huge_pattern_is_refused() {
        let errs = load("category: x\nrules:\n  - id: x/y\n    severity: error\n    message: m\n    help: h\n    match: ['\\w{1000}\\w{1000}\\w{1000}']\n").unwrap_err();
        assert!(
            errs[0].message.contains("too large") || errs[0].message.contains("invalid"),
            "{}",
            errs[0].message
        );
    }
}
