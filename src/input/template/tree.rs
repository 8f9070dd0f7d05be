//! The parsed template: a tree of text, variables, conditionals and spintax, and what the
//! scanner hands the parser.

use super::layer::Layer;
use std::ops::Range;

/// Renderings are capped: a spintax with 20 options is checked through its first eight.
pub(super) const MAX_VARIANTS: usize = 8;

#[derive(Debug, Clone)]
pub(super) struct Var {
    pub(super) tag: Range<usize>,
    pub(super) name: String,
    /// Where the fallback's words are, inside the tag (`"there"` in `{{x | default: "there"}}`).
    pub(super) fallback: Option<Range<usize>>,
    /// A vendor's missing-token marker (`[[MISSING TOKEN …]]`), not a tag.
    pub(super) marker: bool,
    /// Inside a conditional whose other branch says something: never renders empty.
    pub(super) guarded: bool,
}

#[derive(Debug, Clone)]
pub(super) enum Node {
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
    pub(super) nodes: Vec<Node>,
    /// How many renderings cover every branch, option and fallback (at least 1).
    pub variants: usize,
    pub suppressions: Vec<Suppression>,
    /// Problems with the syntax (an unclosed `{{#if}}`), with where they are.
    pub notes: Vec<(String, Range<usize>)>,
    /// Whether any template syntax was found at all.
    pub has_syntax: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockRole {
    Open {
        inverted: bool,
    },
    /// `{{else}}`, `{% elsif %}`, `{% when %}`: starts the next branch.
    Next,
    Close,
}

#[derive(Debug)]
pub(super) struct Frame {
    pub(super) name: String,
    pub(super) inverted: bool,
    pub(super) open: Range<usize>,
    pub(super) branches: Vec<Vec<Node>>,
}

/// What the scanner found at one position.
pub(super) enum Token {
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

pub(super) struct Found {
    pub(super) range: Range<usize>,
    pub(super) token: Token,
    /// Jinja/Handlebars whitespace control on the left (`{%-`) and right (`-%}`).
    pub(super) trim_left: bool,
    pub(super) trim_right: bool,
}
