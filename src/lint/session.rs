//! A run: a set of inputs taken through the whole pipeline. Every draft is fingerprinted and
//! near-identical ones are clustered ([`crate::batch`]) before any is reported, then each is
//! checked (suppressions and severities applied by the [`Linter`]) and, when asked, fixed.
//! `tactful check`, the language server and `tactful test` all go through here, so all three
//! report a blast sent to many people the same way.
//!
//! What is per run lives here, not in the [`Linter`] (which caches config and compiled rules
//! for as long as it lives): the clusters, and which warnings about options were given.

use super::{Linter, ReadAs};
use crate::batch;
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Severity, Text};
use crate::input::Format;
use crate::rules::Registry;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One input of a run.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name shown in output.
    pub shown: String,
    /// Where it lives on disk (None for standard input or an unsaved editor buffer); decides
    /// which config applies.
    pub path: Option<PathBuf>,
    pub content: Content,
    /// Its own format and context, when it has them (a rule's example).
    pub read_as: ReadAs,
}

#[derive(Debug, Clone)]
pub enum Content {
    /// Text in memory (standard input, an editor's buffer).
    Bytes(Arc<[u8]>),
    /// Read from `path` when needed: a run over a large tree keeps no file in memory.
    File,
    /// Could not be read or found, and why.
    Unreadable(String),
}

impl Input {
    pub fn bytes(shown: &str, path: Option<PathBuf>, bytes: impl Into<Arc<[u8]>>) -> Input {
        Input {
            shown: shown.to_string(),
            path,
            content: Content::Bytes(bytes.into()),
            read_as: ReadAs::default(),
        }
    }

    pub fn file(shown: &str, path: PathBuf) -> Input {
        Input {
            shown: shown.to_string(),
            path: Some(path),
            content: Content::File,
            read_as: ReadAs::default(),
        }
    }

    pub fn unreadable(shown: &str, why: impl Into<String>) -> Input {
        Input {
            shown: shown.to_string(),
            path: None,
            content: Content::Unreadable(why.into()),
            read_as: ReadAs::default(),
        }
    }

    /// The input with its own format and context.
    pub fn read_as(self, read_as: ReadAs) -> Input {
        Input { read_as, ..self }
    }

    fn read(&self) -> Result<Vec<u8>, SourceError> {
        match (&self.content, &self.path) {
            (Content::Bytes(b), _) => Ok(b.to_vec()),
            (Content::File, Some(p)) => std::fs::read(p)
                .map_err(|e| SourceError::whole(&self.shown, format!("cannot read file: {e}"))),
            (Content::File, None) => Err(SourceError::whole(&self.shown, "no path to read")),
            (Content::Unreadable(why), _) => Err(SourceError::whole(&self.shown, why.clone())),
        }
    }
}

/// What is remembered for the length of one run.
#[derive(Debug, Default)]
pub struct Run {
    warned: Mutex<HashSet<String>>,
}

impl Run {
    /// Whether `warning` is new in this run (a bad option is reported once, on the first file
    /// it affects, not on every file).
    pub(crate) fn first_warning(&self, warning: &str) -> bool {
        match self.warned.lock() {
            Ok(mut w) => w.insert(warning.to_string()),
            Err(_) => false,
        }
    }
}

/// A file's text with its safe fixes applied, and the check of that text.
pub struct Fixed {
    pub text: String,
    /// How many rewrites were applied.
    pub applied: usize,
    pub result: FileResult,
}

/// Fixing can make another safe fix possible (or reveal one an overlap held back); a few
/// passes settle it, and the cap keeps two rules that undo each other from looping.
const MAX_FIX_PASSES: usize = 4;

/// Bytes of files that the batch step keeps for checking, so a run up to this size reads each
/// file once; past it, files are read again when checked, and memory stays flat.
pub const READ_ONCE_BUDGET: usize = 32 * 1024 * 1024;

/// Bytes of whole fingerprints (words, their hashes, the shingle sketch) of the drafts that
/// start a cluster, which later drafts are compared with, held while clustering. Past it such a
/// draft keeps only its band keys (128 bytes) and is fingerprinted again if a later draft
/// shares a band with it. Drafts that join a cluster keep nothing.
pub const FINGERPRINT_BUDGET: usize = 32 * 1024 * 1024;

