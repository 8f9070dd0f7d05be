//! `tactful check`: find the inputs ([`inputs`]), check them on every core, fix them when asked
//! ([`fixing`]), and report in input order ([`output`]).

mod fixing;
mod inputs;
mod output;

use super::{CheckArgs, ColorChoice, DenyLevel};
use crate::context::ContextLayer;
use crate::finding::Severity;
use crate::input::Format;
use crate::lint::{self, Linter, Session};
use crate::report;
use fixing::{Checked, FixMode};
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
    let run_inputs: Vec<lint::Input> = inputs
        .iter()
        .map(|input| match input {
            Input::Stdin => lint::Input::bytes(
                &stdin_name,
                stdin_path.clone(),
                stdin_bytes.clone().unwrap_or_default(),
            ),
            Input::File(p) => lint::Input::file(&shown(p), p.clone()),
            Input::Missing(p, why) => lint::Input::unreadable(p, why.clone()),
        })
        .collect();
    let session = Session::new(&linter, run_inputs, forced_format);
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
    let report_to_stderr =
        mode == FixMode::Write && inputs.iter().any(|i| matches!(i, Input::Stdin));
    let mut output = Output::new(
        report::reporter(a.format, color),
        mode,
        deny,
        report_to_stderr,
    );
    // Chunks keep memory flat on huge trees while both cores work; output stays in order.
    for (n, chunk) in inputs.chunks(256).enumerate() {
        let first = n * 256;
        let results: Vec<Checked> = (first..first + chunk.len())
            .into_par_iter()
            .map(check_one)
            .collect();
        for (input, checked) in chunk.iter().zip(results) {
            if let Err(code) = output.file(input, checked, stdin_bytes.as_deref()) {
                return code;
            }
        }
    }
    output.finish(|| linter.rule_catalog())
}
