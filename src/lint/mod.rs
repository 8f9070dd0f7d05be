//! The linter: one file in, one [`FileResult`] out. Resolves config and context, reads the
//! message, picks the language packs, runs the engine, applies suppressions and severities.
//! [`session`] takes a whole run (the command line's files, the editor's open documents)
//! through it, with the batch comparison and fixes. [`merge`] folds overlapping findings of
//! different categories into the strongest. The rules the linter reports itself
//! (`tactful/*`) come from the one table in [`crate::internal`].

pub mod merge;
mod message;
pub mod session;

pub use message::check_message;
use message::{check_message_in, With};

pub use session::{CopyOf, DuplicateRule, Fixed, Input, Run, Session};

/// How to read one input, where the input itself says: its format and context (a rule's
/// example gives both); else the run's format, the file's extension and its front matter.
#[derive(Debug, Clone, Default)]
pub struct ReadAs {
    pub format: Option<Format>,
    /// Above the command line's flags.
    pub context: ContextLayer,
}

use crate::batch;
use crate::config::{ConfigResolver, Level};
use crate::context::{Context, ContextLayer};
use crate::error::SourceError;
use crate::finding::{FileResult, Finding};
use crate::input::{self, Format};
use crate::internal::{UNKNOWN_KEY, UNUSED_SUPPRESSION};
use crate::lang::LanguageDetector;
use crate::rules::catalog::{catalog, RuleMeta};
use crate::rules::{Registry, RuleSources};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Settings that come from the command line.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub flags: ContextLayer,
    pub rule_paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    /// Ignore config files entirely.
    pub no_config: bool,
    /// `--select`/`--ignore`: the rules reported (every rule by default).
    pub selection: crate::config::Selection,
    /// `--max-per-rule`: findings of one rule listed per file (0: all); see [`crate::cap`].
    pub max_per_rule: Option<usize>,
    /// Leave out the learned sentence layer (`--no-learned`).
    pub no_learned: bool,
}

/// Per-rule options from the config (`options: {rule: {key: value}}`).
type RuleOptions = std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>;

type RegistryResult = Result<Arc<Registry>, Vec<SourceError>>;

pub struct Linter {
    options: LintOptions,
    configs: ConfigResolver,
    registries: Mutex<HashMap<RuleSources, RegistryResult>>,
    detectors: Mutex<HashMap<usize, Arc<LanguageDetector>>>,
    known_names: Mutex<HashMap<usize, Arc<crate::config::KnownNames>>>,
    /// A registry given by the caller, used for every file (`tactful test` has built it).
    fixed: Option<Arc<Registry>>,
}

struct Prepared {
    config: Option<Arc<crate::config::Config>>,
    registry: Arc<Registry>,
    settings: crate::config::FileSettings,
    read: input::ReadMessage,
    ctx: Context,
}

impl Linter {
    pub fn new(options: LintOptions) -> Linter {
        Linter {
            configs: ConfigResolver::new(options.config.as_deref()),
            options,
            registries: Mutex::new(HashMap::new()),
            detectors: Mutex::new(HashMap::new()),
            known_names: Mutex::new(HashMap::new()),
            fixed: None,
        }
    }

    /// A linter that checks every file with `registry`, whatever the config names.
    pub fn with_registry(options: LintOptions, registry: Arc<Registry>) -> Linter {
        Linter {
            fixed: Some(registry),
            ..Linter::new(options)
        }
    }

