//! A static check of a pattern's words: the letters it requires right before a word ends. A
//! match must end on a word boundary, and a literal word in the middle of a pattern is followed
//! by a space or a mark, so `(?:iscritt|registrat) al` can only match where some word ends in
//! "iscritt": in Italian, nowhere. `tactful test --coverage` compares these with the words of
//! the rules' own examples and reports the ones no example word ends with, while a longer one
//! goes on (a word cut short, a missing `\p{L}*`).
//!
//! The same check at the start of words was tried and dropped: the words it found were nearly
//! all real words that also end compounds ("overleg" of "teamoverleg").

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use std::collections::{HashMap, HashSet};

/// The runs of letters a (variable-expanded) pattern requires right before a word ends, each
/// once, in the order found: the letters of a literal that a space, a mark, `\b` or the end of
/// the match follows on every path. A run that a class or a repetition might continue with
/// more letters is not one (`bezahl\p{L}*`). `None`: the pattern does not parse.
pub fn word_ends(source: &str) -> Option<Vec<String>> {
    let hir = super::literals::parse(source).ok()?;
    let mut out = Vec::new();
    // The end of a match is the end of a word.
    walk(&hir, false, &mut out);
    Some(out)
}

/// How a piece of a pattern can begin: with a letter (or something that may be one), and
/// whether it can match nothing (then what follows it decides).
#[derive(Clone, Copy)]
struct Start {
    letter: bool,
    empty: bool,
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

/// Whether a class may match a letter. A wide range is taken to hold one.
fn class_has_letter(class: &Class) -> bool {
    let wide = |lo: u32, hi: u32| hi - lo > 512;
    match class {
        Class::Unicode(u) => u.ranges().iter().any(|r| {
            let (lo, hi) = (r.start() as u32, r.end() as u32);
            wide(lo, hi) || (lo..=hi).filter_map(char::from_u32).any(is_letter)
        }),
        Class::Bytes(b) => b
            .ranges()
            .iter()
            .any(|r| (r.start()..=r.end()).any(|x| x.is_ascii_alphabetic() || x >= 0x80)),
    }
}

fn start(hir: &Hir) -> Start {
    let solid = |letter| Start {
        letter,
        empty: false,
    };
    match hir.kind() {
        HirKind::Empty => Start {
            letter: false,
            empty: true,
        },
        // `\B` says a word goes on; every other assertion (`\b`, `^`, `$`) says it does not.
        HirKind::Look(look) => solid(matches!(
            look,
            Look::WordAsciiNegate | Look::WordUnicodeNegate
        )),
        HirKind::Literal(l) => solid(
            std::str::from_utf8(&l.0)
                .ok()
                .and_then(|s| s.chars().next())
                .is_none_or(is_letter),
        ),
        HirKind::Class(c) => solid(class_has_letter(c)),
        HirKind::Repetition(r) => {
            let s = start(&r.sub);
            Start {
                letter: s.letter,
                empty: r.min == 0 || s.empty,
            }
        }
        HirKind::Capture(c) => start(&c.sub),
        HirKind::Concat(items) => {
            let mut letter = false;
            for item in items {
                let s = start(item);
                letter |= s.letter;
                if !s.empty {
                    return solid(letter);
                }
            }
            Start {
                letter,
                empty: true,
            }
        }
        HirKind::Alternation(alts) => alts.iter().map(start).fold(
            Start {
                letter: false,
                empty: false,
            },
            |a, s| Start {
                letter: a.letter || s.letter,
                empty: a.empty || s.empty,
            },
        ),
    }
}

/// Collects the word ends of `hir`; `then_letter`: what follows it may begin with a letter.
fn walk(hir: &Hir, then_letter: bool, out: &mut Vec<String>) {
    match hir.kind() {
        HirKind::Literal(l) => {
            let Ok(text) = std::str::from_utf8(&l.0) else {
                return;
            };
            let mut run = String::new();
            for c in text.chars() {
                if is_letter(c) {
                    run.push(c);
                } else if !run.is_empty() {
                    push(out, std::mem::take(&mut run));
                }
            }
            if !run.is_empty() && !then_letter {
                push(out, run);
            }
        }
        HirKind::Concat(items) => {
            let mut after = then_letter;
            for item in items.iter().rev() {
                walk(item, after, out);
                let s = start(item);
                after = s.letter || (s.empty && after);
            }
        }
        HirKind::Alternation(alts) => {
            for a in alts {
                walk(a, then_letter, out);
            }
        }
        HirKind::Repetition(r) => {
            let again = r.max != Some(1) && start(&r.sub).letter;
            walk(&r.sub, then_letter || again, out);
        }
        HirKind::Capture(c) => walk(&c.sub, then_letter, out),
        HirKind::Empty | HirKind::Look(_) | HirKind::Class(_) => {}
    }
}

fn push(out: &mut Vec<String>, run: String) {
    if !out.contains(&run) {
        out.push(run);
    }
}

/// The words of the rules' examples (folded as the engine folds text): a word end a pattern
/// needs is suspect when no example word of any language ends so, but a longer word of the
/// pattern's own language goes on from it ("iscritt" of "iscritto").
#[derive(Default)]
pub struct Lexicon {
    /// Every ending of every word, whole words included.
    ends: HashSet<String>,
    /// By language (and `any`): every proper beginning of a word, and the first word seen
    /// that goes on from it.
    goes_on: HashMap<String, HashMap<String, String>>,
}

impl Lexicon {
    /// Adds the words of a folded example text of a `lang` rule.
    pub fn add(&mut self, lang: &str, folded: &str) {
        for word in folded.split(|c: char| !c.is_alphabetic()) {
            for (k, _) in word.char_indices() {
                self.ends.insert(word[k..].to_string());
                if k == 0 {
                    continue;
                }
                for l in [lang, "any"] {
                    self.goes_on
                        .entry(l.to_string())
                        .or_default()
                        .entry(word[..k].to_string())
                        .or_insert_with(|| word.to_string());
                }
            }
        }
    }

