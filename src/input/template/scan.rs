//! Recognising one tag at a position, and the pieces of a variable expression.

use super::dialects::{handlebars, liquid, looks_like_field, mailchimp};
use super::tree::*;
use std::ops::Range;

/// Finds closing delimiters. Every occurrence of a pattern is indexed once, so a file full of
/// unclosed `{{!--` or `{% raw %}` costs a binary search per tag, not a scan of the rest of
/// the file each time.
pub(super) struct Finder<'a> {
    text: &'a str,
    /// Hand-made field names, from the language packs.
    pub(super) fields: &'a [String],
    /// Plain text: `<Company>` and `(company name)` are fields too (in HTML and Markdown the
    /// first is markup and the second too common in prose to guess at).
    pub(super) plain: bool,
    index: std::collections::HashMap<&'static str, Vec<usize>>,
    /// `{% end… %}` tags by their word: (start, end).
    end_tags: Option<std::collections::HashMap<String, Vec<(usize, usize)>>>,
}

impl<'a> Finder<'a> {
    pub(super) fn new(text: &'a str, fields: &'a [String]) -> Finder<'a> {
        Finder {
            text,
            fields,
            plain: false,
            index: std::collections::HashMap::new(),
            end_tags: None,
        }
    }

    /// The first `pat` that starts at or after `from` and ends within `limit` bytes of it.
    fn find(&mut self, from: usize, pat: &'static str, limit: usize) -> Option<usize> {
        let text = self.text;
        let v = self.index.entry(pat).or_insert_with(|| {
            let first = pat.as_bytes()[0];
            text.bytes()
                .enumerate()
                .filter(|&(i, b)| b == first && text.as_bytes()[i..].starts_with(pat.as_bytes()))
                .map(|(i, _)| i)
                .collect()
        });
        let k = v.partition_point(|&p| p < from);
        let bound = from.saturating_add(limit).min(text.len());
        v.get(k).copied().filter(|&p| p + pat.len() <= bound)
    }

    /// The first `{% <word> %}` tag (whitespace control allowed) starting at or after `from`.
    pub(super) fn end_tag(&mut self, word: &str, from: usize) -> Option<(usize, usize)> {
        if self.end_tags.is_none() {
            let mut tags: std::collections::HashMap<String, Vec<(usize, usize)>> =
                std::collections::HashMap::new();
            let opens: Vec<usize> = {
                self.find(0, "{%", usize::MAX);
                self.index.get("{%").cloned().unwrap_or_default()
            };
            for c in opens {
                if let Some(e) = self.find(c + 2, "%}", 1000) {
                    let w = self.text[c + 2..e]
                        .trim_matches(['-', ' '])
                        .trim()
                        .to_ascii_lowercase();
                    if w.starts_with("end") && !w.contains(' ') {
                        tags.entry(w).or_default().push((c, e + 2));
                    }
                }
            }
            self.end_tags = Some(tags);
        }
        let list = self.end_tags.as_ref()?.get(word)?;
        let k = list.partition_point(|&(c, _)| c < from);
        list.get(k).copied()
    }
}

