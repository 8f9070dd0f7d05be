//! `tactful docs` (hidden): writes one Markdown page per rule and per category under
//! `docs/rules/`, from the loaded rule definitions — ruff's sections: what it does, why it is
//! bad, an example, what to write instead, and the options. SARIF's `helpUri` and the language
//! server's `codeDescription.href` link to these pages (`rules::catalog::rule_docs_url`).
//! `--check` compares instead of writing (a test runs it on the committed pages).

use super::{report_errors, DocsArgs};
use crate::rules::catalog::{internal_rules, RuleMeta};
use crate::rules::{Registry, Rule, RuleSources};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const GENERATED: &str =
    "<!-- Generated from the rule definitions by `tactful docs`; edit the rules, not this page. -->";

/// One page: its path under the output folder and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub path: String,
    pub text: String,
}

fn para(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fence(text: &str) -> String {
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0)
        .max(2);
    let f = "`".repeat(longest + 1);
    format!("{f}text\n{}\n{f}\n", text.trim_end())
}

/// A table cell: one line, no unescaped pipes.
fn cell(s: &str) -> String {
    para(s).replace('|', "\\|")
}

fn name_of(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The version of a rule a page shows: English, else the language-neutral one, else the first.
fn pick<'a>(versions: &[&'a Rule]) -> Option<&'a Rule> {
    versions
        .iter()
        .find(|r| r.lang == "en")
        .or_else(|| versions.iter().find(|r| r.lang == "any"))
        .or(versions.first())
        .copied()
}

