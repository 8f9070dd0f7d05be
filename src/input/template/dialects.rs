//! The tag forms of particular tools: Handlebars blocks, Liquid/Jinja statements, Mailchimp
//! merge tags, and hand-written `[First Name]`-style fields.

use super::render::normalize;
use super::scan::{literal, simple_var, split_pipes, var_of, Finder};
use super::tree::*;
use std::ops::Range;

/// Whether bracketed or percent-delimited words look like a merge field. `fields` are the
/// language packs' field names (`fields:` in pack.yaml), normalised.
pub(super) fn looks_like_field(content: &str, fields: &[String]) -> bool {
    let words: Vec<&str> = content.split_whitespace().collect();
    if words.is_empty() || words.len() > 4 || content.len() > 40 {
        return false;
    }
    if !content
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | '-' | '\'' | '’'))
    {
        return false;
    }
    if !content.chars().next().is_some_and(char::is_alphabetic) {
        return false;
    }
    let n = normalize(content);
    if fields.contains(&n) {
        return true;
    }
    let lower = content.to_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    // "[Insert company]", "[Your name]", "[Recipient's company]", "[Prospect name]"
    if matches!(
        first,
        "insert" | "your" | "their" | "recipient's" | "recipient’s" | "prospect's" | "contact's"
    ) && words.len() >= 2
    {
        return true;
    }
    // FIRST_NAME, Company_Name: an identifier with an underscore, or a known field inside.
    let identifier =
        content.chars().all(|c| c.is_alphanumeric() || c == '_') && content.contains('_');
    identifier || (words.len() <= 3 && (n.ends_with("name") || n.ends_with("company")))
}

pub(super) fn handlebars(text: &str, tag: Range<usize>, inner: Range<usize>) -> Option<Found> {
    let s = text[inner.clone()].trim();
    let found = |token| {
        Some(Found {
            range: tag.clone(),
            token,
            trim_left: false,
            trim_right: false,
        })
    };
    if s.is_empty() {
        return None;
    }
    let word = |s: &str| {
        s.split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    if let Some(r) = s.strip_prefix('#') {
        let w = word(r);
        return match w.as_str() {
            "else" => found(Token::Block {
                role: BlockRole::Next,
                name: String::new(),
            }),
            "endif" | "endunless" | "endeach" => found(Token::Block {
                role: BlockRole::Close,
                name: w.trim_start_matches("end").to_string(),
            }),
            "unless" => found(Token::Block {
                role: BlockRole::Open { inverted: true },
                name: w,
            }),
            _ => found(Token::Block {
                role: BlockRole::Open { inverted: false },
                name: w,
            }),
        };
    }
    if let Some(r) = s.strip_prefix('^') {
        if r.trim().is_empty() {
            return found(Token::Block {
                role: BlockRole::Next,
                name: String::new(),
            });
        }
        return found(Token::Block {
            role: BlockRole::Open { inverted: true },
            name: word(r),
        });
    }
    if let Some(r) = s.strip_prefix('/') {
        return found(Token::Block {
            role: BlockRole::Close,
            name: word(r),
        });
    }
    let w = word(s);
    if w == "else" {
        return found(Token::Block {
            role: BlockRole::Next,
            name: String::new(),
        });
    }
    if s.starts_with('>') {
        return found(Token::Statement);
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    if matches!(words[0].to_ascii_uppercase().as_str(), "SPINTAX" | "RANDOM") && s.contains('|') {
        let parts = split_pipes(text, inner.clone());
        let options: Vec<Range<usize>> = parts[1..]
            .iter()
            .filter_map(|p| literal(text, p.clone()))
            .collect();
        if options.len() >= 2 {
            return found(Token::Spin(options));
        }
    }
    found(Token::Var(var_of(text, tag.clone(), inner)))
}

pub(super) fn liquid(
    text: &str,
    tag: Range<usize>,
    inner: Range<usize>,
    fx: &mut Finder,
) -> Option<Found> {
    let s = text[inner].trim();
    let w = s
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let block = |role, name: &str| Token::Block {
        role,
        name: name.to_string(),
    };
    let mut end = tag.end;
    let token = match w.as_str() {
        "if" | "for" | "case" | "with" | "block" | "filter" | "tablerow" => {
            block(BlockRole::Open { inverted: false }, &w)
        }
        "unless" => block(BlockRole::Open { inverted: true }, &w),
        "elsif" | "elif" | "else" | "when" => block(BlockRole::Next, ""),
        "endif" | "endfor" | "endcase" | "endunless" | "endwith" | "endblock" | "endfilter"
        | "endtablerow" => block(BlockRole::Close, &w["end".len()..]),
        "raw" => {
            let (close, close_end) = fx.end_tag("endraw", tag.end)?;
            end = close_end;
            Token::Raw(tag.end..close)
        }
        "comment" | "capture" | "macro" | "call" | "set" if w != "set" || !s.contains('=') => {
            let (close, close_end) = fx.end_tag(&format!("end{w}"), tag.end)?;
            end = close_end;
            if w == "comment" {
                Token::Comment(tag.end..close)
            } else {
                Token::Skip
            }
        }
        _ => Token::Statement,
    };
    Some(Found {
        range: tag.start..end,
        token,
        trim_left: false,
        trim_right: false,
    })
}

pub(super) fn mailchimp(tag: Range<usize>, inner: &str) -> Found {
    let upper = inner.to_ascii_uppercase();
    let token = if let Some(rest) = upper.strip_prefix("IF:") {
        let _ = rest;
        Token::Block {
            role: BlockRole::Open { inverted: false },
            name: "if".into(),
        }
    } else if upper.starts_with("IFNOT:") {
        Token::Block {
            role: BlockRole::Open { inverted: true },
            name: "ifnot".into(),
        }
    } else if upper.starts_with("ELSEIF:") || upper.starts_with("ELSE:") {
        Token::Block {
            role: BlockRole::Next,
            name: String::new(),
        }
    } else if upper.starts_with("END:") {
        Token::Block {
            role: BlockRole::Close,
            name: "if".into(),
        }
    } else {
        Token::Var(simple_var(tag.clone(), inner.to_string()))
    };
    Found {
        range: tag,
        token,
        trim_left: false,
        trim_right: false,
    }
}