/// Recognises a tag starting at byte `i`.
pub(super) fn scan(text: &str, i: usize, merge_tags: bool, fx: &mut Finder) -> Option<Found> {
    let rest = &text[i..];
    let found = |end: usize, token: Token| Found {
        range: i..end,
        token,
        trim_left: false,
        trim_right: false,
    };
    // A plain field from `i` to `end`, named `name`.
    let field = |end: usize, name: String| Some(found(end, Token::Var(simple_var(i..end, name))));
    if rest.starts_with("{{!--") {
        let close = fx.find(i + 5, "--}}", 20_000)?;
        return Some(found(close + 4, Token::Comment(i + 5..close)));
    }
    if rest.starts_with("{{!") {
        let close = fx.find(i + 3, "}}", 20_000)?;
        return Some(found(close + 2, Token::Comment(i + 3..close)));
    }
    if rest.starts_with("{{{") {
        let close = fx.find(i + 3, "}}}", 300)?;
        let inner = &text[i + 3..close];
        if inner.contains('\n') || inner.trim().is_empty() {
            return None;
        }
        return Some(found(
            close + 3,
            Token::Var(var_of(text, i..close + 3, i + 3..close)),
        ));
    }
    if rest.starts_with("{{") {
        let close = fx.find(i + 2, "}}", 400)?;
        let inner_range = i + 2..close;
        if text[inner_range.clone()].contains("\n\n") || text[inner_range.clone()].contains("{{") {
            return None;
        }
        let (inner, tl, tr) = strip_control(text, inner_range, &['-', '~']);
        let mut f = handlebars(text, i..close + 2, inner)?;
        f.trim_left = tl;
        f.trim_right = tr;
        return Some(f);
    }
    if rest.starts_with("{%") {
        let close = fx.find(i + 2, "%}", 1000)?;
        let (inner, tl, tr) = strip_control(text, i + 2..close, &['-']);
        let mut f = liquid(text, i..close + 2, inner, fx)?;
        f.trim_left = tl;
        f.trim_right = tr;
        return Some(f);
    }
    if rest.starts_with("{#") {
        let close = fx.find(i + 2, "#}", 20_000)?;
        let (inner, tl, tr) = strip_control(text, i + 2..close, &['-']);
        let mut f = found(close + 2, Token::Comment(inner));
        f.trim_left = tl;
        f.trim_right = tr;
        return Some(f);
    }
    if rest.starts_with("*|") {
        let close = fx.find(i + 2, "|*", 80)?;
        let inner = &text[i + 2..close];
        if inner.is_empty()
            || !inner.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-' | ' ' | '#')
            })
        {
            return None;
        }
        return Some(mailchimp(i..close + 2, inner));
    }
    if rest.starts_with("{!") {
        let close = fx.find(i + 2, "}", 100)?;
        let inner = &text[i + 2..close];
        if inner.trim().is_empty() || inner.contains(['{', '\n']) {
            return None;
        }
        let name = inner.trim().trim_end_matches(';').to_string();
        return field(close + 1, name);
    }
    if let Some(after) = ["{contactfield=", "{leadfield=", "{ownerfield="]
        .iter()
        .find(|p| rest.starts_with(**p))
    {
        let start = i + after.len();
        let close = fx.find(start, "}", 120)?;
        let inner = &text[start..close];
        if inner.contains(['{', '\n']) {
            return None;
        }
        let mut v = simple_var(
            i..close + 1,
            inner.split('|').next().unwrap_or("").trim().to_string(),
        );
        if let Some(bar) = inner.find('|') {
            v.fallback = literal(text, start + bar + 1..close);
        }
        return Some(found(close + 1, Token::Var(v)));
    }
    if rest.starts_with('{') {
        let close = fx.find(i + 1, "}", 300)?;
        let inner = &text[i + 1..close];
        if inner.contains(['{', '\n']) {
            return None;
        }
        if inner.contains('|') {
            let mut options = Vec::new();
            let mut pos = i + 1;
            for part in inner.split('|') {
                let lead = part.len() - part.trim_start().len();
                options.push(pos + lead..pos + lead + part.trim().len());
                pos += part.len() + 1;
            }
            if options.len() >= 2 && options.iter().all(|o| !o.is_empty() && o.len() <= 120) {
                return Some(found(close + 1, Token::Spin(options)));
            }
            return None;
        }
        // `{first_name}` (LinkedIn automation tools): only well-known field names.
        let ident = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if ident && looks_like_field(&inner.replace('_', " "), fx.fields) {
            return field(close + 1, inner.to_string());
        }
        return None;
    }
    if rest.starts_with("[[") {
        let close = fx.find(i + 2, "]]", 120)?;
        let inner = &text[i + 2..close];
        if inner.contains(['[', '\n']) {
            return None;
        }
        let trimmed = inner.trim();
        let marker = trimmed
            .get(..13)
            .filter(|h| h.eq_ignore_ascii_case("missing token"));
        if marker.is_some() {
            let mut v = simple_var(i..close + 2, trimmed[13..].trim().to_string());
            v.marker = true;
            return Some(found(close + 2, Token::Var(v)));
        }
        let name = trimmed.split('|').next().unwrap_or("").trim();
        let ident = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.'));
        if !(ident || looks_like_field(name, fx.fields)) {
            return None;
        }
        let mut v = simple_var(i..close + 2, name.to_string());
        if let Some(bar) = inner.find('|') {
            v.fallback = literal(text, i + 2 + bar + 1..close);
        }
        return Some(found(close + 2, Token::Var(v)));
    }
    if rest.starts_with('[') {
        let close = fx.find(i + 1, "]", 60)?;
        let inner = &text[i + 1..close];
        let next = text[close + 1..].chars().next();
        let prev = if i > 0 { text.as_bytes()[i - 1] } else { b' ' };
        if matches!(next, Some('(') | Some('[') | Some(':')) || prev == b'!' || prev == b'[' {
            return None; // a Markdown link or image
        }
        if looks_like_field(inner, fx.fields) {
            return field(close + 1, inner.to_string());
        }
        return None;
    }
    if fx.plain && (rest.starts_with('<') || rest.starts_with('(')) {
        let end = hand_field(text, i, fx)?;
        return field(end, text[i + 1..end - 1].trim().to_string());
    }
    if rest.starts_with("%(") {
        // Python's `%(first_name)s`, as mailing-list software writes its templates
        let close = fx.find(i + 2, ")", 40)?;
        let inner = &text[i + 2..close];
        let conv = text[close + 1..].chars().next();
        if identifier(inner) && matches!(conv, Some('s' | 'd')) {
            return field(close + 2, inner.to_string());
        }
        return None;
    }
    if rest.starts_with("${") {
        // `${name}`, `${contact.company}`: a JavaScript or shell template string's field; the
        // name is the expression's first identifier (`${name ? ' ' + name : ''}`)
        let close = fx.find(i + 2, "}", 80)?;
        let inner = text[i + 2..close].trim();
        let name: String = inner
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
            .collect();
        if inner.contains(['\n', '{']) || !identifier(&name.replace('.', "_")) {
            return None;
        }
        return field(close + 1, name);
    }
    if let Some(after) = rest.strip_prefix('$') {
        // PHP's `$name`, `$first_name`: only a known field name, after a space or a quote
        let len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        let before_ok = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '"' | '\'' | ','));
        if before_ok && identifier(name) && looks_like_field(&name.replace('_', " "), fx.fields) {
            return field(i + 1 + len, name.to_string());
        }
        return None;
    }
    if rest.starts_with('%') {
        let close = fx.find(i + 1, "%", 60)?;
        let inner = &text[i + 1..close];
        if inner.is_empty()
            || inner.starts_with(' ')
            || inner.ends_with(' ')
            || inner.contains('\n')
        {
            return None;
        }
        let upper_ident = inner.starts_with(|c: char| c.is_ascii_uppercase())
            && inner
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && inner.len() >= 2;
        let snake = inner.chars().all(|c| c.is_alphanumeric() || c == '_') && inner.contains('_');
        if upper_ident || snake || looks_like_field(inner, fx.fields) {
            return field(close + 1, inner.to_string());
        }
        return None;
    }
    if merge_tags && rest.starts_with('@') {
        let before_ok = i == 0
            || text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || matches!(c, '(' | '"' | '\''));
        let len = rest[1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - 1);
        let name = &rest[1..1 + len];
        let after = &rest[1 + len..];
        let emailish =
            after.starts_with('.') && after[1..].starts_with(|c: char| c.is_alphanumeric());
        if before_ok
            && !emailish
            && !name.is_empty()
            && looks_like_field(&name.replace('_', " "), fx.fields)
        {
            return field(i + 1 + len, name.to_string());
        }
    }
    None
}

