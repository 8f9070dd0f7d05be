//! One compiled pattern: variable expansion, literal extraction for the pre-filter, lazy
//! compilation, and matching with implicit word boundaries on folded text.

use super::literals::{derive, NEST_LIMIT};
use crate::text::fold::{fold_str, is_word_char};
use regex::{Regex, RegexBuilder};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::{meta, util::syntax, Input};
use std::ops::Range;
use std::sync::OnceLock;

/// Bounds on what a user's regex may cost: a pathological pattern is an error, not a hang.
const REGEX_SIZE_LIMIT: usize = 8 << 20;
const REGEX_NEST_LIMIT: u32 = NEST_LIMIT;

mod prederived {
    include!(concat!(env!("OUT_DIR"), "/builtin_literals.rs"));
}

/// Texts up to this long are checked for a pattern's required pieces before its regex is
/// compiled or run: a few substring searches, cheaper than compiling a regex (~0.2 ms) for a
/// message. On longer texts the searches would cost more than the regex saves.
const REQUIRED_CHECK_TEXT: usize = 8 * 1024;

/// Messages at least this long have even their short paragraphs searched with the full regex
/// (see [`Pattern::find_all_checked`]).
pub const FULL_REGEX_MESSAGE: usize = 256 * 1024;

/// A run of literals in `build.rs`'s table: (first, count) in `LITS`.
type LitRun = (u32, u32);

/// The literals of a run, borrowed from the binary.
fn run_literals((first, count): LitRun) -> impl Iterator<Item = &'static str> {
    use prederived::{BLOB, LITS};
    LITS.get(first as usize..(first + count) as usize)
        .unwrap_or(&[])
        .iter()
        .map(|&(start, len)| {
            BLOB.get(start as usize..(start + len) as usize)
                .unwrap_or("")
        })
}

/// The literal runs of a run of `build.rs`'s required sets.
fn set_runs((first, count): LitRun) -> &'static [LitRun] {
    prederived::SETS
        .get(first as usize..(first + count) as usize)
        .unwrap_or(&[])
}

/// Where `build.rs` put what it derived for a built-in pattern (by its expanded source): its
/// literals and its required sets. Borrowed, not copied: a pack has thousands of patterns.
fn prederived(source: &str) -> Option<(LitRun, LitRun)> {
    use prederived::{BLOB, ENTRIES};
    let at = |(start, len): (u32, u32)| BLOB.get(start as usize..(start + len) as usize);
    let i = ENTRIES
        .binary_search_by(|(s, _, _)| at(*s).unwrap_or("").cmp(source))
        .ok()?;
    let (_, literals, sets) = ENTRIES[i];
    Some((literals, sets))
}

/// A pattern's pre-filter literals: from the binary for a built-in pattern, else its own.
#[derive(Debug, Clone)]
enum Literals {
    Builtin(LitRun),
    Owned(Vec<String>),
}

impl Literals {
    fn piece(&self) -> Piece<'_> {
        match self {
            Literals::Builtin(run) => Piece::Run(*run),
            Literals::Owned(own) => Piece::Set(own),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.piece().literals()
    }
}

/// A set of folded literals, wherever they are kept: a run of `build.rs`'s table, or owned.
enum Piece<'a> {
    Run(LitRun),
    Set(&'a [String]),
}

impl<'a> Piece<'a> {
    fn literals(self) -> impl Iterator<Item = &'a str> + 'a {
        let (run, set) = match self {
            Piece::Run(r) => (Some(run_literals(r)), &[][..]),
            Piece::Set(s) => (None, s),
        };
        fn borrowed<'a>(s: &'static str) -> &'a str {
            s
        }
        run.into_iter()
            .flatten()
            .map(borrowed)
            .chain(set.iter().map(String::as_str))
    }
}

