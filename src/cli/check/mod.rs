//! `tactful check`: find the inputs ([`inputs`]), check them on every core, fix them when asked
//! ([`fixing`]), and report in input order ([`output`]).

mod fixing;
mod inputs;
mod output;
mod progress;

use super::{CheckArgs, DenyLevel};
use crate::context::ContextLayer;
use crate::finding::Severity;
use crate::input::Format;
use crate::lint::{self, Linter, Session};
use crate::report;
use fixing::{Checked, FixMode};
use inputs::{collect_inputs, shown, Input, Source, Walking};
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
    let selection =
        crate::config::Selection::new(a.select.clone(), a.extend_select.clone(), a.ignore.clone());
    let mut options = a.sources.clone().lint_options(flags);
    options.selection = selection.clone();
    // Never dropped: the process ends after this run, and freeing the compiled rules one
    // allocation at a time cost a few percent of a one-message run.
    let linter = std::mem::ManuallyDrop::new(Linter::new(options));
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
    if let Some(n) = a.jobs {
        // The global pool is built once per process; this is its first use.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.get())
            .build_global();
    }
    if !selection.is_all() || !a.extend_select.is_empty() {
        let sources = crate::rules::RuleSources {
            extra: a.sources.rules.clone(),
            no_builtin: false,
        };
        if let Ok(registry) = linter.registry(sources) {
            let known = crate::config::KnownNames::new(&registry);
            if let Err(m) = selection.check(&known) {
                eprintln!("error: {m}");
                return 2;
            }
        }
    }
    let exclude = match crate::config::Exclude::from_patterns(std::path::Path::new("."), &a.exclude)
    {
        Ok(e) => e,
        Err(m) => {
            eprintln!("error: invalid value for --exclude: {m}");
            return 2;
        }
    };
    let walking = std::sync::Arc::new(Walking {
        exclude,
        gitignore: !a.no_ignore,
        configs: (!a.sources.no_config).then(|| {
            std::sync::Arc::new(crate::config::ConfigResolver::new(
                a.sources.config.as_deref(),
            ))
        }),
    });
    let to_file = a.output_file.is_some();
    let color = super::color_for(a.color, !to_file && std::io::stdout().is_terminal());
    let forced_format = a.template.then_some(Format::Template);
    let inputs = collect_inputs(&a.paths, &walking);
    if inputs.is_empty() {
        let named = if a.paths.is_empty() {
            ".".to_string()
        } else {
            a.paths.join(", ")
        };
        eprintln!(
            "warning: no message files found in {named} (tactful reads .txt, .text, .eml, .md, \
             .markdown, .html, .htm and template files such as .hbs, .liquid, .j2; hidden, \
             .gitignored and excluded paths are skipped)"
        );
    }
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
    let has_stdin = inputs.iter().any(|i| matches!(i, Input::Stdin));
    let count = inputs.len();
    // The run's list is the only one kept: a tree of many files holds each path once.
    let run_inputs: Vec<lint::Input> = inputs
        .into_iter()
        .map(|input| match input {
            Input::Stdin => lint::Input::bytes(
                &stdin_name,
                stdin_path.clone(),
                stdin_bytes.clone().unwrap_or_default(),
            ),
            Input::File(p) => lint::Input::file(&shown(&p), p),
            Input::Missing(p, why) => lint::Input::unreadable(&p, why),
        })
        .collect();
    let session = std::mem::ManuallyDrop::new(Session::new(&linter, run_inputs, forced_format));
    let mode = if a.diff {
        FixMode::Diff
    } else if a.fix {
        FixMode::Write
    } else {
        FixMode::Off
    };
    let check_one = |i: usize| -> Checked {
        let result = session.check(i);
        let fixed = match mode {
            FixMode::Off => None,
            FixMode::Diff | FixMode::Write => session.fix(i, &result),
        };
        Checked { result, fixed }
    };
    let deny = match a.deny {
        DenyLevel::Error => Severity::Error,
        DenyLevel::Warning => Severity::Warning,
        DenyLevel::Info => Severity::Info,
    };
    let report_to_stderr = mode == FixMode::Write && has_stdin;
    let report_file = match &a.output_file {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", p.display());
                return 2;
            }
        },
        None => None,
    };
    let mut output = Output::new(
        report::reporter(a.format, color),
        output::Options {
            mode,
            deny,
            report_to_stderr,
            quiet: a.quiet,
            statistics: a.statistics,
            exit_zero: a.exit_zero,
            machine: !matches!(
                a.format,
                report::OutputFormat::Human | report::OutputFormat::Short
            ),
        },
        report_file,
    );
    let progress = progress::Progress::new(count, a.quiet);
    // Chunks keep memory flat on huge trees while every core works; output stays in order.
    for (n, chunk) in session.inputs().chunks(256).enumerate() {
        let first = n * 256;
        let one = |i| {
            let c = check_one(i);
            progress.tick();
            c
        };
        // One file needs no thread pool: starting it costs more than the check of a message.
        let results: Vec<Checked> = if chunk.len() == 1 {
            vec![one(first)]
        } else {
            (first..first + chunk.len())
                .into_par_iter()
                .map(one)
                .collect()
        };
        let written = progress.suspend(|| {
            for (input, checked) in chunk.iter().zip(results) {
                let source = Source::of(input);
                let fs_path = match source {
                    Source::File(p) => Some(p),
                    Source::Stdin => stdin_path.as_deref(),
                    Source::Missing => None,
                };
                let max_per_rule = linter.max_per_rule(fs_path);
                output.file(source, checked, stdin_bytes.as_deref(), max_per_rule)?;
            }
            output.flush();
            Ok(())
        });
        if let Err(code) = written {
            progress.done();
            return code;
        }
    }
    progress.done();
    output.finish(|| linter.rule_catalog())
}
