//! `.tactful.yaml`: default context, severities, rule options, extra rule folders, templates,
//! and per-glob overrides. Found from each checked file's folder upward, or named by `--config`.

use crate::context::{Channel, ContextLayer, Stage};
use crate::error::SourceError;
use crate::yaml::{self, Spanned};
mod exclude;
mod select;

pub use exclude::{Exclude, DEFAULT_EXCLUDE};
pub use select::Selection;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub const FILE_NAMES: &[&str] = &[".tactful.yaml", ".tactful.yml"];

/// A severity as configured: a level, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(crate::rules::Severity),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ContextDef {
    stage: Option<Spanned<String>>,
    channel: Option<Spanned<String>>,
    lang: Option<Spanned<String>>,
    consent: Option<Vec<Spanned<String>>>,
    premium: Option<bool>,
}

/// `severity:` as written: keys keep their place in the file for "unknown rule" errors.
type SeverityDef = HashMap<Spanned<String>, Spanned<String>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OverrideDef {
    files: Vec<Spanned<String>>,
    context: Option<ContextDef>,
    #[serde(default)]
    severity: SeverityDef,
    template: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigDef {
    context: Option<ContextDef>,
    #[serde(default)]
    severity: SeverityDef,
    #[serde(default)]
    options: HashMap<Spanned<String>, HashMap<Spanned<String>, f64>>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    templates: Vec<Spanned<String>>,
    exclude: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_exclude: Vec<Spanned<String>>,
    #[serde(default)]
    overrides: Vec<OverrideDef>,
    /// Findings of one rule listed per file (0: all); `--max-per-rule` overrides it.
    max_per_rule: Option<usize>,
}

/// A rule id or category named in the config (a `severity:` or `options:` key), kept with its
/// place for the check against the loaded rules.
#[derive(Debug, Clone)]
struct Named {
    id: String,
    span: Option<Range<usize>>,
    /// `options:` keys must be rule ids; `severity:` keys may be categories too.
    rule_only: bool,
    /// The options set for it (`options:` only): name, value, span of the name.
    options: Vec<(String, f64, Option<Range<usize>>)>,
}

#[derive(Debug)]
struct Override {
    globs: GlobSet,
    context: ContextLayer,
    severity: BTreeMap<String, Level>,
    template: Option<bool>,
}

/// A loaded config file.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    /// The folder globs are relative to.
    pub dir: PathBuf,
    context: ContextLayer,
    severity: BTreeMap<String, Level>,
    pub options: BTreeMap<String, BTreeMap<String, f64>>,
    pub rule_paths: Vec<PathBuf>,
    /// `max-per-rule:` (see [`crate::cap`]).
    pub max_per_rule: Option<usize>,
    templates: GlobSet,
    overrides: Vec<Override>,
    /// Paths a folder walk skips (`exclude:`, `extend-exclude:`).
    pub exclude: Exclude,
    /// The text of the file, for errors found once the rules are loaded.
    text: Arc<str>,
    /// Every `lang:` as written, with its span.
    langs: Vec<(String, Option<Range<usize>>)>,
    /// Every rule id or category the file names.
    named: Vec<Named>,
    /// The outcome of checking the names against the rules (once per config).
    checked: OnceLock<Result<(), SourceError>>,
}

/// What the config says about one file.
#[derive(Debug, Clone, Default)]
pub struct FileSettings {
    pub context: ContextLayer,
    pub severity: BTreeMap<String, Level>,
}

impl FileSettings {
    /// The configured level of a rule: its id first, then its category.
    pub fn level(&self, rule: &str, category: &str) -> Option<Level> {
        self.severity
            .get(rule)
            .or_else(|| self.severity.get(category))
            .copied()
    }
}

struct Loader<'a> {
    path: &'a str,
    text: &'a str,
}

