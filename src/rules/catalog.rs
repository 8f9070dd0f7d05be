//! What integrations say about a rule without running it: SARIF's rule descriptors, the link
//! an editor shows next to a diagnostic. One entry per rule id: every rule is defined once,
//! whatever the languages that give evidence for it.

use super::{Registry, Severity};

/// A rule as integrations describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMeta {
    pub id: String,
    pub category: String,
    pub severity: Severity,
    /// One line: the finding's message.
    pub message: String,
    /// What it catches, in full.
    pub description: String,
    /// What to write instead.
    pub help: String,
    /// Why it matters to the recipient (the category's reason).
    pub why: Option<String>,
    /// A rewrite the rule suggests, and whether `--fix` applies it.
    pub suggest: Option<(String, bool)>,
}

impl RuleMeta {
    /// The page that documents the rule (see [`rule_docs_url`]).
    pub fn docs_url(&self) -> String {
        rule_docs_url(&self.id, &self.category)
    }

    /// Help as plain text: what to do, why, and where to read more.
    pub fn help_text(&self) -> String {
        let mut s = self.help.trim().to_string();
        if let Some(why) = &self.why {
            s.push_str("\n\nWhy it matters: ");
            s.push_str(why.trim());
        }
        s.push_str(&format!(
            "\n\nRun `tactful explain {}` for an example.",
            self.id
        ));
        s
    }
}

/// The project's home: the repository named in Cargo.toml, else the crate's page.
pub fn home_url() -> String {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    if repo.is_empty() {
        format!("https://crates.io/crates/{}", env!("CARGO_PKG_NAME"))
    } else {
        repo.to_string()
    }
}

/// Where the generated pages live (`docs/rules/`, written by `tactful docs`): in the
/// repository named in Cargo.toml (`repository`), so forks link to their own pages.
fn pages_base() -> Option<String> {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    (!repo.is_empty()).then(|| format!("{repo}/blob/main/docs/rules"))
}

/// The page of a category (`docs/rules/<category>/README.md`).
pub fn docs_url(category: &str) -> String {
    let name: String = category
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    match pages_base() {
        Some(base) => format!("{base}/{name}/README.md"),
        None => format!("https://crates.io/crates/{}#{name}", env!("CARGO_PKG_NAME")),
    }
}

/// The page of a rule (`docs/rules/<category>/<name>.md`) when tactful ships one (every
/// built-in and internal rule); for a user's own rule, its category's page when the category is
/// built in, else the project's home — a link that resolves either way.
pub fn rule_docs_url(id: &str, category: &str) -> String {
    let builtin = super::builtin_definitions().as_ref().ok();
    let has_page = builtin.is_some_and(|d| d.contains_key(id))
        || crate::internal::ALL.iter().any(|m| m.id == id);
    let known_category = category == crate::internal::CATEGORY
        || builtin.is_some_and(|d| d.values().any(|def| def.category == category));
    match pages_base() {
        Some(base) if has_page => format!("{base}/{id}.md"),
        _ if known_category => docs_url(category),
        _ => home_url(),
    }
}

/// Rules the linter itself reports (not from any rule file): the one table in
/// [`crate::internal`].
pub fn internal_rules() -> Vec<RuleMeta> {
    crate::internal::ALL
        .iter()
        .map(|r| RuleMeta {
            id: r.id.into(),
            category: crate::internal::CATEGORY.into(),
            severity: r.severity,
            message: r.message.into(),
            description: r.description.into(),
            help: r.help.into(),
            why: None,
            suggest: None,
        })
        .collect()
}

/// Every rule of a registry, one entry per id, from its one definition (a user's definition
/// replaces a built-in one), sorted by id. Definitions are read without compiling any pack:
/// describing 500 rules costs a YAML parse, not the compilation of every language. A
/// language's named overrides are not listed here: each finding carries its own severity.
pub fn catalog(registry: &Registry) -> Vec<RuleMeta> {
    let why = |category: &str| registry.category(category).map(|c| c.why.clone());
    let mut out: Vec<RuleMeta> = registry
        .definitions()
        .into_values()
        .map(|d| {
            let r = &d.def;
            RuleMeta {
                id: r.id.value.clone(),
                category: d.category.clone(),
                severity: r.severity,
                message: r.message.trim().to_string(),
                description: r
                    .description
                    .as_deref()
                    .unwrap_or(&r.message)
                    .trim()
                    .to_string(),
                help: r.help.trim().to_string(),
                why: why(&d.category),
                suggest: r
                    .suggest
                    .clone()
                    .map(|s| (s, r.fix == Some(super::schema::FixKind::Safe))),
            }
        })
        .collect();
    out.extend(internal_rules());
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// `docs/categories.md`, generated from `rules/categories.yaml` (the page rule links point at).
pub fn categories_markdown(categories: &[super::CategoryDef]) -> String {
    let mut out = String::from(
        "# Categories\n\n<!-- Generated from rules/categories.yaml by the test \
         `categories_doc_is_current` (UPDATE_DOCS=1 cargo test categories_doc) -->\n\n\
         Every rule belongs to one category; `tactful explain <category>` prints the same text and \
         lists the category's rules.\n",
    );
    for c in categories {
        let para = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!(
            "\n## {}\n\n**{}.** {}\n\n",
            c.id,
            c.title,
            para(&c.catches)
        ));
        out.push_str(&format!(
            "**Why it matters to the recipient.** {}\n\n",
            para(&c.why)
        ));
        out.push_str("**Example.**\n\n```text\n");
        out.push_str(c.example.trim());
        out.push_str("\n```\n\n");
        out.push_str(&format!("**Write instead.** {}\n", para(&c.instead)));
        if let Some(text) = c.gives_way_text(|o| format!("`{o}`")) {
            out.push_str(&format!("\n**Gives way.** {text}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSources;

    #[test]
    fn one_entry_per_id_with_internal_rules() {
        let reg = Registry::new(&RuleSources::default()).expect("built-in rules load");
        let cat = catalog(&reg);
        let mut ids: Vec<&str> = cat.iter().map(|m| m.id.as_str()).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "ids are unique");
        assert!(ids.contains(&"tactful/unused-suppression"));
        assert!(ids.contains(&"channel-limit/connection-note"));
        assert!(cat.iter().all(|m| m.docs_url().starts_with("https://")));
        // Every compiled rule is described, and nothing else.
        let mut compiled: Vec<String> = reg
            .all_rules()
            .expect("packs compile")
            .iter()
            .map(|(p, i)| p.rules[*i].id.to_string())
            .collect();
        compiled.sort();
        compiled.dedup();
        let described: Vec<String> = cat
            .iter()
            .map(|m| m.id.clone())
            .filter(|id| !id.starts_with(&format!("{}/", crate::internal::CATEGORY)))
            .collect();
        assert_eq!(described, compiled);
    }

    #[test]
    fn categories_doc_is_current() {
        let reg = Registry::new(&RuleSources::default()).expect("built-in rules load");
        let want = categories_markdown(reg.categories());
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/categories.md");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).expect("write docs/categories.md");
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/categories.md is out of date: run `UPDATE_DOCS=1 cargo test categories_doc`"
        );
    }
}