/// Drafts fingerprinted at once (on every core) before they are clustered in input order.
const BATCH_CHUNK: usize = 256;

/// Whole fingerprints computed again during clustering that are kept for the next comparison
/// (a blast's first draft is compared with every later copy).
const REFINGERPRINT_CACHE: usize = 256;

/// Per input, the bytes the batch step read and kept for its check.
type Kept = Vec<Mutex<Option<Vec<u8>>>>;

/// What the batch step's first read of an input gives: its fingerprint and the kept bytes.
type FirstRead = (Option<Print>, Mutex<Option<Vec<u8>>>);

/// What the batch step keeps of one draft until clustering.
struct Print {
    bands: batch::Bands,
    /// The whole fingerprint, while within [`FINGERPRINT_BUDGET`].
    full: Option<Arc<batch::Fingerprint>>,
    /// Source range of the compared text, for the finding.
    span: std::ops::Range<usize>,
    rule: DuplicateRule,
}

/// A set of inputs on their way through the pipeline.
pub struct Session<'l> {
    linter: &'l Linter,
    inputs: Vec<Input>,
    /// Forces every input's format (`--template`); else each input's extension decides.
    format: Option<Format>,
    /// Input index → its place in a cluster of near-identical drafts.
    copies: HashMap<usize, CopyOf>,
    /// Files the batch step read and kept (within [`READ_ONCE_BUDGET`]), taken when checked.
    kept: Kept,
    run: Run,
}

