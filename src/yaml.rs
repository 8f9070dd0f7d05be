//! All YAML loading goes through here (rule files, packs, config, front matter).
//!
//! We use `serde-saphyr`: `serde_yaml` is archived upstream and, like every libyaml-based fork,
//! takes tens of seconds on hostile nesting; `serde-saphyr` enforces depth, alias and node
//! budgets, rejects duplicate keys and gives us byte locations for errors.

use crate::error::SourceError;
use serde::de::DeserializeOwned;
use serde_saphyr::{MessageFormatter, UserMessageFormatter};
use std::ops::Range;

pub use serde_saphyr::Spanned;

/// Parses `text` (the contents of `path`) into `T`; errors carry a byte span into `text`.
pub fn parse<T: DeserializeOwned>(text: &str, path: &str) -> Result<T, SourceError> {
    serde_saphyr::from_str::<T>(text).map_err(|err| {
        let message = UserMessageFormatter.format_message(&err).into_owned();
        let span = err
            .location()
            .and_then(|loc| location_span(&loc, text))
            .or_else(|| Some(unlocated(text)));
        SourceError::new(path, text, span, message)
    })
}

/// Where to point when the parser gives no location (it ran out of input): at the first
/// bracket left open, else at the last character of the text.
fn unlocated(text: &str) -> Range<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    let mut prev = '\n';
    let mut comment = false;
    for (i, c) in text.char_indices() {
        if comment {
            comment = c != '\n';
        } else if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else {
            match c {
                '"' | '\'' => quote = Some(c),
                '#' if prev.is_whitespace() => comment = true,
                '{' | '[' => open.push(i),
                '}' | ']' => {
                    open.pop();
                }
                _ => {}
            }
        }
        prev = c;
    }
    if let Some(&at) = open.first() {
        return at..at + 1;
    }
    let t = text.trim_end();
    match t.char_indices().last() {
        Some((i, c)) => i..i + c.len_utf8(),
        None => 0..0,
    }
}

/// The byte range of a located YAML value within `text`.
pub fn location_span(loc: &serde_saphyr::Location, text: &str) -> Option<Range<usize>> {
    let span = loc.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len().unwrap_or(0)).ok()?;
    if start > text.len() {
        return None;
    }
    let mut end = (start + len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut start = start;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    Some(start..end.max(start))
}

/// The byte range of a spanned value, for errors found after parsing (a bad regex, an unknown
/// segment name).
pub fn spanned_range<T>(v: &Spanned<T>, text: &str) -> Option<Range<usize>> {
    location_span(&v.referenced, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Thing {
        name: String,
    }

    #[test]
    fn unknown_keys_are_errors_with_a_span() {
        let text = "name: a\nnmae: b\n";
        let err = parse::<Thing>(text, "x.yaml").unwrap_err();
        let span = err.span.clone().expect("span");
        assert_eq!(&text[span.start..span.start + 4], "nmae");
        assert!(err.message.contains("nmae"), "{}", err.message);
    }

    #[test]
    fn an_unclosed_bracket_is_pointed_at() {
        let text = "a: [1, 2]\nb: {c: [3, 4], d: 5\n";
        let err =
            parse::<std::collections::BTreeMap<String, serde::de::IgnoredAny>>(text, "x.yaml")
                .unwrap_err();
        let span = err.span.clone().expect("span");
        assert_eq!(span.start, text.find('{').unwrap(), "{}", err.message);
    }

    #[test]
    fn hostile_nesting_fails_fast() {
        let text = "[".repeat(100_000);
        assert!(parse::<Thing>(&text, "x.yaml").is_err());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            text.push_str(&format!(
                "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        text.push_str("name: x\n");
        assert!(parse::<Thing>(&text, "x.yaml").is_err());
    }
}
