//! Runs the examples inside rules as tests: every `bad` example must produce a finding of its
//! rule, every `good` one must not. `tactful test` and `cargo test` both use this.

use crate::batch;
use crate::context::{Context, ContextLayer};
use crate::input::{self, Format};
use crate::lang::LanguageDetector;
use crate::lint::{check_message, DuplicateRule};
use crate::rules::{Registry, Rule};

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
    /// The example could not be read (bad front matter).
    pub error: Option<String>,
}

/// Runs the examples of every rule for which `select` holds.
pub fn run(
    registry: &Registry,
    select: &dyn Fn(&Rule) -> bool,
) -> Result<Vec<ExampleOutcome>, Vec<crate::error::SourceError>> {
    let detector = LanguageDetector::with_stopwords(&registry.languages(), &registry.stopwords());
    let mut out = Vec::new();
    for (pack, ri) in registry.all_rules()? {
        let rule = &pack.rules[ri];
        if !select(rule) {
            continue;
        }
        let cases = rule
            .examples
            .bad
            .iter()
            .map(|e| (true, e))
            .chain(rule.examples.good.iter().map(|e| (false, e)));
        let mut counters = [0usize; 2];
        // A duplicate rule compares drafts across a run: its bad examples are checked as one
        // batch (each must be a copy of another), its good examples as another (none may be).
        let duplicate = DuplicateRule::of(rule);
        let mut batch_members: Vec<(usize, Option<batch::Fingerprint>)> = Vec::new();
        for (bad, ex) in cases {
            let def = ex.def();
            let index = counters[bad as usize];
            counters[bad as usize] += 1;
            let lang = def.lang.clone().unwrap_or_else(|| {
                if rule.lang == "any" {
                    "en".into()
                } else {
                    rule.lang.clone()
                }
            });
            let layer = ContextLayer {
                stage: def.stage,
                channel: def.channel,
                lang: Some(lang.clone()),
                consent: def.consent.clone(),
                premium: def.premium,
                template: def.template,
                recipient: def.recipient.clone(),
            };
            let mut outcome = ExampleOutcome {
                rule: rule.id.to_string(),
                lang: rule.lang.clone(),
                origin: rule.origin.clone(),
                bad,
                index,
                text: def.text.clone(),
                passed: false,
                found: Vec::new(),
                error: None,
            };
            let format = if def.template == Some(true) {
                Format::Template
            } else {
                Format::Plain
            };
            match input::read(
                "example",
                def.text.clone().into_bytes(),
                format,
                registry.vocabulary(),
            ) {
                Ok(read) => {
                    let front = read.context.clone();
                    let ctx: Context = ContextLayer::resolve(&[&layer, &front]);
                    if let Some(d) = &duplicate {
                        let fp = d
                            .applies(&ctx)
                            .then(|| batch::fingerprint(&read.message))
                            .flatten();
                        batch_members.push((out.len(), fp));
                    }
                    let result = check_message(registry, &detector, read.message, ctx, None);
                    outcome.found = result
                        .findings
                        .iter()
                        .filter(|f| f.rule == rule.id)
                        .map(|f| result.source.get(f.span.clone()).unwrap_or("").to_string())
                        .collect();
                    outcome.passed = bad != outcome.found.is_empty() && result.errors.is_empty();
                    if let Some(e) = result.errors.first() {
                        outcome.error = Some(e.to_string());
                    }
                }
                Err(e) => outcome.error = Some(e.to_string()),
            }
            out.push(outcome);
        }
        if let Some(d) = duplicate {
            // The run's own batch step (as `check` and the LSP use it), once per list.
            for bad in [true, false] {
                let (ids, prints): (Vec<usize>, Vec<_>) = batch_members
                    .iter()
                    .filter(|(i, _)| out[*i].bad == bad)
                    .map(|(i, f)| (*i, f.clone().map(|f| (f, d.clone()))))
                    .unzip();
                let names: Vec<String> = (1..=ids.len()).map(|k| format!("example #{k}")).collect();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let copies = crate::lint::session::copies(prints, &names);
                for (k, &i) in ids.iter().enumerate() {
                    let o = &mut out[i];
                    o.found = copies
                        .get(&k)
                        .map(|c| vec![format!("a copy of {}", c.first)])
                        .unwrap_or_default();
                    o.passed = o.bad != o.found.is_empty() && o.error.is_none();
                }
            }
        }
    }
    Ok(out)
}