/// A programming-language identifier: a letter or `_`, then letters, digits or `_`.
fn identifier(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A hand-made field in angle brackets or parentheses, as people leave them in plain-text
/// templates ("Hello <name>,", "at <Company>", "(connection's name)"); the end of the tag.
/// Stricter than `[Name]`: angle brackets also hold addresses, links and stray markup, and
/// parentheses hold prose. An angle field is a known field name, or hyphenated words one of
/// which is (`<name-of-recruiter>`), never an HTML element's name; a parenthesised one has two
/// words or more and is a known field, a "… name" or an "insert …" (`(company name)`, `(your
/// name)`), so "(name)", "(position)" or "(their new app)" in a sentence is left alone.
fn hand_field(text: &str, i: usize, fx: &mut Finder) -> Option<usize> {
    let (close_pat, angle) = if text[i..].starts_with('<') {
        (">", true)
    } else {
        (")", false)
    };
    let close = fx.find(i + 1, close_pat, 50)?;
    let inner = &text[i + 1..close];
    if inner.trim() != inner || inner.contains('\n') {
        return None;
    }
    let words = inner.split_whitespace().count();
    let lower = inner.to_lowercase();
    let ok = if angle {
        const ELEMENTS: [&str; 8] = [
            "title", "address", "time", "data", "label", "main", "section", "option",
        ];
        !ELEMENTS.contains(&lower.as_str())
            && (looks_like_field(inner, fx.fields)
                || (inner.contains('-')
                    && words == 1
                    && inner.chars().all(|c| c.is_alphanumeric() || c == '-')
                    && lower
                        .split('-')
                        .any(|w| w.len() > 2 && fx.fields.iter().any(|f| f == w))))
    } else {
        // "(company name)", "(connection's name)", "(insert role)"; not "(their L2 chain)"
        words >= 2
            && looks_like_field(inner, fx.fields)
            && (fx.fields.contains(&super::render::normalize(inner))
                || lower.ends_with(" name")
                || lower.starts_with("insert "))
    };
    ok.then_some(close + 1)
}

/// Strips whitespace-control marks (`-`, `~`) from a tag's inside.
pub(super) fn strip_control(
    text: &str,
    inner: Range<usize>,
    marks: &[char],
) -> (Range<usize>, bool, bool) {
    let s = &text[inner.clone()];
    let left = s.starts_with(marks);
    let right = s.len() > 1 && s.ends_with(marks);
    let start = inner.start + usize::from(left);
    let end = (inner.end - usize::from(right)).max(start);
    (start..end, left, right)
}

pub(super) fn simple_var(tag: Range<usize>, name: String) -> Var {
    Var {
        tag,
        name,
        fallback: None,
        marker: false,
        guarded: false,
    }
}

/// The words of a fallback: a quoted string, or the unquoted rest; `None` when empty.
pub(super) fn literal(text: &str, r: Range<usize>) -> Option<Range<usize>> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    let (start, len) = match t.chars().next() {
        Some(q @ ('"' | '\'' | '“' | '‘')) => {
            let close = match q {
                '“' => '”',
                '‘' => '’',
                c => c,
            };
            let body = &t[q.len_utf8()..];
            let end = body.find(close).unwrap_or(body.len());
            (r.start + lead + q.len_utf8(), end)
        }
        _ => (r.start + lead, t.trim_end_matches([')', ' ']).len()),
    };
    (len > 0 && !text[start..start + len].trim().is_empty()).then_some(start..start + len)
}