/// A pattern's required sets (see `literals::Derived::required`): a run of `build.rs`'s
/// `SETS` for a built-in pattern, else its own.
#[derive(Debug, Clone)]
enum Required {
    Builtin(LitRun),
    Owned(Vec<Vec<String>>),
}

#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern after `{var}` expansion, as compiled.
    pub source: String,
    /// Folded literals at least one of which occurs in every match; none: no pre-filter.
    literals: Literals,
    /// Folded literal sets of other pieces every match needs (see `literals::Derived::required`).
    required: Required,
    /// For a pattern that is not pre-filtered (an exception, a counter): its literals, one of
    /// which occurs in every match, checked like a required set (none: no such check).
    gate: Literals,
    regex: OnceLock<Option<Regex>>,
    /// The same regex built for short texts (see [`Pattern::quick`]).
    quick: OnceLock<Option<meta::Regex>>,
    /// The pattern anchored at the start and followed by `\b`, for the rare match that ends
    /// inside a word: slower on non-ASCII text, so only used to look for a longer alternative
    /// at the same start.
    bounded: OnceLock<Option<Regex>>,
}

/// A syntax error in a pattern, with the byte range inside the pattern when known.
#[derive(Debug)]
pub struct PatternError {
    pub message: String,
    pub offset: Option<Range<usize>>,
}

/// Whether a pattern needs case-insensitive matching: texts are folded to lower case, so only
/// a pattern with an upper-case letter (outside escapes such as `\S` or `\p{Lu}`) does. A
/// case-sensitive regex compiles faster and smaller.
fn has_upper_literal(pattern: &str) -> bool {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('p') | Some('P') => {
                    if chars.peek() == Some(&'{') {
                        for c in chars.by_ref() {
                            if c == '}' {
                                break;
                            }
                        }
                    } else {
                        chars.next();
                    }
                }
                _ => {}
            }
        } else if c.is_uppercase() {
            return true;
        }
    }
    false
}

impl Pattern {
    /// Parses `source` (already expanded), derives its pre-filter literals. `keywords`, when
    /// given, replace the derived literals.
    pub fn new(source: String, keywords: &[String]) -> Result<Pattern, PatternError> {
        Pattern::with_builtin(source, keywords, false, true)
    }

    /// Like [`Pattern::new`]; for a built-in pattern (`builtin`), the literals derived at build
    /// time are used and the pattern is not parsed now (the test suite compiles every one).
    /// A pattern that is not `prefiltered` (an exception, a metric counter) gets no literals;
    /// a built-in one is then not parsed at all, a user's one only to validate it.
    pub fn with_builtin(
        source: String,
        keywords: &[String],
        builtin: bool,
        prefiltered: bool,
    ) -> Result<Pattern, PatternError> {
        // Keywords stand in for literals only where the pattern has none of its own.
        let keyword_literals = || Literals::Owned(keywords.iter().map(|k| fold_str(k)).collect());
        let none = || Literals::Owned(Vec::new());
        let (literals, required, gate) =
            if let Some((lits, sets)) = builtin.then(|| prederived(&source)).flatten() {
                if !prefiltered {
                    (none(), Required::Builtin(sets), Literals::Builtin(lits))
                } else if lits.1 == 0 {
                    (keyword_literals(), Required::Builtin(sets), none())
                } else {
                    (Literals::Builtin(lits), Required::Builtin(sets), none())
                }
            } else if !prefiltered && builtin {
                (none(), Required::Owned(Vec::new()), none())
            } else {
                let derived = derive(&source, fold_str).map_err(|e| PatternError {
                    message: e.message,
                    offset: e.offset,
                })?;
                let required = Required::Owned(derived.required);
                if !prefiltered {
                    (none(), required, Literals::Owned(derived.literals))
                } else if derived.literals.is_empty() {
                    (keyword_literals(), required, none())
                } else {
                    (Literals::Owned(derived.literals), required, none())
                }
            };
        Ok(Pattern {
            source,
            literals,
            required,
            gate,
            regex: OnceLock::new(),
            quick: OnceLock::new(),
            bounded: OnceLock::new(),
        })
    }

