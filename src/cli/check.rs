//! `tactful check`: find the inputs, check them on every core, report in input order.

use super::{CheckArgs, ColorChoice, DenyLevel};
use crate::batch;
use crate::context::ContextLayer;
use crate::error::SourceError;
use crate::input::{Format, MESSAGE_EXTENSIONS};
use crate::lint::{CopyOf, FileResult, Linter};
use crate::report::{self, Summary};
use crate::rules::Severity;
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

/// One thing to check.
enum Input {
    Stdin,
    File(PathBuf),
    /// A path that could not be walked or does not exist.
    Missing(String, String),
}

fn collect_inputs(paths: &[String]) -> Vec<Input> {
    let mut out = Vec::new();
    let defaults = [".".to_string()];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_file() {
            out.push(Input::File(path));
        } else if path.is_dir() {
            let walker = ignore::WalkBuilder::new(&path)
                .standard_filters(true)
                .require_git(false)
                .sort_by_file_name(|a, b| a.cmp(b))
                .build();
            for entry in walker {
                match entry {
                    Ok(e) => {
                        let ep = e.path();
                        let wanted = e.file_type().is_some_and(|t| t.is_file())
                            && ep.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                                MESSAGE_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str())
                            });
                        if wanted {
                            out.push(Input::File(ep.to_path_buf()));
                        }
                    }
                    Err(e) => out.push(Input::Missing(
                        p.clone(),
                        format!("cannot read folder: {e}"),
                    )),
                }
            }
        } else {
            // `exists()` is false for a looping or unreadable link too: say which it is.
            let why = match std::fs::metadata(&path) {
                Ok(_) => "not a regular file or folder".to_string(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    "no such file or folder".to_string()
                }
                Err(e) => format!("cannot read: {e}"),
            };
            out.push(Input::Missing(p.clone(), why));
        }
    }
    out
}

