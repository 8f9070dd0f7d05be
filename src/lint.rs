//! The driver: one file in, one [`FileResult`] out. Resolves config and context, reads the
//! message, picks the language packs, runs the engine, applies suppressions and severities.

use crate::batch;
use crate::config::{ConfigResolver, Level};
use crate::context::{Context, ContextLayer};
use crate::engine::run_pack;
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Severity};
use crate::input::{self, Format};
use crate::lang::LanguageDetector;
use crate::message::{Message, SegmentKind};
use crate::rules::catalog::{catalog, RuleMeta};
use crate::rules::{Registry, RuleSources};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Settings that come from the command line.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub flags: ContextLayer,
    pub rule_paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    /// Ignore config files entirely.
    pub no_config: bool,
}

type RegistryResult = Result<Arc<Registry>, Vec<SourceError>>;

pub struct Linter {
    options: LintOptions,
    configs: ConfigResolver,
    registries: Mutex<HashMap<RuleSources, RegistryResult>>,
    detectors: Mutex<HashMap<usize, Arc<LanguageDetector>>>,
    known_names: Mutex<HashMap<usize, Arc<crate::config::KnownNames>>>,
    copies: OnceLock<HashMap<String, CopyOf>>,
}

struct Prepared {
    config: Option<Arc<crate::config::Config>>,
    registry: Arc<Registry>,
    settings: crate::config::FileSettings,
    read: input::ReadMessage,
    ctx: Context,
}

/// The language-neutral rule that compares drafts across a run (`metric: {kind: duplicate}`).
#[derive(Debug, Clone)]
pub struct DuplicateRule {
    pub id: String,
    pub category: String,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    pub similarity: f64,
    when: crate::rules::When,
}

impl DuplicateRule {
    /// The first duplicate rule of the `any` pack, with the config's options applied.
    pub fn find(
        registry: &Registry,
        config: Option<&crate::config::Config>,
    ) -> Option<DuplicateRule> {
        let pack = match registry.pack("any")? {
            Ok(p) => p.clone(),
            Err(_) => return None,
        };
        let mut rule = pack
            .rules
            .iter()
            .find(|r| r.kind.batch_similarity().is_some())?
            .clone();
        if let Some(opts) = config.and_then(|c| c.options.get(&rule.id)) {
            for (k, v) in opts {
                let _ = rule.set_option(k, *v);
            }
        }
        let similarity = rule.kind.batch_similarity()?;
        Some(DuplicateRule {
            id: rule.id,
            category: rule.category,
            severity: rule.severity,
            message: rule.message,
            help: rule.help,
            similarity,
            when: rule.when,
        })
    }
}

/// One file's place in a cluster of near-identical drafts.
#[derive(Debug, Clone)]
pub struct CopyOf {
    pub rule: DuplicateRule,
    /// Source range of the compared text in this file.
    pub span: std::ops::Range<usize>,
    /// How many other drafts of the run share the text.
    pub others: usize,
    /// The path of the first copy (this file's own path when it is the first).
    pub first: String,
    pub is_first: bool,
}

impl CopyOf {
    fn finding(&self) -> Finding {
        let drafts = if self.others == 1 { "draft" } else { "drafts" };
        Finding {
            rule: self.rule.id.clone(),
            category: self.rule.category.clone(),
            severity: self.rule.severity,
            message: format!(
                "{} ({} other {drafts} in this run share this text)",
                self.rule.message, self.others
            ),
            help: self.rule.help.clone(),
            span: self.span.clone(),
            label: if self.is_first {
                format!("first copy; {} other {drafts} repeat it", self.others)
            } else {
                format!("same text as {} (the first copy)", self.first)
            },
            related: Vec::new(),
            suggestion: None,
        }
    }
}

impl Linter {
    pub fn new(options: LintOptions) -> Linter {
        Linter {
            configs: ConfigResolver::new(options.config.as_deref()),
            options,
            registries: Mutex::new(HashMap::new()),
            detectors: Mutex::new(HashMap::new()),
            known_names: Mutex::new(HashMap::new()),
            copies: OnceLock::new(),
        }
    }

    /// The registry for a set of rule sources (built once per distinct set).
    pub fn registry(&self, sources: RuleSources) -> RegistryResult {
        let mut map = self
            .registries
            .lock()
            .map_err(|_| vec![SourceError::whole("tactful", "internal lock poisoned")])?;
        map.entry(sources.clone())
            .or_insert_with(|| Registry::new(&sources).map(Arc::new))
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
        format: Option<Format>,
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
        let mut format = format.unwrap_or_else(|| Format::for_path(shown));
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
        let ctx =
            ContextLayer::resolve(&[&self.options.flags, &front, &settings.context, &by_format]);
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
        format: Option<Format>,
    ) -> Option<(batch::Fingerprint, DuplicateRule)> {
        let p = self.prepare(shown, fs_path, bytes, format).ok()?;
        let rule = DuplicateRule::find(&p.registry, p.config.as_deref())?;
        let on = rule.when.applies(&p.ctx)
            && p.settings.level(&rule.id, &rule.category) != Some(Level::Off);
        if !on {
            return None;
        }
        Some((batch::fingerprint(&p.read.message)?, rule))
    }

