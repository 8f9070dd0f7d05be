//! One message through the packs: every rendering of it (a template's other branches too),
//! each language's pack on the segments in that language, then the language-neutral pack;
//! the config's rule options applied per run; what the reader noted as malformed.

use super::{RuleOptions, Run};
use crate::context::Context;
use crate::engine::{run_pack, Pass};
use crate::error::SourceError;
use crate::finding::{FileResult, Finding, Text};
use crate::internal::{self, MALFORMED_INPUT, NO_RULE_PACK};
use crate::lang::LanguageDetector;
use crate::message::{Message, SegmentKind};
use crate::rules::Registry;
use std::sync::Arc;

/// Runs every pack the message needs and returns its findings, sorted by position. A template's
/// other renderings (`msg.variants`) are checked too and their findings merged; problems the
/// reader noted become `tactful/malformed-input` warnings.
pub fn check_message(
    registry: &Registry,
    detector: &LanguageDetector,
    msg: Message,
    ctx: Context,
    options: Option<&RuleOptions>,
) -> FileResult {
    let run = Run::default();
    let with = With {
        run: &run,
        registry,
        detector,
        options,
        skip: &[],
    };
    check_message_in(with, msg, ctx)
}

/// What a message is checked with: the run it is part of, the compiled rules, the language
/// detector, the config's rule options, and the kinds left out (`--no-learned`).
#[derive(Clone, Copy)]
pub(super) struct With<'a> {
    pub(super) run: &'a Run,
    pub(super) registry: &'a Registry,
    pub(super) detector: &'a LanguageDetector,
    pub(super) options: Option<&'a RuleOptions>,
    pub(super) skip: &'a [&'a str],
}

/// [`check_message`], with everything `with` says.
pub(super) fn check_message_in(with: With, mut msg: Message, ctx: Context) -> FileResult {
    let variants = std::mem::take(&mut msg.variants);
    let notes = std::mem::take(&mut msg.notes);
    let mut result = check_rendering(with, msg, ctx, false);
    let resolved = result.context.clone();
    // What the first rendering found, as sets: merging by scanning the list per finding was
    // quadratic in a template dense with findings.
    let mut seen: std::collections::HashSet<(Text, usize, usize)> = Default::default();
    let mut tactful_rules: std::collections::HashSet<Text> = Default::default();
    if !variants.is_empty() {
        for g in &result.findings {
            seen.insert((g.rule.clone(), g.span.start, g.span.end));
            if g.category == internal::CATEGORY {
                tactful_rules.insert(g.rule.clone());
            }
        }
    }
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
        let r = check_rendering(with, v, vctx, true);
        for f in r.findings {
            let in_greeting = greetings
                .iter()
                .any(|g| g.start <= f.span.start && f.span.end <= g.end);
            if f.category == "mass-message" && in_greeting {
                continue;
            }
            let key = (f.rule.clone(), f.span.start, f.span.end);
            if !tactful_rules.contains(&f.rule) && seen.insert(key) {
                if f.category == internal::CATEGORY {
                    tactful_rules.insert(f.rule.clone());
                }
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
        result.findings.push(MALFORMED_INPUT.finding(
            n.message,
            n.span,
            "could not be read as it should",
        ));
    }
    result
        .findings
        .sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
    result
}

/// Checks one rendering of a message (`variant`: one of a template's other renderings).
fn check_rendering(with: With, mut msg: Message, mut ctx: Context, variant: bool) -> FileResult {
    let With {
        run,
        registry,
        detector,
        options,
        skip,
    } = with;
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
        findings.push(
            NO_RULE_PACK.finding(
                format!(
                    "no rule pack for language `{}`; only language-neutral rules ran (tactful has \
                 rules for: {})",
                    ctx.lang,
                    registry.languages().join(", ")
                ),
                msg.segments
                    .first()
                    .map_or(0..0, |s| msg.to_source(s.range.start..s.range.start)),
                "language detected here",
            ),
        );
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
        let pack = with_options(run, pack, options, &mut errors);
        let include = |s: &crate::message::Segment| -> bool {
            lang == "any" || s.lang.as_deref().unwrap_or(&main_lang) == lang
        };
        let pass = Pass {
            include: &include,
            found: &findings,
            variant,
            skip,
        };
        let found = run_pack(&pack, &msg, &ctx, pass);
        if findings.is_empty() {
            // Moved, not copied: a file dense with findings never holds two lists of them.
            findings = found;
        } else {
            findings.extend(found);
        }
    }
    sort_by_position(&mut findings);
    FileResult {
        path: String::new(),
        context: Some(ctx),
        source: Arc::from(msg.source.as_str()),
        findings,
        errors,
        capped: Vec::new(),
    }
}