/// Splits on `|` outside quotes; returns absolute ranges.
pub(super) fn split_pipes(text: &str, r: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = r.start;
    for (k, c) in text[r.clone()].char_indices() {
        let at = r.start + k;
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '|') => {
                out.push(start..at);
                start = at + 1;
            }
            _ => {}
        }
    }
    out.push(start..r.end);
    out
}

/// A `{{ … }}` variable expression: name, filters, fallback.
pub(super) fn var_of(text: &str, tag: Range<usize>, inner: Range<usize>) -> Var {
    let parts = split_pipes(text, inner.clone());
    let head = parts[0].clone();
    let head_text = &text[head.clone()];
    let mut v = simple_var(tag, String::new());
    // Marketo `{{lead.City:default=x}}`, Jinja `{{ x or "there" }}`.
    let lower = head_text.to_ascii_lowercase();
    if let Some(k) = lower.find(":default=") {
        v.name = head_text[..k].trim().to_string();
        v.fallback = literal(text, head.start + k + 9..head.end);
    } else if let Some(k) = lower.find(" or ") {
        v.name = head_text[..k].trim().to_string();
        v.fallback = literal(text, head.start + k + 4..head.end);
    } else {
        v.name = head_text.trim().trim_start_matches('&').trim().to_string();
    }
    for f in &parts[1..] {
        let ft = text[f.clone()].trim_start();
        let at = f.start + (text[f.clone()].len() - ft.len());
        let fl = ft.to_ascii_lowercase();
        if ft.starts_with(['"', '\'']) {
            // Woodpecker: `{{FIRST_NAME | "there"}}`
            v.fallback = v.fallback.clone().or_else(|| literal(text, at..f.end));
        } else if let Some(arg) = ["default", "d(", "d:", "fallback"]
            .iter()
            .find_map(|k| fl.strip_prefix(k).map(|_| k.len()))
        {
            let rest = at + arg..f.end;
            let r = text[rest.clone()].trim_start_matches([':', '(', ' ', '=']);
            let skip = text[rest.clone()].len() - r.len();
            v.fallback = v
                .fallback
                .clone()
                .or_else(|| literal(text, rest.start + skip..rest.end));
        }
    }
    v
}