    fn build(&self) -> Result<Regex, regex::Error> {
        RegexBuilder::new(&self.source)
            .case_insensitive(has_upper_literal(&self.source))
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
    /// On a short text the required pieces are checked first, while the regex is not built
    /// yet: they spare compiling it. Once it is built, a search costs less than the checks on
    /// the many short paragraphs of a long file.
    pub fn find_all(&self, text: &str, prefixes: &[char]) -> Vec<Range<usize>> {
        let short = text.len() <= REQUIRED_CHECK_TEXT;
        if short && self.quick.get().is_none() && !self.may_match(text) {
            return Vec::new();
        }
        self.find_all_with(text, prefixes, short)
    }

    /// [`Pattern::find_all`] on a text whose pre-filter scan already found every required
    /// piece ([`Pattern::pieces`]): the pieces are not looked for again. In a message of at
    /// least [`FULL_REGEX_MESSAGE`] bytes (`long`), every paragraph is searched with the full
    /// regex, whose literal prefilter skips to where a match can start (the quick regex runs
    /// its automaton over every byte; there its smaller compile cost no longer matters).
    pub fn find_all_checked(&self, text: &str, prefixes: &[char], long: bool) -> Vec<Range<usize>> {
        self.find_all_with(text, prefixes, !long && text.len() <= REQUIRED_CHECK_TEXT)
    }

    fn find_all_with(&self, text: &str, prefixes: &[char], quick: bool) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let re = match quick {
            true => self.quick().map(Finder::Quick),
            false => self.regex().map(Finder::Full),
        };
        let Some(re) = re else { return out };
        let mut pos = 0;
        while pos <= text.len() {
            let Some(m) = re.find_at(text, pos) else {
                break;
            };
            if m.is_empty() {
                pos = next_boundary(text, m.start);
                continue;
            }
            match self.end_on_boundaries(&re, text, m.start, m.end, prefixes) {
                Some(end) => {
                    out.push(m.start..end);
                    pos = end;
                }
                None => pos = next_boundary(text, m.start),
            }
        }
        out
    }

    /// The regex for short texts: the same pattern without the literal prefilter the regex
    /// crate would extract (half the cost of compiling one of these patterns, and no help on
    /// a message of a few hundred bytes) and without capture groups (only `$1` in suggestions
    /// reads them, through [`Pattern::captures_at`]).
    fn quick(&self) -> Option<&meta::Regex> {
        self.quick
            .get_or_init(|| {
                meta::Regex::builder()
                    .syntax(
                        syntax::Config::new()
                            .case_insensitive(has_upper_literal(&self.source))
                            .nest_limit(REGEX_NEST_LIMIT),
                    )
                    .configure(
                        meta::Regex::config()
                            .auto_prefilter(false)
                            .which_captures(WhichCaptures::Implicit)
                            .nfa_size_limit(Some(REGEX_SIZE_LIMIT)),
                    )
                    .build(&self.source)
                    .ok()
            })
            .as_ref()
    }

