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
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One input of a run. A run over a tree keeps one for every file until its turn comes, so it
/// is small: about 64 bytes and the two copies of its path.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name shown in output.
    pub shown: Box<str>,
    /// Where it lives on disk (None for standard input or an unsaved editor buffer); decides
    /// which config applies.
    pub path: Option<Box<Path>>,
    pub content: Content,
    /// Its own format and context, when it has them (a rule's example).
    read_as: Option<Box<ReadAs>>,
}

#[derive(Debug, Clone)]
pub enum Content {
    /// Text in memory (standard input, an editor's buffer).
    Bytes(Arc<[u8]>),
    /// Read from `path` when needed: a run over a large tree keeps no file in memory.
    File,
    /// Could not be read or found, and why.
    Unreadable(Box<str>),
}

impl Input {
    pub fn bytes(shown: &str, path: Option<PathBuf>, bytes: impl Into<Arc<[u8]>>) -> Input {
        Input {
            shown: shown.into(),
            path: path.map(PathBuf::into_boxed_path),
            content: Content::Bytes(bytes.into()),
            read_as: None,
        }
    }

    pub fn file(shown: &str, path: PathBuf) -> Input {
        Input {
            shown: shown.into(),
            path: Some(path.into_boxed_path()),
            content: Content::File,
            read_as: None,
        }
    }

    pub fn unreadable(shown: &str, why: impl Into<String>) -> Input {
        Input {
            shown: shown.into(),
            path: None,
            content: Content::Unreadable(why.into().into()),
            read_as: None,
        }
    }

    /// The input with its own format and context.
    pub fn read_as(self, read_as: ReadAs) -> Input {
        Input {
            read_as: Some(Box::new(read_as)),
            ..self
        }
    }

    /// The file it is read from, when it is read from disk.
    pub fn on_disk(&self) -> Option<&Path> {
        match self.content {
            Content::File => self.path.as_deref(),
            _ => None,
        }
    }

    /// Whether its text was given in memory (standard input, an editor's buffer).
    pub fn in_memory(&self) -> bool {
        matches!(self.content, Content::Bytes(_))
    }