fn example_context(e: &crate::rules::schema::ExampleDef) -> String {
    let mut parts = Vec::new();
    if let Some(s) = e.stage {
        parts.push(format!("stage: {}", s.as_str()));
    }
    if let Some(c) = e.channel {
        parts.push(format!("channel: {}", c.as_str()));
    }
    if let Some(c) = &e.consent {
        parts.push(format!("consent: [{}]", c.join(", ")));
    }
    if e.premium == Some(true) {
        parts.push("premium: true".into());
    }
    if e.template == Some(true) {
        parts.push("template: true".into());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn rule_page(meta: &RuleMeta, versions: &[&Rule], reg: &Registry) -> String {
    let mut p = String::new();
    let _ = writeln!(p, "# {}\n\n{GENERATED}\n", meta.id);
    let category = reg.category(&meta.category);
    let _ = write!(
        p,
        "**{}** · category [{}](README.md)",
        meta.severity.as_str(),
        category.map_or(meta.category.as_str(), |c| c.title.as_str())
    );
    let rule = pick(versions);
    if let Some(r) = rule {
        if r.suggest.is_some() {
            p.push_str(if r.fix_safe {
                " · fix applied by `--fix`"
            } else {
                " · suggests a rewrite"
            });
        }
    }
    let langs: BTreeSet<&str> = versions.iter().map(|r| r.lang.as_str()).collect();
    if !langs.is_empty() {
        let _ = write!(
            p,
            " · languages: {}",
            langs.iter().copied().collect::<Vec<_>>().join(", ")
        );
    }
    let _ = writeln!(p, "\n\n> {}\n", para(&meta.message));
    let _ = writeln!(p, "## What it does\n\n{}\n", para(&meta.description));
    if let Some(why) = &meta.why {
        let _ = writeln!(p, "## Why is this bad?\n\n{}\n", para(why));
    }
    if let Some(r) = rule {
        if let Some(bad) = r.examples.bad.first() {
            let e = bad.def();
            let _ = writeln!(
                p,
                "## Example\n\nReported{}:\n\n{}",
                example_context(&e),
                fence(&e.text)
            );
        }
    }
    let _ = writeln!(p, "## Use instead\n\n{}\n", para(&meta.help));
    if let Some((s, safe)) = &meta.suggest {
        let _ = writeln!(
            p,
            "Suggested rewrite ({}): \"{}\"\n",
            if *safe {
                "safe, applied by `--fix`"
            } else {
                "shown, not applied"
            },
            s
        );
    }
    if let Some(r) = rule {
        if let Some(good) = r.examples.good.first() {
            let e = good.def();
            let _ = writeln!(p, "Fine{}:\n\n{}", example_context(&e), fence(&e.text));
        }
        if let Some(w) = r.when.describe() {
            let _ = writeln!(p, "## When it applies\n\n{w}.\n");
        }
        let opts = r.options();
        if !opts.is_empty() {
            let _ = writeln!(
                p,
                "## Options\n\nSet in `.tactful.yaml` under `options:` (defaults shown):\n\n```yaml\noptions:\n  {}: {{{}}}\n```\n",
                meta.id,
                opts.iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let turning_off = crate::internal::ALL
        .iter()
        .find(|r| r.id == meta.id)
        .and_then(|r| r.turning_off);
    if let Some(how) = turning_off {
        let _ = writeln!(p, "## Turning it off\n\n{how}");
    } else {
        let _ = writeln!(
            p,
            "## Turning it off\n\nFor a repository, in `.tactful.yaml`: `severity: {{{id}: off}}`. For one \
             message, in its front matter: `allow: [{id}]`. For one line of a template: \
             `{{{{!-- tactful-disable {id} --}}}}`. `tactful explain {id}` prints the same sections in a terminal.",
            id = meta.id
        );
    }
    p
}

fn category_page(
    id: &str,
    title: &str,
    sections: &[(&str, String)],
    rules: &[&RuleMeta],
) -> String {
    let mut p = format!("# {title} (`{id}`)\n\n{GENERATED}\n\n");
    for (heading, text) in sections {
        let _ = writeln!(p, "## {heading}\n\n{text}");
    }
    let _ = writeln!(
        p,
        "## Rules\n\n| rule | severity | message |\n|---|---|---|"
    );
    for m in rules {
        let _ = writeln!(
            p,
            "| [{}]({}.md) | {} | {} |",
            m.id,
            name_of(&m.id),
            m.severity.as_str(),
            cell(&m.message)
        );
    }
    p
}

/// Every page, sorted by path.
pub fn pages(reg: &Registry) -> Result<Vec<Page>, Vec<crate::error::SourceError>> {
    let all = reg.all_rules()?;
    let mut versions: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
    for (pack, i) in all.iter() {
        let r = &pack.rules[*i];
        versions.entry(r.id.as_str()).or_default().push(r);
    }
    for v in versions.values_mut() {
        v.sort_by(|a, b| a.lang.cmp(&b.lang));
    }
    let metas = crate::rules::catalog::catalog(reg);
    let mut out = Vec::new();
    for m in &metas {
        let v = versions.get(m.id.as_str()).cloned().unwrap_or_default();
        out.push(Page {
            path: format!("{}.md", m.id),
            text: rule_page(m, &v, reg),
        });
    }
    let by_category =
        |cat: &str| -> Vec<&RuleMeta> { metas.iter().filter(|m| m.category == cat).collect() };
    let mut index = format!(
        "# Rules\n\n{GENERATED}\n\nEvery rule belongs to one category. Each category's page says \
         what it catches, why it matters to the recipient, and what to write instead; each rule's \
         page adds an example, when it applies, its options, and how to turn it off. `tactful \
         explain ID` prints the same in a terminal.\n\n| category | rules | what it catches |\n|---|---:|---|\n"
    );
    for c in reg.categories() {
        let rules = by_category(&c.id);
        let _ = writeln!(
            index,
            "| [{}]({}/README.md) | {} | {} |",
            c.title,
            c.id,
            rules.len(),
            cell(&c.catches)
        );
        out.push(Page {
            path: format!("{}/README.md", c.id),
            text: category_page(
                &c.id,
                &c.title,
                &[
                    ("What it catches", format!("{}\n", para(&c.catches))),
                    (
                        "Why it matters to the recipient",
                        format!("{}\n", para(&c.why)),
                    ),
                    ("Example", fence(&c.example)),
                    ("Use instead", format!("{}\n", para(&c.instead))),
                ],
                &rules,
            ),
        });
    }
    let internal: Vec<RuleMeta> = internal_rules();
    let refs: Vec<&RuleMeta> = internal.iter().collect();
    let _ = writeln!(
        index,
        "| [tactful itself](tactful/README.md) | {} | what the linter reports about its own input: suppressions that silence nothing, unknown keys, unreadable parts, languages without rules |",
        refs.len()
    );
    out.push(Page {
        path: "tactful/README.md".into(),
        text: category_page(
            "tactful",
            "tactful itself",
            &[(
                "What it catches",
                "Findings about the input and the settings rather than the message's wording: \
                 a suppression that silences nothing, a misspelt front matter key, a part of a \
                 file that could not be read, a language with no rule pack.\n"
                    .into(),
            )],
            &refs,
        ),
    });
    out.push(Page {
        path: "README.md".into(),
        text: index,
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Markdown files under `dir`, relative, with `/` separators.
fn existing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                if let Ok(rel) = p.strip_prefix(dir) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    out.sort();
    out
}

pub fn run(a: DocsArgs) -> u8 {
    let reg = match Registry::new(&RuleSources::default()) {
        Ok(r) => r,
        Err(e) => return report_errors(&e),
    };
    let pages = match pages(&reg) {
        Ok(p) => p,
        Err(e) => return report_errors(&e),
    };
    let out: PathBuf = a.out;
    let wanted: BTreeSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    let stale: Vec<String> = existing(&out)
        .into_iter()
        .filter(|p| !wanted.contains(p.as_str()))
        .collect();
    if a.check {
        let mut problems: Vec<String> = pages
            .iter()
            .filter(|p| std::fs::read_to_string(out.join(&p.path)).ok().as_deref() != Some(&p.text))
            .map(|p| format!("out of date or missing: {}", p.path))
            .collect();
        problems.extend(stale.iter().map(|p| format!("no longer generated: {p}")));
        if problems.is_empty() {
            return 0;
        }
        for p in problems.iter().take(20) {
            eprintln!("{}/{p}", out.display());
        }
        eprintln!(
            "error: {} page(s) under {} differ from the rule definitions; run `cargo run -- docs --out {}`",
            problems.len(),
            out.display(),
            out.display()
        );
        return 1;
    }
    for p in &stale {
        if let Err(e) = std::fs::remove_file(out.join(p)) {
            eprintln!("error: cannot remove {}: {e}", out.join(p).display());
            return 2;
        }
    }
    for p in &pages {
        let path = out.join(&p.path);
        let write = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&path, &p.text));
        if let Err(e) = write {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    eprintln!("wrote {} pages to {}", pages.len(), out.display());
    0
}
