//! The YAML schema of rule files, pack files and the category catalogue, exactly as written
//! on disk. `docs/rules.md` documents every key; unknown keys are errors.

pub use super::kinds::signals::SignalDef;
pub use super::kinds::KindDef;
use crate::context::{Channel, Stage};
use crate::yaml::Spanned;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Defined with the findings it grades; rule files name it.
pub use crate::finding::Severity;

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
/// every key keeps its YAML span. In a language file (a ratio's counters and thresholds) the
/// `kind` comes from the rule's definition and is not written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MetricDef {
    pub kind: Option<MetricKind>,
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

/// Declares a rule entry with the evidence keys (how one language finds the rule, and its
/// examples) after its own: a definition that carries its evidence and a language file's entry
/// read them alike, so the two lists cannot drift apart.
macro_rules! rule_entry {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty,)* }) => {
        $(#[$m])*
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
            #[serde(default, rename = "match")]
            pub patterns: Vec<Spanned<String>>,
            #[serde(default)]
            pub keywords: Vec<String>,
            #[serde(default)]
            pub unless: Vec<Spanned<String>>,
            pub unless_scope: Option<Scope>,
            /// Exceptions anywhere in the message (not quoted text): one excuses every hit of
            /// the rule in it ("thanks for subscribing" in the subject excuses "you'll now
            /// receive our newsletter" in the body), whatever `unless-scope` says.
            #[serde(default)]
            pub unless_message: Vec<Spanned<String>>,
            #[serde(default)]
            pub signals: Vec<SignalDef>,
            pub require: Option<usize>,
            pub scope: Option<Scope>,
            /// A ratio's counters and thresholds, calibrated on the language.
            pub metric: Option<MetricDef>,
            /// A rewrite in the language (it may use the language's pattern groups), and
            /// whether `--fix` may apply it.
            pub suggest: Option<String>,
            pub fix: Option<FixKind>,
            #[serde(default)]
            pub examples: Examples,
        }
    };
}

rule_entry! {
    /// A rule as written in a definition file (`rules/<category>.yaml`, or a user's rule file with
    /// a `category:`). Shared metadata; a rule that also carries evidence (patterns, examples) is
    /// complete for the file's language, the way single-file user rules are written.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    pub struct RuleDef {
        pub id: Spanned<String>,
        /// Required in the built-in rules; a user's rule may leave it to be read off its keys.
        pub kind: Option<Spanned<KindDef>>,
        pub severity: Severity,
        /// `false` keeps a rule defined but out of every pack, the catalog and the docs (a learned
        /// rule whose model is not precise enough yet). Default: `true`.
        pub enabled: Option<bool>,
        pub message: String,
        pub description: Option<String>,
        /// What to write instead. Left out, the category's advice (`instead:` in
        /// rules/categories.yaml).
        #[serde(default)]
        pub help: String,
        pub segments: Option<Vec<Spanned<String>>>,
        #[serde(default)]
        pub when: WhenDef,
    }
}

impl RuleDef {
    /// Whether the entry carries a language's evidence too (a complete, single-file rule).
    pub fn has_evidence(&self) -> bool {
        !self.patterns.is_empty()
            || !self.keywords.is_empty()
            || !self.unless.is_empty()
            || !self.unless_message.is_empty()
            || !self.signals.is_empty()
            || self.metric.is_some()
            || !self.examples.bad.is_empty()
            || !self.examples.good.is_empty()
            || self.suggest.is_some()
    }
}

/// What a language may change about a rule, each by name: `override: {severity: error}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OverrideDef {
    pub severity: Option<Severity>,
    pub when: Option<WhenDef>,
    pub segments: Option<Vec<Spanned<String>>>,
    /// The language reads the rule with another kind (one phrase suffices where another
    /// language needs two signals).
    pub kind: Option<KindDef>,
}

/// Any value, kept only for its position: a key a language file may not set.
pub type Forbidden = Option<Spanned<serde::de::IgnoredAny>>;

