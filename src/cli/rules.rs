//! `tactful rules` and `tactful explain`.

use super::{report_errors, ExplainArgs, RulesArgs, RulesFormat};
use crate::rules::pack::prefiltered_patterns;
use crate::rules::{Registry, Rule, RuleSources};
use serde_json::json;
use std::io::Write;

fn registry(extra: &[std::path::PathBuf]) -> Result<Registry, u8> {
    Registry::new(&RuleSources {
        extra: extra.to_vec(),
        no_builtin: false,
    })
    .map_err(|e| report_errors(&e))
}

pub fn list(a: RulesArgs) -> u8 {
    let reg = match registry(&a.rules) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if let Some(l) = &a.lang {
        if l != "any" && !reg.has_language(l) {
            eprintln!(
                "error: no rule pack for language `{l}` (available: {})",
                reg.languages().join(", ")
            );
            return 2;
        }
    }
    let all = match reg.all_rules() {
        Ok(r) => r,
        Err(e) => return report_errors(&e),
    };
    let selected: Vec<&Rule> = all
        .iter()
        .map(|(p, i)| &p.rules[*i])
        .filter(|r| a.lang.as_ref().is_none_or(|l| &r.lang == l))
        .collect();
    let mut out = std::io::stdout().lock();
    let res = match a.format {
        RulesFormat::Json => {
            let v: Vec<_> = selected
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id, "category": r.category, "lang": r.lang,
                        "severity": r.severity.as_str(), "message": r.message,
                    })
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            )
        }
        RulesFormat::Patterns => selected.iter().try_for_each(|r| {
            prefiltered_patterns(r)
                .into_iter()
                .try_for_each(|p| writeln!(out, "{}", without_group_names(&r.patterns[p].source)))
        }),
        RulesFormat::Human => {
            let w = selected.iter().map(|r| r.id.len()).max().unwrap_or(0);
            selected.iter().try_for_each(|r| {
                writeln!(
                    out,
                    "{:<w$}  {:<3}  {:<7}  {}",
                    r.id,
                    r.lang,
                    r.severity.as_str(),
                    r.message
                )
            })
        }
    };
    u8::from(res.is_err()) * 2
}

