//! `kind: learned` — a sentence that a model trained on real messages reads as the category's
//! mistake, for what no phrase in the language's patterns catches.
//!
//! The model (static multilingual embeddings and hashed n-grams with a linear head per
//! category, built offline by `model/` and embedded; `src/learned/`) scores each sentence of
//! the segments the rule reads; the rule's category names the head. `threshold` (0–1, an
//! option; default: the one chosen on the training data) is the message score it must reach.
//! The definition carries everything (the kind reads no language evidence; the model is
//! multilingual), and the rule sits in the language-neutral pack (`rules/any/`, where its
//! examples are):
//!
//! ```yaml
//! kind:
//!   learned:
//!     unless-message: ["{requested}"]   # the reader asked for it: the whole message is excused
//!     unless-sentence: ["{neg}"]        # "we won't add you": that sentence is excused
//! ```
//!
//! The learned rules that apply to a message are read together. A rule's message score is the
//! mean of the `k` most confident sentences it reads (`k` per category, chosen in training:
//! early-pitch reads two, an offer and an ask); when it reaches the threshold, the rule reports
//! its most confident sentence with the score as the confidence. A sentence gets at most one
//! finding, of the rule whose threshold is cleared by the most, and none when a finding of a
//! pattern rule of one of the model's categories overlaps it (a pattern has an exact span and
//! a precise message). A body sentence needs three words; greeting lines are scored only by
//! rules that read `greeting`. A template's other renderings are not scored again. Findings
//! carry the model's `confidence`; `--no-learned` leaves the kind out of a run.

use super::scan::{Exceptions, Hit, Scan};
use super::{only_reads, Compile, Kind};
use crate::learned::{
    category_index, default_threshold, finish, score_ngrams, top_k, Partial, Scores, CATEGORIES,
};
use crate::message::{Message, SegmentKind};
use crate::rules::load::Compiler;
use crate::rules::pattern::Pattern;
use crate::rules::schema::RuleDef;
use crate::rules::Rule;
use crate::text::fold::fold_str;
use crate::yaml::Spanned;
use serde::Deserialize;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;

/// Body sentences with fewer words are not scored (a name, "Thanks!"); greetings always are.
const MIN_WORDS: usize = 3;
/// Longer sentences are not scored: a table, a link dump or an unbroken blob is not prose the
/// model was trained on, and skipping it keeps a huge one-line file linear.
const MAX_SENTENCE_BYTES: usize = 1000;
/// At most this many sentences of one message are scored (a real message has dozens).
const MAX_SENTENCES: usize = 2000;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// How sure the model must be (0–1); default: the threshold chosen on the training data.
    pub threshold: Option<f64>,
    /// Patterns (pack variables welcome) that excuse the whole message.
    #[serde(default)]
    pub unless_message: Vec<String>,
    /// Patterns that excuse the sentence they occur in.
    #[serde(default)]
    pub unless_sentence: Vec<String>,
}

impl Compile for Settings {
    fn compile(
        &self,
        r: &RuleDef,
        cx: &mut Compiler,
        patterns: &mut Vec<Pattern>,
    ) -> Option<Box<dyn Kind>> {
        if !only_reads(cx, r, "learned", &[]) {
            return None;
        }
        let category = r.id.value.split('/').next().unwrap_or_default();
        let Some(head) = category_index(category) else {
            cx.err(
                Some(&r.id),
                format!(
                    "rule `{}` is of kind `learned`, but the model has no head for category \
                     `{category}` (it reads: {})",
                    r.id.value,
                    CATEGORIES.join(", ")
                ),
            );
            return None;
        };
        // The model's threshold is an f32: its shortest decimal form reads back as the same
        // f32 and is what `explain` and the docs show.
        let threshold = self.threshold.or_else(|| {
            default_threshold(category).map(|t| t.to_string().parse().unwrap_or(f64::from(t)))
        })?;
        if let Err(e) = check_threshold(threshold) {
            cx.err(Some(&r.id), format!("rule `{}`: {e}", r.id.value));
            return None;
        }
        let mut helpers = |list: &[String]| -> Vec<(String, usize)> {
            let mut out = Vec::new();
            for raw in list {
                for (lang, pattern) in per_language(cx.vars(), raw) {
                    // The settings come from the definition; an error points at the rule's id.
                    let p = Spanned::new(pattern, r.id.referenced, r.id.defined);
                    out.extend(
                        cx.helper_patterns(&[p], patterns)
                            .into_iter()
                            .map(|i| (lang.clone(), i)),
                    );
                }
            }
            out
        };
        Some(Box::new(LearnedKind {
            head,
            threshold,
            unless_message: helpers(&self.unless_message),
            unless_sentence: helpers(&self.unless_sentence),
        }))
    }
}

