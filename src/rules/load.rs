//! Turning a rule file's YAML into compiled [`Rule`]s, with every error pointing into the YAML.

use super::literals::expand_vars;
use super::pattern::Pattern;
use super::schema::{
    EvidenceDef, EvidenceFileDef, FixKind, KindDef, MetricDef, MetricKind, MetricSpec, RuleDef,
    RuleFileDef, Scope,
};
use super::{LengthMetric, RatioMetric, Rule, RuleKind, Signal, When};
use crate::error::SourceError;
use crate::message::SegmentKind;
use crate::yaml::{self, Spanned};
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// A rule's shared definition: what `rules/<category>.yaml` says about an id.
#[derive(Debug, Clone)]
pub struct Definition {
    pub category: String,
    pub def: RuleDef,
    /// The file that defines it.
    pub path: String,
}

/// Definitions by rule id.
pub type Definitions = BTreeMap<String, Arc<Definition>>;

/// Parses and compiles one self-contained rule file (every rule with its evidence, for the
/// language `lang_hint` unless the file says `lang:`). `vars` are the language pack's pattern
/// variables. `eager` compiles every regex now (user rules), so a pattern too big to compile
/// is reported at load time.
pub fn load_rule_text(
    path: &str,
    text: &str,
    lang_hint: &str,
    vars: &BTreeMap<String, String>,
    eager: bool,
) -> Result<LoadedFile, Vec<SourceError>> {
    let (loaded, _) = load_definition_text(path, text, lang_hint, vars, eager, false)?;
    Ok(loaded)
}

/// Parses a definition file (one with a `category:`): every entry is a definition; an entry
/// that also carries evidence is compiled as a complete rule for the file's language. With
/// `bare_ok`, entries without evidence are only definitions (their evidence is in language
/// files); otherwise each must be complete.
pub fn load_definition_text(
    path: &str,
    text: &str,
    lang_hint: &str,
    vars: &BTreeMap<String, String>,
    eager: bool,
    bare_ok: bool,
) -> Result<(LoadedFile, Vec<Definition>), Vec<SourceError>> {
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
    let mut defs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &def.rules {
        if !seen.insert(r.id.value.clone()) {
            cx.err(Some(&r.id), format!("duplicate rule id `{}`", r.id.value));
            continue;
        }
        check_id(&mut cx, &def.category, &r.id);
        cx.segments(r.segments.as_ref(), &DEFAULT_SEGMENTS);
        if let Some(k) = &r.kind {
            if let KindDef::Metric(MetricSpec::Length(l)) = &k.value {
                cx.segments(l.segments.as_ref(), &[]);
            }
        }
        defs.push(Definition {
            category: def.category.clone(),
            def: r.clone(),
            path: path.to_string(),
        });
        if bare_ok && !r.has_evidence() {
            continue;
        }
        let mut full = r.clone();
        if let Some(k) = &r.kind {
            apply_kind(&mut cx, &mut full, &k.value);
        }
        if let Some(rule) = compile_rule(&mut cx, &def.category, &lang, &full) {
            rules.push(rule);
        }
    }
    if cx.errors.is_empty() {
        Ok((
            LoadedFile {
                path: path.to_string(),
                lang,
                category: def.category,
                rules,
            },
            defs,
        ))
    } else {
        Err(cx.errors)
    }
}

