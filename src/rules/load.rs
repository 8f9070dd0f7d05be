//! Turning a rule file's YAML into compiled [`Rule`]s, with every error pointing into the YAML.

use super::kinds::{self, metric::Settings as MetricSpec, KindDef};
use super::literals::expand_vars;
use super::pattern::Pattern;
use super::schema::{EvidenceDef, EvidenceFileDef, FixKind, RuleDef, RuleFileDef, Scope};
use super::{Rule, When};
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

/// Compiles the patterns and names of one rule file, collecting errors that point into it.
pub struct Compiler<'a> {
    path: &'a str,
    text: &'a str,
    vars: &'a BTreeMap<String, String>,
    eager: bool,
    errors: Vec<SourceError>,
}

impl<'a> Compiler<'a> {
    fn new(path: &'a str, text: &'a str, vars: &'a BTreeMap<String, String>, eager: bool) -> Self {
        Compiler {
            path,
            text,
            vars,
            eager,
            errors: Vec::new(),
        }
    }

    /// `value` if nothing in the file was wrong, else every error found in it.
    fn finish<T>(self, value: T) -> Result<T, Vec<SourceError>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }

    /// The pattern variables of the file's language (in `any`: see `registry::vars_of`).
    pub fn vars(&self) -> &BTreeMap<String, String> {
        self.vars
    }

    pub fn err<T>(&mut self, at: Option<&Spanned<T>>, msg: impl Into<String>) {
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
    pub fn patterns(
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
    pub fn helper_patterns(
        &mut self,
        ps: &[Spanned<String>],
        into: &mut Vec<Pattern>,
    ) -> Vec<usize> {
        ps.iter()
            .filter_map(|p| self.pattern(p, &[], into, false))
            .collect()
    }

    pub fn segments(
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
    load_definition(path, text, &def, lang_hint, vars, eager, bare_ok)
}

/// [`load_definition_text`] on a file already parsed (`text` is where its spans point).
pub fn load_definition(
    path: &str,
    text: &str,
    def: &RuleFileDef,
    lang_hint: &str,
    vars: &BTreeMap<String, String>,
    eager: bool,
    bare_ok: bool,
) -> Result<(LoadedFile, Vec<Definition>), Vec<SourceError>> {
    let lang = def.lang.clone().unwrap_or_else(|| lang_hint.to_string());
    let mut cx = Compiler::new(path, text, vars, eager);
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
        if r.enabled == Some(false) {
            continue;
        }
        let mut r = r.clone();
        if r.help.trim().is_empty() {
            match super::builtin::category_advice(&def.category) {
                Some(advice) => r.help = advice.to_string(),
                None => {
                    cx.err(
                        Some(&r.id),
                        format!(
                            "`help:` is missing, and `{}` is not a built-in category whose advice \
                             the rule could take",
                            def.category
                        ),
                    );
                    continue;
                }
            }
        }
        let r = &r;
        defs.push(Definition {
            category: def.category.clone(),
            def: r.clone(),
            path: path.to_string(),
        });
        if bare_ok && !r.has_evidence() {
            continue;
        }
        let kind = r.kind.as_ref().map(|k| &k.value);
        if let Some(rule) = compile_rule(&mut cx, &def.category, &lang, r, kind) {
            rules.push(rule);
        }
    }
    let file = LoadedFile {
        path: path.to_string(),
        lang,
        category: def.category.clone(),
        rules,
    };
    cx.finish((file, defs))
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
    load_evidence(path, text, &file, lang_hint, vars, eager, lookup)
}

/// [`load_evidence_text`] on a file already parsed (`text` is where its spans point).
pub fn load_evidence(
    path: &str,
    text: &str,
    file: &EvidenceFileDef,
    lang_hint: &str,
    vars: &BTreeMap<String, String>,
    eager: bool,
    lookup: &dyn Fn(&str) -> Option<Arc<Definition>>,
) -> Result<LoadedFile, Vec<SourceError>> {
    let lang = file.lang.clone().unwrap_or_else(|| lang_hint.to_string());
    let mut cx = Compiler::new(path, text, vars, eager);
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
        // Shared metadata: the first four a language may change by name, the wording not.
        for (key, at, overridable) in [
            ("kind", &ev.kind, true),
            ("severity", &ev.severity, true),
            ("when", &ev.when, true),
            ("segments", &ev.segments, true),
            ("message", &ev.message, false),
            ("description", &ev.description, false),
            ("help", &ev.help, false),
        ] {
            let Some(at) = at else { continue };
            let how = if overridable {
                format!("; a language changes it only by name: `override: {{{key}: …}}`")
            } else {
                format!(
                    ": write it once, in the file that defines `{}`",
                    ev.id.value
                )
            };
            cx.err(
                Some(at),
                format!("`{key}` is part of the rule's definition, shared by every language{how}"),
            );
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
        let (full, kind) = merge(&d, ev);
        if category.is_empty() {
            category = d.category.clone();
        }
        if let Some(rule) = compile_rule(&mut cx, &d.category, &lang, &full, kind.as_ref()) {
            rules.push(rule);
        }
    }
    cx.finish(LoadedFile {
        path: path.to_string(),
        lang,
        category,
        rules,
    })
}

/// A definition completed by one language's evidence (and its named overrides), and the kind
/// it is read with.
fn merge(d: &Definition, ev: &EvidenceDef) -> (RuleDef, Option<KindDef>) {
    let ov = ev.overrides.as_ref().map(|o| &o.value);
    let r = RuleDef {
        id: ev.id.clone(),
        kind: None,
        severity: ov.and_then(|o| o.severity).unwrap_or(d.def.severity),
        enabled: d.def.enabled,
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
        unless_message: ev.unless_message.clone(),
        signals: ev.signals.clone(),
        require: ev.require,
        scope: ev.scope,
        metric: ev.metric.clone(),
        examples: ev.examples.clone(),
    };
    let kind = ov
        .and_then(|o| o.kind.clone())
        .or_else(|| d.def.kind.as_ref().map(|k| k.value.clone()));
    (r, kind)
}

fn check_id(cx: &mut Compiler, category: &str, id: &Spanned<String>) {
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

/// Compiles a complete rule (definition and evidence) read with `kind`; a rule without one
/// (a user's single-file rule) has its kind read off its keys.
fn compile_rule(
    cx: &mut Compiler,
    category: &str,
    lang: &str,
    r: &RuleDef,
    kind: Option<&KindDef>,
) -> Option<Rule> {
    let errors_before = cx.errors.len();
    let inferred;
    let legacy;
    let (kind, r) = match kind {
        Some(k) => (k, r),
        None => match kinds::infer(r) {
            Ok(k) => {
                inferred = k;
                // The old form keeps a kind's settings in `metric:`: they are now the kind's.
                let r = if r.metric.is_some()
                    && !matches!(inferred, KindDef::Metric(MetricSpec::Ratio))
                {
                    legacy = RuleDef {
                        metric: None,
                        ..r.clone()
                    };
                    &legacy
                } else {
                    r
                };
                (&inferred, r)
            }
            Err(e) => {
                cx.err(Some(&r.id), e);
                return None;
            }
        },
    };
    let mut patterns = Vec::new();
    let segments = cx.segments(r.segments.as_ref(), &DEFAULT_SEGMENTS);
    let compiled = kind.compile(r, cx, &mut patterns);
    let unless = cx.helper_patterns(&r.unless, &mut patterns);
    let unless_message = cx.helper_patterns(&r.unless_message, &mut patterns);
    if r.unless_scope.is_some() && r.unless.is_empty() {
        cx.err(
            Some(&r.id),
            format!(
                "rule `{}` has `unless-scope` but no `unless` for it to widen (exceptions \
                 anywhere in the message go in `unless-message`)",
                r.id.value
            ),
        );
    }
    if cx.errors.len() > errors_before {
        return None;
    }
    Some(Rule {
        id: r.id.value.as_str().into(),
        category: category.into(),
        lang: lang.to_string(),
        severity: r.severity,
        message: r.message.trim().into(),
        description: r.description.as_ref().map(|d| d.trim().to_string()),
        help: r.help.trim().into(),
        suggest: r.suggest.as_deref().map(crate::finding::Text::from),
        fix_safe: r.fix == Some(FixKind::Safe),
        segments,
        when: When(r.when.clone()),
        kind: compiled?,
        patterns,
        unless,
        unless_scope: r.unless_scope.unwrap_or(Scope::Sentence),
        unless_message,
        examples: r.examples.clone(),
        origin: cx.path.to_string(),
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
        assert_eq!(
            f.rules[0].patterns[0].literals().collect::<Vec<_>>(),
            vec!["book a demo"]
        );
    }

    #[test]
    fn a_rule_without_help_takes_its_categorys_advice() {
        let f = load("category: early-pitch\nrules:\n  - id: early-pitch/demo\n    severity: error\n    message: m\n    match: ['book a demo']\n").unwrap();
        let advice = crate::rules::builtin::category_advice("early-pitch").expect("advice");
        assert_eq!(&*f.rules[0].help, advice);
        let errs = load("category: made-up\nrules:\n  - id: made-up/demo\n    severity: error\n    message: m\n    match: ['book a demo']\n").unwrap_err();
        assert!(errs[0].message.contains("`help:` is missing"), "{errs:?}");
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
        assert_eq!(r.kind.name(), "pattern");
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

    /// `enabled: false` keeps a definition checked but out of the rules: no language can give
    /// evidence for it, so it is in no pack and no catalog.
    #[test]
    fn a_disabled_definition_defines_nothing() {
        let text = format!("{DEFS}    enabled: false\n");
        let (_, defs) = load_definition_text(
            "rules/early-pitch.yaml",
            &text,
            "any",
            &BTreeMap::new(),
            true,
            true,
        )
        .expect("definitions load");
        assert!(defs.is_empty(), "{defs:?}");
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
        assert_eq!(f.rules[0].kind.name(), "signals");
    }
}