impl Loader<'_> {
    fn err<T>(&self, at: &Spanned<T>, msg: impl Into<String>) -> SourceError {
        SourceError::new(
            self.path,
            self.text,
            yaml::spanned_range(at, self.text),
            msg,
        )
    }

    fn context(&self, c: Option<&ContextDef>) -> Result<ContextLayer, SourceError> {
        let mut l = ContextLayer::default();
        let Some(c) = c else { return Ok(l) };
        if let Some(s) = &c.stage {
            l.stage = Some(s.value.parse::<Stage>().map_err(|m| self.err(s, m))?);
        }
        if let Some(s) = &c.channel {
            l.channel = Some(s.value.parse::<Channel>().map_err(|m| self.err(s, m))?);
        }
        l.lang = c
            .lang
            .as_ref()
            .map(|s| crate::context::normalize_lang(&s.value));
        if let Some(list) = &c.consent {
            let mut consent = Vec::new();
            for v in list {
                consent.extend(
                    crate::context::parse_consent(std::slice::from_ref(&v.value))
                        .map_err(|m| self.err(v, m))?,
                );
            }
            l.consent = Some(consent);
        }
        l.premium = c.premium;
        Ok(l)
    }

    fn severity(&self, m: &SeverityDef) -> Result<BTreeMap<String, Level>, SourceError> {
        let mut entries: Vec<_> = m.iter().collect();
        entries.sort_by_key(|(k, _)| self.span(k).map(|r| r.start));
        entries
            .into_iter()
            .map(|(k, v)| {
                let level = match v.value.as_str() {
                    "off" => Level::Off,
                    "info" => Level::On(crate::rules::Severity::Info),
                    "warning" => Level::On(crate::rules::Severity::Warning),
                    "error" => Level::On(crate::rules::Severity::Error),
                    other => {
                        return Err(self.err(v, format!("unknown severity `{other}` (expected one of: off, info, warning, error)")))
                    }
                };
                Ok((k.value.clone(), level))
            })
            .collect()
    }

    fn span<T>(&self, at: &Spanned<T>) -> Option<Range<usize>> {
        yaml::spanned_range(at, self.text)
    }

    fn named(&self, m: &SeverityDef) -> Vec<Named> {
        m.keys()
            .map(|k| Named {
                id: k.value.clone(),
                span: self.span(k),
                rule_only: false,
                options: Vec::new(),
            })
            .collect()
    }

    fn globs(&self, list: &[Spanned<String>]) -> Result<GlobSet, SourceError> {
        let mut b = GlobSetBuilder::new();
        for g in list {
            let glob =
                Glob::new(&g.value).map_err(|e| self.err(g, format!("invalid glob: {e}")))?;
            b.add(glob);
        }
        b.build().map_err(|e| {
            SourceError::new(self.path, self.text, None, format!("invalid globs: {e}"))
        })
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, SourceError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| SourceError::whole(&shown, format!("cannot read config: {e}")))?;
        let text = crate::input::utf8(&shown, bytes)?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, SourceError> {
        let shown = path.display().to_string();
        let def: ConfigDef = if text.trim().is_empty() {
            ConfigDef::default()
        } else {
            yaml::parse(text, &shown)?
        };
        let l = Loader { path: &shown, text };
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let overrides = def
            .overrides
            .iter()
            .map(|o| {
                Ok(Override {
                    globs: l.globs(&o.files)?,
                    context: l.context(o.context.as_ref())?,
                    severity: l.severity(&o.severity)?,
                    template: o.template,
                })
            })
            .collect::<Result<Vec<_>, SourceError>>()?;
        let mut rule_paths = Vec::new();
        for r in &def.rules {
            let p = dir.join(&r.value);
            if !p.exists() {
                return Err(l.err(
                    r,
                    format!(
                        "rule path `{}` does not exist (relative to this file)",
                        r.value
                    ),
                ));
            }
            rule_paths.push(p);
        }
        let mut named = l.named(&def.severity);
        for o in &def.overrides {
            named.extend(l.named(&o.severity));
        }
        for (id, opts) in &def.options {
            named.push(Named {
                id: id.value.clone(),
                span: l.span(id),
                rule_only: true,
                options: opts
                    .iter()
                    .map(|(k, v)| (k.value.clone(), *v, l.span(k)))
                    .collect(),
            });
        }
        named.sort_by_key(|n| n.span.as_ref().map(|r| r.start));
        let mut langs: Vec<(String, Option<Range<usize>>)> = Vec::new();
        for c in std::iter::once(def.context.as_ref())
            .chain(def.overrides.iter().map(|o| o.context.as_ref()))
            .flatten()
        {
            if let Some(v) = &c.lang {
                langs.push((v.value.clone(), l.span(v)));
            }
        }
        let options = def
            .options
            .iter()
            .map(|(k, v)| {
                (
                    k.value.clone(),
                    v.iter().map(|(o, x)| (o.value.clone(), *x)).collect(),
                )
            })
            .collect();
        let exclude = Exclude::new(&dir, def.exclude.as_deref(), &def.extend_exclude, |g, e| {
            l.err(g, format!("invalid glob: {e}"))
        })?;
        Ok(Config {
            path: path.to_path_buf(),
            context: l.context(def.context.as_ref())?,
            severity: l.severity(&def.severity)?,
            options,
            rule_paths,
            max_per_rule: def.max_per_rule,
            templates: l.globs(&def.templates)?,
            overrides,
            exclude,
            text: Arc::from(text),
            langs,
            named,
            checked: OnceLock::new(),
            dir,
        })
    }

    /// Checks what only the loaded rules can tell: that every rule id and category the file
    /// names exists, that every option is one its rule has, and that every `lang:` has a rule
    /// pack. Done once per config; a typo here would otherwise leave a rule silently on.
    pub fn check_names(&self, registry: &crate::rules::Registry) -> Result<(), SourceError> {
        self.checked
            .get_or_init(|| self.check_names_now(registry))
            .clone()
    }

    fn check_names_now(&self, registry: &crate::rules::Registry) -> Result<(), SourceError> {
        let shown = self.path.display().to_string();
        let err = |span: &Option<Range<usize>>, msg: String| {
            SourceError::new(&shown, &self.text, span.clone(), msg)
        };
        let languages = registry.languages();
        for (value, span) in &self.langs {
            crate::context::parse_lang(value, &languages).map_err(|m| err(span, m))?;
        }
        if self.named.is_empty() {
            return Ok(());
        }
        let known = KnownNames::new(registry);
        for n in &self.named {
            known
                .check(&n.id, n.rule_only)
                .map_err(|m| err(&n.span, m))?;
            for (key, value, span) in &n.options {
                if let Some(mut rule) = find_rule(registry, &n.id) {
                    rule.set_option(key, *value).map_err(|m| {
                        let names: Vec<&str> = rule.options().into_iter().map(|(k, _)| k).collect();
                        err(
                            span,
                            format!("{m}{}", crate::context::suggestion_suffix(key, names)),
                        )
                    })?;
                }
            }
        }
        Ok(())
    }

    /// The settings for a file (its path as found on disk).
    pub fn settings_for(&self, file: Option<&Path>) -> FileSettings {
        let rel = file.map(|f| {
            let abs = absolute(f);
            abs.strip_prefix(absolute(&self.dir))
                .map(Path::to_path_buf)
                .unwrap_or(abs)
        });
        let mut ctx = self.context.clone();
        let mut severity = self.severity.clone();
        if self
            .templates
            .is_match(rel.as_deref().unwrap_or(Path::new("")))
            && rel.is_some()
        {
            ctx.template = Some(true);
        }
        for o in &self.overrides {
            if rel.as_ref().is_some_and(|r| o.globs.is_match(r)) {
                // Later overrides win over earlier ones and over the base.
                ctx = o.context.clone().or(&ctx);
                if o.template.is_some() {
                    ctx.template = o.template;
                }
                severity.extend(o.severity.iter().map(|(k, v)| (k.clone(), *v)));
            }
        }
        FileSettings {
            context: ctx,
            severity,
        }
    }
}

