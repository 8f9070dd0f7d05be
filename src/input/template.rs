//! Mail-merge syntax: placeholders, conditionals, spintax and template comments, in the forms
//! outreach tools use (Mustache/Handlebars, Liquid/Jinja, Mailchimp, Salesforce, Woodpecker,
//! Mautic, HubSpot, `%FIRST_NAME%`, `[[first_name]]`, `[First Name]` …).
//!
//! A template is parsed once into a small tree and *rendered* into the text rules read: each
//! placeholder becomes a neutral stand-in ("Hi {{first_name}}," reads "Hi Alex,"), comments and
//! block tags disappear, and every conditional or spintax choice is taken in some rendering, so
//! both branches are checked. Rendering 0 takes the first branch everywhere with stand-ins;
//! rendering `n` takes branch `n` (or the last), and fallbacks instead of stand-ins.
//!
//! The same recognition runs on every draft, template or not: in a finished draft a leftover
//! placeholder is what the `mass-message` rules report.

use super::layer::{covered_after, suppression_targets, Layer};
use std::ops::Range;

/// Renderings are capped: a spintax with 20 options is checked through its first eight.
const MAX_VARIANTS: usize = 8;

#[derive(Debug, Clone)]
struct Var {
    tag: Range<usize>,
    name: String,
    /// Where the fallback's words are, inside the tag (`"there"` in `{{x | default: "there"}}`).
    fallback: Option<Range<usize>>,
    /// A vendor's missing-token marker (`[[MISSING TOKEN …]]`), not a tag.
    marker: bool,
    /// Inside a conditional whose other branch says something: never renders empty.
    guarded: bool,
}

#[derive(Debug, Clone)]
enum Node {
    Text(Range<usize>),
    Var(Var),
    /// A conditional or a loop: rendering `n` takes branch `min(n, len - 1)`. `name` and
    /// `inverted` say which tag opened it, so `{{#x}}…{{/x}}{{^x}}…{{/x}}` can pair up.
    Cond {
        name: String,
        inverted: bool,
        branches: Vec<Vec<Node>>,
    },
    /// Spintax: options are verbatim ranges.
    Spin {
        tag: Range<usize>,
        options: Vec<Range<usize>>,
    },
}

/// A `tactful-disable` comment, in the coordinates of the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub targets: Vec<String>,
    pub comment: Range<usize>,
    pub covers: Range<usize>,
}

/// A placeholder as rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPlaceholder {
    /// Range of the stand-in (or fallback) in the rendered text.
    pub rendered: Range<usize>,
    /// Range of the whole tag in the parsed text.
    pub tag: Range<usize>,
    pub name: String,
    pub has_fallback: bool,
    pub marker: bool,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub layer: Layer,
    pub placeholders: Vec<RenderedPlaceholder>,
}

