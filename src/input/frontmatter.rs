//! YAML front matter at the top of a message (`---` … `---`): context keys and `allow:`.
//! Keys tactful does not know are left alone (a Markdown draft may carry a title or a date),
//! unless they look like a typo of one it knows (`chanel:`): those are reported with a
//! suggestion, because the setting the writer meant is silently missing.

use crate::context::{Channel, ContextLayer, Stage};
use crate::error::SourceError;
use crate::yaml::{self, Spanned};
use serde::Deserialize;
use std::ops::Range;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FrontMatterDef {
    stage: Option<Spanned<String>>,
    channel: Option<Spanned<String>>,
    lang: Option<Spanned<String>>,
    consent: Option<Spanned<OneOrMany>>,
    premium: Option<bool>,
    template: Option<bool>,
    recipient: Option<String>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
}

/// `consent: list` or `consent: [list]`. Not `#[serde(untagged)]`: that buffers the value and
/// loses the spans of the list's items.
#[derive(Debug)]
enum OneOrMany {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a word or a list of words")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Spanned<String>>()? {
                    out.push(v);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A rule id or category the message allows, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    pub target: String,
    pub span: Range<usize>,
}

/// The keys front matter can set.
pub const KEYS: &[&str] = &[
    "stage",
    "channel",
    "lang",
    "consent",
    "premium",
    "template",
    "recipient",
    "allow",
];

/// A top-level key that is not tactful's but is close to one of its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    pub key: String,
    pub span: Range<usize>,
    pub suggestion: String,
}

/// A value as written, with where it is written (checked later against the loaded rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub value: String,
    pub span: Range<usize>,
}

#[derive(Debug, Default)]
pub struct FrontMatter {
    /// Source range of the whole block, delimiters included.
    pub range: Range<usize>,
    /// Where the message proper starts.
    pub body_start: usize,
    pub context: ContextLayer,
    pub allow: Vec<Allow>,
    /// `lang:` as written; the context holds it normalised (`pt-BR` → `pt`) but not yet
    /// checked against the rule packs, which the reader does not know.
    pub lang: Option<Written>,
    /// Keys that look like typos of tactful's keys.
    pub unknown_keys: Vec<UnknownKey>,
}

impl FrontMatter {
    /// Moves every span (read from decoded text) onto the file's raw bytes.
    pub fn map_spans(&mut self, to_raw: impl Fn(Range<usize>) -> Range<usize>) {
        self.range = to_raw(self.range.clone());
        self.body_start = to_raw(self.body_start..self.body_start).start;
        for a in &mut self.allow {
            a.span = to_raw(a.span.clone());
        }
        if let Some(l) = &mut self.lang {
            l.span = to_raw(l.span.clone());
        }
        for k in &mut self.unknown_keys {
            k.span = to_raw(k.span.clone());
        }
    }
}

/// Top-level keys of a YAML mapping written in block style (`key: value` at column 0) that are
/// not among [`KEYS`] but close to one.
fn near_miss_keys(yaml_text: &str, offset: usize) -> Vec<UnknownKey> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in yaml_text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some((key, _)) = line.split_once(':') else {
            continue;
        };
        let key_trimmed = key.trim_end();
        let is_key = !key_trimmed.is_empty()
            && key_trimmed
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !is_key || KEYS.contains(&key_trimmed) {
            continue;
        }
        if let Some(s) = crate::context::did_you_mean(key_trimmed, KEYS.iter().copied()) {
            out.push(UnknownKey {
                key: key_trimmed.to_string(),
                span: offset + start..offset + start + key_trimmed.len(),
                suggestion: s.to_string(),
            });
        }
    }
    out
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |i| from + i + 1)
}

