//! Rule kinds: how a rule finds what it reports. Each kind is one file here, the way Vale has
//! one Go file per check: the kind's YAML settings (what a definition writes under `kind:`), its
//! compile step (from a language's evidence to a compiled [`Kind`]), its options, and its
//! `run` over a prepared message. `docs/rules.md` documents each kind from its file's doc
//! comment.
//!
//! Adding a kind is one new file and one line in [`kinds!`] below: the line names the kind in
//! YAML and its settings type, and is the whole dispatch from YAML to code. The file defines
//! `Settings` (serde, implementing [`Compile`]) and a compiled type implementing [`Kind`].

pub mod duplicate;
pub mod learned;
pub mod metric;
pub mod pattern;
pub mod placeholder;
pub mod scan;
pub mod signals;

use super::load::Compiler;
use super::pattern::Pattern;
use super::schema::RuleDef;
use crate::message::Message;
use scan::{Hit, Scan};
use serde::{Deserialize, Deserializer};
use std::fmt::Debug;

/// A compiled rule kind: what the engine asks of every rule.
pub trait Kind: AnyKind + Debug + Send + Sync {
    /// The kind's name in YAML.
    fn name(&self) -> &'static str;

    /// Reports what the rule finds in a message.
    fn run(&self, scan: &Scan, hits: &mut Vec<Hit>);

    /// The patterns whose literals decide whether the rule can fire: they feed the pack's
    /// pre-filter. (Exceptions and counters are not among them.)
    fn prefiltered(&self) -> Vec<usize> {
        Vec::new()
    }

    /// The patterns that make a hit, grouped as the language file lists them (`match`, or
    /// each signal by its label), for `tactful test --coverage`.
    fn evidence(&self) -> Vec<(String, Vec<usize>)> {
        Vec::new()
    }

    /// Whether the rule runs only when the pre-filter found some of its literals.
    fn gated(&self) -> bool {
        false
    }

    /// Whether the kind reads the findings of the rules before it (`Scan::found`): such a rule
    /// runs after them, never beside them.
    fn reads_findings(&self) -> bool {
        false
    }

    /// Whether the rule needs the text of its segments folded and scanned.
    fn reads_text(&self, _rule: &super::Rule, _msg: &Message) -> bool {
        false
    }

    /// The kind's options (`explain` lists them; config `options:` sets them).
    fn options(&self) -> Vec<(&'static str, f64)> {
        Vec::new()
    }

    /// The slot of an option, for config `options:`.
    fn option_mut(&mut self, _key: &str) -> Option<&mut f64> {
        None
    }

    /// Whether `value` is allowed for option `key` (the slot takes any number otherwise).
    fn check_option(&self, _key: &str, _value: f64) -> Result<(), String> {
        Ok(())
    }

    /// For a kind that compares the drafts of a run: how similar two must be.
    fn batch_similarity(&self) -> Option<f64> {
        None
    }
}

/// What every compiled kind gets for being `Clone` (a rule is cloned with its kind when the
/// config sets an option) and `'static` (a kind that reads its pack's other rules of the
/// same kind, or a test, looks inside one).
pub trait AnyKind {
    fn clone_box(&self) -> Box<dyn Kind>;

    /// The compiled kind itself.
    fn as_any(&self) -> &dyn std::any::Any;
}

impl<K: Kind + Clone + 'static> AnyKind for K {
    fn clone_box(&self) -> Box<dyn Kind> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Clone for Box<dyn Kind> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// A kind's settings, as written under `kind:` in a definition.
pub trait Compile: Sized {
    /// For a kind that cannot be written by name alone (`kind: metric`): what it needs
    /// instead. A kind written by name gets its settings as if written `{}`.
    const NEEDS_SETTINGS: Option<&'static str> = None;

    /// Compiles a rule (its definition completed by one language's evidence): checks that the
    /// evidence has the shape the kind reads, compiles its patterns into `patterns`.
    fn compile(
        &self,
        r: &RuleDef,
        cx: &mut Compiler,
        patterns: &mut Vec<Pattern>,
    ) -> Option<Box<dyn Kind>>;
}