impl<'l> Session<'l> {
    /// Starts a run: fingerprints every readable input and clusters the near-identical ones
    /// (only fingerprints are kept, never the texts).
    pub fn new(linter: &'l Linter, inputs: Vec<Input>, format: Option<Format>) -> Session<'l> {
        let mut session = Session {
            linter,
            inputs,
            format,
            copies: HashMap::new(),
            kept: Vec::new(),
            run: Run::default(),
        };
        let (copies, kept) = session.find_copies();
        session.copies = copies;
        session.kept = kept;
        session
    }

    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// Input `i`'s place among the run's near-identical drafts, if it has one.
    pub fn copy_of(&self, i: usize) -> Option<&CopyOf> {
        self.copies.get(&i)
    }

    /// Clusters the run's drafts, and keeps the files it read (up to [`READ_ONCE_BUDGET`]
    /// bytes) for their check.
    fn find_copies(&self) -> (HashMap<usize, CopyOf>, Kept) {
        let readable = self
            .inputs
            .iter()
            .filter(|i| !matches!(i.content, Content::Unreadable(_)))
            .count();
        if readable < 2 {
            return (HashMap::new(), Vec::new());
        }
        let budget = AtomicUsize::new(READ_ONCE_BUDGET);
        let mut prints: Vec<Option<Print>> = Vec::with_capacity(self.inputs.len());
        let mut kept: Kept = Vec::with_capacity(self.inputs.len());
        let mut clusters: Option<batch::Clusters> = None;
        // Bytes of the representatives' whole fingerprints held, and those computed again.
        let mut held = 0usize;
        let mut again: HashMap<usize, Arc<batch::Fingerprint>> = HashMap::new();
        // Drafts are fingerprinted a chunk at a time on every core, then clustered in input
        // order: a draft that joins a cluster lets go of its fingerprint at once, and only a
        // representative's is held (within the budget), so memory does not follow the number
        // of files.
        for chunk in self.inputs.chunks(BATCH_CHUNK) {
            let first = prints.len();
            let done: Vec<FirstRead> = chunk
                .par_iter()
                .map(|input| self.first_read(input, &budget))
                .collect();
            for (print, k) in done {
                prints.push(print);
                kept.push(k);
            }
            for id in first..prints.len() {
                let Some(p) = &prints[id] else { continue };
                let bands = p.bands;
                let c = clusters.get_or_insert_with(|| batch::Clusters::new(p.rule.similarity));
                let rep = c.add(id, &bands, &mut |i| {
                    self.full_print(i, &prints, &kept, &mut again)
                });
                if let Some(p) = prints[id].as_mut() {
                    let size = p.full.as_ref().map_or(0, |f| f.bytes());
                    if rep && held + size <= FINGERPRINT_BUDGET {
                        held += size;
                    } else {
                        p.full = None;
                    }
                }
            }
        }
        let names: Vec<&str> = self.inputs.iter().map(|i| i.shown.as_str()).collect();
        (copies(&prints, clusters, &names), kept)
    }

    /// Reads an input for the batch step: its fingerprint, and its bytes when they fit in what
    /// is left of the read-once budget.
    fn first_read(&self, input: &Input, budget: &AtomicUsize) -> FirstRead {
        let Ok(bytes) = input.read() else {
            return (None, Mutex::new(None));
        };
        // Text in memory already (stdin, an editor's buffer) needs no copy kept.
        let keep = matches!(input.content, Content::File)
            && budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(bytes.len())
                })
                .is_ok();
        let kept = keep.then(|| bytes.clone());
        let print = self
            .linter
            .fingerprint(&input.shown, input.path.as_deref(), bytes, &self.how(input))
            .map(|(fp, rule)| Print {
                bands: fp.bands(),
                span: fp.span.clone(),
                full: Some(Arc::new(fp)),
                rule,
            });
        (print, Mutex::new(kept))
    }

    /// Draft `i`'s whole fingerprint: the one held, else computed again (from the kept bytes
    /// or the file) and cached for the next comparisons.
    fn full_print(
        &self,
        i: usize,
        prints: &[Option<Print>],
        kept: &Kept,
        again: &mut HashMap<usize, Arc<batch::Fingerprint>>,
    ) -> Option<Arc<batch::Fingerprint>> {
        let p = prints.get(i)?.as_ref()?;
        if let Some(fp) = p.full.as_ref().or_else(|| again.get(&i)) {
            return Some(fp.clone());
        }
        let input = self.inputs.get(i)?;
        let bytes = match kept.get(i).and_then(|k| k.lock().ok()?.clone()) {
            Some(b) => b,
            None => input.read().ok()?,
        };
        let (fp, _) = self.linter.fingerprint(
            &input.shown,
            input.path.as_deref(),
            bytes,
            &self.how(input),
        )?;
        let fp = Arc::new(fp);
        if again.len() >= REFINGERPRINT_CACHE {
            again.clear();
        }
        again.insert(i, fp.clone());
        Some(fp)
    }

    /// The bytes of input `i`: the copy the batch step kept (once), else read now.
    fn bytes(&self, i: usize, input: &Input) -> Result<Vec<u8>, SourceError> {
        let kept = self
            .kept
            .get(i)
            .and_then(|k| k.lock().ok().and_then(|mut k| k.take()));
        match kept {
            Some(b) => Ok(b),
            None => input.read(),
        }
    }

    /// Checks input `i`: read, suppressions, severities, and its batch finding.
    pub fn check(&self, i: usize) -> FileResult {
        let Some(input) = self.inputs.get(i) else {
            return FileResult::failed("", vec![SourceError::whole("", "no such input")]);
        };
        match self.bytes(i, input) {
            Ok(bytes) => self.check_text(i, bytes),
            Err(e) => FileResult::failed(&input.shown, vec![e]),
        }
    }

    /// Checks every input, on every core; results in input order.
    pub fn check_all(&self) -> Vec<FileResult> {
        (0..self.inputs.len())
            .into_par_iter()
            .map(|i| self.check(i))
            .collect()
    }

    /// How an input is read: its own format, else the run's; its own context.
    fn how(&self, input: &Input) -> ReadAs {
        ReadAs {
            format: input.read_as.format.or(self.format),
            context: input.read_as.context.clone(),
        }
    }

    /// Checks `bytes` as the text of input `i` (its name, its config, its place in the batch).
    fn check_text(&self, i: usize, bytes: Vec<u8>) -> FileResult {
        let input = &self.inputs[i];
        self.linter.check_in(
            &self.run,
            &input.shown,
            input.path.as_deref(),
            bytes,
            &self.how(input),
            self.copies.get(&i),
        )
    }

    /// Applies the safe fixes of input `i`'s check (`first`), re-checking after each pass.
    /// None when there is nothing safe to fix, or the file could not be checked.
    pub fn fix(&self, i: usize, first: &FileResult) -> Option<Fixed> {
        if !first.errors.is_empty() || i >= self.inputs.len() {
            return None;
        }
        let mut text = first.source.to_string();
        let mut applied = 0;
        let mut result: Option<FileResult> = None;
        for _ in 0..MAX_FIX_PASSES {
            let findings = result.as_ref().map_or(&first.findings, |r| &r.findings);
            let plan = crate::fix::plan(&text, findings);
            if plan.is_empty() {
                break;
            }
            let next = plan.apply(&text);
            let checked = self.check_text(i, next.clone().into_bytes());
            if !checked.errors.is_empty() {
                // The rewrite broke something the reader needs (front matter, say): keep what
                // we had.
                break;
            }
            applied += plan.edits.len();
            text = next;
            result = Some(checked);
        }
        result.map(|result| Fixed {
            text,
            applied,
            result,
        })
    }
}