    /// The files and folders whose change could change how a file is checked: its config (or
    /// the places one could appear), and the rule folders and files the config and options name.
    /// The LSP compares their times and sizes between checks.
    pub fn watched_paths(&self, file: Option<&Path>) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut roots = self.options.rule_paths.clone();
        if !self.options.no_config {
            files.extend(self.options.config.iter().cloned());
            files.extend(self.configs.candidates(file));
            if let Ok(Some(c)) = self.configs.for_file(file) {
                roots.extend(c.rule_paths.iter().cloned());
            }
        }
        for root in roots {
            files.push(root.clone());
            if root.is_dir() {
                for e in ignore::WalkBuilder::new(&root)
                    .standard_filters(true)
                    .build()
                    .flatten()
                {
                    let p = e.path();
                    if p.is_dir() || p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                        files.push(p.to_path_buf());
                    }
                }
            }
        }
        files
    }

    /// The registry for a set of rule sources (built once per distinct set).
    pub fn registry(&self, sources: RuleSources) -> RegistryResult {
        if let Some(r) = &self.fixed {
            return Ok(r.clone());
        }
        let mut map = self
            .registries
            .lock()
            .map_err(|_| vec![SourceError::whole("tactful", "internal lock poisoned")])?;
        map.entry(sources.clone())
            .or_insert_with(|| Registry::for_linting(&sources).map(Arc::new))
            .clone()
    }

    /// Every rule the run can report, from each rule set used so far (the default set when no
    /// file was checked): what SARIF lists as the tool's rules.
    pub fn rule_catalog(&self) -> Vec<RuleMeta> {
        let mut regs: Vec<Arc<Registry>> = match self.registries.lock() {
            Ok(m) => m
                .values()
                .filter_map(|r| r.as_ref().ok().cloned())
                .collect(),
            Err(_) => Vec::new(),
        };
        if regs.is_empty() {
            let sources = RuleSources {
                extra: self.options.rule_paths.clone(),
                no_builtin: false,
            };
            regs.extend(self.registry(sources).ok());
        }
        let mut out: Vec<RuleMeta> = Vec::new();
        for r in regs {
            for m in catalog(&r) {
                if !out.iter().any(|x| x.id == m.id) {
                    out.push(m);
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    fn detector(&self, registry: &Arc<Registry>) -> Arc<LanguageDetector> {
        let key = Arc::as_ptr(registry) as usize;
        let mut map = match self.detectors.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        map.entry(key)
            .or_insert_with(|| {
                Arc::new(LanguageDetector::with_stopwords(
                    &registry.languages(),
                    &registry.stopwords(),
                ))
            })
            .clone()
    }

    /// Everything up to the rules: config, registry, the message read, its context.
    fn prepare(
        &self,
        shown: &str,
        fs_path: Option<&Path>,
        bytes: Vec<u8>,
        how: &ReadAs,
    ) -> Result<Prepared, Box<FileResult>> {
        let config = if self.options.no_config {
            Ok(None)
        } else {
            self.configs.for_file(fs_path)
        };
        let config = config.map_err(|e| Box::new(FileResult::failed(shown, vec![e])))?;
        let mut sources = RuleSources {
            extra: self.options.rule_paths.clone(),
            no_builtin: false,
        };
        if let Some(c) = &config {
            sources.extra.extend(c.rule_paths.iter().cloned());
        }
        let registry = self
            .registry(sources)
            .map_err(|e| Box::new(FileResult::failed(shown, e)))?;
        if let Some(c) = &config {
            c.check_names(&registry)
                .map_err(|e| Box::new(FileResult::failed(shown, vec![e])))?;
        }
        let settings = config
            .as_ref()
            .map(|c| c.settings_for(fs_path))
            .unwrap_or_default();
        let mut format = how.format.unwrap_or_else(|| Format::for_path(shown));
        if settings.context.template == Some(true) {
            format = Format::Template; // a `templates:` glob in the config
        }
        let read = input::read(shown, bytes, format, registry.vocabulary())
            .map_err(|e| Box::new(FileResult::failed(shown, vec![e])))?;
        if let Some(fm) = &read.front_matter {
            self.check_front_matter(shown, &read.message.source, fm, &registry)
                .map_err(|e| Box::new(FileResult::failed(shown, vec![e])))?;
        }
        let front = read.context.clone();
        // A template extension (`.hbs`, `.liquid` …) makes a template unless something says not.
        let by_format = ContextLayer {
            template: (format == Format::Template).then_some(true),
            ..Default::default()
        };
        let ctx = ContextLayer::resolve(&[
            &how.context,
            &self.options.flags,
            &front,
            &settings.context,
            &by_format,
        ]);
        Ok(Prepared {
            config,
            registry,
            settings,
            read,
            ctx,
        })
    }

    /// Front matter names checked against the rules: `lang:` must have a pack, `allow:` must
    /// name a rule or category.
    fn check_front_matter(
        &self,
        shown: &str,
        source: &str,
        fm: &input::FrontMatter,
        registry: &Arc<Registry>,
    ) -> Result<(), SourceError> {
        if let Some(l) = &fm.lang {
            crate::context::parse_lang(&l.value, &registry.languages())
                .map_err(|m| SourceError::new(shown, source, Some(l.span.clone()), m))?;
        }
        if fm.allow.is_empty() {
            return Ok(());
        }
        let known = {
            let key = Arc::as_ptr(registry) as usize;
            let mut map = match self.known_names.lock() {
                Ok(m) => m,
                Err(p) => p.into_inner(),
            };
            map.entry(key)
                .or_insert_with(|| Arc::new(crate::config::KnownNames::new(registry)))
                .clone()
        };
        for a in &fm.allow {
            known
                .check(&a.target, false)
                .map_err(|m| SourceError::new(shown, source, Some(a.span.clone()), m))?;
        }
        Ok(())
    }

    /// The batch fingerprint of one file (see [`crate::batch`]): its body, when the
    /// duplicate rule applies to it (not a template, not switched off). Reads the file but runs
    /// no rules, so a run can compare all its drafts before reporting any.
    pub fn fingerprint(
        &self,
        shown: &str,
        fs_path: Option<&Path>,
        bytes: Vec<u8>,
        how: &ReadAs,
    ) -> Option<(batch::Fingerprint, DuplicateRule)> {
        let p = self.prepare(shown, fs_path, bytes, how).ok()?;
        let rule = DuplicateRule::find(&p.registry, p.config.as_deref())?;
        let on = rule.when.applies(&p.ctx)
            && p.settings.level(&rule.id, &rule.category) != Some(Level::Off);
        if !on {
            return None;
        }
        Some((batch::fingerprint(&p.read.message)?, rule))
    }

    /// Checks one file on its own, as a run of one (no other drafts to compare it with).
    /// `fs_path` is where it lives on disk (None for stdin). A run of many files goes through
    /// a [`Session`], which adds the batch comparison.
    /// How many findings of one rule to list for a file: `--max-per-rule`, else the file's
    /// config, else [`crate::cap::DEFAULT_MAX_PER_RULE`]; 0 lists them all.
    pub fn max_per_rule(&self, fs_path: Option<&Path>) -> usize {
        if let Some(n) = self.options.max_per_rule {
            return n;
        }
        let config = if self.options.no_config {
            None
        } else {
            self.configs.for_file(fs_path).ok().flatten()
        };
        config
            .and_then(|c| c.max_per_rule)
            .unwrap_or(crate::cap::DEFAULT_MAX_PER_RULE)
    }

    pub fn check(
        &self,
        shown: &str,
        fs_path: Option<&Path>,
        bytes: Vec<u8>,
        format: Option<Format>,
    ) -> FileResult {
        let how = ReadAs {
            format,
            ..Default::default()
        };
        self.check_in(&Run::default(), shown, fs_path, bytes, &how, None)
    }

    /// Checks one file as part of `run`; `copy` is its place among the run's near-identical
    /// drafts, if it has one.
    pub(crate) fn check_in(
        &self,
        run: &Run,
        shown: &str,
        fs_path: Option<&Path>,
        bytes: Vec<u8>,
        how: &ReadAs,
        copy: Option<&CopyOf>,
    ) -> FileResult {
        let Prepared {
            config,
            registry,
            settings,
            read,
            ctx,
        } = match self.prepare(shown, fs_path, bytes, how) {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let options = config.as_ref().map(|c| &c.options);
        let mut message = read.message;
        let inline = std::mem::take(&mut message.suppressions);
        let detector = self.detector(&registry);
        let skip: &[&str] = if self.options.no_learned {
            &["learned"]
        } else {
            &[]
        };
        let with = With {
            run,
            registry: &registry,
            detector: &detector,
            options,
            skip,
        };
        let mut result = check_message_in(with, message, ctx);
        result.path = shown.to_string();
        crate::suppress::apply_inline(&mut result.findings, &inline);
        if let Some(copy) = copy {
            result.findings.push(copy.finding());
        }
        if let Some(fm) = &read.front_matter {
            apply_allow(&mut result, &fm.allow);
            result
                .findings
                .extend(fm.unknown_keys.iter().map(unknown_key));
        }
        result
            .findings
            .retain_mut(|f| match settings.level(&f.rule, &f.category) {
                _ if !self.options.selection.enabled(&f.rule, &f.category) => false,
                Some(Level::Off) => false,
                Some(Level::On(s)) => {
                    f.severity = s;
                    true
                }
                None => true,
            });
        // After everything the user turned off or down, so a silenced rule hides nothing.
        merge::give_way(&mut result.findings, registry.categories());
        merge::merge_overlapping(&mut result.findings, &result.source);
        result
    }
}

/// A front-matter key that looks like a typo of one of tactful's keys.
fn unknown_key(k: &crate::input::frontmatter::UnknownKey) -> Finding {
    UNKNOWN_KEY.finding(
        format!(
            "front matter key `{}` is not one tactful reads; did you mean `{}`? (it reads: {})",
            k.key,
            k.suggestion,
            crate::input::frontmatter::KEYS.join(", ")
        ),
        k.span.clone(),
        format!("did you mean `{}`?", k.suggestion),
    )
}

/// Drops findings the front matter allows; reports `allow:` entries that silence nothing.
fn apply_allow(result: &mut FileResult, allow: &[crate::input::Allow]) {
    if allow.is_empty() {
        return;
    }
    let mut used = vec![false; allow.len()];
    result.findings.retain(|f| {
        let mut keep = true;
        for (i, a) in allow.iter().enumerate() {
            if a.target == f.rule || a.target == f.category {
                used[i] = true;
                keep = false;
            }
        }
        keep
    });
    for (a, used) in allow.iter().zip(used) {
        if !used {
            result.findings.push(UNUSED_SUPPRESSION.finding(
                format!("`allow: {}` silences nothing in this message", a.target),
                a.span.clone(),
                "nothing to allow",
            ));
        }
    }
    result
        .findings
        .sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
}