/// Parses a language file (`rules/<lang>/<category>.yaml`): each entry names a defined rule
/// and gives the language's evidence for it. Shared metadata is an error here: a language
/// changes severity, gates, segments or kind only through `override:`.
pub fn load_evidence_text(
    path: &str,
    text: &str,
    lang_hint: &str,
    vars: &BTreeMap<String, String>,
    eager: bool,
    lookup: &dyn Fn(&str) -> Option<Arc<Definition>>,
) -> Result<LoadedFile, Vec<SourceError>> {
    let file: EvidenceFileDef = yaml::parse(text, path).map_err(|e| vec![e])?;
    let lang = file.lang.clone().unwrap_or_else(|| lang_hint.to_string());
    let mut cx = Ctx {
        path,
        text,
        vars,
        eager,
        errors: Vec::new(),
    };
    if let Some(c) = &file.category {
        cx.err(
            Some(c),
            "a language file does not name a category: each rule's definition does \
             (a file with `category:` is a definition file)",
        );
    }
    let mut rules = Vec::new();
    let mut category = String::new();
    let mut seen = std::collections::HashSet::new();
    for ev in &file.rules {
        if !seen.insert(ev.id.value.clone()) {
            cx.err(Some(&ev.id), format!("duplicate rule id `{}`", ev.id.value));
            continue;
        }
        let before = cx.errors.len();
        for (key, at) in [
            ("kind", &ev.kind),
            ("severity", &ev.severity),
            ("when", &ev.when),
            ("segments", &ev.segments),
        ] {
            if let Some(at) = at {
                cx.err(
                    Some(at),
                    format!(
                        "`{key}` is part of the rule's definition, shared by every language; \
                         a language changes it only by name: `override: {{{key}: …}}`"
                    ),
                );
            }
        }
        for (key, at) in [
            ("message", &ev.message),
            ("description", &ev.description),
            ("help", &ev.help),
        ] {
            if let Some(at) = at {
                cx.err(
                    Some(at),
                    format!(
                        "`{key}` is part of the rule's definition, shared by every language: \
                         write it once, in the file that defines `{}`",
                        ev.id.value
                    ),
                );
            }
        }
        let Some(d) = lookup(&ev.id.value) else {
            cx.err(
                Some(&ev.id),
                format!(
                    "no rule `{}` is defined: a language file gives evidence for rules defined \
                     in a definition file (rules/<category>.yaml, with `category:`)",
                    ev.id.value
                ),
            );
            continue;
        };
        if cx.errors.len() > before {
            continue;
        }
        let full = merge(&mut cx, &d, ev);
        if category.is_empty() {
            category = d.category.clone();
        }
        if let Some(rule) = compile_rule(&mut cx, &d.category, &lang, &full) {
            rules.push(rule);
        }
    }
    if cx.errors.is_empty() {
        Ok(LoadedFile {
            path: path.to_string(),
            lang,
            category,
            rules,
        })
    } else {
        Err(cx.errors)
    }
}

/// A definition completed by one language's evidence (and its named overrides).
fn merge(cx: &mut Ctx, d: &Definition, ev: &EvidenceDef) -> RuleDef {
    let ov = ev.overrides.as_ref().map(|o| &o.value);
    let mut r = RuleDef {
        id: ev.id.clone(),
        kind: None,
        severity: ov.and_then(|o| o.severity).unwrap_or(d.def.severity),
        message: d.def.message.clone(),
        description: d.def.description.clone(),
        help: d.def.help.clone(),
        suggest: ev.suggest.clone(),
        fix: ev.fix,
        segments: ov
            .and_then(|o| o.segments.clone())
            .or_else(|| d.def.segments.clone()),
        when: ov
            .and_then(|o| o.when.clone())
            .unwrap_or_else(|| d.def.when.clone()),
        patterns: ev.patterns.clone(),
        keywords: ev.keywords.clone(),
        unless: ev.unless.clone(),
        unless_scope: ev.unless_scope,
        signals: ev.signals.clone(),
        require: ev.require,
        scope: ev.scope,
        metric: ev.metric.clone(),
        examples: ev.examples.clone(),
    };
    let kind = ov
        .and_then(|o| o.kind.clone())
        .or_else(|| d.def.kind.as_ref().map(|k| k.value.clone()));
    if let Some(k) = kind {
        apply_kind(cx, &mut r, &k);
    }
    r
}

