//! The YAML schema of rule files, pack files and the category catalogue, exactly as written
//! on disk. `docs/rules.md` documents every key; unknown keys are errors.

use crate::context::{Channel, Stage};
use crate::yaml::Spanned;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    #[default]
    Sentence,
    Paragraph,
    Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FixKind {
    Safe,
    #[default]
    Unsafe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentCondition {
    WithoutList,
    WithList,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WhenDef {
    pub stage: Option<Vec<Stage>>,
    pub channel: Option<Vec<Channel>>,
    pub consent: Option<ConsentCondition>,
    pub template: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignalDef {
    pub label: String,
    #[serde(rename = "match")]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CountUnit {
    #[default]
    Graphemes,
    Utf16,
    Words,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetricKind {
    Length,
    Ratio,
    Placeholder,
    Duplicate,
}

/// Parameters of a metric rule. One flat struct (checked per kind after parsing) so that
/// every key keeps its YAML span.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MetricDef {
    pub kind: MetricKind,
    pub segments: Option<Vec<Spanned<String>>>,
    pub count: Option<CountUnit>,
    pub max: Option<f64>,
    pub max_premium: Option<f64>,
    pub warn_above: Option<f64>,
    #[serde(default)]
    pub numerator: Vec<Spanned<String>>,
    #[serde(default)]
    pub denominator: Vec<Spanned<String>>,
    pub min_count: Option<f64>,
    pub max_ratio: Option<f64>,
    /// Placeholder metric: only placeholders without a fallback.
    pub without_fallback: Option<bool>,
    /// Placeholder metric: only vendors' missing-token markers (`true`) or only tags (`false`).
    pub marker: Option<bool>,
    /// Duplicate metric: how similar two drafts must be (0–1).
    pub similarity: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleDef {
    pub text: String,
    pub stage: Option<Stage>,
    pub channel: Option<Channel>,
    pub consent: Option<Vec<String>>,
    pub premium: Option<bool>,
    pub template: Option<bool>,
    pub lang: Option<String>,
    pub recipient: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    Full(ExampleDef),
}

impl Example {
    pub fn def(&self) -> ExampleDef {
        match self {
            Example::Text(t) => ExampleDef {
                text: t.clone(),
                stage: None,
                channel: None,
                consent: None,
                premium: None,
                template: None,
                lang: None,
                recipient: None,
            },
            Example::Full(d) => d.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub bad: Vec<Example>,
    #[serde(default)]
    pub good: Vec<Example>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDef {
    pub id: Spanned<String>,
    pub severity: Severity,
    pub message: String,
    pub description: Option<String>,
    pub help: String,
    pub suggest: Option<String>,
    pub fix: Option<FixKind>,
    pub segments: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub when: WhenDef,
    #[serde(default, rename = "match")]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    pub unless_scope: Option<Scope>,
    #[serde(default)]
    pub signals: Vec<SignalDef>,
    pub require: Option<usize>,
    pub scope: Option<Scope>,
    pub metric: Option<MetricDef>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleFileDef {
    pub category: String,
    /// Defaults to the name of the folder holding the file (`rules/es/x.yaml` → `es`).
    pub lang: Option<String>,
    pub rules: Vec<RuleDef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackDef {
    pub lang: String,
    pub name: String,
    #[serde(default)]
    pub greetings: Vec<String>,
    #[serde(default)]
    pub signoffs: Vec<String>,
    #[serde(default)]
    pub word_prefixes: Vec<String>,
    /// The language's most frequent function words; they tell languages apart cheaply
    /// (paragraph by paragraph) before the slower statistical detector is asked.
    #[serde(default)]
    pub stopwords: Vec<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CategoryDef {
    pub id: String,
    pub title: String,
    pub catches: String,
    pub why: String,
    pub instead: String,
    pub example: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoriesDef {
    pub categories: Vec<CategoryDef>,
}