    fn read(&self) -> Result<Vec<u8>, SourceError> {
        match (&self.content, &self.path) {
            (Content::Bytes(b), _) => Ok(b.to_vec()),
            (Content::File, Some(p)) => std::fs::read(p)
                .map_err(|e| SourceError::whole(&self.shown, format!("cannot read file: {e}"))),
            (Content::File, None) => Err(SourceError::whole(&self.shown, "no path to read")),
            (Content::Unreadable(why), _) => Err(SourceError::whole(&self.shown, why.to_string())),
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

/// Bytes of files that the batch step keeps for checking, so a run up to this size (some
/// 2,000 one-page drafts) reads each file once; past it, the other files are read again when
/// checked (from the page cache, usually: microseconds a file), and memory stays flat.
pub const READ_ONCE_BUDGET: usize = 2 * 1024 * 1024;

/// Bytes of whole fingerprints (the shingle sketch, word keys and words) of the drafts that
/// start a cluster, which later drafts are compared with, held while clustering: about 2.5 KB
/// for a 1 KB draft, so some 3,000 distinct drafts. Past it such a draft keeps nothing but
/// its band keys in the cluster index, and is fingerprinted again if a later draft shares a
/// band with it (slower, never different). Drafts that join a cluster keep nothing.
pub const FINGERPRINT_BUDGET: usize = 8 * 1024 * 1024;

/// Drafts fingerprinted at once (on every core) before they are clustered in input order.
const BATCH_CHUNK: usize = 256;

/// Whole fingerprints computed again during clustering that are kept for the next comparison
/// (a blast's first draft is compared with every later copy).
const REFINGERPRINT_CACHE: usize = 256;

/// What the batch step's first read of an input gives: its fingerprint and duplicate rule,
/// and its bytes when they were kept for the check.
type FirstRead = (Option<(batch::Fingerprint, DuplicateRule)>, Option<Vec<u8>>);

/// What the batch step keeps of every fingerprinted draft until the clusters are known: 24
/// bytes.
#[derive(Clone)]
struct Draft {
    /// Source range of the compared text, for the finding.
    span: std::ops::Range<usize>,
    /// Index of its duplicate rule among the run's distinct ones, or `u32::MAX` when the draft
    /// was not fingerprinted.
    rule: u32,
}

const NOT_COMPARED: Draft = Draft {
    span: 0..0,
    rule: u32::MAX,
};

/// The drafts' duplicate rules, each kept once: every file under one config has the same.
#[derive(Default)]
struct Rules(Vec<(Arc<DuplicateRule>, String)>);

impl Rules {
    fn index_of(&mut self, rule: DuplicateRule) -> u32 {
        // `When` has no equality; its debug text is the whole of it.
        let when = format!("{:?}", rule.when);
        let same = |(r, w): &(Arc<DuplicateRule>, String)| {
            r.id == rule.id
                && r.category == rule.category
                && r.severity == rule.severity
                && r.message == rule.message
                && r.help == rule.help
                && r.similarity.to_bits() == rule.similarity.to_bits()
                && *w == when
        };
        match self.0.iter().position(same) {
            Some(i) => i as u32,
            None => {
                self.0.push((Arc::new(rule), when));
                (self.0.len() - 1) as u32
            }
        }
    }
}

/// A set of inputs on their way through the pipeline.
pub struct Session<'l> {
    linter: &'l Linter,
    inputs: Vec<Input>,
    /// Forces every input's format (`--template`); else each input's extension decides.
    format: Option<Format>,
    /// By input: its place in a cluster of near-identical drafts (empty when there is none).
    copies: Vec<Option<CopyOf>>,
    /// Files the batch step read and kept (within [`READ_ONCE_BUDGET`]), taken when checked.
    kept: Mutex<HashMap<usize, Vec<u8>>>,
    run: Run,
}

impl<'l> Session<'l> {
    /// Starts a run: fingerprints every readable input and clusters the near-identical ones.
    /// What it keeps for the rest of the run is, per input, its name and path and 40 bytes
    /// when it is in a cluster, per cluster its finding's text, and the bytes of the first
    /// files read (within [`READ_ONCE_BUDGET`]).
    pub fn new(linter: &'l Linter, inputs: Vec<Input>, format: Option<Format>) -> Session<'l> {
        let mut session = Session {
            linter,
            inputs,
            format,
            copies: Vec::new(),
            kept: Mutex::new(HashMap::new()),
            run: Run::default(),
        };
        let (copies, kept) = session.find_copies();
        session.copies = copies;
        session.kept = Mutex::new(kept);
        session
    }

    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// Input `i`'s place among the run's near-identical drafts, if it has one.
    pub fn copy_of(&self, i: usize) -> Option<&CopyOf> {
        self.copies.get(i)?.as_ref()
    }

    /// Clusters the run's drafts, and keeps the files it read (up to [`READ_ONCE_BUDGET`]
    /// bytes) for their check.
    fn find_copies(&self) -> (Vec<Option<CopyOf>>, HashMap<usize, Vec<u8>>) {
        let readable = self
            .inputs
            .iter()
            .filter(|i| !matches!(i.content, Content::Unreadable(_)))
            .count();
        if readable < 2 {
            return (Vec::new(), HashMap::new());
        }
        let budget = AtomicUsize::new(READ_ONCE_BUDGET);
        let mut drafts: Vec<Draft> = Vec::with_capacity(self.inputs.len());
        let mut rules = Rules::default();
        let mut kept: HashMap<usize, Vec<u8>> = HashMap::new();
        let mut clusters: Option<batch::Clusters> = None;
        // The representatives' whole fingerprints held (within the budget) and their bytes,
        // and those computed again.
        let mut held: HashMap<usize, Arc<batch::Fingerprint>> = HashMap::new();
        let mut held_bytes = 0usize;
        let mut again: HashMap<usize, Arc<batch::Fingerprint>> = HashMap::new();
        // Drafts are fingerprinted a chunk at a time on every core, then clustered in input
        // order: a draft that joins a cluster lets go of its fingerprint at once, and only a
        // representative's is held (within the budget), so memory does not follow the number
        // of files.
        for chunk in self.inputs.chunks(BATCH_CHUNK) {
            let first = drafts.len();
            let done: Vec<FirstRead> = chunk
                .par_iter()
                .map(|input| self.first_read(input, &budget))
                .collect();
            for (k, (print, bytes)) in done.into_iter().enumerate() {
                let id = first + k;
                if let Some(b) = bytes {
                    kept.insert(id, b);
                }
                let Some((fp, rule)) = print else {
                    drafts.push(NOT_COMPARED);
                    continue;
                };
                let similarity = rule.similarity;
                drafts.push(Draft {
                    span: fp.span.clone(),
                    rule: rules.index_of(rule),
                });
                let bands = fp.bands();
                let size = fp.bytes();
                held.insert(id, Arc::new(fp));
                let c = clusters.get_or_insert_with(|| batch::Clusters::new(similarity));
                let is_rep = c.add(id, &bands, &mut |i| {
                    self.full_print(i, &drafts, &held, &kept, &mut again)
                });
                if is_rep && held_bytes + size <= FINGERPRINT_BUDGET {
                    held_bytes += size;
                } else {
                    held.remove(&id);
                }
            }
        }
        drop(held);
        drop(again);
        let Some(clusters) = clusters else {
            return (Vec::new(), kept);
        };
        (self.copies(&drafts, &rules, clusters.finish()), kept)
    }

    /// The batch step's answer: for each draft in a cluster, which copy it is.
    fn copies(
        &self,
        drafts: &[Draft],
        rules: &Rules,
        blasts: batch::Blasts,
    ) -> Vec<Option<CopyOf>> {
        let mut out: Vec<Option<CopyOf>> = Vec::new();
        // What the drafts of one cluster share, made once per cluster.
        let mut shared: HashMap<usize, Arc<Blast>> = HashMap::new();
        for (id, c) in blasts.members() {
            let Some(d) = drafts.get(id) else { continue };
            let Some((rule, _)) = rules.0.get(d.rule as usize) else {
                continue;
            };
            let blast = shared.entry(c.first).or_insert_with(|| {
                Arc::new(Blast {
                    others: c.size - 1,
                    first: self
                        .inputs
                        .get(c.first)
                        .map(|i| i.shown.to_string())
                        .unwrap_or_default(),
                    differs: c.slots_text(),
                })
            });
            if out.len() <= id {
                out.resize(id + 1, None);
            }
            out[id] = Some(CopyOf {
                rule: rule.clone(),
                blast: blast.clone(),
                span: d.span.clone(),
                is_first: id == c.first,
            });
        }
        out
    }

    /// Reads an input for the batch step: its fingerprint, and its bytes when they fit in what
    /// is left of the read-once budget.
    fn first_read(&self, input: &Input, budget: &AtomicUsize) -> FirstRead {
        let Ok(bytes) = input.read() else {
            return (None, None);
        };
        // Text in memory already (stdin, an editor's buffer) needs no copy kept.
        let keep = matches!(input.content, Content::File)
            && budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(bytes.len())
                })
                .is_ok();
        let kept = keep.then(|| bytes.clone());
        let print =
            self.linter
                .fingerprint(&input.shown, input.path.as_deref(), bytes, &self.how(input));
        (print, kept)
    }

    /// Draft `i`'s whole fingerprint: the one held, else computed again (from the kept bytes
    /// or the file) and cached for the next comparisons.
    fn full_print(
        &self,
        i: usize,
        drafts: &[Draft],
        held: &HashMap<usize, Arc<batch::Fingerprint>>,
        kept: &HashMap<usize, Vec<u8>>,
        again: &mut HashMap<usize, Arc<batch::Fingerprint>>,
    ) -> Option<Arc<batch::Fingerprint>> {
        if drafts.get(i)?.rule == u32::MAX {
            return None;
        }
        if let Some(fp) = held.get(&i).or_else(|| again.get(&i)) {
            return Some(fp.clone());
        }
        let input = self.inputs.get(i)?;
        let bytes = match kept.get(&i) {
            Some(b) => b.clone(),
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
        let kept = self.kept.lock().ok().and_then(|mut k| k.remove(&i));
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
        match &input.read_as {
            Some(own) => ReadAs {
                format: own.format.or(self.format),
                context: own.context.clone(),
            },
            None => ReadAs {
                format: self.format,
                context: Default::default(),
            },
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
            self.copy_of(i),
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

/// One file's place in a cluster of near-identical drafts: 40 bytes, the rest shared by the
/// cluster.
#[derive(Debug, Clone)]
pub struct CopyOf {
    rule: Arc<DuplicateRule>,
    blast: Arc<Blast>,
    /// Source range of the compared text in this file.
    span: std::ops::Range<usize>,
    is_first: bool,
}

/// What every draft of one cluster says in its finding.
#[derive(Debug)]
struct Blast {
    /// How many other drafts of the run share the text.
    others: usize,
    /// The path of the first copy.
    first: String,
    /// The template slots the copies fill differently ("Anna/Dev/…, Northwind/Tailspin/…"),
    /// when they are fillings of one template rather than plain copies.
    differs: Option<String>,
}

impl CopyOf {
    /// What a front end compares to tell whether a draft's place in the batch changed: the
    /// first copy's name and how many others share the text.
    pub fn key(&self) -> (String, usize) {
        (self.blast.first.clone(), self.blast.others)
    }

    pub(super) fn finding(&self) -> Finding {
        let drafts = if self.blast.others == 1 {
            "draft"
        } else {
            "drafts"
        };
        let (differs, help) = match &self.blast.differs {
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
                self.rule.message, self.blast.others
            )
            .into(),
            help,
            span: self.span.clone(),
            label: if self.is_first {
                format!("first copy; {} other {drafts} repeat it", self.blast.others)
            } else {
                format!("same text as {} (the first copy)", self.blast.first)
            }
            .into(),
            related: Vec::new(),
            suggestion: None,
            confidence: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::LintOptions;

    /// What a run keeps for every input stays as small as the docs say (a tree of 100,000
    /// files keeps 100,000 of each).
    #[test]
    fn per_input_records_stay_small() {
        assert!(std::mem::size_of::<Input>() <= 64);
        assert!(std::mem::size_of::<Option<CopyOf>>() <= 40);
        assert!(std::mem::size_of::<Draft>() <= 24);
    }

    /// The batch step keeps the bytes it read for the check only within its budget: of two
    /// files that together pass it, one is checked from what was kept and the other is read
    /// again (here it is gone by then, so its check says it cannot be read).
    #[test]
    fn past_the_read_once_budget_files_are_read_again() {
        let d = tempfile::tempdir().expect("tempdir");
        let text =
            "we met at the fair and talked about ovens\n".repeat(READ_ONCE_BUDGET / 2 / 42 + 1);
        assert!(text.len() * 2 > READ_ONCE_BUDGET && text.len() <= READ_ONCE_BUDGET);
        let mut inputs = Vec::new();
        for name in ["a.txt", "b.txt"] {
            let path = d.path().join(name);
            std::fs::write(&path, &text).expect("write");
            inputs.push(Input::file(name, path));
        }
        let linter = Linter::new(LintOptions {
            no_config: true,
            ..Default::default()
        });
        let session = Session::new(&linter, inputs, None);
        for name in ["a.txt", "b.txt"] {
            std::fs::remove_file(d.path().join(name)).expect("remove");
        }
        let unreadable = (0..2)
            .filter(|&i| !session.check(i).errors.is_empty())
            .count();
        assert_eq!(unreadable, 1);
    }
}