fn shown(path: &std::path::Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

pub fn run(a: CheckArgs) -> u8 {
    let flags = ContextLayer {
        stage: a.stage,
        channel: a.channel,
        lang: a.lang.as_deref().map(crate::context::normalize_lang),
        consent: (!a.consent.is_empty())
            .then(|| a.consent.iter().map(|c| c.as_str().to_string()).collect()),
        premium: a.premium.then_some(true),
        template: a.template.then_some(true),
        recipient: a.recipient.clone(),
    };
    let linter = Linter::new(a.sources.clone().lint_options(flags));
    if let Some(lang) = &a.lang {
        // Checked once against the rules of the command line, before any file is read.
        let sources = crate::rules::RuleSources {
            extra: a.sources.rules.clone(),
            no_builtin: false,
        };
        if let Ok(registry) = linter.registry(sources) {
            if let Err(m) = crate::context::parse_lang(lang, &registry.languages()) {
                eprintln!("error: invalid value for --lang: {m}");
                return 2;
            }
        }
    }
    let color = match a.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let forced_format = a.template.then_some(Format::Template);
    let inputs = collect_inputs(&a.paths);
    let mut stdin_bytes = None;
    if inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            eprintln!("error: cannot read standard input: {e}");
            return 2;
        }
        stdin_bytes = Some(buf);
    }
    let stdin_name = a.stdin_filename.clone().unwrap_or_else(|| "-".into());
    let stdin_path = a.stdin_filename.as_ref().map(PathBuf::from);
    let check_one = |input: &Input| -> FileResult {
        match input {
            Input::Stdin => linter.check(
                &stdin_name,
                stdin_path.as_deref(),
                stdin_bytes.clone().unwrap_or_default(),
                forced_format,
            ),
            Input::File(p) => match std::fs::read(p) {
                Ok(bytes) => linter.check(&shown(p), Some(p), bytes, forced_format),
                Err(e) => FileResult::failed(
                    &shown(p),
                    vec![SourceError::whole(
                        &shown(p),
                        format!("cannot read file: {e}"),
                    )],
                ),
            },
            Input::Missing(p, why) => {
                FileResult::failed(p, vec![SourceError::whole(p, why.clone())])
            }
        }
    };
    let stdin_path = a.stdin_filename.as_ref().map(PathBuf::from);
    find_copies(
        &linter,
        &inputs,
        &stdin_name,
        stdin_path.as_deref(),
        stdin_bytes.as_deref(),
        forced_format,
    );
    let mode = if a.diff {
        FixMode::Diff
    } else if a.fix {
        FixMode::Write
    } else {
        FixMode::Off
    };
    let fix_one = |input: &Input, first: FileResult| -> Checked {
        if mode == FixMode::Off || matches!(input, Input::Missing(..)) {
            return Checked {
                result: first,
                fixed: None,
            };
        }
        let fs_path = match input {
            Input::File(p) => Some(p.as_path()),
            _ => stdin_path.as_deref(),
        };
        let fixed = fixes(&first, |text: &str| {
            linter.check(
                &first.path,
                fs_path,
                text.as_bytes().to_vec(),
                forced_format,
            )
        });
        Checked {
            result: first,
            fixed,
        }
    };
    let mut reporter = report::reporter(a.format, color);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // With `--fix -` standard output carries the fixed text, so the report goes to stderr.
    let report_to_stderr =
        mode == FixMode::Write && inputs.iter().any(|i| matches!(i, Input::Stdin));
    let mut err_out = std::io::stderr().lock();
    let mut summary = Summary::default();
    let deny = match a.deny {
        DenyLevel::Error => Severity::Error,
        DenyLevel::Warning => Severity::Warning,
        DenyLevel::Info => Severity::Info,
    };
    let mut failing = false;
    let mut broken = false;
    let (mut fixed_count, mut fixed_files, mut diffs) = (0usize, 0usize, 0usize);
    // Chunks keep memory flat on huge trees while both cores work; output stays in order.
    for chunk in inputs.chunks(256) {
        let results: Vec<Checked> = chunk.par_iter().map(|i| fix_one(i, check_one(i))).collect();
        for (input, checked) in chunk.iter().zip(results) {
            let r = match (mode, checked.fixed) {
                (FixMode::Off, _) | (_, None) => {
                    if mode == FixMode::Write && matches!(input, Input::Stdin) {
                        // Nothing to fix (or unreadable): the input goes through unchanged, so
                        // an editor filtering a buffer never loses it.
                        let _ = out.write_all(stdin_bytes.as_deref().unwrap_or_default());
                    }
                    checked.result
                }
                (FixMode::Diff, Some(f)) => {
                    diffs += 1;
                    fixed_count += f.applied;
                    let diff = crate::fix::unified_diff(
                        &checked.result.path,
                        &checked.result.source,
                        &f.text,
                    );
                    if let Err(e) = out.write_all(diff.as_bytes()) {
                        return write_failed(&e, broken, failing);
                    }
                    checked.result
                }
                (FixMode::Write, Some(f)) => match input {
                    Input::Stdin => {
                        let _ = out.write_all(f.text.as_bytes());
                        fixed_count += f.applied;
                        fixed_files += 1;
                        f.result
                    }
                    Input::File(p) => match write_fixed(p, &checked.result.source, &f.text) {
                        Ok(()) => {
                            fixed_count += f.applied;
                            fixed_files += 1;
                            f.result
                        }
                        Err(e) => {
                            let mut r = checked.result;
                            r.errors.push(e);
                            r
                        }
                    },
                    Input::Missing(..) => checked.result,
                },
            };
            summary.add(&r);
            broken |= !r.errors.is_empty();
            failing |= r.findings.iter().any(|f| f.severity >= deny);
            let written = if mode == FixMode::Diff {
                r.errors
                    .iter()
                    .try_for_each(|e| writeln!(err_out, "error: {e}"))
            } else if report_to_stderr {
                reporter.file(&mut err_out, &r)
            } else {
                reporter.file(&mut out, &r)
            };
            if let Err(e) = written {
                return write_failed(&e, broken, failing);
            }
        }
    }
    match mode {
        FixMode::Diff => {
            let _ = out.flush();
            if fixed_count > 0 {
                let _ = writeln!(
                    err_out,
                    "{} in {}; run with --fix to apply",
                    plural(fixed_count, "fix"),
                    plural(diffs, "file")
                );
            }
            return if broken { 2 } else { u8::from(diffs > 0) };
        }
        FixMode::Write => {
            let _ = writeln!(
                err_out,
                "fixed {} in {}",
                plural(fixed_count, "problem"),
                plural(fixed_files, "file")
            );
        }
        FixMode::Off => {}
    }
    if reporter.wants_rules() {
        reporter.set_rules(linter.rule_catalog());
    }
    let finished = if report_to_stderr {
        reporter.finish(&mut err_out, &summary)
    } else {
        reporter.finish(&mut out, &summary)
    };
    let _ = finished;
    let _ = out.flush();
    if broken {
        2
    } else if failing {
        1
    } else {
        0
    }
}

