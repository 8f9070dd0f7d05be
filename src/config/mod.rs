//! `.tactful.yaml`: default context, severities, rule options, extra rule folders, templates,
//! and per-glob overrides. Found from each checked file's folder upward, or named by `--config`.

use crate::context::{Channel, ContextLayer, Stage};
use crate::error::SourceError;
use crate::yaml::{self, Spanned};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    lang: Option<String>,
    consent: Option<Vec<String>>,
    premium: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OverrideDef {
    files: Vec<Spanned<String>>,
    context: Option<ContextDef>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    template: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigDef {
    context: Option<ContextDef>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    options: BTreeMap<String, BTreeMap<String, f64>>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    templates: Vec<Spanned<String>>,
    #[serde(default)]
    overrides: Vec<OverrideDef>,
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
    templates: GlobSet,
    overrides: Vec<Override>,
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
        l.lang = c.lang.as_ref().map(|s| s.trim().to_lowercase());
        l.consent = c.consent.clone();
        l.premium = c.premium;
        Ok(l)
    }

    fn severity(
        &self,
        m: &BTreeMap<String, Spanned<String>>,
    ) -> Result<BTreeMap<String, Level>, SourceError> {
        m.iter()
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
                Ok((k.clone(), level))
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
        Ok(Config {
            path: path.to_path_buf(),
            context: l.context(def.context.as_ref())?,
            severity: l.severity(&def.severity)?,
            options: def.options,
            rule_paths: def.rules.iter().map(|r| dir.join(&r.value)).collect(),
            templates: l.globs(&def.templates)?,
            overrides,
            dir,
        })
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

    #[test]
    fn unknown_keys_are_errors() {
        let e = Config::parse(Path::new(".tactful.yaml"), "contxt: {}\n").unwrap_err();
        assert!(e.message.contains("contxt"), "{}", e.message);
    }
}
