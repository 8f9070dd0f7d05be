//! Rules: the YAML schema, loading and validation, compiled packs per language, and the
//! registry that loads packs lazily (only the languages a run needs).

pub mod builtin;
pub mod catalog;
mod literals;
mod load;
pub mod pack;
pub mod pattern;
mod registry;
pub mod schema;

pub use load::{load_definition_text, load_evidence_text, load_rule_text, Definition, LoadedFile};
pub use pack::{Pack, Signal};
pub use registry::{builtin_definitions, Registry, RuleSources};
pub use schema::{CategoryDef, Scope, Severity};

use crate::context::Context;
use crate::message::SegmentKind;
use schema::{ConsentCondition, CountUnit, Examples, WhenDef};

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

#[derive(Debug, Clone)]
pub struct LengthMetric {
    pub segments: Vec<SegmentKind>,
    pub count: CountUnit,
    pub max: f64,
    pub max_premium: Option<f64>,
    pub warn_above: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct RatioMetric {
    pub numerator: Vec<usize>,
    pub denominator: Vec<usize>,
    pub min_count: f64,
    pub max_ratio: f64,
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    /// Any of the patterns is a hit.
    Match {
        patterns: Vec<usize>,
    },
    /// Enough different signals within one scope.
    Signals {
        signals: Vec<Signal>,
        require: usize,
        scope: Scope,
    },
    Length(LengthMetric),
    Ratio(RatioMetric),
    /// Unfilled or fallback-less placeholders (templates and drafts).
    Placeholder {
        without_fallback: bool,
        marker: Option<bool>,
    },
    /// Near-identical drafts in one run (handled across files).
    Duplicate {
        similarity: f64,
    },
}

/// A compiled rule. Pattern indices point into its [`Pack`]'s pattern table.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub category: String,
    pub lang: String,
    pub severity: Severity,
    pub message: String,
    pub description: Option<String>,
    pub help: String,
    pub suggest: Option<String>,
    pub fix_safe: bool,
    pub segments: Vec<SegmentKind>,
    pub when: When,
    pub kind: RuleKind,
    /// Every pattern of the rule; `kind` and `unless` refer to them by index.
    pub patterns: Vec<pattern::Pattern>,
    pub unless: Vec<usize>,
    pub unless_scope: Scope,
    pub examples: Examples,
    /// The file the rule came from (`rules/en/early-pitch.yaml` for built-ins).
    pub origin: String,
}

impl Rule {
    /// Metric parameters, listed by `explain` as the rule's options.
    pub fn options(&self) -> Vec<(&'static str, String)> {
        match &self.kind {
            RuleKind::Length(m) => {
                let mut o = vec![("max", fmt_num(m.max))];
                if let Some(p) = m.max_premium {
                    o.push(("max-premium", fmt_num(p)));
                }
                if let Some(w) = m.warn_above {
                    o.push(("warn-above", fmt_num(w)));
                }
                o
            }
            RuleKind::Ratio(m) => vec![
                ("min-count", fmt_num(m.min_count)),
                ("max-ratio", fmt_num(m.max_ratio)),
            ],
            RuleKind::Duplicate { similarity } => vec![("similarity", fmt_num(*similarity))],
            _ => Vec::new(),
        }
    }

    /// Applies `key: value` from the config's `options:`; unknown keys are an error.
    pub fn set_option(&mut self, key: &str, value: f64) -> Result<(), String> {
        let slot = match (&mut self.kind, key) {
            (RuleKind::Length(m), "max") => &mut m.max,
            (RuleKind::Length(m), "max-premium") => m.max_premium.get_or_insert(0.0),
            (RuleKind::Length(m), "warn-above") => m.warn_above.get_or_insert(0.0),
            (RuleKind::Ratio(m), "min-count") => &mut m.min_count,
            (RuleKind::Ratio(m), "max-ratio") => &mut m.max_ratio,
            (RuleKind::Duplicate { similarity }, "similarity") => similarity,
            _ => {
                let known: Vec<_> = self.options().into_iter().map(|(k, _)| k).collect();
                return Err(if known.is_empty() {
                    format!("rule `{}` has no options", self.id)
                } else {
                    format!(
                        "rule `{}` has no option `{key}` (it has: {})",
                        self.id,
                        known.join(", ")
                    )
                });
            }
        };
        *slot = value;
        Ok(())
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