    /// Tells the linter which files of this run are copies of one another (from
    /// [`batch::cluster`]), keyed by the path as shown.
    pub fn set_copies(&self, copies: HashMap<String, CopyOf>) {
        let _ = self.copies.set(copies);
    }

    /// Checks one file. `fs_path` is where it lives on disk (None for stdin).
    pub fn check(
        &self,
        shown: &str,
        fs_path: Option<&Path>,
        bytes: Vec<u8>,
        format: Option<Format>,
    ) -> FileResult {
        let Prepared {
            config,
            registry,
            settings,
            read,
            ctx,
        } = match self.prepare(shown, fs_path, bytes, format) {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let options = config.as_ref().map(|c| &c.options);
        let mut message = read.message;
        let inline = std::mem::take(&mut message.suppressions);
        let mut result = check_message(&registry, &self.detector(&registry), message, ctx, options);
        result.path = shown.to_string();
        crate::suppress::apply_inline(&mut result.findings, &inline);
        if let Some(copy) = self.copies.get().and_then(|c| c.get(shown)) {
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
    mut msg: Message,
    ctx: Context,
    options: Option<&std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>>,
) -> FileResult {
    let variants = std::mem::take(&mut msg.variants);
    let notes = std::mem::take(&mut msg.notes);
    let mut result = check_rendering(registry, detector, msg, ctx, options);
    let resolved = result.context.clone();
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
        let r = check_rendering(registry, detector, v, vctx, options);
        for f in r.findings {
            let in_greeting = greetings
                .iter()
                .any(|g| g.start <= f.span.start && f.span.end <= g.end);
            if f.category == "mass-message" && in_greeting {
                continue;
            }
            let seen = result
                .findings
                .iter()
                .any(|g| g.rule == f.rule && (g.span == f.span || g.category == "tactful"));
            if !seen {
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
        result.findings.push(Finding {
            rule: "tactful/malformed-input".into(),
            category: "tactful".into(),
            severity: Severity::Warning,
            message: n.message,
            help: "tactful checked what it could read; fix or re-export the file to have all of it checked".into(),
            span: n.span,
            label: "could not be read as it should".into(),
            related: Vec::new(),
            suggestion: None,
        });
    }
    result
        .findings
        .sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
    result
}

fn check_rendering(
    registry: &Registry,
    detector: &LanguageDetector,
    mut msg: Message,
    mut ctx: Context,
    options: Option<&std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>>,
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
        findings.push(Finding {
            rule: "tactful/no-rule-pack".into(),
            category: "tactful".into(),
            severity: Severity::Info,
            message: format!("no rule pack for language `{}`; only language-neutral rules ran", ctx.lang),
            help: format!(
                "tactful has rules for: {}. Set `lang:` in front matter or use --lang if detection is wrong",
                registry.languages().join(", ")
            ),
            span: msg.segments.first().map_or(0..0, |s| msg.to_source(s.range.start..s.range.start)),
            label: "language detected here".into(),
            related: Vec::new(),
            suggestion: None,
        });
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
        let pack = with_options(pack, options, &mut errors);
        let include = |s: &crate::message::Segment| -> bool {
            lang == "any" || s.lang.as_deref().unwrap_or(&main_lang) == lang
        };
        findings.extend(run_pack(&pack, &msg, &ctx, &include));
    }
    findings.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
    FileResult {
        path: String::new(),
        context: Some(ctx),
        source: Arc::from(msg.source.as_str()),
        findings,
        errors,
    }
}

/// A pack with the config's rule options applied (a copy only when options touch it).
fn with_options(
    pack: Arc<crate::rules::Pack>,
    options: Option<&std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>>,
    errors: &mut Vec<SourceError>,
) -> Arc<crate::rules::Pack> {
    let Some(options) = options else { return pack };
    if !pack.rules.iter().any(|r| options.contains_key(&r.id)) {
        return pack;
    }
    static WARNED: OnceLock<()> = OnceLock::new();
    let mut rules = pack.rules.clone();
    for r in &mut rules {
        if let Some(opts) = options.get(&r.id) {
            for (k, v) in opts {
                if let Err(e) = r.set_option(k, *v) {
                    if WARNED.set(()).is_ok() {
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
    Finding {
        rule: "tactful/unknown-key".into(),
        category: "tactful".into(),
        severity: Severity::Warning,
        message: format!(
            "front matter key `{}` is not one tactful reads; did you mean `{}`?",
            k.key, k.suggestion
        ),
        help: format!(
            "tactful reads these front matter keys: {}. Rename the key, or the setting it was meant for does not apply",
            crate::input::frontmatter::KEYS.join(", ")
        ),
        span: k.span.clone(),
        label: format!("did you mean `{}`?", k.suggestion),
        related: Vec::new(),
        suggestion: None,
    }
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
            result.findings.push(Finding {
                rule: "tactful/unused-suppression".into(),
                category: "tactful".into(),
                severity: Severity::Warning,
                message: format!("`allow: {}` silences nothing in this message", a.target),
                help: "remove it, so that a future finding of this rule is not hidden".into(),
                span: a.span.clone(),
                label: "nothing to allow".into(),
                related: Vec::new(),
                suggestion: None,
            });
        }
    }
    result
        .findings
        .sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
}