#[derive(Debug, Default)]
pub struct Template {
    nodes: Vec<Node>,
    /// How many renderings cover every branch, option and fallback (at least 1).
    pub variants: usize,
    pub suppressions: Vec<Suppression>,
    /// Problems with the syntax (an unclosed `{{#if}}`), with where they are.
    pub notes: Vec<(String, Range<usize>)>,
    /// Whether any template syntax was found at all.
    pub has_syntax: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockRole {
    Open {
        inverted: bool,
    },
    /// `{{else}}`, `{% elsif %}`, `{% when %}`: starts the next branch.
    Next,
    Close,
}

#[derive(Debug)]
struct Frame {
    name: String,
    inverted: bool,
    open: Range<usize>,
    branches: Vec<Vec<Node>>,
}

/// What the scanner found at one position.
enum Token {
    Var(Var),
    Spin(Vec<Range<usize>>),
    Comment(Range<usize>),
    Block {
        role: BlockRole,
        name: String,
    },
    /// A tag that renders nothing (`{% set %}`, `{{> partial}}`).
    Statement,
    /// Literal text until the closing tag (`{% raw %}`): its range, excluding the closer.
    Raw(Range<usize>),
    /// Content that renders nothing, up to the closing tag (`{% comment %}`).
    Skip,
}

struct Found {
    range: Range<usize>,
    token: Token,
    /// Jinja/Handlebars whitespace control on the left (`{%-`) and right (`-%}`).
    trim_left: bool,
    trim_right: bool,
}

/// Parses `text`. `merge_tags` enables forms that clash with ordinary prose (`@firstname`),
/// for files known to be templates.
pub fn parse(text: &str, merge_tags: bool) -> Template {
    let mut fx = Finder::new(text);
    let mut t = Template {
        variants: 1,
        ..Default::default()
    };
    let b = text.as_bytes();
    let mut root: Vec<Node> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut block_spans: Vec<Range<usize>> = Vec::new();
    let mut comments: Vec<(Range<usize>, Range<usize>)> = Vec::new(); // (tag, content)
    let mut last = 0;
    let mut i = 0;
    let mut pending_trim = false;
    while i < b.len() {
        let c = b[i];
        if !matches!(c, b'{' | b'[' | b'*' | b'%' | b'@') {
            i += 1;
            continue;
        }
        let Some(found) = scan(text, i, merge_tags, &mut fx) else {
            i += 1;
            continue;
        };
        t.has_syntax = true;
        let mut range = found.range.clone();
        let standalone = if matches!(found.token, Token::Var(_) | Token::Spin(_)) {
            None
        } else {
            standalone_line(text, &range, last)
        };
        let mut text_end = range.start;
        if let Some(line) = standalone.clone() {
            text_end = line.start;
            range.end = line.end;
        } else if found.trim_left {
            text_end = last + text[last..range.start].trim_end().len();
        }
        let mut text_start = last;
        if pending_trim && text_end > last {
            let seg = &text[last..text_end];
            text_start = last + (seg.len() - seg.trim_start().len());
        }
        let current = match stack.last_mut() {
            Some(f) => f.branches.last_mut().map_or(&mut root, |b| b),
            None => &mut root,
        };
        if text_end > text_start {
            current.push(Node::Text(text_start..text_end));
        }
        pending_trim = found.trim_right;
        last = range.end;
        i = range.end;
        match found.token {
            Token::Var(v) => {
                if v.fallback.is_some() {
                    t.variants = t.variants.max(2);
                }
                current.push(Node::Var(v));
            }
            Token::Spin(options) => {
                t.variants = t.variants.max(options.len());
                current.push(Node::Spin {
                    tag: found.range.clone(),
                    options,
                });
            }
            Token::Comment(content) => comments.push((found.range.clone(), content)),
            Token::Statement => {}
            Token::Raw(r) => {
                if !r.is_empty() {
                    current.push(Node::Text(r));
                }
            }
            Token::Skip => {}
            Token::Block { role, name } => match role {
                BlockRole::Open { inverted } => stack.push(Frame {
                    name,
                    inverted,
                    open: found.range.clone(),
                    branches: vec![Vec::new()],
                }),
                BlockRole::Next => match stack.last_mut() {
                    Some(f) => f.branches.push(Vec::new()),
                    None => t.notes.push((
                        format!("`{}` outside any block", text[found.range.clone()].trim()),
                        found.range.clone(),
                    )),
                },
                BlockRole::Close => {
                    let at = stack.iter().rposition(|f| {
                        name.is_empty() || f.name == name || close_matches(&f.name, &name)
                    });
                    match at {
                        Some(at) => {
                            while stack.len() > at + 1 {
                                let f = stack.pop().expect("len checked");
                                t.notes.push((
                                    format!("`{}` is not closed", text[f.open.clone()].trim()),
                                    f.open.clone(),
                                ));
                                close_frame(
                                    text,
                                    f,
                                    found.range.start,
                                    &mut stack,
                                    &mut root,
                                    &mut t.variants,
                                    &mut block_spans,
                                );
                            }
                            let f = stack.pop().expect("position found");
                            close_frame(
                                text,
                                f,
                                found.range.end,
                                &mut stack,
                                &mut root,
                                &mut t.variants,
                                &mut block_spans,
                            );
                        }
                        None => t.notes.push((
                            format!(
                                "`{}` closes no open block",
                                text[found.range.clone()].trim()
                            ),
                            found.range.clone(),
                        )),
                    }
                }
            },
        }
    }
    let mut text_start = last;
    if pending_trim {
        text_start = last + (text[last..].len() - text[last..].trim_start().len());
    }
    {
        let current = match stack.last_mut() {
            Some(f) => f.branches.last_mut().map_or(&mut root, |b| b),
            None => &mut root,
        };
        if text.len() > text_start {
            current.push(Node::Text(text_start..text.len()));
        }
    }
    while let Some(f) = stack.pop() {
        t.notes.push((
            format!("`{}` is not closed", text[f.open.clone()].trim()),
            f.open.clone(),
        ));
        close_frame(
            text,
            f,
            text.len(),
            &mut stack,
            &mut root,
            &mut t.variants,
            &mut block_spans,
        );
    }
    t.variants = t.variants.clamp(1, MAX_VARIANTS);
    for (tag, content) in comments {
        if let Some(targets) = suppression_targets(&text[content]) {
            let mut covers = covered_after(text, tag.end);
            // A comment right before a block covers the whole block.
            if let Some(block) = block_spans.iter().find(|s| {
                s.start == covers.start
                    || (s.start >= covers.start
                        && s.start < covers.end
                        && text[covers.start..s.start].trim().is_empty())
            }) {
                covers.end = covers.end.max(block.end);
            }
            t.suppressions.push(Suppression {
                targets,
                comment: tag,
                covers,
            });
        }
    }
    t.nodes = root;
    t
}

fn close_matches(open: &str, close: &str) -> bool {
    // Apollo's `{{#endif}}`, Liquid's `endif` for `if`/`unless`, Mailchimp's `END:IF`.
    close == format!("end{open}")
        || (open == "unless" && close == "endunless")
        || (close == "if" && open == "ifnot")
}

fn close_frame(
    text: &str,
    mut f: Frame,
    end: usize,
    stack: &mut [Frame],
    root: &mut Vec<Node>,
    variants: &mut usize,
    spans: &mut Vec<Range<usize>>,
) {
    if f.branches.len() == 1 {
        f.branches.push(Vec::new());
    }
    if f.inverted {
        // `{{^x}}…{{/x}}`, `{% unless %}`: the body renders when the value is missing, so the
        // first rendering (values present) takes the other branch.
        f.branches.rotate_right(1);
    }
    let says_something = |nodes: &[Node]| {
        nodes.iter().any(|n| match n {
            Node::Text(r) => !text[r.clone()].trim().is_empty(),
            _ => true,
        })
    };
    *variants = (*variants).max(f.branches.len());
    spans.push(f.open.start..end);
    let target = match stack.last_mut().and_then(|p| p.branches.last_mut()) {
        Some(b) => b,
        None => root,
    };
    // Mustache writes if/else as two sections: `{{#x}}A{{/x}}{{^x}}B{{/x}}`. The inverted one
    // becomes the other branch of the section just before it.
    if f.inverted && f.branches.len() == 2 && !says_something(&f.branches[0]) {
        let prev = target
            .iter_mut()
            .rev()
            .find(|n| !matches!(n, Node::Text(r) if text[r.clone()].trim().is_empty()));
        if let Some(Node::Cond {
            name,
            inverted: false,
            branches,
        }) = prev
        {
            if *name == f.name && branches.len() == 2 && !says_something(&branches[1]) {
                branches[1] = std::mem::take(&mut f.branches[1]);
                if branches.iter().all(|b| says_something(b)) {
                    branches.iter_mut().for_each(|b| mark_guarded(b));
                }
                return;
            }
        }
    }
    let alternatives = f.branches.iter().filter(|b| says_something(b)).count();
    if alternatives >= 2 {
        for b in &mut f.branches {
            mark_guarded(b);
        }
    }
    target.push(Node::Cond {
        name: f.name,
        inverted: f.inverted,
        branches: f.branches,
    });
}

fn mark_guarded(nodes: &mut [Node]) {
    for n in nodes {
        match n {
            Node::Var(v) => v.guarded = true,
            Node::Cond { branches, .. } => branches.iter_mut().for_each(|b| mark_guarded(b)),
            _ => {}
        }
    }
}

/// If the tag stands alone on its line, the whole line (with its break) to drop.
fn standalone_line(text: &str, tag: &Range<usize>, last: usize) -> Option<Range<usize>> {
    let start = text[..tag.start].rfind('\n').map_or(0, |i| i + 1);
    if start < last
        || !text[start..tag.start]
            .chars()
            .all(|c| c == ' ' || c == '\t')
    {
        return None;
    }
    let rest = &text[tag.end..];
    let line_rest = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if !rest[..line_rest].chars().all(|c| c.is_whitespace()) {
        return None;
    }
    Some(start..tag.end + line_rest)
}

impl Template {
    /// Renders variant `n` of `text` (the same text that was parsed).
    pub fn render(&self, text: &str, n: usize) -> Rendered {
        let mut out = Rendered::default();
        render_nodes(text, &self.nodes, n, &mut out);
        out
    }
}

fn render_nodes(text: &str, nodes: &[Node], n: usize, out: &mut Rendered) {
    for node in nodes {
        match node {
            Node::Text(r) => out.layer.exact(&text[r.clone()], r.start),
            Node::Var(v) => {
                let start = out.layer.len();
                match (&v.fallback, n) {
                    (Some(f), n) if n > 0 => out.layer.exact(&text[f.clone()], f.start),
                    _ => out.layer.whole(stand_in(&v.name), v.tag.clone()),
                }
                out.placeholders.push(RenderedPlaceholder {
                    rendered: start..out.layer.len(),
                    tag: v.tag.clone(),
                    name: v.name.clone(),
                    has_fallback: v.fallback.is_some() || v.guarded,
                    marker: v.marker,
                });
            }
            Node::Cond { branches, .. } => {
                if let Some(b) = branches.get(n.min(branches.len().saturating_sub(1))) {
                    render_nodes(text, b, n, out);
                }
            }
            Node::Spin { tag, options } => {
                if let Some(o) = options.get(n.min(options.len().saturating_sub(1))) {
                    let start = out.layer.len();
                    out.layer.exact(&text[o.clone()], o.start);
                    out.placeholders.push(RenderedPlaceholder {
                        rendered: start..out.layer.len(),
                        tag: tag.clone(),
                        name: "spintax".into(),
                        has_fallback: true,
                        marker: false,
                    });
                }
            }
        }
    }
}

/// A neutral word for a placeholder, chosen by what the variable holds, so that the rendered
/// sentence reads like the real one ("Hi Alex," is a greeting; a calendar link is a link).
pub fn stand_in(name: &str) -> &'static str {
    let n = normalize(name);
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    let link = has(&["url", "link"]);
    if has(&["calendly"]) || link && has(&["calendar", "booking", "meeting", "schedul"]) {
        "https://calendly.com/example"
    } else if link || has(&["unsub", "archive", "website"]) {
        "https://example.com"
    } else if has(&[
        "company",
        "organi",
        "business",
        "account",
        "empresa",
        "azienda",
        "bedrijf",
        "firma",
        "entreprise",
        "societe",
        "employer",
    ]) {
        "Acme"
    } else if has(&[
        "last",
        "surname",
        "apellido",
        "cognome",
        "nazwisko",
        "nachname",
        "achternaam",
    ]) {
        "Lee"
    } else if has(&[
        "city", "location", "ciudad", "citta", "stadt", "ville", "miasto",
    ]) {
        "Lisbon"
    } else {
        "Alex"
    }
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Field names people write in brackets or percent signs by hand (`[First Name]`, `%Company%`).
const FIELDS: &[&str] = &[
    "name",
    "firstname",
    "lastname",
    "fullname",
    "fname",
    "lname",
    "surname",
    "company",
    "companyname",
    "organization",
    "organisation",
    "title",
    "jobtitle",
    "position",
    "role",
    "city",
    "country",
    "industry",
    "website",
    "email",
    "phone",
    "recipient",
    "prospect",
    "contact",
    "date",
    "product",
    "school",
    "event",
    "topic",
    "department",
    "team",
    "nombre",
    "apellido",
    "empresa",
    "cargo",
    "ciudad",
    "nome",
    "cognome",
    "azienda",
    "ruolo",
    "naam",
    "voornaam",
    "achternaam",
    "bedrijf",
    "functie",
    "imię",
    "imie",
    "nazwisko",
    "firma",
    "stanowisko",
    "vorname",
    "nachname",
    "unternehmen",
    "prénom",
    "prenom",
    "nom",
    "entreprise",
    "société",
    "societe",
    "poste",
    "שם",
    "חברה",
    "תפקיד",
];

/// Whether bracketed or percent-delimited words look like a merge field.
fn looks_like_field(content: &str) -> bool {
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
    if FIELDS.contains(&n.as_str()) {
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

/// Finds closing delimiters. Every occurrence of a pattern is indexed once, so a file full of
/// unclosed `{{!--` or `{% raw %}` costs a binary search per tag, not a scan of the rest of
/// the file each time.
pub(crate) struct Finder<'a> {
    text: &'a str,
    index: std::collections::HashMap<&'static str, Vec<usize>>,
    /// `{% end… %}` tags by their word: (start, end).
    end_tags: Option<std::collections::HashMap<String, Vec<(usize, usize)>>>,
}

impl<'a> Finder<'a> {
    fn new(text: &'a str) -> Finder<'a> {
        Finder {
            text,
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
    fn end_tag(&mut self, word: &str, from: usize) -> Option<(usize, usize)> {
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
fn scan(text: &str, i: usize, merge_tags: bool, fx: &mut Finder) -> Option<Found> {
    let rest = &text[i..];
    let found = |end: usize, token: Token| Found {
        range: i..end,
        token,
        trim_left: false,
        trim_right: false,
    };
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
        return Some(found(close + 1, Token::Var(simple_var(i..close + 1, name))));
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
        if ident && looks_like_field(&inner.replace('_', " ")) {
            return Some(found(
                close + 1,
                Token::Var(simple_var(i..close + 1, inner.to_string())),
            ));
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
        if !(ident || looks_like_field(name)) {
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
        if looks_like_field(inner) {
            return Some(found(
                close + 1,
                Token::Var(simple_var(i..close + 1, inner.to_string())),
            ));
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
        if upper_ident || snake || looks_like_field(inner) {
            return Some(found(
                close + 1,
                Token::Var(simple_var(i..close + 1, inner.to_string())),
            ));
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
        if before_ok && !emailish && !name.is_empty() && looks_like_field(&name.replace('_', " ")) {
            return Some(found(
                i + 1 + len,
                Token::Var(simple_var(i..i + 1 + len, name.to_string())),
            ));
        }
    }
    None
}

/// Strips whitespace-control marks (`-`, `~`) from a tag's inside.
fn strip_control(text: &str, inner: Range<usize>, marks: &[char]) -> (Range<usize>, bool, bool) {
    let s = &text[inner.clone()];
    let left = s.starts_with(marks);
    let right = s.len() > 1 && s.ends_with(marks);
    let start = inner.start + usize::from(left);
    let end = (inner.end - usize::from(right)).max(start);
    (start..end, left, right)
}

fn simple_var(tag: Range<usize>, name: String) -> Var {
    Var {
        tag,
        name,
        fallback: None,
        marker: false,
        guarded: false,
    }
}

/// The words of a fallback: a quoted string, or the unquoted rest; `None` when empty.
fn literal(text: &str, r: Range<usize>) -> Option<Range<usize>> {
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
fn split_pipes(text: &str, r: Range<usize>) -> Vec<Range<usize>> {
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
fn var_of(text: &str, tag: Range<usize>, inner: Range<usize>) -> Var {
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

fn handlebars(text: &str, tag: Range<usize>, inner: Range<usize>) -> Option<Found> {
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

fn liquid(text: &str, tag: Range<usize>, inner: Range<usize>, fx: &mut Finder) -> Option<Found> {
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

fn mailchimp(tag: Range<usize>, inner: &str) -> Found {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, n: usize) -> (String, Vec<(String, String, bool)>) {
        let t = parse(text, true);
        let r = t.render(text, n);
        let ph = r
            .placeholders
            .iter()
            .map(|p| {
                (
                    r.layer.text[p.rendered.clone()].to_string(),
                    text[p.tag.clone()].to_string(),
                    p.has_fallback,
                )
            })
            .collect();
        (r.layer.text, ph)
    }

    #[test]
    fn every_syntax_becomes_a_stand_in() {
        for (tag, name) in [
            ("{{first_name}}", "first_name"),
            ("{{ contact.firstname }}", "contact.firstname"),
            ("{{{Recipient.FirstName}}}", "Recipient.FirstName"),
            ("*|FNAME|*", "FNAME"),
            ("{!Contact.FirstName}", "Contact.FirstName"),
            ("{!User:First Name;}", "User:First Name"),
            ("%FIRST_NAME%", "FIRST_NAME"),
            ("%First Name%", "First Name"),
            ("[[first_name]]", "first_name"),
            ("[First Name]", "First Name"),
            ("{contactfield=firstname}", "firstname"),
            ("{{lead.First Name}}", "lead.First Name"),
            ("@firstname", "firstname"),
        ] {
            let text = format!("Hi {tag}, good to meet you.");
            let t = parse(&text, true);
            let r = t.render(&text, 0);
            assert_eq!(r.layer.text, "Hi Alex, good to meet you.", "{tag}");
            assert_eq!(r.placeholders.len(), 1, "{tag}");
            assert_eq!(r.placeholders[0].name, name, "{tag}");
            assert_eq!(&text[r.placeholders[0].tag.clone()], tag);
            assert!(!r.placeholders[0].has_fallback, "{tag}");
        }
    }

    #[test]
    fn fallbacks_are_found_and_rendered_in_the_second_variant() {
        for (tag, fallback) in [
            ("{{FIRST_NAME | \"there\"}}", "there"),
            ("{{ first_name | default: \"there\" }}", "there"),
            ("{{ contact.firstname|default('there') }}", "there"),
            ("{{lead.First Name:default=there}}", "there"),
            ("{contactfield=firstname|there}", "there"),
            ("[[first_name|Dear Reader]]", "Dear Reader"),
            ("{{ first_name or 'there' }}", "there"),
        ] {
            let text = format!("Hi {tag},");
            let (r0, ph) = render(&text, 0);
            assert_eq!(r0, "Hi Alex,", "{tag}");
            assert!(ph[0].2, "{tag} has a fallback");
            let (r1, _) = render(&text, 1);
            assert_eq!(r1, format!("Hi {fallback},"), "{tag}");
        }
    }

    #[test]
    fn filters_are_not_fallbacks() {
        let (_, ph) = render("Hi {{ first_name | capitalize }},", 0);
        assert!(!ph[0].2);
        let (_, ph) = render("Hi {{ first_name | default: \"\" }},", 0);
        assert!(!ph[0].2, "an empty fallback still renders `Hi ,`");
    }

    #[test]
    fn both_branches_of_a_conditional_are_rendered() {
        let text = "Hi {{#if first_name}}{{first_name}}{{else}}there{{/if}},\n\nBody.";
        let t = parse(text, false);
        assert_eq!(t.variants, 2);
        assert_eq!(t.render(text, 0).layer.text, "Hi Alex,\n\nBody.");
        assert_eq!(t.render(text, 1).layer.text, "Hi there,\n\nBody.");
        let (_, ph) = render(text, 0);
        assert!(ph[0].2, "guarded by an else branch");
    }

    #[test]
    fn liquid_blocks_on_their_own_lines_vanish_with_their_lines() {
        let text = "Hi {{ name }},\n{% if company %}\nI saw {{ company }} is hiring.\n{% else %}\nI saw your post.\n{% endif %}\nBest,\nJo";
        let t = parse(text, false);
        assert_eq!(
            t.render(text, 0).layer.text,
            "Hi Alex,\nI saw Acme is hiring.\nBest,\nJo"
        );
        assert_eq!(
            t.render(text, 1).layer.text,
            "Hi Alex,\nI saw your post.\nBest,\nJo"
        );
        assert!(t.notes.is_empty());
    }

    #[test]
    fn mustache_inverted_sections_and_unless() {
        let text = "{{#name}}Hi {{name}},{{/name}}{{^name}}Hello,{{/name}}";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "Hi Alex,");
        assert_eq!(t.render(text, 1).layer.text, "Hello,");
        let (_, ph) = render("{{#name}}Hi {{name}},{{/name}}{{^name}}Hello,{{/name}}", 0);
        assert!(ph[0].2, "the inverted section is the else branch");
        let text = "{% unless first_name %}Hello,{% endunless %}";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "");
        assert_eq!(t.render(text, 1).layer.text, "Hello,");
    }

    #[test]
    fn mailchimp_conditionals_and_apollo_endif() {
        let text = "*|IF:FNAME|*Hi *|FNAME|*,*|ELSE:|*Hi,*|END:IF|* ok";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "Hi Alex, ok");
        assert_eq!(t.render(text, 1).layer.text, "Hi, ok");
        let text = "{{#if company}}at {{company}}{{#endif}} ok";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "at Acme ok");
        assert_eq!(t.render(text, 1).layer.text, " ok");
    }

    #[test]
    fn spintax_options_are_checked_one_per_rendering() {
        let text = "{Hi|Hello|Hey} Ana, {{SPINTAX | \"quick question\" | \"one question\"}}";
        let t = parse(text, false);
        assert_eq!(t.variants, 3);
        assert_eq!(t.render(text, 0).layer.text, "Hi Ana, quick question");
        assert_eq!(t.render(text, 1).layer.text, "Hello Ana, one question");
        assert_eq!(t.render(text, 2).layer.text, "Hey Ana, one question");
    }

    #[test]
    fn comments_vanish_and_suppressions_are_read() {
        let text = "{{!-- tactful-disable early-pitch --}}\nBook a demo with us.\n{# tactful-disable #}\n{% if x %}\nA\n{% endif %}\nB";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, "Book a demo with us.\nA\nB");
        assert_eq!(t.suppressions.len(), 2);
        assert_eq!(t.suppressions[0].targets, vec!["early-pitch".to_string()]);
        assert_eq!(
            &text[t.suppressions[0].covers.clone()],
            "Book a demo with us."
        );
        assert!(t.suppressions[1].targets.is_empty());
        assert!(text[t.suppressions[1].covers.clone()].ends_with("{% endif %}"));
    }

    #[test]
    fn hubspot_missing_token_is_a_marker() {
        let text = "Hi [[MISSING TOKEN contact.firstname]],";
        let t = parse(text, false);
        let r = t.render(text, 0);
        assert!(r.placeholders[0].marker);
        assert_eq!(r.placeholders[0].name, "contact.firstname");
    }

    #[test]
    fn ordinary_prose_is_left_alone() {
        for text in [
            "We grew 20% last year and 30% this year.",
            "See [1] and [the report](https://x.y).",
            "A set {a, b} and an email ana@example.com.",
            "- [ ] task\n- [x] done",
            "Prices: *from* $5 | *to* $9",
            "[[Some Page]] in my notes",
        ] {
            let t = parse(text, false);
            assert!(!t.has_syntax, "{text}");
            assert_eq!(t.render(text, 0).layer.text, text);
        }
    }

    #[test]
    fn broken_blocks_are_noted_not_fatal() {
        let text = "{{#if a}}Hi {{/each}} there";
        let t = parse(text, false);
        assert!(!t.notes.is_empty());
        let _ = t.render(text, 0);
        let text = "{% endif %} text {{ unclosed";
        let t = parse(text, false);
        assert_eq!(t.render(text, 0).layer.text, " text {{ unclosed");
    }
}