    /// The end of a match at `start` that lies on word boundaries: the leftmost-first match
    /// itself; or, when it ends inside a word, a longer alternative that ends on a boundary
    /// ("demonstration" for `demo|demonstration`), or a shorter one ("free" for
    /// `free trial|free` in "free trials").
    fn end_on_boundaries(
        &self,
        re: &Finder,
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
                RegexBuilder::new(&format!("\\A(?:{})\\b", self.source))
                    .case_insensitive(has_upper_literal(&self.source))
                    .size_limit(REGEX_SIZE_LIMIT)
                    .nest_limit(REGEX_NEST_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref();
        // Anchored at `start` on purpose: an unanchored search would scan on to the next
        // match anywhere in the text, which made a long text with many such matches quadratic.
        if let Some(m) = bounded.and_then(|b| b.find(&text[start..])) {
            if ends_on_boundary(text, start + m.end()) {
                return Some(start + m.end());
            }
        }
        shorter_on_boundary(re, text, start, end)
    }

    /// Whether every required piece has one of its literals in folded `text`: if not, the
    /// pattern cannot match there and its regex need not be compiled.
    pub fn may_match(&self, text: &str) -> bool {
        self.pieces().all(|mut set| set.any(|l| text.contains(l)))
    }

    /// What [`Pattern::may_match`] looks for: sets of folded literals, each of which must
    /// have one literal in the text for the pattern to match there (the required sets, and
    /// the literals of a pattern that is not pre-filtered).
    pub fn pieces(&self) -> impl Iterator<Item = impl Iterator<Item = &str> + '_> + '_ {
        let gate = match &self.gate {
            Literals::Builtin(run) => run.1 > 0,
            Literals::Owned(own) => !own.is_empty(),
        };
        let sets = match &self.required {
            Required::Builtin(sets) => (set_runs(*sets), &[][..]),
            Required::Owned(sets) => (&[][..], sets.as_slice()),
        };
        let gate = gate.then(|| self.gate.piece());
        gate.into_iter()
            .chain(sets.0.iter().map(|&run| Piece::Run(run)))
            .chain(sets.1.iter().map(|set| Piece::Set(set)))
            .map(Piece::literals)
    }

    /// The folded literals at least one of which occurs in every match (none: the pattern has
    /// no pre-filter and runs whenever its rule does).
    pub fn literals(&self) -> impl Iterator<Item = &str> + '_ {
        self.literals.iter()
    }

    /// The required sets, copied (for tests and tools).
    pub fn required(&self) -> Vec<Vec<String>> {
        match &self.required {
            Required::Builtin(sets) => set_runs(*sets)
                .iter()
                .map(|&set| run_literals(set).map(str::to_string).collect())
                .collect(),
            Required::Owned(sets) => sets.clone(),
        }
    }

    /// Capture groups of the match starting at `start` (for `$1` in suggestions).
    pub fn captures_at<'t>(&self, text: &'t str, start: usize) -> Option<regex::Captures<'t>> {
        self.regex()?.captures_at(text, start)
    }
}

/// A shorter match at `start` that ends on a word boundary, found by searching a haystack cut
/// just before the current match's last character.
fn shorter_on_boundary(re: &Finder, text: &str, start: usize, end: usize) -> Option<usize> {
    let mut end = end;
    for _ in 0..16 {
        let cut = text[..end].char_indices().next_back().map(|(i, _)| i)?;
        if cut <= start {
            return None;
        }
        let m = re.find_at(&text[..cut], start)?;
        if m.start != start || m.is_empty() {
            return None;
        }
        end = m.end;
        if ends_on_boundary(text, end) {
            return Some(end);
        }
    }
    None
}

