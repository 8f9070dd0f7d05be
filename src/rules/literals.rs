//! Pattern variables and pre-filter literals. Self-contained (std and `regex-syntax` only):
//! `build.rs` includes this file to derive the literals of the built-in rules at build time, so
//! start-up does not parse hundreds of regexes; user rules derive theirs at load time.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::collections::BTreeMap;
use std::ops::Range;

/// Nesting limit for parsing patterns (also used when compiling them).
pub const NEST_LIMIT: u32 = 100;

/// Expands `{name}` pattern variables. `\p{…}`/`\P{…}` and counted repetitions are left alone.
pub fn expand_vars(pattern: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    let mut depth = 0;
    while let Some(open) = rest.find('{') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        let escaped_class =
            before.ends_with("\\p") || before.ends_with("\\P") || before.ends_with('\\');
        let close = after.find('}');
        let name = close.map(|c| &after[1..c]);
        match name {
            Some(n)
                if !escaped_class
                    && n.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && n.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                    }) =>
            {
                let value = vars.get(n).ok_or_else(|| {
                    format!(
                        "unknown pattern variable `{{{n}}}` (define it under `vars:` in pack.yaml)"
                    )
                })?;
                depth += 1;
                if depth > 64 {
                    return Err("pattern variables expand too deeply".into());
                }
                // Variables may use other variables.
                let inner = expand_vars(value, vars)?;
                out.push_str("(?:");
                out.push_str(&inner);
                out.push(')');
                rest = &after[n.len() + 2..];
            }
            _ => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn utf8_prefix(b: &[u8]) -> &str {
    match std::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Shortens a literal to its first (for prefixes) or last (for suffixes) `max_words` words,
/// but to at least four characters. A prefix of a required prefix is still required, so this
/// only makes the pre-filter less selective — and keeps the automaton small: a pattern like
/// `book (?:a|an) (?:quick|short|…) (?:call|demo|…)` expands to hundreds of literals that all
/// start with `book a`.
fn anchor_words(lit: &str, prefix: bool, max_words: usize) -> &str {
    let words: Vec<&str> = lit.split(' ').collect();
    let n = words.len();
    let mut take = 0;
    let mut chars = 0;
    while take < n {
        let w = if prefix {
            words[take]
        } else {
            words[n - 1 - take]
        };
        take += 1;
        chars += w.chars().count();
        if take >= max_words && chars >= 4 {
            break;
        }
    }
    if take >= n {
        return lit;
    }
    let len: usize = words[..take].iter().map(|w| w.len() + 1).sum::<usize>() - 1;
    if prefix {
        &lit[..len]
    } else {
        let tail: usize = words[n - take..].iter().map(|w| w.len() + 1).sum::<usize>() - 1;
        &lit[lit.len() - tail..]
    }
}

/// At most this many literals per pattern: beyond it, literals are shortened.
pub const MAX_LITERALS_PER_PATTERN: usize = 16;

/// Literals of `hir` of the given kind, if they make a useful pre-filter.
fn useful_literals(
    hir: &regex_syntax::hir::Hir,
    kind: ExtractKind,
    fold: fn(&str) -> String,
) -> Option<Vec<String>> {
    let prefix = matches!(kind, ExtractKind::Prefix);
    let mut ex = Extractor::new();
    ex.kind(kind).limit_total(300);
    let seq = ex.extract(hir);
    let full: Vec<String> = seq
        .literals()?
        .iter()
        .map(|l| fold(utf8_prefix(l.as_bytes())).trim().to_string())
        .collect();
    let mut out = full.clone();
    out.sort();
    out.dedup();
    for max_words in [3, 2, 1] {
        if out.len() <= MAX_LITERALS_PER_PATTERN {
            break;
        }
        out = full
            .iter()
            .map(|l| anchor_words(l, prefix, max_words).to_string())
            .collect();
        out.sort();
        out.dedup();
    }
    (!out.is_empty() && out.iter().all(|l| selective(l))).then_some(out)
}

/// Whether a literal is rare enough to pre-filter on: three characters or more, or a symbol
/// such as `€`, `$` or `{` (a literal of one or two letters would let nearly every message
/// through).
fn selective(lit: &str) -> bool {
    lit.chars().count() >= 3
        || lit.chars().any(|c| {
            !c.is_alphanumeric() && !c.is_whitespace() && !matches!(c, '\'' | '-' | '.' | ',' | '"')
        })
}

/// The literals of the best required piece of a concatenation: every part of `a b c` must
/// match, so the literals of any one part (its own prefixes) pre-filter the whole. Used when
/// the pattern's own prefixes and suffixes are not selective (`[a-z]+, meet [a-z]+`).
fn inner_literals(hir: &regex_syntax::hir::Hir, fold: fn(&str) -> String) -> Option<Vec<String>> {
    use regex_syntax::hir::HirKind;
    let mut node = hir;
    while let HirKind::Capture(c) = node.kind() {
        node = &c.sub;
    }
    let HirKind::Concat(parts) = node.kind() else {
        return None;
    };
    parts
        .iter()
        .filter_map(|part| useful_literals(part, ExtractKind::Prefix, fold))
        .min_by_key(|lits| {
            (
                lits.len(),
                std::cmp::Reverse(lits.iter().map(|l| l.len()).min().unwrap_or(0)),
            )
        })
}

/// A pattern that cannot be used, with the byte range inside the pattern when known.
#[derive(Debug)]
pub struct LiteralError {
    pub message: String,
    pub offset: Option<Range<usize>>,
}

/// What a pattern's text tells the pre-filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    /// At least one of these occurs in every match (empty: no pre-filter).
    pub literals: Vec<String>,
    /// More pieces every match needs: for each set, one of its literals occurs in every match.
    /// The pre-filter's literals say a pattern may match; these, checked on short texts
    /// before its regex is compiled, often say it cannot ("thanks for" with no "meeting",
    /// "call" or "chat" after it), which spares most regex compilations in a one-message run.
    pub required: Vec<Vec<String>>,
}