/// The batch step's answer: for each draft in a cluster, which copy it is. `names` are the
/// drafts' names as shown.
fn copies(
    prints: &[Option<Print>],
    clusters: Option<batch::Clusters>,
    names: &[&str],
) -> HashMap<usize, CopyOf> {
    let Some(clusters) = clusters else {
        return HashMap::new();
    };
    let clusters = clusters.finish();
    let mut out = HashMap::new();
    for (id, c) in clusters {
        let Some(Some(p)) = prints.get(id) else {
            continue;
        };
        let name = |k: usize| names.get(k).copied().unwrap_or_default().to_string();
        out.insert(
            id,
            CopyOf {
                rule: p.rule.clone(),
                span: p.span.clone(),
                others: c.size - 1,
                first: name(c.first),
                is_first: id == c.first,
                differs: c.slots_text(),
            },
        );
    }
    out
}

/// The language-neutral rule that compares drafts across a run (`metric: {kind: duplicate}`).
#[derive(Debug, Clone)]
pub struct DuplicateRule {
    pub id: Text,
    pub category: Text,
    pub severity: Severity,
    pub message: Text,
    pub help: Text,
    pub similarity: f64,
    pub(super) when: crate::rules::When,
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
        if let Some(opts) = config.and_then(|c| c.options.get(rule.id.as_str())) {
            for (k, v) in opts {
                let _ = rule.set_option(k, *v);
            }
        }
        DuplicateRule::of(&rule)
    }

    /// A rule that compares drafts across a run, as the batch step uses it; None for a rule of
    /// another kind.
    pub fn of(rule: &crate::rules::Rule) -> Option<DuplicateRule> {
        Some(DuplicateRule {
            id: rule.id.clone(),
            category: rule.category.clone(),
            severity: rule.severity,
            message: rule.message.clone(),
            help: rule.help.clone(),
            similarity: rule.kind.batch_similarity()?,
            when: rule.when.clone(),
        })
    }

    /// Whether the rule applies to a message in this context.
    pub fn applies(&self, ctx: &crate::context::Context) -> bool {
        self.when.applies(ctx)
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
    /// The template slots the copies fill differently ("Anna/Dev/…, Northwind/Tailspin/…"),
    /// when they are fillings of one template rather than plain copies.
    pub differs: Option<String>,
}

impl CopyOf {
    /// What a front end compares to tell whether a draft's place in the batch changed: the
    /// first copy's name and how many others share the text.
    pub fn key(&self) -> (String, usize) {
        (self.first.clone(), self.others)
    }

    pub(super) fn finding(&self) -> Finding {
        let drafts = if self.others == 1 { "draft" } else { "drafts" };
        let (differs, help) = match &self.differs {
            Some(d) => (
                format!("; they differ only in: {d}"),
                format!(
                    "{} These drafts are one template with its fields filled in ({d}): keep one \
                     template, and write the part each recipient reads yourself.",
                    self.rule.help
                )
                .into(),
            ),
            None => (String::new(), self.rule.help.clone()),
        };
        Finding {
            rule: self.rule.id.clone(),
            category: self.rule.category.clone(),
            severity: self.rule.severity,
            message: format!(
                "{} ({} other {drafts} in this run share this text{differs})",
                self.rule.message, self.others
            )
            .into(),
            help,
            span: self.span.clone(),
            label: if self.is_first {
                format!("first copy; {} other {drafts} repeat it", self.others)
            } else {
                format!("same text as {} (the first copy)", self.first)
            }
            .into(),
            related: Vec::new(),
            suggestion: None,
            confidence: None,
        }
    }
}