/// Batches: before any file is reported, fingerprint every draft of the run and cluster the
/// near-identical ones (see [`crate::batch`]); only fingerprints are kept, never the texts.
fn find_copies(
    linter: &Linter,
    inputs: &[Input],
    stdin_name: &str,
    stdin_path: Option<&std::path::Path>,
    stdin_bytes: Option<&[u8]>,
    format: Option<Format>,
) {
    let readable = inputs
        .iter()
        .filter(|i| !matches!(i, Input::Missing(..)))
        .count();
    if readable < 2 {
        return;
    }
    let name = |input: &Input| match input {
        Input::Stdin => stdin_name.to_string(),
        Input::File(p) => shown(p),
        Input::Missing(p, _) => p.clone(),
    };
    let prints: Vec<_> = inputs
        .par_iter()
        .map(|input| match input {
            Input::Stdin => linter.fingerprint(
                stdin_name,
                stdin_path,
                stdin_bytes.unwrap_or_default().to_vec(),
                format,
            ),
            Input::File(p) => std::fs::read(p)
                .ok()
                .and_then(|bytes| linter.fingerprint(&shown(p), Some(p), bytes, format)),
            Input::Missing(..) => None,
        })
        .collect();
    let Some(threshold) = prints.iter().flatten().map(|(_, r)| r.similarity).next() else {
        return;
    };
    let (fps, rules): (Vec<_>, Vec<_>) = prints
        .into_iter()
        .map(|p| match p {
            Some((f, r)) => (Some(f), Some(r)),
            None => (None, None),
        })
        .unzip();
    let clusters = batch::cluster(&fps, threshold);
    let mut copies = std::collections::HashMap::new();
    for (id, c) in clusters {
        let (Some(Some(fp)), Some(Some(rule))) = (fps.get(id), rules.get(id)) else {
            continue;
        };
        copies.insert(
            name(&inputs[id]),
            CopyOf {
                rule: rule.clone(),
                span: fp.span.clone(),
                others: c.size - 1,
                first: name(&inputs[c.first]),
                is_first: id == c.first,
            },
        );
    }
    linter.set_copies(copies);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixMode {
    Off,
    Write,
    Diff,
}

/// A file's text with its safe fixes applied, and the check of that text.
struct Fixed {
    text: String,
    applied: usize,
    result: FileResult,
}

struct Checked {
    result: FileResult,
    /// None when there was nothing safe to fix.
    fixed: Option<Fixed>,
}

/// Fixing can make another safe fix possible (or reveal one an overlap held back); a few
/// passes settle it, and the cap keeps two rules that undo each other from looping.
const MAX_FIX_PASSES: usize = 4;

/// Applies safe fixes to a checked file's text, re-checking after each pass.
fn fixes(first: &FileResult, recheck: impl Fn(&str) -> FileResult) -> Option<Fixed> {
    if !first.errors.is_empty() {
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
        let checked = recheck(&next);
        if !checked.errors.is_empty() {
            // The rewrite broke something the reader needs (front matter, say): keep what we had.
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

/// Writes a fixed file, if it still holds the text that was checked.
fn write_fixed(path: &std::path::Path, checked: &str, fixed: &str) -> Result<(), SourceError> {
    let shown = shown(path);
    let now = std::fs::read(path)
        .map_err(|e| SourceError::whole(&shown, format!("cannot re-read file to fix it: {e}")))?;
    if now != checked.as_bytes() {
        return Err(SourceError::whole(
            &shown,
            "not fixed: the file changed while it was being checked (or is not plain UTF-8 text)",
        ));
    }
    crate::fix::write_atomic(path, fixed.as_bytes()).map_err(|e| {
        SourceError::whole(
            &shown,
            format!("cannot write fixes, the file is unchanged: {e}"),
        )
    })
}

fn plural(n: usize, word: &str) -> String {
    let s = if n == 1 {
        ""
    } else if word.ends_with('x') {
        "es"
    } else {
        "s"
    };
    format!("{n} {word}{s}")
}

fn write_failed(e: &std::io::Error, broken: bool, failing: bool) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return if broken { 2 } else { u8::from(failing) };
    }
    eprintln!("error: cannot write output: {e}");
    2
}
