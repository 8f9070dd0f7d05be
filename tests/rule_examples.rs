//! Every built-in rule's examples behave as declared, and every rule carries enough of them.

use std::collections::BTreeMap;
use tactful::rules::pack::prefiltered_patterns;
use tactful::rules::{Registry, RuleSources};

fn registry() -> Registry {
    Registry::new(&RuleSources::default()).unwrap_or_else(|e| {
        panic!(
            "built-in rules fail to load:\n{}",
            e.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

#[test]
fn every_example_behaves_as_declared() {
    let reg = registry();
    let outcomes =
        tactful::examples::run(&std::sync::Arc::new(reg), &|_| true).expect("rules load");
    assert!(
        outcomes.len() > 100,
        "expected the built-in examples, got {}",
        outcomes.len()
    );
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| {
            format!(
                "{} [{}] {} example #{}: {:?} -> found {:?} {}",
                o.rule,
                o.lang,
                if o.bad { "bad" } else { "good" },
                o.index + 1,
                o.text,
                o.found,
                o.error.clone().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failing examples:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_three_bad_and_three_good_examples() {
    let reg = registry();
    let thin: Vec<String> = reg
        .all_rules()
        .expect("rules load")
        .iter()
        .map(|(p, i)| &p.rules[*i])
        // A learned rule's bad examples are sentences its model clears the threshold on with
        // no pattern covering them; the model's own test set is model/examples.tsv, so three
        // good ones are required but the bad ones are not.
        .filter(|r| {
            (r.examples.bad.len() < 3 && r.kind.name() != "learned") || r.examples.good.len() < 3
        })
        .map(|r| {
            format!(
                "{} [{}]: {} bad, {} good",
                r.id,
                r.lang,
                r.examples.bad.len(),
                r.examples.good.len()
            )
        })
        .collect();
    assert!(
        thin.is_empty(),
        "rules with too few examples:\n{}",
        thin.join("\n")
    );
}

#[test]
fn every_language_pack_covers_the_core_categories_in_depth() {
    let reg = registry();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (p, i) in reg.all_rules().expect("rules load") {
        let r = &p.rules[i];
        *counts
            .entry((r.lang.clone(), r.category.to_string()))
            .or_default() += 1;
    }
    let mut missing = Vec::new();
    for lang in reg.languages() {
        for cat in ["early-pitch", "assumed-closeness", "signup-without-consent"] {
            let n = counts
                .get(&(lang.clone(), cat.to_string()))
                .copied()
                .unwrap_or(0);
            if n < 12 {
                missing.push(format!("{lang}/{cat}: {n} rules (need 12)"));
            }
        }
        for cat in [
            "ask-before-give",
            "mass-message",
            "hollow-referral",
            "self-focus",
        ] {
            if counts
                .get(&(lang.clone(), cat.to_string()))
                .copied()
                .unwrap_or(0)
                == 0
            {
                missing.push(format!("{lang}/{cat}: no rules"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_rule_belongs_to_a_documented_category() {
    let reg = registry();
    for (p, i) in reg.all_rules().expect("rules load") {
        let r = &p.rules[i];
        assert!(
            reg.category(&r.category).is_some(),
            "{}: category `{}` is not in rules/categories.yaml",
            r.id,
            r.category
        );
    }
}

/// Rules without pre-filter literals run their regexes on every message: keep built-ins fast.
/// A signal without literals is fine when the rule needs every signal and another signal has
/// literals: the rule then runs only when those occur.
#[test]
fn every_built_in_pattern_has_pre_filter_literals() {
    use tactful::rules::kinds::signals::SignalsKind;
    let reg = registry();
    let mut slow = Vec::new();
    for (p, i) in reg.all_rules().expect("rules load") {
        let r = &p.rules[i];
        let gated = match r.kind.as_any().downcast_ref::<SignalsKind>() {
            Some(k) => {
                k.require == k.signals.len()
                    && k.signals.iter().any(|s| {
                        !s.patterns.is_empty()
                            && s.patterns
                                .iter()
                                .all(|&x| r.patterns[x].literals().next().is_some())
                    })
            }
            None => false,
        };
        for pi in prefiltered_patterns(r) {
            if r.patterns[pi].literals().next().is_none() && !gated {
                slow.push(format!(
                    "{} [{}]: `{}`",
                    r.id, r.lang, r.patterns[pi].source
                ));
            }
        }
    }
    assert!(
        slow.is_empty(),
        "patterns with no literal to pre-filter on (add `keywords:`):\n{}",
        slow.join("\n")
    );
}

#[test]
fn every_built_in_pattern_compiles() {
    let reg = registry();
    for (p, i) in reg.all_rules().expect("rules load") {
        let r = &p.rules[i];
        for pat in &r.patterns {
            pat.compile_now()
                .unwrap_or_else(|e| panic!("{} [{}]: {e}", r.id, r.lang));
        }
    }
}

/// The coverage of the built-in rules by their own examples (`tactful test --coverage`),
/// computed once for the four tests that read it.
fn built_in_coverage() -> &'static tactful::examples::Coverage {
    static COVERAGE: std::sync::OnceLock<tactful::examples::Coverage> = std::sync::OnceLock::new();
    COVERAGE.get_or_init(|| {
        let reg = std::sync::Arc::new(registry());
        tactful::examples::coverage(&reg, &|_| true).expect("rules load")
    })
}

/// Asserts a coverage list is empty, naming each entry.
fn assert_none(list: &[tactful::examples::Unexercised], what: &str, of: usize) {
    let lines: Vec<String> = list
        .iter()
        .map(|u| {
            let cut = u
                .cut
                .as_ref()
                .map(|c| format!(" \"{}\" of \"{}\"", c.word, c.longer));
            format!(
                "{} [{}] {} #{}{}: {}",
                u.rule,
                u.lang,
                u.group,
                u.index,
                cut.unwrap_or_default(),
                u.source
            )
        })
        .collect();
    assert!(
        lines.is_empty(),
        "{} of {of} {what}:\n{}",
        lines.len(),
        lines.join("\n")
    );
}

/// Every pattern that makes a hit (a `match` pattern, a signal's pattern) is matched by a bad
/// example of its own rule: a pattern no example reaches is untested, and the ones found this
/// way were often dead (a space inside one branch of a group, a missing space after a word).
#[test]
fn every_built_in_pattern_is_matched_by_a_bad_example_of_its_rule() {
    let cov = built_in_coverage();
    assert!(
        cov.patterns > 1000,
        "expected the built-in patterns, got {}",
        cov.patterns
    );
    let what = "patterns have no bad example that matches them (write one each)";
    assert_none(&cov.unexercised, what, cov.patterns);
}

/// Every exception (`unless`, `unless-message`) is matched by a good example of its rule: the
/// close miss it excuses is pinned, and one that could never match shows up (a word cut short,
/// `non ricever` for "non riceverai").
#[test]
fn every_built_in_exception_is_matched_by_a_good_example_of_its_rule() {
    let cov = built_in_coverage();
    assert!(
        cov.exceptions > 500,
        "expected the built-in exceptions, got {}",
        cov.exceptions
    );
    let what = "exceptions have no good example that matches them (write one each)";
    assert_none(&cov.unexercised_exceptions, what, cov.exceptions);
}

/// No built-in pattern of any list (match, signals, unless, unless-message) can end on a lone
/// digit: a match must end at the end of a word, so `for \$[0-9]` finds "$9" and never "$90".
#[test]
fn no_built_in_pattern_ends_on_a_lone_digit() {
    let cov = built_in_coverage();
    let what = "patterns end on a single digit (add `+` or `[\\d.,]*`)";
    assert_none(&cov.lone_digit, what, cov.patterns + cov.exceptions);
}

/// No built-in pattern needs a word to end with letters that no word of any example ends with
/// while a word of its language goes on from them: `(?:zniżk|rabat)` at the end of a pattern
/// never finds "zniżka", since a match ends at the end of a word.
#[test]
fn no_built_in_pattern_cuts_a_word_short() {
    let cov = built_in_coverage();
    let what = "patterns end a word where no example word ends (add the longer forms, or an \
                example that shows the word as written)";
    assert_none(&cov.cut_short, what, cov.patterns + cov.exceptions);
}

/// People put a comma after the greeting word ("Hi, babe!", "Hallo, zusammen,", "היי, אחי,"):
/// every bad example that opens with such a greeting word and a word after it is still found
/// with that comma. The greeting split keeps a word of address in the greeting (`address:` in
/// pack.yaml), and the greeting patterns read `,?`. A greeting word counts when some example
/// writes it with a comma and then a word on the same line ("Hola, Ana"); "Dear", "Estimado"
/// or "Monsieur le …" never take one there.
#[test]
fn bad_examples_are_still_found_with_a_comma_after_the_greeting_word() {
    let reg = std::sync::Arc::new(registry());
    let texts: Vec<String> = reg
        .all_rules()
        .expect("rules load")
        .into_iter()
        .flat_map(|(p, i)| {
            let r = &p.rules[i];
            let all = r.examples.bad.iter().chain(&r.examples.good);
            all.map(|e| e.def().text.to_lowercase()).collect::<Vec<_>>()
        })
        .collect();
    let word_after = |rest: &str| rest.chars().next().is_some_and(char::is_alphabetic);
    let greetings: Vec<String> = reg
        .vocabulary()
        .greetings
        .iter()
        .filter(|g| {
            texts.iter().any(|t| {
                t.strip_prefix(g.as_str())
                    .and_then(|r| r.strip_prefix(", "))
                    .is_some_and(word_after)
            })
        })
        .cloned()
        .collect();
    let comma = |text: &str| -> Option<String> {
        let lower = text.to_lowercase();
        // the longest greeting of the vocabulary that opens the text, as the greeting split
        // reads it; only those that take a comma
        let g = reg
            .vocabulary()
            .greetings
            .iter()
            .filter(|g| {
                lower
                    .strip_prefix(g.as_str())
                    .is_some_and(|r| !r.chars().next().is_some_and(char::is_alphanumeric))
            })
            .max_by_key(|g| g.len())?;
        let spaced = lower[g.len()..].strip_prefix(' ').is_some_and(word_after);
        if !spaced || !greetings.contains(g) {
            return None;
        }
        // the greeting's length in the original text (lower-casing may change byte lengths)
        let at = text.char_indices().nth(g.chars().count()).map(|(i, _)| i)?;
        Some(format!("{},{}", &text[..at], &text[at..]))
    };
    let outcomes = tactful::examples::run_variants(&reg, &|_| true, &comma).expect("rules load");
    assert!(
        outcomes.len() > 2000,
        "expected the examples that open with a greeting, got {}",
        outcomes.len()
    );
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| format!("{} [{}] bad #{}: {:?}", o.rule, o.lang, o.index + 1, o.text))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} bad examples lose their finding with a comma after the greeting word:\n{}",
        failed.len(),
        outcomes.len(),
        failed.join("\n")
    );
}