/// Named groups become plain groups, so that a file of many patterns (`rg -f`) does not repeat
/// a group name; what each pattern matches is unchanged.
fn without_group_names(pattern: &str) -> String {
    static NAMED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = NAMED.get_or_init(|| {
        regex::Regex::new(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>").expect("static regex")
    });
    let mut out = String::with_capacity(pattern.len());
    let mut last = 0;
    for m in re.find_iter(pattern) {
        // An escaped parenthesis is a literal, not a group.
        let escaped = pattern[..m.start()]
            .chars()
            .rev()
            .take_while(|&c| c == '\\')
            .count()
            % 2
            == 1;
        out.push_str(&pattern[last..m.start()]);
        out.push_str(if escaped { m.as_str() } else { "(?:" });
        last = m.end();
    }
    out.push_str(&pattern[last..]);
    out
}

fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + word.chars().count() + 1 > 88 {
                out.push_str(indent);
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

fn quote(text: &str) -> String {
    text.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

pub fn explain(a: ExplainArgs) -> u8 {
    let reg = match registry(&a.rules) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let all = match reg.all_rules() {
        Ok(r) => r,
        Err(e) => return report_errors(&e),
    };
    let mut out = String::new();
    let internal = crate::rules::catalog::internal_rules();
    if a.id == "tactful" || a.id.starts_with(&format!("{}/", crate::internal::CATEGORY)) {
        // The linter's own rules: about settings and input, not about the message's tact.
        let shown: Vec<_> = internal
            .iter()
            .filter(|r| a.id == "tactful" || r.id == a.id)
            .collect();
        if shown.is_empty() {
            let ids = internal.iter().map(|r| r.id.as_str());
            eprintln!(
                "error: no rule `{}`{} (see `tactful rules`)",
                a.id,
                crate::context::suggestion_suffix(&a.id, ids)
            );
            return 2;
        }
        if a.id == "tactful" {
            out.push_str("tactful's own rules (tactful)

## What they catch
Problems with settings, suppressions and input rather than with the message: they are reported so that nothing is silently skipped.

## Rules
");
            for r in &shown {
                out.push_str(&format!(
                    "  {:<44} {}
",
                    r.id, r.message
                ));
            }
        } else {
            for r in shown {
                out.push_str(&format!(
                    "{} ({}, built in)

",
                    r.id,
                    r.severity.as_str()
                ));
                out.push_str(&format!(
                    "## What it catches
{}
",
                    wrap(&r.description, "")
                ));
                if let Some(why) = &r.why {
                    out.push_str(&format!(
                        "## Why it matters
{}
",
                        wrap(why, "")
                    ));
                }
                out.push_str(&format!(
                    "## What to do
{}
",
                    wrap(&r.help, "")
                ));
            }
        }
        print!("{out}");
        return 0;
    }
    if let Some(cat) = reg.category(&a.id) {
        out.push_str(&format!("{} ({})\n\n", cat.title, cat.id));
        out.push_str(&format!("## What it catches\n{}\n", wrap(&cat.catches, "")));
        out.push_str(&format!(
            "## Why it matters to the recipient\n{}\n",
            wrap(&cat.why, "")
        ));
        out.push_str(&format!("## Example\n{}\n", quote(cat.example.trim())));
        out.push_str(&format!("## Use instead\n{}\n", wrap(&cat.instead, "")));
        if let Some(text) = cat.gives_way_text(str::to_string) {
            out.push_str(&format!("## Gives way to\n{}\n", wrap(&text, "")));
        }
        let mut rules: Vec<&Rule> = all
            .iter()
            .map(|(p, i)| &p.rules[*i])
            .filter(|r| r.category == cat.id)
            .collect();
        if let Some(l) = &a.lang {
            rules.retain(|r| &r.lang == l);
        }
        out.push_str("## Rules\n");
        for r in rules {
            out.push_str(&format!("  {:<44} {:<3} {}\n", r.id, r.lang, r.message));
        }
    } else {
        let matching: Vec<&Rule> = all
            .iter()
            .map(|(p, i)| &p.rules[*i])
            .filter(|r| r.id == a.id)
            .collect();
        let pick = match &a.lang {
            Some(l) => matching.iter().find(|r| &r.lang == l),
            None => matching
                .iter()
                .find(|r| r.lang == "en")
                .or_else(|| matching.iter().find(|r| r.lang == "any"))
                .or(matching.first()),
        };
        let Some(rule) = pick else {
            let hint = if matching.is_empty() {
                let names: Vec<&str> = all
                    .iter()
                    .map(|(p, i)| p.rules[*i].id.as_str())
                    .chain(reg.categories().iter().map(|c| c.id.as_str()))
                    .collect();
                crate::context::suggestion_suffix(&a.id, names)
            } else {
                String::new()
            };
            eprintln!(
                "error: no category or rule `{}`{} (see `tactful rules`){hint}",
                a.id,
                a.lang
                    .as_ref()
                    .map(|l| format!(" in language `{l}`"))
                    .unwrap_or_default()
            );
            return 2;
        };
        out.push_str(&format!(
            "{} ({}, {}, {})\n\n",
            rule.id,
            rule.severity.as_str(),
            rule.lang,
            rule.origin
        ));
        out.push_str(&format!(
            "## What it catches\n{}\n",
            wrap(rule.description.as_deref().unwrap_or(&rule.message), "")
        ));
        if let Some(cat) = reg.category(&rule.category) {
            out.push_str(&format!(
                "## Why it matters to the recipient\n{}\n",
                wrap(&cat.why, "")
            ));
        }
        if let Some(bad) = rule.examples.bad.first() {
            out.push_str(&format!("## Example\n{}\n", quote(bad.def().text.trim())));
        }
        out.push_str(&format!("## Use instead\n{}\n", wrap(&rule.help, "")));
        if let Some(s) = &rule.suggest {
            out.push_str(&format!(
                "Suggested rewrite ({}): \"{s}\"\n\n",
                if rule.fix_safe {
                    "safe, applied by --fix"
                } else {
                    "shown, not applied"
                }
            ));
        }
        if let Some(good) = rule.examples.good.first() {
            out.push_str(&format!("Fine:\n{}\n", quote(good.def().text.trim())));
        }
        if let Some(w) = rule.when.describe() {
            out.push_str(&format!("## Applies\n{w}\n\n"));
        }
        let opts = rule.options();
        if !opts.is_empty() {
            out.push_str("## Options (set in .tactful.yaml under `options:`)\n");
            for (k, v) in opts {
                out.push_str(&format!("  {k}: {v}\n"));
            }
            out.push('\n');
        }
        let others: Vec<&str> = matching
            .iter()
            .filter(|r| r.lang != rule.lang)
            .map(|r| r.lang.as_str())
            .collect();
        if !others.is_empty() {
            out.push_str(&format!("Also in: {} (use --lang)\n", others.join(", ")));
        }
    }
    let _ = std::io::stdout()
        .lock()
        .write_all(out.trim_end().as_bytes());
    println!();
    0
}
