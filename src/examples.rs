//! Runs the examples inside rules as tests: every `bad` example must produce a finding of its
//! rule, every `good` one must not. `tactful test` and `cargo test` both use this.

use crate::context::ContextLayer;
use crate::input::Format;
use crate::lint::{DuplicateRule, Input, LintOptions, Linter, ReadAs, Session};
use crate::rules::cut_short::{word_ends, Lexicon};
use crate::rules::schema::ExampleDef;
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
    run_examples(registry, select, None)
}

/// A rewrite of an example's text that must not change what its rule says (`None`: no
/// variant of this text).
pub type Variant<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Runs the `bad` examples of the selected rules rewritten by `variant` (those it has a variant
/// of), each of which must still produce a finding of its rule: how robust the rules are to a
/// way people write that the examples do not show ("Hi, Ana" for "Hi Ana"). An outcome's
/// `text` is the variant.
pub fn run_variants(
    registry: &Arc<Registry>,
    select: &dyn Fn(&Rule) -> bool,
    variant: Variant,
) -> Result<Vec<ExampleOutcome>, Vec<crate::error::SourceError>> {
    run_examples(registry, select, Some(variant))
}

fn run_examples(
    registry: &Arc<Registry>,
    select: &dyn Fn(&Rule) -> bool,
    variant: Option<Variant>,
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
            let defs: Vec<_> = match variant {
                None => list.iter().map(|e| e.def()).collect(),
                Some(_) if !bad => continue,
                Some(v) => list
                    .iter()
                    .map(|e| e.def())
                    .filter_map(|d| v(&d.text).map(|text| ExampleDef { text, ..d }))
                    .collect(),
            };
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

/// A pattern `tactful test --coverage` reports, and where it is: one no example of its rule
/// matches (untested, and often dead: a word boundary it can never meet, a variable that
/// expands to something else than its author thought), one that ends on a lone digit, or one
/// that cuts a word short (`cut`).
#[derive(Debug, Clone)]
pub struct Unexercised {
    pub rule: String,
    pub lang: String,
    pub origin: String,
    /// The list it is in: `match`, or a signal by its label.
    pub group: String,
    /// Its position in that list, from 1.
    pub index: usize,
    /// The pattern as compiled (variables expanded).
    pub source: String,
    /// For a word cut short: what the pattern ends a word with, and an example word that goes on.
    pub cut: Option<Cut>,
}

/// A word a pattern cuts short (`Coverage::cut_short`).
#[derive(Debug, Clone)]
pub struct Cut {
    /// The letters the pattern needs right before a word ends ("iscritt").
    pub word: String,
    /// A word of the language's examples that goes on from them ("iscritto").
    pub longer: String,
}

/// How many of the selected rules' patterns their own bad examples exercise, and which
/// patterns can end on a lone digit ([`crate::rules::lone_digit::ends_in_lone_digit`]).
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub patterns: usize,
    pub unexercised: Vec<Unexercised>,
    /// Patterns of any list (`match`, a signal, `unless`, `unless-message`) that find "$9" but
    /// never "$90".
    pub lone_digit: Vec<Unexercised>,
    /// How many exceptions (`unless`, `unless-message`) the rules have.
    pub exceptions: usize,
    /// Exceptions that no `good` example of their rule matches: the close miss they excuse is
    /// not pinned by any example.
    pub unexercised_exceptions: Vec<Unexercised>,
    /// Patterns of any list that end a word with letters no example word ends with, while a
    /// word of their language goes on from them ([`crate::rules::cut_short::word_ends`]):
    /// `iscritt` for "iscritto", a branch that can never match. One entry per word.
    pub cut_short: Vec<Unexercised>,
}

/// The words of every rule example, by language ([`Lexicon`]).
fn lexicon(registry: &Registry) -> Result<Lexicon, Vec<crate::error::SourceError>> {
    let mut out = Lexicon::default();
    for (pack, ri) in registry.all_rules()? {
        let rule = &pack.rules[ri];
        for e in rule.examples.bad.iter().chain(&rule.examples.good) {
            out.add(&rule.lang, &crate::text::fold::fold_str(&e.def().text));
        }
    }
    Ok(out)
}

/// The texts of an example a pattern may be read in: the whole, each line (a pattern anchored
/// with `^…$` reads one segment, such as a greeting line), and a header line's value (the
/// subject of `Subject: Follow-up`, in any language).
fn searched(text: &str) -> Vec<String> {
    let mut out = vec![text.to_string()];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push(line.to_string());
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim_end();
            if !name.is_empty() && name.len() <= 20 && name.chars().all(char::is_alphabetic) {
                out.push(value.trim().to_string());
            }
        }
    }
    out
}

/// For every pattern that makes a hit (a `match` pattern, a signal's pattern) of each rule for
/// which `select` holds: whether it matches one of the rule's bad examples, read as the
/// engine reads text (folded, with the language's word prefixes). An example's whole text and
/// each of its lines are searched, whatever segments the rule reads, and a template example as
/// written: a pattern counts as exercised when it can match the example, not only where the
/// engine looks.
pub fn coverage(
    registry: &Arc<Registry>,
    select: &dyn Fn(&Rule) -> bool,
) -> Result<Coverage, Vec<crate::error::SourceError>> {
    let mut out = Coverage::default();
    let lexicon = lexicon(registry)?;
    for (pack, ri) in registry.all_rules()? {
        let rule = &pack.rules[ri];
        if !select(rule) {
            continue;
        }
        let folded = |list: &[crate::rules::schema::Example]| -> Vec<String> {
            list.iter()
                .flat_map(|e| searched(&e.def().text))
                .map(|t| crate::text::fold::fold_str(&t))
                .collect()
        };
        let (bad, good) = (folded(&rule.examples.bad), folded(&rule.examples.good));
        // (list, its patterns, whether it makes a hit: matched against bad examples, or an
        // exception: against good ones)
        let lists = rule
            .kind
            .evidence()
            .into_iter()
            .map(|(g, ps)| (g, ps, true))
            .chain([
                ("unless".to_string(), rule.unless.clone(), false),
                (
                    "unless-message".to_string(),
                    rule.unless_message.clone(),
                    false,
                ),
            ]);
        for (group, patterns, hits) in lists {
            for (k, &p) in patterns.iter().enumerate() {
                let Some(pattern) = rule.patterns.get(p) else {
                    continue;
                };
                let entry = || Unexercised {
                    rule: rule.id.to_string(),
                    lang: rule.lang.clone(),
                    origin: rule.origin.clone(),
                    group: group.clone(),
                    index: k + 1,
                    source: pattern.source.clone(),
                    cut: None,
                };
                if crate::rules::lone_digit::ends_in_lone_digit(&pattern.source) == Some(true) {
                    out.lone_digit.push(entry());
                }
                for word in word_ends(&pattern.source).unwrap_or_default() {
                    if let Some(longer) = lexicon.cut(&rule.lang, &word) {
                        let cut = Some(Cut { word, longer });
                        out.cut_short.push(Unexercised { cut, ..entry() });
                    }
                }
                let texts = if hits { &bad } else { &good };
                let matched = texts.iter().any(|t| {
                    pattern.may_match(t) && !pattern.find_all(t, &pack.word_prefixes).is_empty()
                });
                let (count, missing) = match hits {
                    true => (&mut out.patterns, &mut out.unexercised),
                    false => (&mut out.exceptions, &mut out.unexercised_exceptions),
                };
                *count += 1;
                if !matched {
                    missing.push(entry());
                }
            }
        }
    }
    Ok(out)
}