/// At most this many extra required sets per pattern (the most selective ones).
pub const MAX_REQUIRED_SETS: usize = 4;

/// The literal sets of the required parts of a concatenation (each part's own prefixes), other
/// than `main`, most selective first.
fn required_sets(
    hir: &regex_syntax::hir::Hir,
    main: &[String],
    fold: fn(&str) -> String,
) -> Vec<Vec<String>> {
    use regex_syntax::hir::HirKind;
    let mut node = hir;
    while let HirKind::Capture(c) = node.kind() {
        node = &c.sub;
    }
    let HirKind::Concat(parts) = node.kind() else {
        return Vec::new();
    };
    let mut sets: Vec<Vec<String>> = parts
        .iter()
        .filter_map(|part| useful_literals(part, ExtractKind::Prefix, fold))
        .filter(|set| set.as_slice() != main)
        .collect();
    // Fewer and longer literals first: they rule out the most.
    sets.sort_by_key(|set| {
        (
            set.len(),
            std::cmp::Reverse(set.iter().map(|l| l.len()).min().unwrap_or(0)),
        )
    });
    sets.dedup();
    sets.truncate(MAX_REQUIRED_SETS);
    sets
}

/// A (variable-expanded) pattern as the engine parses it (case-sensitive, [`NEST_LIMIT`]), for
/// the static checks that walk it.
pub fn parse(source: &str) -> Result<regex_syntax::hir::Hir, Box<regex_syntax::Error>> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(false)
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(source)
        .map_err(Box::new)
}

/// Parses a (variable-expanded) pattern and derives its pre-filter literals, folded with `fold`:
/// the required prefixes, or else suffixes, shortened so that no pattern adds more than
/// [`MAX_LITERALS_PER_PATTERN`] (empty when the pattern has none worth using); and its other
/// required pieces.
pub fn derive(source: &str, fold: fn(&str) -> String) -> Result<Derived, LiteralError> {
    let hir = parse(source).map_err(|e| {
        let (message, offset) = match &*e {
            regex_syntax::Error::Parse(p) => (
                p.kind().to_string(),
                Some(p.span().start.offset..p.span().end.offset),
            ),
            regex_syntax::Error::Translate(t) => (
                t.kind().to_string(),
                Some(t.span().start.offset..t.span().end.offset),
            ),
            _ => (e.to_string(), None),
        };
        LiteralError { message, offset }
    })?;
    if hir.properties().minimum_len() == Some(0) {
        return Err(LiteralError {
            message: "pattern can match empty text".into(),
            offset: None,
        });
    }
    let literals = literals_of(&hir, fold, 0).unwrap_or_default();
    let required = required_sets(&hir, &literals, fold);
    Ok(Derived { literals, required })
}

/// Prefixes, else suffixes, else a required inner piece; for an alternation whose branches
/// together expand too far, the union of each branch's own literals.
fn literals_of(
    hir: &regex_syntax::hir::Hir,
    fold: fn(&str) -> String,
    depth: usize,
) -> Option<Vec<String>> {
    use regex_syntax::hir::HirKind;
    if let Some(l) = useful_literals(hir, ExtractKind::Prefix, fold)
        .or_else(|| useful_literals(hir, ExtractKind::Suffix, fold))
        .or_else(|| inner_literals(hir, fold))
    {
        return Some(l);
    }
    let mut node = hir;
    while let HirKind::Capture(c) = node.kind() {
        node = &c.sub;
    }
    let HirKind::Alternation(branches) = node.kind() else {
        return None;
    };
    if depth > 2 {
        return None;
    }
    let mut all = Vec::new();
    for b in branches {
        all.extend(literals_of(b, fold, depth + 1)?);
    }
    all.sort();
    all.dedup();
    Some(all)
}
