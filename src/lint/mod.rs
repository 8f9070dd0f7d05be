//! The linter: one file in, one [`FileResult`] out. Resolves config and context, reads the
//! message, picks the language packs, runs the engine, applies suppressions and severities.
//! [`session`] takes a whole run (the command line's files, the editor's open documents)
//! through it, with the batch comparison and fixes. The rules the linter reports itself
//! (`tactful/*`) come from the one table in [`crate::internal`].

pub mod session;

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
use crate::engine::{run_pack, Pass};
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Text};
use crate::input::{self, Format};
use crate::internal::{self, MALFORMED_INPUT, NO_RULE_PACK, UNKNOWN_KEY, UNUSED_SUPPRESSION};
use crate::lang::LanguageDetector;
use crate::message::{Message, SegmentKind};
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
        let mut result = check_message_in(run, &registry, &detector, message, ctx, options, skip);
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
        result
    }
}

/// Runs every pack the message needs and returns its findings, sorted by position. A template's
/// other renderings (`msg.variants`) are checked too and their findings merged; problems the
/// reader noted become `tactful/malformed-input` warnings.
pub fn check_message(
    registry: &Registry,
    detector: &LanguageDetector,
    msg: Message,
    ctx: Context,
    options: Option<&RuleOptions>,
) -> FileResult {
    check_message_in(&Run::default(), registry, detector, msg, ctx, options, &[])
}

/// [`check_message`] as part of `run`, leaving out the kinds in `skip`.
fn check_message_in(
    run: &Run,
    registry: &Registry,
    detector: &LanguageDetector,
    mut msg: Message,
    ctx: Context,
    options: Option<&RuleOptions>,
    skip: &[&str],
) -> FileResult {
    let variants = std::mem::take(&mut msg.variants);
    let notes = std::mem::take(&mut msg.notes);
    let mut result = check_rendering(run, registry, detector, msg, ctx, options, skip, false);
    let resolved = result.context.clone();
    // What the first rendering found, as sets: merging by scanning the list per finding was
    // quadratic in a template dense with findings.
    let mut seen: std::collections::HashSet<(Text, usize, usize)> = Default::default();
    let mut tactful_rules: std::collections::HashSet<Text> = Default::default();
    if !variants.is_empty() {
        for g in &result.findings {
            seen.insert((g.rule.clone(), g.span.start, g.span.end));
            if g.category == internal::CATEGORY {
                tactful_rules.insert(g.rule.clone());
            }
        }
    }
    for v in variants {
        let vctx = resolved.clone().unwrap_or_default();
        // The other renderings of a template are what recipients with missing data get: their
        // greeting is generic by design ("Hi there,"), so a mass-message finding there is the
        // fallback working, not a blast.
        let greetings: Vec<std::ops::Range<usize>> = v
            .segments
            .iter()
            .filter(|s| s.kind == SegmentKind::Greeting)
            .map(|s| v.to_source(s.range.clone()))
            .collect();
        let r = check_rendering(run, registry, detector, v, vctx, options, skip, true);
        for f in r.findings {
            let in_greeting = greetings
                .iter()
                .any(|g| g.start <= f.span.start && f.span.end <= g.end);
            if f.category == "mass-message" && in_greeting {
                continue;
            }
            let key = (f.rule.clone(), f.span.start, f.span.end);
            if !tactful_rules.contains(&f.rule) && seen.insert(key) {
                if f.category == internal::CATEGORY {
                    tactful_rules.insert(f.rule.clone());
                }
                result.findings.push(f);
            }
        }
        for e in r.errors {
            if !result.errors.iter().any(|x| x.message == e.message) {
                result.errors.push(e);
            }
        }
    }
    for n in notes {
        result.findings.push(MALFORMED_INPUT.finding(
            n.message,
            n.span,
            "could not be read as it should",
        ));
    }
    result
        .findings
        .sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
    result
}