/// The compiled form a search runs with.
enum Finder<'r> {
    Full(&'r Regex),
    Quick(&'r meta::Regex),
}

impl Finder<'_> {
    /// The leftmost-first match in `text[start..]`, with `text` before `start` as context.
    fn find_at(&self, text: &str, start: usize) -> Option<Range<usize>> {
        match self {
            Finder::Full(re) => re.find_at(text, start).map(|m| m.range()),
            Finder::Quick(re) => re.find(Input::new(text).range(start..)).map(|m| m.range()),
        }
    }
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
    use super::super::literals::{expand_vars, MAX_LITERALS_PER_PATTERN};
    use super::*;
    use std::collections::BTreeMap;

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
            pat("book (?:a|an) demo").literals().collect::<Vec<_>>(),
            vec!["book a demo", "book an demo"]
        );
        let many =
            pat("book (?:a|an) (?:quick|short|brief|small|fast|free) (?:call|demo|chat|meeting)");
        assert!(
            many.literals().count() <= MAX_LITERALS_PER_PATTERN,
            "{:?}",
            many.literals().collect::<Vec<_>>()
        );
        assert!(many.literals().all(|l| l.starts_with("book a")));
        assert_eq!(
            pat(r"\w+ (?:demo|free trial)")
                .literals()
                .collect::<Vec<_>>(),
            vec!["demo", "free trial"]
        );
        assert!(!has_upper_literal(r"\S+ \p{Lu}\W demo"));
        assert!(has_upper_literal("Demo"));
        let p = pat(r"\w+ demo");
        assert_eq!(p.literals().collect::<Vec<_>>(), vec!["demo"]);
        assert!(pat(r"\w+ \w+").literals().next().is_none());
    }

    #[test]
    fn a_pattern_whose_required_piece_is_missing_is_not_compiled() {
        let p = pat(r"thanks? (?:\w+ )?for (?:meeting|the (?:call|chat))");
        assert!(p.literals().all(|l| l.starts_with("thank")));
        assert!(
            p.required()
                .iter()
                .any(|set| set.contains(&"meeting".into())),
            "{:?}",
            p.required()
        );
        assert!(!p.may_match("thanks for the talk"));
        assert!(p.find_all("thanks for the talk", &[]).is_empty());
        assert!(p.regex.get().is_none(), "compiled although it cannot match");
        assert!(p.may_match("thank you for the call"));
        assert_eq!(p.find_all("thank you for the call", &[]), vec![0..22]);
        // Optional pieces are not required; an alternation at the top has no required pieces.
        assert!(pat("book (?:a )?demo")
            .required()
            .iter()
            .all(|set| set != &["a"]));
        assert!(pat("demo|free trial").required().is_empty());
    }

    /// Every example text of a rule, bad and good, folded as the engine reads it.
    fn example_texts(rule: &crate::rules::Rule) -> Vec<String> {
        let all = rule.examples.bad.iter().chain(&rule.examples.good);
        all.map(|e| fold_str(&e.def().text)).collect()
    }

    /// The required pieces never hide a match: for every built-in pattern and every example
    /// text of its rule, a pattern said not to match there has no match there.
    #[test]
    fn required_pieces_never_hide_a_match() {
        let reg = crate::rules::Registry::new(&crate::rules::RuleSources::default())
            .expect("built-in rules");
        let (mut checked, mut ruled_out) = (0, 0);
        for (pack, i) in reg.all_rules().expect("packs build") {
            let rule = &pack.rules[i];
            let texts = example_texts(rule);
            for p in &rule.patterns {
                for t in &texts {
                    checked += 1;
                    if !p.may_match(t) {
                        ruled_out += 1;
                        let re = p.regex().expect("built-in pattern compiles");
                        assert!(re.find(t).is_none(), "{} hides a match in {t:?}", p.source);
                    }
                }
            }
        }
        assert!(
            checked > 10_000 && ruled_out > 1_000,
            "{checked} {ruled_out}"
        );
    }

    /// Short texts are searched with a regex built without a prefilter or captures: it finds
    /// what the full regex finds, for every English and language-neutral pattern on every
    /// example of its rule.
    #[test]
    fn the_quick_regex_finds_what_the_full_one_finds() {
        let reg = crate::rules::Registry::new(&crate::rules::RuleSources::default())
            .expect("built-in rules");
        let mut found = 0;
        for lang in ["en", "any"] {
            let pack = reg.pack(lang).expect("pack").as_ref().expect("pack builds");
            for rule in &pack.rules {
                let texts = example_texts(rule);
                for p in &rule.patterns {
                    for t in texts.iter().filter(|t| p.may_match(t)) {
                        let full = p.find_all_with(t, &pack.word_prefixes, false);
                        let quick = p.find_all_with(t, &pack.word_prefixes, true);
                        assert_eq!(full, quick, "{} on {t:?}", p.source);
                        found += full.len();
                    }
                }
            }
        }
        assert!(found > 500, "{found}");
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