/// Checks that a rule's evidence has the shape its kind reads, and puts the kind's settings
/// where the compiler looks for them.
fn apply_kind(cx: &mut Ctx, r: &mut RuleDef, kind: &KindDef) {
    let name = match kind {
        KindDef::Pattern => "pattern",
        KindDef::Signals => "signals",
        KindDef::Metric(_) => "metric",
        KindDef::Placeholder(_) => "placeholder",
        KindDef::Duplicate(_) => "duplicate",
    };
    let has_match = !r.patterns.is_empty();
    let has_signals = !r.signals.is_empty();
    let has_metric = r.metric.is_some();
    let wrong = match kind {
        KindDef::Pattern => (!has_match || has_signals || has_metric)
            .then_some("a `pattern` rule needs `match` (and no `signals` or `metric`)"),
        KindDef::Signals => (!has_signals || has_match || has_metric)
            .then_some("a `signals` rule needs `signals` (and no `match` or `metric`)"),
        KindDef::Metric(MetricSpec::Ratio) => (!has_metric || has_match || has_signals)
            .then_some("a ratio metric needs the language's counters in `metric:` (`numerator`, `denominator`)"),
        _ => (has_match || has_signals || has_metric)
            .then_some("this kind reads no `match`, `signals` or `metric` from a language"),
    };
    if let Some(msg) = wrong {
        cx.err(
            Some(&r.id),
            format!("rule `{}` is of kind `{name}`: {msg}", r.id.value),
        );
        return;
    }
    if !matches!(kind, KindDef::Signals) && (r.require.is_some() || r.scope.is_some()) {
        cx.err(
            Some(&r.id),
            format!(
                "rule `{}`: `require` and `scope` belong to `signals` rules",
                r.id.value
            ),
        );
    }
    match kind {
        KindDef::Pattern | KindDef::Signals => {}
        KindDef::Metric(MetricSpec::Ratio) => {
            if let Some(m) = &mut r.metric {
                if m.kind.is_some_and(|k| k != MetricKind::Ratio) {
                    cx.err(Some(&r.id), "the rule's kind is a ratio metric");
                }
                m.kind = Some(MetricKind::Ratio);
            }
        }
        KindDef::Metric(MetricSpec::Length(l)) => {
            r.metric = Some(MetricDef {
                kind: Some(MetricKind::Length),
                segments: l.segments.clone(),
                count: l.count,
                max: Some(l.max),
                max_premium: l.max_premium,
                warn_above: l.warn_above,
                ..MetricDef::default()
            })
        }
        KindDef::Placeholder(p) => {
            r.metric = Some(MetricDef {
                kind: Some(MetricKind::Placeholder),
                without_fallback: p.without_fallback,
                marker: p.marker,
                ..MetricDef::default()
            })
        }
        KindDef::Duplicate(dup) => {
            r.metric = Some(MetricDef {
                kind: Some(MetricKind::Duplicate),
                similarity: dup.similarity,
                ..MetricDef::default()
            })
        }
    }
}