    /// Whether `word`, which a pattern of a `lang` rule needs right before a word ends, looks
    /// cut short: if so, an example word that goes on from it.
    pub fn cut(&self, lang: &str, word: &str) -> Option<String> {
        if self.ends.contains(word) {
            return None;
        }
        self.goes_on.get(lang)?.get(word).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::{word_ends, Lexicon};

    fn ends(p: &str) -> Vec<String> {
        let mut e = word_ends(p).expect("parses");
        e.sort();
        e
    }

    #[test]
    fn letters_before_a_space_a_mark_or_the_end_are_word_ends() {
        assert_eq!(
            ends("(?:iscritt|registrat) al"),
            ["al", "iscritt", "registrat"]
        );
        assert_eq!(ends(r"non ricever\b"), ["non", "ricever"]);
        assert_eq!(ends("e-mail"), ["e", "mail"]);
        assert_eq!(ends(r"we (?:\w+ ){0,3}help"), ["help", "we"]);
        // the letters an optional group adds end a word; the ones before it may not
        assert_eq!(ends(r"sign(?:ed|ing)? up"), ["ed", "ing", "up"]);
    }

    #[test]
    fn letters_something_may_continue_are_not() {
        assert!(ends(r"bezahl\p{L}*").is_empty());
        assert!(ends(r"pay[a-z]*").is_empty());
        assert!(ends(r"(?:ab)+").is_empty());
        // `\B` says the word goes on.
        assert!(ends(r"pre\B").is_empty());
        // a class of marks ends the word; one that may hold a letter does not
        assert_eq!(ends(r"thanks[,.!]"), ["thanks"]);
        assert!(ends(r"thank[sy]").is_empty());
        assert_eq!(word_ends("(unclosed"), None);
    }

    #[test]
    fn a_word_end_is_suspect_when_no_example_word_ends_so_but_one_goes_on() {
        let mut lex = Lexicon::default();
        lex.add("it", "mi sono iscritto al corso, e tu? iscritta anche tu");
        lex.add("en", "the investors");
        // no word ends in "iscritt", "iscritto" goes on from it
        assert_eq!(lex.cut("it", "iscritt").as_deref(), Some("iscritto"));
        // real word ends, in any language
        assert_eq!(lex.cut("it", "iscritto"), None);
        assert_eq!(lex.cut("it", "investors"), None);
        // only a word of the pattern's own language (or `any`) counts as going on
        assert_eq!(lex.cut("it", "investor"), None);
        assert_eq!(lex.cut("en", "investor").as_deref(), Some("investors"));
        assert_eq!(lex.cut("any", "investor").as_deref(), Some("investors"));
        // nothing goes on from it either: not a word the examples know at all
        assert_eq!(lex.cut("en", "okapi"), None);
    }
}