/// Sorts findings by start, then rule id, keeping the order of ties (a stable sort). The
/// indices are sorted and the findings then moved into place along the permutation's cycles:
/// a stable sort of the findings themselves takes a scratch buffer of half of them (100 MB
/// for the million findings of a 50 MB file with a pitch in every sentence).
fn sort_by_position(findings: &mut [Finding]) {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a], &findings[b]);
        a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule))
    });
    // Position `i` must receive the finding now at `order[i]`; a done position is marked
    // `usize::MAX`.
    for i in 0..order.len() {
        if order[i] == usize::MAX {
            continue;
        }
        let mut at = i;
        loop {
            let from = order[at];
            order[at] = usize::MAX;
            if from == i {
                break;
            }
            findings.swap(at, from);
            at = from;
        }
    }
}

/// A pack with the config's rule options applied (a copy only when options touch it).
fn with_options(
    run: &Run,
    pack: Arc<crate::rules::Pack>,
    options: Option<&RuleOptions>,
    errors: &mut Vec<SourceError>,
) -> Arc<crate::rules::Pack> {
    let Some(options) = options else { return pack };
    if !pack
        .rules
        .iter()
        .any(|r| options.contains_key(r.id.as_str()))
    {
        return pack;
    }
    let mut rules = pack.rules.clone();
    for r in &mut rules {
        if let Some(opts) = options.get(r.id.as_str()) {
            for (k, v) in opts {
                if let Err(e) = r.set_option(k, *v) {
                    if run.first_warning(&e) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ContextLayer;
    use crate::input::{self, Format};
    use crate::rules::RuleSources;

    fn options(rule: &str, key: &str) -> RuleOptions {
        RuleOptions::from([(rule.to_string(), [(key.to_string(), 1.0)].into())])
    }

    #[test]
    fn findings_sort_by_start_then_rule_keeping_ties_in_order() {
        let f = |start: usize, rule: &str, label: &str| Finding {
            rule: Text::from(rule),
            category: Text::from("c"),
            severity: crate::finding::Severity::Warning,
            message: Text::from("m"),
            help: Text::from("h"),
            span: start..start + 1,
            label: Text::from(label),
            related: Vec::new(),
            suggestion: None,
            confidence: None,
        };
        let mut got = vec![
            f(9, "b", "1"),
            f(3, "z", "2"),
            f(9, "a", "3"),
            f(0, "q", "4"),
            f(3, "z", "5"),
            f(9, "b", "6"),
            f(1, "a", "7"),
        ];
        let mut want = got.clone();
        want.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.rule.cmp(&b.rule)));
        sort_by_position(&mut got);
        let labels = |v: &[Finding]| v.iter().map(|f| f.label.to_string()).collect::<Vec<_>>();
        assert_eq!(labels(&got), ["4", "7", "2", "5", "3", "1", "6"]);
        assert_eq!(labels(&got), labels(&want));
    }

    /// A bad option is reported once per run, on the first file it affects, and again in the
    /// next run (an editor's next check, after a reload): not once per process.
    #[test]
    fn option_warnings_are_per_run() {
        let reg = Registry::new(&RuleSources::default()).expect("built-in rules");
        let detector = LanguageDetector::with_stopwords(&reg.languages(), &reg.stopwords());
        let bad = options("channel-limit/connection-note", "no-such-option");
        let check = |run: &Run| {
            let read = input::read(
                "a.txt",
                b"Hi Ana, how was the trip?".to_vec(),
                Format::Plain,
                reg.vocabulary(),
            )
            .expect("read");
            let ctx = ContextLayer::resolve(&[&ContextLayer {
                lang: Some("en".into()),
                ..Default::default()
            }]);
            let with = With {
                run,
                registry: &reg,
                detector: &detector,
                options: Some(&bad),
                skip: &[],
            };
            check_message_in(with, read.message, ctx).errors
        };
        for _ in 0..2 {
            let run = Run::default();
            let first = check(&run);
            assert_eq!(first.len(), 1, "{first:?}");
            assert!(first[0].message.contains("no-such-option"), "{first:?}");
            assert!(check(&run).is_empty(), "once per run");
        }
    }
}