/// An exception pattern for each language that defines the variables it names, as
/// `(language, pattern)`: a variable may mean different things in two languages (`{offer}` is
/// an offer of help in one pack, the sender's product in another), so a message is excused
/// only by its own language's. Without variables, or where no language defines them (a rule
/// in a language's own pack), the pattern as written, for every language (`""`).
fn per_language(
    vars: &std::collections::BTreeMap<String, String>,
    raw: &str,
) -> Vec<(String, String)> {
    let names: Vec<&str> = raw
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n))
        .filter(|n| {
            n.starts_with(|c: char| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        })
        .collect();
    let langs: std::collections::BTreeSet<&str> = vars
        .keys()
        .filter_map(|k| k.split_once("--").map(|(l, _)| l))
        .collect();
    let out: Vec<(String, String)> = langs
        .into_iter()
        .filter(|l| {
            !names.is_empty()
                && names
                    .iter()
                    .all(|n| vars.contains_key(&format!("{l}--{n}")))
        })
        .map(|l| {
            let mut p = raw.to_string();
            for n in &names {
                p = p.replace(&format!("{{{n}}}"), &format!("{{{l}--{n}}}"));
            }
            (l.to_string(), p)
        })
        .collect();
    if out.is_empty() {
        vec![(String::new(), raw.to_string())]
    } else {
        out
    }
}

fn check_threshold(t: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&t) {
        Ok(())
    } else {
        Err(format!(
            "option `threshold` must be between 0 and 1, not {t}"
        ))
    }
}

#[derive(Debug, Clone)]
pub struct LearnedKind {
    /// The model's head for the rule's category (an index into [`CATEGORIES`]).
    pub head: usize,
    pub threshold: f64,
    /// Exceptions as (language, index into the rule's patterns); language `""`: any.
    pub unless_message: Vec<(String, usize)>,
    pub unless_sentence: Vec<(String, usize)>,
}

impl Kind for LearnedKind {
    fn name(&self) -> &'static str {
        "learned"
    }

    fn reads_findings(&self) -> bool {
        true
    }

    fn options(&self) -> Vec<(&'static str, f64)> {
        vec![("threshold", self.threshold)]
    }

    fn option_mut(&mut self, key: &str) -> Option<&mut f64> {
        (key == "threshold").then_some(&mut self.threshold)
    }

    fn check_option(&self, key: &str, value: f64) -> Result<(), String> {
        match key {
            "threshold" => check_threshold(value),
            _ => Ok(()),
        }
    }

    /// The first learned rule of the pack that applies reads the message for all of them (one
    /// score per sentence, one finding per sentence); the others find their hits made.
    fn run(&self, scan: &Scan, hits: &mut Vec<Hit>) {
        if scan.variant {
            return;
        }
        let rules: Vec<Learned> = scan
            .pack
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.when.applies(scan.ctx))
            .filter_map(|(index, rule)| {
                let kind = rule.kind.as_any().downcast_ref::<LearnedKind>()?;
                Some(Learned { index, rule, kind })
            })
            .collect();
        if rules.first().map(|l| l.index) == Some(scan.index) {
            read(scan, &rules, hits);
        }
    }
}

/// A learned rule of the pack.
struct Learned<'a> {
    index: usize,
    rule: &'a Rule,
    kind: &'a LearnedKind,
}

