//! Runs the examples inside rules as tests: every `bad` example must produce a finding of its
//! rule, every `good` one must not. `tactful test` and `cargo test` both use this.

use crate::context::ContextLayer;
use crate::input::Format;
use crate::lint::{DuplicateRule, Input, LintOptions, Linter, ReadAs, Session};
use crate::rules::{Registry, Rule};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct ExampleOutcome {
    pub rule: String,
    pub lang: String,
    pub origin: String,
    pub bad: bool,
    pub index: usize,
    pub text: String,
    pub passed: bool,
    /// What the rule reported on the example (the text under each finding).
    pub found: Vec<String>,
    /// The text under its findings' secondary spans ("the offer is here").
    pub pointers: Vec<String>,
    /// The example could not be read (bad front matter), or the check reported an error.
    pub error: Option<String>,
}

/// Runs the examples of every rule for which `select` holds. Each list (a rule's bad
/// examples, its good ones) is one run through the [`Session`] that `check` uses, batch step
/// included: a duplicate rule's bad examples must all be copies of one another, its good ones
/// none.
pub fn run(
    registry: &Arc<Registry>,
    select: &dyn Fn(&Rule) -> bool,
) -> Result<Vec<ExampleOutcome>, Vec<crate::error::SourceError>> {
    let options = LintOptions {
        no_config: true,
        ..Default::default()
    };
    let linter = Linter::with_registry(options, registry.clone());
    let mut out = Vec::new();
    for (pack, ri) in registry.all_rules()? {
        let rule = &pack.rules[ri];
        if !select(rule) {
            continue;
        }
        // A batch rule's findings are about the other drafts: its label names the first copy.
        let batch = DuplicateRule::of(rule).is_some();
        for (bad, list) in [(true, &rule.examples.bad), (false, &rule.examples.good)] {
            let defs: Vec<_> = list.iter().map(|e| e.def()).collect();
            let inputs = defs
                .iter()
                .enumerate()
                .map(|(k, def)| {
                    let lang = def.lang.clone().unwrap_or_else(|| {
                        if rule.lang == "any" {
                            "en".into()
                        } else {
                            rule.lang.clone()
                        }
                    });
                    let context = ContextLayer {
                        stage: def.stage,
                        channel: def.channel,
                        lang: Some(lang),
                        consent: def.consent.clone(),
                        premium: def.premium,
                        template: def.template,
                        recipient: def.recipient.clone(),
                    };
                    let format = Some(if def.template == Some(true) {
                        Format::Template
                    } else {
                        Format::Plain
                    });
                    Input::bytes(&format!("example #{}", k + 1), None, def.text.as_bytes())
                        .read_as(ReadAs { format, context })
                })
                .collect();
            let session = Session::new(&linter, inputs, None);
            for (index, (def, result)) in defs.iter().zip(session.check_all()).enumerate() {
                let words = |span: &std::ops::Range<usize>| {
                    result.source.get(span.clone()).unwrap_or("").to_string()
                };
                let own = || result.findings.iter().filter(|f| f.rule == rule.id);
                let mut found: Vec<String> = own()
                    .map(|f| match batch {
                        true => f.label.to_string(),
                        false => words(&f.span),
                    })
                    .collect();
                // A finding folded into a stronger one on the same words (lint::merge) is
                // still reported, as a related entry.
                found.extend(
                    result
                        .findings
                        .iter()
                        .flat_map(|f| &f.related)
                        .filter(|r| r.merged.as_ref().is_some_and(|m| m.rule == rule.id))
                        .map(|r| words(&r.span)),
                );
                let pointers = own()
                    .flat_map(|f| &f.related)
                    .filter(|r| r.merged.is_none())
                    .map(|r| words(&r.span))
                    .collect();
                let error = result.errors.first().map(|e| e.to_string());
                out.push(ExampleOutcome {
                    rule: rule.id.to_string(),
                    lang: rule.lang.clone(),
                    origin: rule.origin.clone(),
                    bad,
                    index,
                    text: def.text.clone(),
                    passed: bad != found.is_empty() && error.is_none(),
                    found,
                    pointers,
                    error,
                });
            }
        }
    }
    Ok(out)
}
