//! YAML front matter at the top of a message (`---` … `---`): context keys and `allow:`.
//! Keys tactful does not know are left alone (a Markdown draft may carry a title or a date).

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
    consent: Option<OneOrMany>,
    premium: Option<bool>,
    template: Option<bool>,
    recipient: Option<String>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A rule id or category the message allows, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    pub target: String,
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
    if let Some(l) = &def.lang {
        let v = l.value.trim().to_lowercase();
        if v.is_empty() || !v.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(bad(
                l,
                format!(
                    "`lang` must be a language code such as `en` or `auto`, not `{}`",
                    l.value
                ),
            ));
        }
        ctx.lang = Some(v);
    }
    ctx.consent = def.consent.map(|c| match c {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    });
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
    fn no_closing_line_means_no_front_matter() {
        assert!(parse("m.txt", "---\nnot yaml at all", 0).unwrap().is_none());
    }
}