/// A sentence the layer reads: its prose range, its text, its segment and its scores (the
/// n-gram half at once, the rest only when it can matter).
struct Sentence<'m> {
    prose: Range<usize>,
    /// The prose (what exceptions read).
    text: &'m str,
    /// What the model reads: the prose with merge tags as written ([`as_written`]).
    written: Cow<'m, str>,
    kind: SegmentKind,
    partial: Partial,
    scores: OnceCell<Scores>,
}

impl Sentence<'_> {
    fn prob(&self, head: usize) -> f32 {
        self.scores
            .get_or_init(|| finish(&self.written, &self.partial))
            .prob
            .get(head)
            .copied()
            .unwrap_or(0.0)
    }
}

/// A sentence's words as the layer was trained on them: the model learned from real messages
/// and rule examples with their merge tags written out (`Hi {{first_name}},`), so a tag's
/// stand-in in the prose ("Hi Alex,") is read as the tag itself. A rendering of a template's
/// other branch has no source of its own and is read as rendered.
fn as_written(msg: &Message, prose: Range<usize>) -> Cow<'_, str> {
    let inside: Vec<_> = msg
        .placeholders
        .iter()
        .filter(|p| p.prose.start >= prose.start && p.prose.end <= prose.end)
        .filter(|p| p.prose.start < p.prose.end && msg.source.get(p.source.clone()).is_some())
        .collect();
    if inside.is_empty() {
        return Cow::Borrowed(&msg.prose[prose]);
    }
    let mut out = String::with_capacity(prose.len() + 16 * inside.len());
    let mut at = prose.start;
    for p in inside {
        if p.prose.start < at {
            continue;
        }
        out.push_str(&msg.prose[at..p.prose.start]);
        out.push_str(&msg.source[p.source.clone()]);
        at = p.prose.end;
    }
    out.push_str(&msg.prose[at..prose.end]);
    Cow::Owned(out)
}

/// Scores the message for every rule in `rules`. A rule's message score is the mean of its `k`
/// most confident sentences (k per category, chosen in training; a message with fewer has 0 for
/// each one missing): early-pitch reads two, as a pitch is an offer and an ask, and a call
/// request alone reads the same in a message that sells nothing, or that is one sentence long.
/// A rule whose score reaches its threshold reports its most confident sentence, with the score
/// as the confidence; a sentence gets at most one finding (the rule that clears its threshold by the
/// most), and none when a pattern finding of the model's categories or an exception covers it.
fn read(scan: &Scan, rules: &[Learned], hits: &mut Vec<Hit>) {
    let msg = scan.msg;
    let mut sents: Vec<Sentence> = Vec::new();
    'segments: for seg in &msg.segments {
        if !rules.iter().any(|l| l.rule.segments.contains(&seg.kind)) {
            continue;
        }
        let greeting = seg.kind == SegmentKind::Greeting;
        let text = &msg.prose[seg.range.clone()];
        for r in sentences(text) {
            let sentence = &text[r.clone()];
            if sentence.len() > MAX_SENTENCE_BYTES
                || (!greeting && sentence.split_whitespace().count() < MIN_WORDS)
            {
                continue;
            }
            if sents.len() == MAX_SENTENCES {
                break 'segments;
            }
            let prose = seg.range.start + r.start..seg.range.start + r.end;
            let written = as_written(msg, prose.clone());
            sents.push(Sentence {
                partial: score_ngrams(&written),
                prose,
                text: sentence,
                written,
                kind: seg.kind,
                scores: OnceCell::new(),
            });
        }
    }
    // The message's own words, folded once and only when a finding needs its exceptions.
    let message = OnceCell::new();
    let pattern_spans = OnceCell::new();
    // (sentence, rule, confidence, margin over the threshold)
    let mut found: Vec<(usize, &Learned, f32, f32)> = Vec::new();
    for l in rules {
        let head = l.kind.head;
        let threshold = l.kind.threshold as f32;
        let mut order: Vec<usize> = (0..sents.len())
            .filter(|&i| l.rule.segments.contains(&sents[i].kind))
            .collect();
        if order.is_empty() {
            continue;
        }
        order.sort_by(|&a, &b| {
            sents[b]
                .partial
                .bound(head)
                .total_cmp(&sents[a].partial.bound(head))
        });
        let Some((top, score)) = message_score(&sents, &order, l, scan, threshold) else {
            continue;
        };
        if score < threshold {
            continue;
        }
        let span = msg.to_source(sents[top].prose.clone());
        if covers(pattern_spans.get_or_init(|| covering(scan)), &span)
            || excused_message(scan, l, &message)
        {
            continue;
        }
        found.push((top, l, score, score - threshold));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.3.total_cmp(&a.3)));
    found.dedup_by_key(|f| f.0);
    for (i, l, p, _) in found {
        hits.push(Hit {
            label: Some(format!(
                "{} (learned layer, confidence {p:.2})",
                l.rule.message
            )),
            confidence: Some(p),
            ..Hit::new(l.index, sents[i].prose.clone())
        });
    }
}

