//! From text to the tree: walks the text tag by tag, keeps a stack of open blocks, and
//! records suppression comments and syntax problems.

use super::layer::{covered_after, suppression_targets};
use super::scan::{scan, Finder};
use super::tree::*;
use std::ops::Range;

/// Parses `text`. `merge_tags` enables forms that clash with ordinary prose (`@firstname`),
/// for files known to be templates. `plain` enables the hand-made forms that clash with
/// markup (`<Company>`, `(company name)`), for text that is not HTML or Markdown. `fields` are
/// the language packs' hand-made field names (`[First Name]`, `%Empresa%`), normalised.
pub fn parse_with_fields(text: &str, merge_tags: bool, plain: bool, fields: &[String]) -> Template {
    let mut fx = Finder::new(text, fields);
    fx.plain = plain;
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
        if !matches!(c, b'{' | b'[' | b'*' | b'%' | b'@' | b'<' | b'(' | b'$') {
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

pub(super) fn close_matches(open: &str, close: &str) -> bool {
    // Apollo's `{{#endif}}`, Liquid's `endif` for `if`/`unless`, Mailchimp's `END:IF`.
    close == format!("end{open}")
        || (open == "unless" && close == "endunless")
        || (close == "if" && open == "ifnot")
}

pub(super) fn close_frame(
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

pub(super) fn mark_guarded(nodes: &mut [Node]) {
    for n in nodes {
        match n {
            Node::Var(v) => v.guarded = true,
            Node::Cond { branches, .. } => branches.iter_mut().for_each(|b| mark_guarded(b)),
            _ => {}
        }
    }
}

/// If the tag stands alone on its line, the whole line (with its break) to drop.
pub(super) fn standalone_line(text: &str, tag: &Range<usize>, last: usize) -> Option<Range<usize>> {
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

/// [`parse_with_fields`] with the built-in packs' field names, for the tests.
#[cfg(test)]
pub fn parse(text: &str, merge_tags: bool) -> Template {
    static FIELDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let fields = FIELDS.get_or_init(|| {
        crate::rules::Registry::new(&Default::default())
            .expect("built-in packs")
            .vocabulary()
            .fields
            .clone()
    });
    parse_with_fields(text, merge_tags, true, fields)
}