/// The rule ids and categories a registry knows, for checking names in settings.
pub struct KnownNames {
    rules: Vec<String>,
    categories: Vec<String>,
}

impl KnownNames {
    pub fn new(registry: &crate::rules::Registry) -> KnownNames {
        let rules: Vec<String> = crate::rules::catalog::catalog(registry)
            .into_iter()
            .map(|m| m.id)
            .collect();
        let mut categories: Vec<String> =
            registry.categories().iter().map(|c| c.id.clone()).collect();
        for r in &rules {
            if let Some((c, _)) = r.split_once('/') {
                if !categories.iter().any(|x| x == c) {
                    categories.push(c.to_string());
                }
            }
        }
        KnownNames { rules, categories }
    }

    /// Ok when `name` is a rule id (or, unless `rule_only`, a category); otherwise a message
    /// with the closest known name.
    pub fn check(&self, name: &str, rule_only: bool) -> Result<(), String> {
        if self.rules.iter().any(|r| r == name)
            || (!rule_only && self.categories.iter().any(|c| c == name))
        {
            return Ok(());
        }
        let what = if rule_only {
            "rule id"
        } else {
            "rule id or category"
        };
        let candidates = self
            .rules
            .iter()
            .chain(self.categories.iter().filter(|_| !rule_only))
            .map(String::as_str);
        let hint = crate::context::suggestion_suffix(name, candidates);
        let list = if hint.is_empty() {
            " (`tactful rules` lists the rule ids; categories are ".to_string()
                + &self.categories.join(", ")
                + ")"
        } else {
            String::new()
        };
        Err(format!("unknown {what} `{name}`{list}{hint}"))
    }
}