rule_entry! {
    /// One rule's evidence in one language (`rules/<lang>/<category>.yaml`): how the language
    /// finds it, and its examples. Shared metadata is refused here (see `load`), so it cannot
    /// drift between languages again.
    #[derive(Debug, Clone, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    pub struct EvidenceDef {
        pub id: Spanned<String>,
        #[serde(rename = "override")]
        pub overrides: Option<Spanned<OverrideDef>>,
        pub kind: Forbidden,
        pub severity: Forbidden,
        pub message: Forbidden,
        pub description: Forbidden,
        pub help: Forbidden,
        pub when: Forbidden,
        pub segments: Forbidden,
    }
}

/// A language file: evidence for rules defined elsewhere.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EvidenceFileDef {
    /// Defaults to the name of the folder holding the file.
    pub lang: Option<String>,
    pub category: Forbidden,
    pub rules: Vec<EvidenceDef>,
}

/// Just enough of a rule file to tell a definition file (it names its `category`) from a
/// language file.
#[derive(Debug, Clone, Deserialize)]
pub struct FileShape {
    pub category: Option<serde::de::IgnoredAny>,
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
    /// What mail clients write in this language around a message (regex fragments).
    #[serde(default)]
    pub markers: MarkersDef,
    /// Words people write as hand-made merge fields (`[Nombre]`, `%Empresa%`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// Words that tell a word of address after a bare greeting ("Hola, mi amor,").
    #[serde(default)]
    pub address: AddressDef,
}

/// `address:` of a pack: after a greeting word with no name ("Hi, …"), one lower-case word set
/// off by a comma or "!" belongs to the greeting as a word of address ("Hey, man,"), and so do
/// two words when the first is an `openers` word ("ma belle") or the second a `closers` word
/// ("tesoro mio"); a word followed by a `clause` word ("sorry, that…") is the sentence's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AddressDef {
    #[serde(default)]
    pub openers: Vec<String>,
    #[serde(default)]
    pub closers: Vec<String>,
    #[serde(default)]
    pub clause: Vec<String>,
}

/// `markers:` of a pack; `docs/rules.md` explains each key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MarkersDef {
    #[serde(default)]
    pub subject: Vec<Spanned<String>>,
    #[serde(default)]
    pub separators: Vec<Spanned<String>>,
    #[serde(default)]
    pub forward_headers: Vec<Spanned<String>>,
    #[serde(default)]
    pub attribution_openers: Vec<Spanned<String>>,
    #[serde(default)]
    pub wrote: Vec<Spanned<String>>,
    #[serde(default)]
    pub attribution_lines: Vec<Spanned<String>>,
    #[serde(default)]
    pub header_from: Vec<Spanned<String>>,
    #[serde(default)]
    pub header_fields: Vec<Spanned<String>>,
    #[serde(default)]
    pub device_signatures: Vec<Spanned<String>>,
    #[serde(default)]
    pub contact_labels: Vec<Spanned<String>>,
}

impl MarkersDef {
    /// Every list with its key, for checking and gathering.
    pub fn lists(&self) -> [(&'static str, &Vec<Spanned<String>>); 10] {
        [
            ("subject", &self.subject),
            ("separators", &self.separators),
            ("forward-headers", &self.forward_headers),
            ("attribution-openers", &self.attribution_openers),
            ("wrote", &self.wrote),
            ("attribution-lines", &self.attribution_lines),
            ("header-from", &self.header_from),
            ("header-fields", &self.header_fields),
            ("device-signatures", &self.device_signatures),
            ("contact-labels", &self.contact_labels),
        ]
    }
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
    /// Categories that, reported in a message, make this one's findings there redundant: they
    /// are left out of that message (see [`crate::lint::merge::give_way`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gives_way_to: Vec<String>,
}

impl CategoryDef {
    /// What `gives-way-to` means for this category, in one sentence (for `explain` and
    /// `docs/categories.md`), with each category it gives way to written by `name`; `None` when
    /// it gives way to nothing.
    pub fn gives_way_text(&self, name: impl Fn(&str) -> String) -> Option<String> {
        if self.gives_way_to.is_empty() {
            return None;
        }
        let others: Vec<String> = self.gives_way_to.iter().map(|o| name(o)).collect();
        Some(format!(
            "Reports nothing in a message where {} reports a finding: that finding already names \
             the problem. A phrase outweighs the learned layer: a pattern finding here gives way \
             only to a pattern finding there, and a learned finding there with no phrase of its \
             own gives way to a pattern finding here.",
            others.join(" or ")
        ))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoriesDef {
    pub categories: Vec<CategoryDef>,
}