fn check_id(cx: &mut Ctx, category: &str, id: &Spanned<String>) {
    match id.value.split_once('/') {
        Some((cat, name)) if cat == category && valid_name(name) => {}
        _ => cx.err(
            Some(id),
            format!(
                "rule id `{}` must be `{category}/<name>` with a lower-case, kebab-case name",
                id.value
            ),
        ),
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
    let Some(kind) = m.kind else {
        cx.err(
            Some(&r.id),
            "a metric needs `kind` (length, ratio, placeholder or duplicate)",
        );
        return None;
    };
    let need = |cx: &mut Ctx, v: Option<f64>, key: &str| -> f64 {
        v.unwrap_or_else(|| {
            cx.err(
                Some(&r.id),
                format!("a `{kind:?}` metric needs `{key}`").to_lowercase(),
            );
            0.0
        })
    };
    Some(match kind {
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

    const DEFS: &str = "category: early-pitch\nrules:\n  - id: early-pitch/demo\n    kind: pattern\n    severity: warning\n    when:\n      stage: [first-contact]\n    message: asks for a demo\n    help: ask about their work\n";

    fn evidence(text: &str) -> Result<LoadedFile, Vec<SourceError>> {
        let (_, defs) = load_definition_text(
            "rules/early-pitch.yaml",
            DEFS,
            "any",
            &BTreeMap::new(),
            true,
            true,
        )
        .expect("definitions load");
        let defs: Definitions = defs
            .into_iter()
            .map(|d| (d.def.id.value.clone(), Arc::new(d)))
            .collect();
        load_evidence_text(
            "rules/xx/early-pitch.yaml",
            text,
            "xx",
            &BTreeMap::new(),
            true,
            &|id: &str| defs.get(id).cloned(),
        )
    }

    #[test]
    fn a_language_file_completes_a_definition() {
        let f = evidence("rules:\n  - id: early-pitch/demo\n    match: ['demo']\n").unwrap();
        let r = &f.rules[0];
        assert_eq!(
            (r.lang.as_str(), r.category.as_str()),
            ("xx", "early-pitch")
        );
        assert_eq!(r.severity, crate::rules::Severity::Warning);
        assert_eq!(r.message, "asks for a demo");
        assert!(matches!(r.kind, crate::rules::RuleKind::Match { .. }));
        assert_eq!(r.when.describe().as_deref(), Some("stage first-contact"));
    }

    #[test]
    fn shared_metadata_in_a_language_file_is_an_error_with_a_span() {
        for (key, value) in [
            ("severity", "error"),
            ("when", "{stage: [follow-up]}"),
            ("segments", "[body]"),
            ("kind", "signals"),
            ("message", "another wording"),
            ("help", "other help"),
        ] {
            let text = format!(
                "rules:\n  - id: early-pitch/demo\n    {key}: {value}\n    match: ['demo']\n"
            );
            let errs = evidence(&text).unwrap_err();
            let span = errs[0].span.clone().expect("span");
            let value_at = text
                .find(&format!("{key}: {value}"))
                .map(|k| k + key.len() + 2);
            assert_eq!(Some(span.start), value_at, "{key}");
            assert!(
                errs[0].message.contains(&format!("`{key}`")),
                "{}",
                errs[0].message
            );
        }
        let errs = evidence(
            "category: early-pitch\nrules:\n  - id: early-pitch/demo\n    match: ['demo']\n",
        )
        .unwrap_err();
        assert!(
            errs[0].message.contains("does not name a category"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn a_language_differs_only_through_a_named_override() {
        let f = evidence(
            "rules:\n  - id: early-pitch/demo\n    override:\n      severity: error\n      when: {stage: [first-contact, follow-up]}\n    match: ['demo']\n",
        )
        .unwrap();
        assert_eq!(f.rules[0].severity, crate::rules::Severity::Error);
        assert_eq!(
            f.rules[0].when.describe().as_deref(),
            Some("stage first-contact or follow-up")
        );
        // Message and help cannot be overridden: they are shared.
        let errs = evidence(
            "rules:\n  - id: early-pitch/demo\n    override:\n      message: other\n    match: ['demo']\n",
        )
        .unwrap_err();
        assert!(errs[0].message.contains("message"), "{}", errs[0].message);
    }

    #[test]
    fn an_unknown_id_in_a_language_file_is_an_error_at_the_id() {
        let text = "rules:\n  - id: early-pitch/dmeo\n    match: ['demo']\n";
        let errs = evidence(text).unwrap_err();
        let span = errs[0].span.clone().expect("span");
        assert_eq!(&text[span], "early-pitch/dmeo");
        assert!(
            errs[0].message.contains("no rule `early-pitch/dmeo`"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn evidence_must_fit_the_kind() {
        let errs = evidence(
            "rules:\n  - id: early-pitch/demo\n    signals:\n      - label: a\n        match: ['demo']\n",
        )
        .unwrap_err();
        assert!(
            errs[0].message.contains("kind `pattern`"),
            "{}",
            errs[0].message
        );
        let f = evidence(
            "rules:\n  - id: early-pitch/demo\n    override: {kind: signals}\n    signals:\n      - label: a\n        match: ['demo']\n",
        )
        .unwrap();
        assert!(matches!(
            f.rules[0].kind,
            crate::rules::RuleKind::Signals { .. }
        ));
    }
}
