//! Rules: the YAML schema, loading and validation, compiled packs per language, and the
//! registry that loads packs lazily (only the languages a run needs).

pub mod builtin;
pub mod catalog;
pub mod cut_short;
pub mod kinds;
mod literals;
mod load;
pub mod lone_digit;
pub mod pack;
pub mod pattern;
mod registry;
pub mod schema;

pub use kinds::signals::Signal;
pub use kinds::Kind;
pub use load::{load_definition_text, load_evidence_text, load_rule_text, Definition, LoadedFile};
pub use pack::Pack;
pub use registry::{builtin_definitions, Registry, RuleSources};
pub use schema::{CategoryDef, Scope, Severity};

use crate::context::Context;
use crate::finding::Text;
use crate::message::SegmentKind;
use schema::{ConsentCondition, Examples, WhenDef};

/// When a rule applies.
#[derive(Debug, Clone, Default)]
pub struct When(pub WhenDef);

impl When {
    pub fn applies(&self, ctx: &Context) -> bool {
        let w = &self.0;
        w.stage.as_ref().is_none_or(|s| s.contains(&ctx.stage))
            && w.channel.as_ref().is_none_or(|c| c.contains(&ctx.channel))
            && w.template.is_none_or(|t| t == ctx.template)
            && match w.consent {
                None => true,
                Some(ConsentCondition::WithoutList) => !ctx.has_list_consent(),
                Some(ConsentCondition::WithList) => ctx.has_list_consent(),
            }
    }

    /// A one-line description for `explain` ("stage first-contact; without list consent").
    pub fn describe(&self) -> Option<String> {
        let w = &self.0;
        let mut parts = Vec::new();
        if let Some(s) = &w.stage {
            parts.push(format!(
                "stage {}",
                s.iter()
                    .map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
        }
        if let Some(c) = &w.channel {
            parts.push(format!(
                "channel {}",
                c.iter()
                    .map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
        }
        match w.consent {
            Some(ConsentCondition::WithoutList) => parts.push("without list consent".into()),
            Some(ConsentCondition::WithList) => parts.push("with list consent".into()),
            None => {}
        }
        match w.template {
            Some(true) => parts.push("in templates".into()),
            Some(false) => parts.push("in finished drafts (not templates)".into()),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// A compiled rule. Pattern indices point into its [`Pack`]'s pattern table.
#[derive(Debug, Clone)]
pub struct Rule {
    // Shared with every finding of the rule (see `finding::Text`).
    pub id: Text,
    pub category: Text,
    pub lang: String,
    pub severity: Severity,
    pub message: Text,
    pub description: Option<String>,
    pub help: Text,
    pub suggest: Option<Text>,
    pub fix_safe: bool,
    pub segments: Vec<SegmentKind>,
    pub when: When,
    /// How the rule finds what it reports (`kinds/`).
    pub kind: Box<dyn Kind>,
    /// Every pattern of the rule; `kind` and `unless` refer to them by index.
    pub patterns: Vec<pattern::Pattern>,
    pub unless: Vec<usize>,
    pub unless_scope: Scope,
    /// Exceptions that excuse every hit of the rule in a message they occur in (`unless-message`).
    pub unless_message: Vec<usize>,
    pub examples: Examples,
    /// The file the rule came from (`rules/en/early-pitch.yaml` for built-ins).
    pub origin: String,
}

impl Rule {
    /// The kind's options, listed by `explain`.
    pub fn options(&self) -> Vec<(&'static str, String)> {
        self.kind
            .options()
            .into_iter()
            .map(|(k, v)| (k, fmt_num(v)))
            .collect()
    }

    /// Applies `key: value` from the config's `options:`; unknown keys are an error.
    pub fn set_option(&mut self, key: &str, value: f64) -> Result<(), String> {
        self.kind
            .check_option(key, value)
            .map_err(|e| format!("rule `{}`: {e}", self.id))?;
        if let Some(slot) = self.kind.option_mut(key) {
            *slot = value;
            return Ok(());
        }
        let known: Vec<_> = self.kind.options().into_iter().map(|(k, _)| k).collect();
        Err(if known.is_empty() {
            format!("rule `{}` has no options", self.id)
        } else {
            format!(
                "rule `{}` has no option `{key}` (it has: {})",
                self.id,
                known.join(", ")
            )
        })
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
