//! `tactful test`: run the examples inside rule files, like `vale test`.

use super::{report_errors, TestArgs, TestFormat};
use crate::examples::Unexercised;
use crate::rules::{Registry, RuleSources};

pub fn run(a: TestArgs) -> u8 {
    // The built-in rules stay loaded (a folder's rule replaces a built-in one with its id), so
    // examples are judged as `check` would judge them, language-neutral rules included; only
    // the rules from the given paths are tested.
    let sources = RuleSources {
        no_builtin: false,
        extra: a.paths.clone(),
    };
    let reg = match Registry::new(&sources) {
        Ok(r) => std::sync::Arc::new(r),
        Err(e) => return report_errors(&e),
    };
    let filter = a.filter.clone();
    let from_paths = |origin: &str| {
        a.paths.is_empty()
            || a.paths
                .iter()
                .any(|p| std::path::Path::new(origin).starts_with(p))
    };
    let select = |r: &crate::rules::Rule| {
        filter.as_ref().is_none_or(|f| r.id.contains(f.as_str())) && from_paths(&r.origin)
    };
    let outcomes = match crate::examples::run(&reg, &select) {
        Ok(o) => o,
        Err(e) => return report_errors(&e),
    };
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let coverage = match a.coverage {
        false => None,
        true => match crate::examples::coverage(&reg, &select) {
            Ok(c) => Some(c),
            Err(e) => return report_errors(&e),
        },
    };
    if a.format == TestFormat::Json {
        let examples: Vec<_> = outcomes
            .iter()
            .map(|o| {
                serde_json::json!({
                    "rule": o.rule,
                    "lang": o.lang,
                    "origin": o.origin,
                    "kind": if o.bad { "bad" } else { "good" },
                    "index": o.index + 1,
                    "text": o.text,
                    "passed": o.passed,
                    "found": o.found,
                    "pointers": o.pointers,
                    "error": o.error,
                })
            })
            .collect();
        let mut doc = serde_json::json!({
            "passed": outcomes.len() - failed,
            "failed": failed,
            "examples": examples,
        });
        if let Some(c) = &coverage {
            doc["coverage"] = serde_json::json!({
                "patterns": c.patterns,
                "unexercised": json_list(&c.unexercised),
                "exceptions": c.exceptions,
                "unexercised_exceptions": json_list(&c.unexercised_exceptions),
                "lone_digit": json_list(&c.lone_digit),
                "cut_short": json_list(&c.cut_short),
            });
        }
        println!("{doc}");
        return u8::from(failed > 0);
    }
    for o in outcomes.iter().filter(|o| !o.passed) {
        let kind = if o.bad { "bad" } else { "good" };
        println!(
            "FAIL {} [{}] {} example #{} ({})",
            o.rule,
            o.lang,
            kind,
            o.index + 1,
            o.origin
        );
        for line in o.text.lines() {
            println!("    | {line}");
        }
        if let Some(e) = &o.error {
            println!("    error: {e}");
        } else if o.bad {
            println!("    expected a finding, got none");
        } else {
            println!(
                "    expected no finding, got: {}",
                o.found
                    .iter()
                    .map(|f| format!("{f:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if let Some(c) = &coverage {
        let fixed = |why: &'static str| move |_: &Unexercised| why.to_string();
        print_list(
            "UNTESTED",
            &c.unexercised,
            fixed("no bad example matches it"),
        );
        print_list(
            "UNTESTED",
            &c.unexercised_exceptions,
            fixed("no good example matches it"),
        );
        print_list(
            "LONE DIGIT",
            &c.lone_digit,
            fixed("ends on a single digit, so it finds \"9\" but never \"90\""),
        );
        print_list("CUT SHORT", &c.cut_short, |u| {
            let (word, longer) = u.cut.as_ref().map_or(("", ""), |c| (&c.word, &c.longer));
            format!(
                "ends a word with \"{word}\", which no example word does (\"{longer}\" goes on)"
            )
        });
        println!(
            "coverage: {} of {} patterns matched by a bad example of their rule, {} of {} \
             exceptions by a good one",
            c.patterns - c.unexercised.len(),
            c.patterns,
            c.exceptions - c.unexercised_exceptions.len(),
            c.exceptions
        );
    }
    println!("{} passed, {} failed", outcomes.len() - failed, failed);
    u8::from(failed > 0)
}

/// One report line per pattern of a coverage list, saying `why`, the pattern under it.
fn print_list(tag: &str, list: &[Unexercised], why: impl Fn(&Unexercised) -> String) {
    for u in list {
        println!(
            "{tag} {} [{}] {} #{} ({}): {}",
            u.rule,
            u.lang,
            u.group,
            u.index,
            u.origin,
            why(u)
        );
        println!("    | {}", u.source);
    }
}

/// A coverage list in `--format json`.
fn json_list(list: &[Unexercised]) -> Vec<serde_json::Value> {
    list.iter()
        .map(|u| {
            serde_json::json!({
                "rule": u.rule,
                "lang": u.lang,
                "origin": u.origin,
                "list": u.group,
                "index": u.index,
                "pattern": u.source,
                "word": u.cut.as_ref().map(|c| &c.word),
                "longer": u.cut.as_ref().map(|c| &c.longer),
            })
        })
        .collect()
}
