//! `tactful check`: find the inputs ([`inputs`]), check them on every core, fix them when asked
//! ([`fixing`]), and report in input order ([`output`]).

mod fixing;
mod inputs;
mod output;

use super::{CheckArgs, ColorChoice, DenyLevel};
use crate::batch;
use crate::context::ContextLayer;
use crate::error::SourceError;
use crate::finding::{FileResult, Severity};
use crate::input::Format;
use crate::lint::{CopyOf, Linter};
use crate::report;
use fixing::{fixes, Checked, FixMode};
use inputs::{collect_inputs, shown, Input};
use output::Output;
use rayon::prelude::*;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

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
    let deny = match a.deny {
        DenyLevel::Error => Severity::Error,
        DenyLevel::Warning => Severity::Warning,
        DenyLevel::Info => Severity::Info,
    };
    let report_to_stderr =
        mode == FixMode::Write && inputs.iter().any(|i| matches!(i, Input::Stdin));
    let mut output = Output::new(
        report::reporter(a.format, color),
        mode,
        deny,
        report_to_stderr,
    );
    // Chunks keep memory flat on huge trees while both cores work; output stays in order.
    for chunk in inputs.chunks(256) {
        let results: Vec<Checked> = chunk.par_iter().map(|i| fix_one(i, check_one(i))).collect();
        for (input, checked) in chunk.iter().zip(results) {
            if let Err(code) = output.file(input, checked, stdin_bytes.as_deref()) {
                return code;
            }
        }
    }
    output.finish(|| linter.rule_catalog())
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