macro_rules! kinds {
    ($($variant:ident($settings:ty) = $name:literal,)*) => {
        /// A rule's `kind:` with the kind's settings: `kind: pattern`, or
        /// `kind: {metric: {length: {max: 200}}}`.
        #[derive(Debug, Clone, PartialEq)]
        pub enum KindDef {
            $($variant($settings),)*
        }

        #[derive(Deserialize)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        enum KindMap {
            $($variant($settings),)*
        }

        #[derive(Deserialize)]
        #[serde(rename_all = "kebab-case")]
        enum KindName {
            $($variant,)*
        }

        impl KindDef {
            pub fn name(&self) -> &'static str {
                match self {
                    $(KindDef::$variant(_) => $name,)*
                }
            }

            pub fn compile(
                &self,
                r: &RuleDef,
                cx: &mut Compiler,
                patterns: &mut Vec<Pattern>,
            ) -> Option<Box<dyn Kind>> {
                match self {
                    $(KindDef::$variant(s) => s.compile(r, cx, patterns),)*
                }
            }
        }

        impl From<KindMap> for KindDef {
            fn from(m: KindMap) -> KindDef {
                match m {
                    $(KindMap::$variant(s) => KindDef::$variant(s),)*
                }
            }
        }

        /// Each kind's name and its file's doc comment (the source of `docs/rules.md`'s
        /// section on kinds).
        pub fn docs() -> Vec<(&'static str, String)> {
            vec![$(($name, module_doc(include_str!(concat!($name, ".rs")))),)*]
        }

        fn bare(n: KindName) -> Result<KindDef, String> {
            match n {
                $(KindName::$variant => match <$settings as Compile>::NEEDS_SETTINGS {
                    Some(e) => Err(format!("kind `{}` needs settings: {e}", $name)),
                    None => empty::<$settings>()
                        .map(KindDef::$variant)
                        .map_err(|e| format!("kind `{}`: {e}", $name)),
                },)*
            }
        }
    };
}

// The dispatch: one line per kind.
kinds! {
    Pattern(pattern::Settings) = "pattern",
    Signals(signals::Settings) = "signals",
    Metric(metric::Settings) = "metric",
    Placeholder(placeholder::Settings) = "placeholder",
    Duplicate(duplicate::Settings) = "duplicate",
    Learned(learned::Settings) = "learned",
}

/// A kind's settings written as an empty map (`kind: pattern` is `kind: {pattern: {}}`).
fn empty<'de, S: Deserialize<'de>>() -> Result<S, serde::de::value::Error> {
    S::deserialize(serde::de::value::MapDeserializer::new(std::iter::empty::<(
        &str,
        &str,
    )>()))
}

/// The `//!` lines at the top of a source file, as Markdown.
fn module_doc(src: &str) -> String {
    src.lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The section of `docs/rules.md` that documents the kinds.
pub fn docs_markdown() -> String {
    let mut out = String::from(
        "<!-- Generated from the doc comments of src/rules/kinds/*.rs by the test \
         `kinds_doc_is_current` (UPDATE_DOCS=1 cargo test kinds_doc) -->\n",
    );
    for (name, doc) in docs() {
        out.push_str(&format!("\n### `{name}`\n\n{doc}\n"));
    }
    out
}

#[derive(Deserialize)]
#[serde(untagged)]
enum KindYaml {
    Name(KindName),
    Map(KindMap),
}

impl<'de> Deserialize<'de> for KindDef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match KindYaml::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "unknown rule kind or settings (kinds: pattern, signals, metric, placeholder, \
                 duplicate, learned; see docs/rules.md)",
            )
        })? {
            KindYaml::Name(n) => bare(n).map_err(serde::de::Error::custom),
            KindYaml::Map(m) => Ok(m.into()),
        }
    }
}