/// The rule's message score (the mean of its `k` most confident sentences, a missing one
/// counting 0) and its most confident sentence, from `order` (its sentences, by the
/// highest score each could reach). Sentences are scored in that order, and only while one could
/// still change the `k` best and the score could still reach `threshold`; below it the score
/// returned may be lower than the true one. A sentence the rule's `unless-sentence` excuses
/// scores 0.
fn message_score(
    sents: &[Sentence],
    order: &[usize],
    l: &Learned,
    scan: &Scan,
    threshold: f32,
) -> Option<(usize, f32)> {
    let head = l.kind.head;
    // A message with fewer sentences than k lacks the rest: they score 0 (early-pitch needs an
    // offer and an ask, and a one-sentence call request has only the ask).
    let k = top_k(head).max(1);
    let mut top: Option<usize> = None;
    // the k best scores so far, best first
    let mut best: Vec<f32> = Vec::with_capacity(k + 1);
    for &i in order {
        let b = sents[i].partial.bound(head);
        if best.len() == k && b <= best[k - 1] {
            break;
        }
        // the best the mean could still be, with every sentence not scored yet at b
        let reach = (0..k)
            .map(|j| best.get(j).map_or(b, |&x| x.max(b)))
            .sum::<f32>()
            / k as f32;
        if reach < threshold {
            break;
        }
        let p = if excused_sentence(scan, l, sents[i].text) {
            0.0
        } else {
            sents[i].prob(head)
        };
        if best.first().is_none_or(|&x| p > x) {
            top = Some(i);
        }
        let at = best.partition_point(|&x| x >= p);
        best.insert(at, p);
        best.truncate(k);
    }
    let top = top?;
    Some((top, best.iter().sum::<f32>() / k as f32))
}

/// The pattern findings of the model's categories, as sorted ranges ([`Exceptions`]): whether
/// one overlaps a sentence is then a binary search, not a pass over every finding (a file with
/// a pitch in every sentence has as many findings as sentences).
fn covering(scan: &Scan) -> Exceptions {
    covering_of(
        scan.found
            .iter()
            .flat_map(|f| f.iter())
            .filter(|f| f.confidence.is_none() && CATEGORIES.contains(&f.category.as_str()))
            .map(|f| f.span.clone()),
    )
}

/// Spans as ranges to overlap, an empty one widened to one byte.
fn covering_of(spans: impl Iterator<Item = Range<usize>>) -> Exceptions {
    Exceptions::new(spans.map(|s| widened(&s)).collect())
}

/// Whether one of the `covering` spans overlaps `span` (an empty span counts as one byte).
fn covers(covering: &Exceptions, span: &Range<usize>) -> bool {
    covering.overlaps(&widened(span))
}

fn widened(s: &Range<usize>) -> Range<usize> {
    s.start..s.end.max(s.start + 1)
}

/// Whether the rule's `unless-message` excuses the message.
fn excused_message(scan: &Scan, l: &Learned, message: &OnceCell<String>) -> bool {
    if l.kind.unless_message.is_empty() {
        return false;
    }
    let text = message.get_or_init(|| {
        fold_str(&scan.msg.text_of(&[
            SegmentKind::Subject,
            SegmentKind::Greeting,
            SegmentKind::Body,
        ]))
    });
    matches_any(scan, l, &l.kind.unless_message, text)
}