/// A rule by id, from the first pack that has it (the language-neutral pack first).
fn find_rule(registry: &crate::rules::Registry, id: &str) -> Option<crate::rules::Rule> {
    std::iter::once("any".to_string())
        .chain(registry.languages())
        .filter_map(|l| match registry.pack(&l) {
            Some(Ok(p)) => p.rules.iter().find(|r| r.id == id).cloned(),
            _ => None,
        })
        .next()
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

type Lookup = Result<Option<Arc<Config>>, SourceError>;

/// Finds the config for each checked file, caching per folder.
pub struct ConfigResolver {
    explicit: Option<Result<Arc<Config>, SourceError>>,
    cache: Mutex<HashMap<PathBuf, Lookup>>,
}

impl ConfigResolver {
    pub fn new(explicit: Option<&Path>) -> ConfigResolver {
        ConfigResolver {
            explicit: explicit.map(|p| Config::load(p).map(Arc::new)),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The config that applies to a file (or, for stdin, to the working folder).
    pub fn for_file(&self, file: Option<&Path>) -> Result<Option<Arc<Config>>, SourceError> {
        if let Some(e) = &self.explicit {
            return e.clone().map(Some);
        }
        let start = match file {
            Some(f) => absolute(f).parent().map(Path::to_path_buf),
            None => std::env::current_dir().ok(),
        };
        let Some(start) = start else { return Ok(None) };
        self.lookup(&start)
    }

    /// The config files [`ConfigResolver::for_file`] looks at for a file, present or not: each
    /// folder's candidates from the file's folder up to the first folder that has one. A front
    /// end that watches them (the LSP) knows when the answer could change. Empty with an
    /// explicit config (its path is the caller's).
    pub fn candidates(&self, file: Option<&Path>) -> Vec<PathBuf> {
        if self.explicit.is_some() {
            return Vec::new();
        }
        let start = match file {
            Some(f) => absolute(f).parent().map(Path::to_path_buf),
            None => std::env::current_dir().ok(),
        };
        let mut out = Vec::new();
        for dir in start.iter().flat_map(|d| d.ancestors()) {
            let here: Vec<PathBuf> = FILE_NAMES.iter().map(|n| dir.join(n)).collect();
            let found = here.iter().any(|p| p.is_file());
            out.extend(here);
            if found {
                break;
            }
        }
        out
    }

    fn lookup(&self, dir: &Path) -> Result<Option<Arc<Config>>, SourceError> {
        if let Ok(cache) = self.cache.lock() {
            if let Some(hit) = cache.get(dir) {
                return hit.clone();
            }
        }
        let found = FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file());
        let result = match found {
            Some(p) => Config::load(&p).map(|c| Some(Arc::new(c))),
            None => match dir.parent() {
                Some(parent) => self.lookup(parent),
                None => Ok(None),
            },
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(dir.to_path_buf(), result.clone());
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_by_glob() {
        let text = "context: {stage: follow-up}\nseverity: {early-pitch: warning}\noverrides:\n  - files: ['linkedin/**']\n    context: {channel: linkedin-connect}\n    severity: {early-pitch/demo-request: off}\n";
        let c = Config::parse(Path::new("/p/.tactful.yaml"), text).unwrap();
        let s = c.settings_for(Some(Path::new("/p/linkedin/a.txt")));
        assert_eq!(s.context.channel, Some(Channel::LinkedinConnect));
        assert_eq!(s.context.stage, Some(Stage::FollowUp));
        assert_eq!(
            s.level("early-pitch/demo-request", "early-pitch"),
            Some(Level::Off)
        );
        assert_eq!(
            s.level("early-pitch/price-quote", "early-pitch"),
            Some(Level::On(crate::rules::Severity::Warning))
        );
        let other = c.settings_for(Some(Path::new("/p/email/a.txt")));
        assert_eq!(other.context.channel, None);
    }

    #[test]
    fn a_bad_severity_points_at_the_value() {
        let text = "severity:\n  early-pitch: loud\n";
        let e = Config::parse(Path::new(".tactful.yaml"), text).unwrap_err();
        assert_eq!(&text[e.span.clone().unwrap()], "loud");
    }

    fn builtin() -> crate::rules::Registry {
        crate::rules::Registry::new(&crate::rules::RuleSources::default()).expect("built-in rules")
    }

    #[test]
    fn an_unknown_rule_id_is_an_error_at_the_key_with_a_suggestion() {
        let text = "severity:\n  self-focus: warning\n  early-pitch/calender-link: off\n";
        let c = Config::parse(Path::new(".tactful.yaml"), text).unwrap();
        let e = c.check_names(&builtin()).unwrap_err();
        assert_eq!(&text[e.span.clone().unwrap()], "early-pitch/calender-link");
        assert!(
            e.message
                .contains("did you mean `early-pitch/calendar-link`?"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_names_in_overrides_and_options_are_errors_too() {
        let text = "overrides:\n  - files: ['a/**']\n    severity: {early-pich: off}\n";
        let c = Config::parse(Path::new(".tactful.yaml"), text).unwrap();
        let e = c.check_names(&builtin()).unwrap_err();
        assert_eq!(&text[e.span.clone().unwrap()], "early-pich");
        assert!(e.message.contains("`early-pitch`"), "{}", e.message);

        let text = "options:\n  channel-limit/connection-note: {maxx: 300}\n";
        let c = Config::parse(Path::new(".tactful.yaml"), text).unwrap();
        let e = c.check_names(&builtin()).unwrap_err();
        assert_eq!(&text[e.span.clone().unwrap()], "maxx");
        assert!(e.message.contains("did you mean `max`?"), "{}", e.message);

        let text = "options:\n  early-pitch: {max: 3}\n";
        let c = Config::parse(Path::new(".tactful.yaml"), text).unwrap();
        let e = c.check_names(&builtin()).unwrap_err();
        assert!(
            e.message.contains("unknown rule id `early-pitch`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn known_names_and_region_tags_pass() {
        let text = "context: {lang: es-MX}\nseverity: {early-pitch: warning, early-pitch/calendar-link: off}\n";
        let c = Config::parse(Path::new(".tactful.yaml"), text).unwrap();
        c.check_names(&builtin()).unwrap();
        assert_eq!(c.settings_for(None).context.lang.as_deref(), Some("es"));
    }

    #[test]
    fn an_unknown_language_points_at_the_value() {
        let text = "context:\n  lang: english\n";
        let c = Config::parse(Path::new(".tactful.yaml"), text).unwrap();
        let e = c.check_names(&builtin()).unwrap_err();
        assert_eq!(&text[e.span.clone().unwrap()], "english");
        assert!(e.message.contains("did you mean `en`?"), "{}", e.message);
    }

    #[test]
    fn a_missing_rule_folder_points_at_the_entry() {
        let d = tempfile::tempdir().unwrap();
        let text = "rules: [house-rules/]\n";
        let e = Config::parse(&d.path().join(".tactful.yaml"), text).unwrap_err();
        assert_eq!(&text[e.span.clone().unwrap()], "house-rules/");
        assert!(e.message.contains("does not exist"), "{}", e.message);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = Config::parse(Path::new(".tactful.yaml"), "contxt: {}\n").unwrap_err();
        assert!(e.message.contains("contxt"), "{}", e.message);
    }
}
