//! One compiled pattern: variable expansion, literal extraction for the pre-filter, lazy
//! compilation, and matching with implicit word boundaries on folded text.

use crate::text::fold::{fold_str, is_word_char};
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

/// Bounds on what a user's regex may cost: a pathological pattern is an error, not a hang.
const REGEX_SIZE_LIMIT: usize = 8 << 20;
const REGEX_NEST_LIMIT: u32 = 100;

#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern after `{var}` expansion, as compiled.
    pub source: String,
    /// Folded literals at least one of which occurs in every match; empty: no pre-filter.
    pub literals: Vec<String>,
    regex: OnceLock<Option<Regex>>,
    /// The pattern followed by `\b`, for the rare match that ends inside a word: slower on
    /// non-ASCII text, so only used to look for a longer alternative at the same start.
    bounded: OnceLock<Option<Regex>>,
}

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

/// A syntax error in a pattern, with the byte range inside the pattern when known.
#[derive(Debug)]
pub struct PatternError {
    pub message: String,
    pub offset: Option<Range<usize>>,
}

fn utf8_prefix(b: &[u8]) -> &str {
    match std::str::from_utf8(b) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Literals of `hir` of the given kind, if they make a useful pre-filter.
fn useful_literals(hir: &regex_syntax::hir::Hir, kind: ExtractKind) -> Option<Vec<String>> {
    let mut ex = Extractor::new();
    ex.kind(kind).limit_total(300);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    let mut out: Vec<String> = lits
        .iter()
        .map(|l| fold_str(utf8_prefix(l.as_bytes())).trim().to_string())
        .collect();
    out.sort();
    out.dedup();
    // A literal of one or two characters would let nearly every message through.
    (!out.is_empty() && out.iter().all(|l| l.chars().count() >= 3)).then_some(out)
}

impl Pattern {
    /// Parses `source` (already expanded), derives its pre-filter literals. `keywords`, when
    /// given, replace the derived literals.
    pub fn new(source: String, keywords: &[String]) -> Result<Pattern, PatternError> {
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(false)
            .nest_limit(REGEX_NEST_LIMIT)
            .build()
            .parse(&source)
            .map_err(|e| {
                let (message, offset) = match &e {
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
                PatternError { message, offset }
            })?;
        if hir.properties().minimum_len() == Some(0) {
            return Err(PatternError {
                message: "pattern can match empty text".into(),
                offset: None,
            });
        }
        let literals = if keywords.is_empty() {
            useful_literals(&hir, ExtractKind::Prefix)
                .or_else(|| useful_literals(&hir, ExtractKind::Suffix))
                .unwrap_or_default()
        } else {
            keywords.iter().map(|k| fold_str(k)).collect()
        };
        Ok(Pattern {
            source,
            literals,
            regex: OnceLock::new(),
            bounded: OnceLock::new(),
        })
    }

    fn build(&self) -> Result<Regex, regex::Error> {
        RegexBuilder::new(&self.source)
            .case_insensitive(true)
            .size_limit(REGEX_SIZE_LIMIT)
            .nest_limit(REGEX_NEST_LIMIT)
            .build()
    }

    /// Compiles now, reporting a size-limit error (used for user rules and tests).
    pub fn compile_now(&self) -> Result<(), String> {
        match self.build() {
            Ok(re) => {
                let _ = self.regex.set(Some(re));
                Ok(())
            }
            Err(e) => {
                let _ = self.regex.set(None);
                Err(match e {
                    regex::Error::CompiledTooBig(n) => {
                        format!(
                            "pattern is too large once compiled (over {n} bytes); make it simpler"
                        )
                    }
                    other => other.to_string(),
                })
            }
        }
    }

    /// The compiled regex, built on first use. `None` if it cannot be compiled (reported
    /// when rules are loaded).
    pub fn regex(&self) -> Option<&Regex> {
        self.regex.get_or_init(|| self.build().ok()).as_ref()
    }

    /// Matches in folded `text` that start and end on word boundaries. A match may start after
    /// up to three `prefixes` letters glued to the word (Hebrew clitics).
    pub fn find_all(&self, text: &str, prefixes: &[char]) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let Some(re) = self.regex() else { return out };
        let mut pos = 0;
        while pos <= text.len() {
            let Some(m) = re.find_at(text, pos) else {
                break;
            };
            if m.is_empty() {
                pos = next_boundary(text, m.start());
                continue;
            }
            match self.end_on_boundaries(re, text, m.start(), m.end(), prefixes) {
                Some(end) => {
                    out.push(m.start()..end);
                    pos = end;
                }
                None => pos = next_boundary(text, m.start()),
            }
        }
        out
    }

    /// The end of a match at `start` that lies on word boundaries: the leftmost-first match
    /// itself; or, when it ends inside a word, a longer alternative that ends on a boundary
    /// ("demonstration" for `demo|demonstration`), or a shorter one ("free" for
    /// `free trial|free` in "free trials").
    fn end_on_boundaries(
        &self,
        re: &Regex,
        text: &str,
        start: usize,
        end: usize,
        prefixes: &[char],
    ) -> Option<usize> {
        if !starts_on_boundary(text, start, prefixes) {
            return None;
        }
        if ends_on_boundary(text, end) {
            return Some(end);
        }
        let bounded = self
            .bounded
            .get_or_init(|| {
                RegexBuilder::new(&format!("(?:{})\\b", self.source))
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .nest_limit(REGEX_NEST_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref();
        if let Some(m) = bounded.and_then(|b| b.find_at(text, start)) {
            if m.start() == start && ends_on_boundary(text, m.end()) {
                return Some(m.end());
            }
        }
        shorter_on_boundary(re, text, start, end)
    }

    /// Capture groups of the match starting at `start` (for `$1` in suggestions).
    pub fn captures_at<'t>(&self, text: &'t str, start: usize) -> Option<regex::Captures<'t>> {
        self.regex()?.captures_at(text, start)
    }
}

/// A shorter match at `start` that ends on a word boundary, found by searching a haystack cut
/// just before the current match's last character.
fn shorter_on_boundary(re: &Regex, text: &str, start: usize, end: usize) -> Option<usize> {
    let mut end = end;
    for _ in 0..16 {
        let cut = text[..end].char_indices().next_back().map(|(i, _)| i)?;
        if cut <= start {
            return None;
        }
        let m = re.find_at(&text[..cut], start)?;
        if m.start() != start || m.is_empty() {
            return None;
        }
        end = m.end();
        if ends_on_boundary(text, end) {
            return Some(end);
        }
    }
    None
}

fn next_boundary(text: &str, pos: usize) -> usize {
    let mut p = pos + 1;
    while p < text.len() && !text.is_char_boundary(p) {
        p += 1;
    }
    p
}

fn starts_on_boundary(text: &str, start: usize, prefixes: &[char]) -> bool {
    if !text[start..].chars().next().is_some_and(is_word_char) {
        return true;
    }
    let mut before = text[..start].chars().rev();
    let mut prev = before.next();
    let mut glued = 0;
    while let Some(p) = prev {
        if glued < 3 && prefixes.contains(&p) {
            glued += 1;
            prev = before.next();
        } else {
            break;
        }
    }
    !prev.is_some_and(is_word_char)
}

fn ends_on_boundary(text: &str, end: usize) -> bool {
    let last = text[..end].chars().next_back();
    !(last.is_some_and(is_word_char) && text[end..].chars().next().is_some_and(is_word_char))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(p: &str) -> Pattern {
        Pattern::new(p.to_string(), &[]).unwrap()
    }

    #[test]
    fn implicit_word_boundaries() {
        let p = pat("demo");
        assert_eq!(p.find_all("a demo, democracy, demos", &[]), vec![2..6]);
        let p = pat(r"\$\d+");
        assert_eq!(p.find_all("only$49 now", &[]), vec![4..7]);
    }

    #[test]
    fn a_short_alternative_does_not_hide_a_longer_one() {
        let p = pat("demo|demonstration");
        assert_eq!(p.find_all("a demonstration today", &[]), vec![2..15]);
        let p = pat("free trial|free");
        assert_eq!(
            p.find_all("free trials and free stuff", &[]),
            vec![0..4, 16..20]
        );
    }

    #[test]
    fn boundaries_hold_on_non_ascii_words() {
        let p = pat("zapisałem cię");
        assert_eq!(p.find_all("już zapisałem cię", &[]).len(), 1);
        assert!(p.find_all("przezapisałem cię", &[]).is_empty());
    }

    #[test]
    fn hebrew_prefixes_may_be_glued_on() {
        let p = pat("הוספתי אותך");
        let he = ['ו', 'ה', 'ש', 'ב', 'ל', 'מ', 'כ'];
        assert_eq!(p.find_all("והוספתי אותך", &he).len(), 1);
        assert!(p.find_all("והוספתי אותך", &[]).is_empty());
        assert!(p.find_all("אבגדהוספתי אותך", &he).is_empty());
    }

    #[test]
    fn literals_come_from_prefixes_or_suffixes() {
        assert_eq!(
            pat("book (?:a|an) demo").literals,
            vec!["book a demo", "book an demo"]
        );
        let p = pat(r"\w+ demo");
        assert_eq!(p.literals, vec!["demo"]);
        assert!(pat(r"\w+ \w+").literals.is_empty());
    }

    #[test]
    fn variables_expand_but_classes_and_counts_stay() {
        let mut vars = BTreeMap::new();
        vars.insert("meet".to_string(), "call|chat".to_string());
        assert_eq!(
            expand_vars(r"a {meet}\p{L}{2,3}", &vars).unwrap(),
            r"a (?:call|chat)\p{L}{2,3}"
        );
        assert!(expand_vars("{nope}", &vars).is_err());
    }

    #[test]
    fn bad_patterns_are_errors_with_an_offset() {
        let e = Pattern::new("book (a demo".into(), &[]).unwrap_err();
        assert!(e.offset.is_some());
        assert!(Pattern::new("(?:x)?".into(), &[]).is_err());
    }
}