/// Whether the rule's `unless-sentence` excuses `sentence`.
fn excused_sentence(scan: &Scan, l: &Learned, sentence: &str) -> bool {
    !l.kind.unless_sentence.is_empty()
        && matches_any(scan, l, &l.kind.unless_sentence, &fold_str(sentence))
}

/// Whether one of the exceptions `list` (of the message's language, or of any) occurs in `text`.
fn matches_any(scan: &Scan, l: &Learned, list: &[(String, usize)], text: &str) -> bool {
    let lang = scan.ctx.lang.as_str();
    list.iter().any(|(of, u)| {
        (of.is_empty() || of == lang)
            && !l.rule.patterns[*u]
                .find_all(text, &scan.pack.word_prefixes)
                .is_empty()
    })
}

/// Cuts a segment's text into the sentences the model reads: at line breaks, and after `.`,
/// `!`, `?` or `…` followed by white space. Ranges are trimmed; pieces shorter than two
/// characters are dropped.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut raw = Vec::new();
    let mut start = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let end = i + c.len_utf8();
        if c == '\n' {
            raw.push(start..i);
            start = end;
        } else if matches!(c, '.' | '!' | '?' | '…')
            && it.peek().is_some_and(|&(_, n)| n.is_whitespace())
        {
            raw.push(start..end);
            start = end;
        }
    }
    raw.push(start..text.len());
    raw.into_iter()
        .filter_map(|r| {
            let s = &text[r.clone()];
            let lead = s.len() - s.trim_start().len();
            let t = s.trim();
            (t.chars().count() >= 2).then(|| r.start + lead..r.start + lead + t.len())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_finds_every_overlap_a_scan_would() {
        let found = [3..7, 10..10, 12..30, 14..15, 40..41, 41..41];
        let cov = covering_of(found.iter().cloned());
        for start in 0..45 {
            for end in start..46 {
                let span = start..end;
                let scan = found.iter().any(|f| {
                    f.start < span.end.max(span.start + 1) && span.start < f.end.max(f.start + 1)
                });
                assert_eq!(covers(&cov, &span), scan, "{span:?}");
            }
        }
        assert!(!covers(&covering_of(std::iter::empty()), &(0..10)));
    }

    #[test]
    fn the_model_reads_merge_tags_as_written() {
        use crate::input::{self, Format};
        let vocab = crate::message::Vocabulary::default();
        let text =
            "Hi {{first_name}},\n\nWe help [industry] teams with {{value_prop}}. Free on Friday?";
        for format in [Format::Plain, Format::Template] {
            let msg = input::read("t", text.as_bytes().to_vec(), format, &vocab)
                .expect("reads")
                .message;
            assert!(!msg.placeholders.is_empty(), "{format:?}: tags found");
            let all = 0..msg.prose.len();
            assert!(
                !msg.prose.contains("{{value_prop}}"),
                "{format:?}: stand-ins in the prose"
            );
            let written = as_written(&msg, all.clone());
            assert!(
                written.contains("with {{value_prop}}."),
                "{format:?}: {written}"
            );
            assert!(
                written.starts_with("Hi {{first_name}},"),
                "{format:?}: {written}"
            );
            assert!(
                written.ends_with("Free on Friday?"),
                "{format:?}: {written}"
            );
            // a range without a tag is the prose itself, borrowed
            let tail = msg.prose.rfind("Free").expect("tail")..msg.prose.len();
            assert!(matches!(
                as_written(&msg, tail),
                Cow::Borrowed("Free on Friday?")
            ));
        }
    }

    #[test]
    fn sentences_cut_at_lines_and_end_marks() {
        let t = "Hi there.  How are you?\nFine… thanks!\n\nv1.2 is out";
        let got: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            got,
            [
                "Hi there.",
                "How are you?",
                "Fine…",
                "thanks!",
                "v1.2 is out"
            ]
        );
    }
}