/// Checks one rendering of a message (`variant`: one of a template's other renderings).
#[allow(clippy::too_many_arguments)]
fn check_rendering(
    run: &Run,
    registry: &Registry,
    detector: &LanguageDetector,
    mut msg: Message,
    mut ctx: Context,
    options: Option<&RuleOptions>,
    skip: &[&str],
    variant: bool,
) -> FileResult {
    let mut errors = Vec::new();
    let mut findings = Vec::new();
    let own_words = [
        SegmentKind::Subject,
        SegmentKind::Greeting,
        SegmentKind::Body,
    ];
    // With `--lang auto`, paragraphs in another language than the message get that
    // language's pack; a language fixed by the user is taken as it is.
    let auto = ctx.lang == "auto";
    if auto {
        ctx.lang = detector
            .detect_message(&msg.text_of(&own_words))
            .unwrap_or_else(|| "en".into());
    }
    for seg in msg
        .segments
        .iter_mut()
        .filter(|s| auto && s.kind == SegmentKind::Body)
    {
        if let Some(l) = detector.paragraph_language(&msg.prose[seg.range.clone()], &ctx.lang) {
            if registry.has_language(&l) {
                seg.lang = Some(l);
            }
        }
    }
    let mut langs: Vec<String> = vec![ctx.lang.clone()];
    for s in &msg.segments {
        if let Some(l) = &s.lang {
            if !langs.contains(l) {
                langs.push(l.clone());
            }
        }
    }
    if !registry.has_language(&ctx.lang) {
        findings.push(
            NO_RULE_PACK.finding(
                format!(
                    "no rule pack for language `{}`; only language-neutral rules ran (tactful has \
                 rules for: {})",
                    ctx.lang,
                    registry.languages().join(", ")
                ),
                msg.segments
                    .first()
                    .map_or(0..0, |s| msg.to_source(s.range.start..s.range.start)),
                "language detected here",
            ),
        );
    }
    let main_lang = ctx.lang.clone();
    for lang in langs
        .iter()
        .map(String::as_str)
        .chain(std::iter::once("any"))
    {
        let pack = match registry.pack(lang) {
            Some(Ok(p)) => p.clone(),
            Some(Err(e)) => {
                errors.extend(e.iter().cloned());
                continue;
            }
            None => continue,
        };
        let pack = with_options(run, pack, options, &mut errors);
        let include = |s: &crate::message::Segment| -> bool {
            lang == "any" || s.lang.as_deref().unwrap_or(&main_lang) == lang
        };
        let pass = Pass {
            include: &include,
            found: &findings,
            variant,
            skip,
        };
        let found = run_pack(&pack, &msg, &ctx, pass);
        findings.extend(found);
    }
    findings.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
    FileResult {
        path: String::new(),
        context: Some(ctx),
        source: Arc::from(msg.source.as_str()),
        findings,
        errors,
        capped: Vec::new(),
    }
}

/// A pack with the config's rule options applied (a copy only when options touch it).
fn with_options(
    run: &Run,
    pack: Arc<crate::rules::Pack>,
    options: Option<&RuleOptions>,
    errors: &mut Vec<SourceError>,
) -> Arc<crate::rules::Pack> {
    let Some(options) = options else { return pack };
    if !pack
        .rules
        .iter()
        .any(|r| options.contains_key(r.id.as_str()))
    {
        return pack;
    }
    let mut rules = pack.rules.clone();
    for r in &mut rules {
        if let Some(opts) = options.get(r.id.as_str()) {
            for (k, v) in opts {
                if let Err(e) = r.set_option(k, *v) {
                    if run.first_warning(&e) {
                        errors.push(SourceError::whole(".tactful.yaml", e));
                    }
                }
            }
        }
    }
    Arc::new(crate::rules::Pack::new(
        pack.lang.clone(),
        pack.name.clone(),
        pack.word_prefixes.clone(),
        rules,
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSources;

    fn options(rule: &str, key: &str) -> RuleOptions {
        RuleOptions::from([(rule.to_string(), [(key.to_string(), 1.0)].into())])
    }

    /// A bad option is reported once per run, on the first file it affects, and again in the
    /// next run (an editor's next check, after a reload): not once per process.
    #[test]
    fn option_warnings_are_per_run() {
        let reg = Registry::new(&RuleSources::default()).expect("built-in rules");
        let detector = LanguageDetector::with_stopwords(&reg.languages(), &reg.stopwords());
        let bad = options("channel-limit/connection-note", "no-such-option");
        let check = |run: &Run| {
            let read = input::read(
                "a.txt",
                b"Hi Ana, how was the trip?".to_vec(),
                Format::Plain,
                reg.vocabulary(),
            )
            .expect("read");
            let ctx = ContextLayer::resolve(&[&ContextLayer {
                lang: Some("en".into()),
                ..Default::default()
            }]);
            check_message_in(run, &reg, &detector, read.message, ctx, Some(&bad), &[]).errors
        };
        for _ in 0..2 {
            let run = Run::default();
            let first = check(&run);
            assert_eq!(first.len(), 1, "{first:?}");
            assert!(first[0].message.contains("no-such-option"), "{first:?}");
            assert!(check(&run).is_empty(), "once per run");
        }
    }
}