/// Finds and parses the front matter of `text` starting at `start` (after a BOM).
pub fn parse(path: &str, text: &str, start: usize) -> Result<Option<FrontMatter>, SourceError> {
    let first_end = line_end(text, start);
    if text[start..first_end].trim_end() != "---" {
        return Ok(None);
    }
    let yaml_start = first_end;
    let mut pos = yaml_start;
    let close = loop {
        if pos >= text.len() {
            return Ok(None); // no closing line: not front matter, just a message starting with ---
        }
        let end = line_end(text, pos);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            break (pos, end);
        }
        pos = end;
    };
    let yaml_text = &text[yaml_start..close.0];
    let shift = |r: Range<usize>| r.start + yaml_start..r.end + yaml_start;
    let def: FrontMatterDef = if yaml_text.trim().is_empty() {
        FrontMatterDef::default()
    } else {
        yaml::parse(yaml_text, path).map_err(|mut e| {
            e.span = e.span.map(shift);
            e.text = text.into();
            e.message = format!("front matter: {}", e.message);
            e
        })?
    };
    let span_of = |v: &Spanned<String>| yaml::spanned_range(v, yaml_text).map(shift);
    let bad = |v: &Spanned<String>, msg: String| SourceError::new(path, text, span_of(v), msg);
    let mut ctx = ContextLayer::default();
    if let Some(s) = &def.stage {
        ctx.stage = Some(s.value.parse::<Stage>().map_err(|m| bad(s, m))?);
    }
    if let Some(c) = &def.channel {
        ctx.channel = Some(c.value.parse::<Channel>().map_err(|m| bad(c, m))?);
    }
    let mut lang = None;
    if let Some(l) = &def.lang {
        ctx.lang = Some(crate::context::normalize_lang(&l.value));
        lang = Some(Written {
            value: l.value.clone(),
            span: span_of(l).unwrap_or(start..close.1),
        });
    }
    if let Some(c) = &def.consent {
        let values: Vec<(&String, Option<Range<usize>>)> = match &c.value {
            OneOrMany::One(s) => vec![(s, yaml::spanned_range(c, yaml_text).map(shift))],
            OneOrMany::Many(v) => v.iter().map(|s| (&s.value, span_of(s))).collect(),
        };
        let mut consent = Vec::new();
        for (v, span) in values {
            let parsed = crate::context::parse_consent(std::slice::from_ref(v))
                .map_err(|m| SourceError::new(path, text, span, m))?;
            consent.extend(parsed);
        }
        ctx.consent = Some(consent);
    }
    ctx.premium = def.premium;
    ctx.template = def.template;
    ctx.recipient = def
        .recipient
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let allow = def
        .allow
        .iter()
        .map(|a| Allow {
            target: a.value.clone(),
            span: span_of(a).unwrap_or(start..close.1),
        })
        .collect();
    Ok(Some(FrontMatter {
        range: start..close.1,
        body_start: close.1,
        context: ctx,
        allow,
        lang,
        unknown_keys: near_miss_keys(yaml_text, yaml_start),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_context_and_allow() {
        let text = "---\nstage: follow-up\nchannel: linkedin\nconsent: list\nallow: [early-pitch]\ntitle: ignored\n---\nHi";
        let fm = parse("m.txt", text, 0).unwrap().unwrap();
        assert_eq!(fm.context.stage, Some(Stage::FollowUp));
        assert_eq!(fm.context.channel, Some(Channel::Linkedin));
        assert_eq!(fm.context.consent, Some(vec!["list".to_string()]));
        assert_eq!(fm.allow[0].target, "early-pitch");
        assert_eq!(&text[fm.allow[0].span.clone()], "early-pitch");
        assert_eq!(&text[fm.body_start..], "Hi");
    }

    #[test]
    fn a_bad_value_points_into_the_file() {
        let text = "---\nstage: later\n---\nHi";
        let err = parse("m.txt", text, 0).unwrap_err();
        assert_eq!(&text[err.span.clone().unwrap()], "later");
        assert!(err.message.contains("first-contact"));
    }

    #[test]
    fn lang_keeps_its_span_and_region_tags_are_normalised() {
        let text = "---\nlang: pt-BR\n---\nOi";
        let fm = parse("m.txt", text, 0).unwrap().unwrap();
        assert_eq!(fm.context.lang.as_deref(), Some("pt"));
        let l = fm.lang.unwrap();
        assert_eq!(&text[l.span], "pt-BR");
    }

    #[test]
    fn an_unknown_consent_points_at_the_value() {
        let text = "---\nconsent: [list, newsletter]\n---\nHi";
        let err = parse("m.txt", text, 0).unwrap_err();
        assert_eq!(&text[err.span.clone().unwrap()], "newsletter");
        assert!(
            err.message.contains("expected one of: list"),
            "{}",
            err.message
        );
        let text = "---\nconsent: lst\n---\nHi";
        let err = parse("m.txt", text, 0).unwrap_err();
        assert_eq!(&text[err.span.clone().unwrap()], "lst");
        let fm = parse("m.txt", "---\nconsent: list\n---\nHi", 0)
            .unwrap()
            .unwrap();
        assert_eq!(fm.context.consent, Some(vec!["list".to_string()]));
    }

    #[test]
    fn a_key_close_to_ours_is_flagged_and_others_are_left_alone() {
        let text =
            "---\ntitle: Intro\nchanel: linkedin\ndate: 2026-01-02\nstage: follow-up\n---\nHi";
        let fm = parse("m.txt", text, 0).unwrap().unwrap();
        assert_eq!(fm.unknown_keys.len(), 1, "{:?}", fm.unknown_keys);
        let k = &fm.unknown_keys[0];
        assert_eq!(&text[k.span.clone()], "chanel");
        assert_eq!(k.suggestion, "channel");
    }

    #[test]
    fn no_closing_line_means_no_front_matter() {
        assert!(parse("m.txt", "---\nnot yaml at all", 0).unwrap().is_none());
    }
}