/// The kind of a rule that does not name one (a user's single-file rule): read off its keys.
pub fn infer(r: &RuleDef) -> Result<KindDef, String> {
    use super::schema::MetricKind;
    if let Some(m) = &r.metric {
        let Some(kind) = m.kind else {
            return Err("a metric needs `kind` (length, ratio, placeholder or duplicate)".into());
        };
        return Ok(match kind {
            MetricKind::Length => KindDef::Metric(metric::Settings::Length(metric::LengthDef {
                segments: m.segments.clone(),
                count: m.count,
                max: m.max.ok_or("a `length` metric needs `max`")?,
                max_premium: m.max_premium,
                warn_above: m.warn_above,
            })),
            MetricKind::Ratio => KindDef::Metric(metric::Settings::Ratio),
            MetricKind::Placeholder => KindDef::Placeholder(placeholder::Settings {
                without_fallback: m.without_fallback,
                marker: m.marker,
            }),
            MetricKind::Duplicate => KindDef::Duplicate(duplicate::Settings {
                similarity: m.similarity,
            }),
        });
    }
    if !r.signals.is_empty() {
        return Ok(KindDef::Signals(signals::Settings {}));
    }
    if !r.patterns.is_empty() {
        return Ok(KindDef::Pattern(pattern::Settings {}));
    }
    Err("a rule needs `kind`, or `match`, `signals` or `metric` to read it from".into())
}

/// Errors for evidence a kind does not read (`reads` lists the keys it does).
pub fn only_reads(cx: &mut Compiler, r: &RuleDef, name: &str, reads: &[&str]) -> bool {
    let present = [
        ("match", !r.patterns.is_empty()),
        ("signals", !r.signals.is_empty()),
        ("metric", r.metric.is_some()),
        ("require", r.require.is_some()),
        ("scope", r.scope.is_some()),
        ("unless", !r.unless.is_empty()),
    ];
    let mut ok = true;
    for (key, set) in present {
        if set && !reads.contains(&key) {
            cx.err(
                Some(&r.id),
                format!(
                    "rule `{}` is of kind `{name}`, which does not read `{key}`{}",
                    r.id.value,
                    if key == "unless" {
                        " (exceptions anywhere in the message go in `unless-message`)"
                    } else {
                        ""
                    }
                ),
            );
            ok = false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "<!-- kinds:start -->\n";
    const END: &str = "<!-- kinds:end -->";

    #[test]
    fn kinds_doc_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
        let have = std::fs::read_to_string(path).unwrap_or_default();
        let (Some(a), Some(b)) = (have.find(START), have.find(END)) else {
            panic!("docs/rules.md has no `{START}` … `{END}` section");
        };
        let want = docs_markdown();
        let current = &have[a + START.len()..b];
        if current != want && std::env::var_os("UPDATE_DOCS").is_some() {
            let new = format!("{}{START}{want}{}", &have[..a], &have[b..]);
            std::fs::write(path, new).expect("write docs/rules.md");
            return;
        }
        assert!(
            current == want,
            "docs/rules.md's kinds section is out of date: run `UPDATE_DOCS=1 cargo test kinds_doc`"
        );
    }

    #[test]
    fn a_kind_is_written_by_name_or_with_its_settings() {
        let k: KindDef = crate::yaml::parse("pattern", "k.yaml").unwrap();
        assert_eq!(k.name(), "pattern");
        let k: KindDef = crate::yaml::parse("{metric: {length: {max: 200}}}", "k.yaml").unwrap();
        assert!(matches!(k, KindDef::Metric(metric::Settings::Length(_))));
        let k: KindDef = crate::yaml::parse("{duplicate: {similarity: 0.9}}", "k.yaml").unwrap();
        assert_eq!(
            k,
            KindDef::Duplicate(duplicate::Settings {
                similarity: Some(0.9)
            })
        );
        let e = crate::yaml::parse::<KindDef>("metric", "k.yaml").unwrap_err();
        assert!(e.message.contains("needs settings"), "{}", e.message);
        let e = crate::yaml::parse::<KindDef>("regex", "k.yaml").unwrap_err();
        assert!(e.message.contains("unknown rule kind"), "{}", e.message);
    }
}
