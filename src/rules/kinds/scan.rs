//! What every kind's `run` works with: a message's segments folded and pre-filtered once
//! ([`View`]), sentence boundaries, a rule's exceptions, and the [`Hit`]s a kind reports. The
//! engine prepares the views and turns hits into findings; the kinds only look.

use crate::context::Context;
use crate::finding::{Finding, Text};
use crate::message::SegmentKind;
use crate::message::{Message, Segment};
use crate::rules::pack::{Candidates, Pack};
use crate::rules::{Rule, Scope, Severity};
use crate::text::fold::{fold_str, Folded};
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// What `unless-message` reads: the message as the reader sees it, quoted text left out (a
/// quoted line is someone else's words).
const MESSAGE_SEGMENTS: [SegmentKind; 5] = [
    SegmentKind::Subject,
    SegmentKind::Greeting,
    SegmentKind::Body,
    SegmentKind::Signoff,
    SegmentKind::Signature,
];

/// One segment prepared for matching.
pub struct View<'m> {
    pub seg: &'m Segment,
    pub folded: Folded,
    pub candidates: Candidates,
    /// Sentence ranges, computed the first time a rule needs them.
    sentences: std::sync::OnceLock<Vec<Range<usize>>>,
    pub prose: &'m str,
}

impl<'m> View<'m> {
    pub fn new(seg: &'m Segment, folded: Folded, candidates: Candidates, prose: &'m str) -> Self {
        View {
            seg,
            folded,
            candidates,
            sentences: std::sync::OnceLock::new(),
            prose,
        }
    }

    pub fn sentences(&self) -> &[Range<usize>] {
        self.sentences
            .get_or_init(|| sentences(self.prose, &self.seg.range))
    }

    pub fn start(&self) -> usize {
        self.seg.range.start
    }

    /// Runs a pattern on this segment; returns (prose range, folded range) pairs. `checked`:
    /// the pre-filter scan found all of the pattern's pieces here, so they are not looked for
    /// again (see [`crate::rules::pack::Candidates::checked`]).
    pub fn find_both(
        &self,
        pack: &Pack,
        rule: &Rule,
        pattern: usize,
        checked: bool,
    ) -> Vec<(Range<usize>, Range<usize>)> {
        let p = &rule.patterns[pattern];
        let found = if checked {
            let long = self.prose.len() >= crate::rules::pattern::FULL_REGEX_MESSAGE;
            p.find_all_checked(&self.folded.text, &pack.word_prefixes, long)
        } else {
            p.find_all(&self.folded.text, &pack.word_prefixes)
        };
        found
            .into_iter()
            .map(|r| {
                let o = self.folded.orig_range(r.clone());
                (self.start() + o.start..self.start() + o.end, r)
            })
            .collect()
    }

    /// Runs a pattern on this segment; ranges are prose offsets.
    pub fn find(
        &self,
        pack: &Pack,
        rule: &Rule,
        pattern: usize,
        checked: bool,
    ) -> Vec<Range<usize>> {
        self.find_both(pack, rule, pattern, checked)
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }

    pub fn sentence_of(&self, pos: usize) -> Range<usize> {
        // Sentences are in order and do not overlap: a binary search keeps huge texts linear.
        let ss = self.sentences();
        ss.get(ss.partition_point(|s| s.end <= pos))
            .filter(|s| s.start <= pos)
            .cloned()
            .unwrap_or_else(|| self.seg.range.clone())
    }
}

/// Sentence ranges of a segment. Line breaks inside a paragraph are hard wrapping, not the end
/// of a sentence (UAX #29 would split there), so they are read as spaces (same byte length).
pub fn sentences(prose: &str, range: &Range<usize>) -> Vec<Range<usize>> {
    let text = &prose[range.clone()];
    let unwrapped;
    let text = if text.contains(['\n', '\r']) {
        unwrapped = text.replace(['\n', '\r'], " ");
        unwrapped.as_str()
    } else {
        text
    };
    text.split_sentence_bound_indices()
        .map(|(i, s)| range.start + i..range.start + i + s.len())
        .collect()
}

/// A finding before it is mapped to the source.
pub struct Hit {
    /// The rule's index in its pack.
    pub rule: usize,
    /// Prose range of the primary span.
    pub primary: Range<usize>,
    /// The label under the primary span (default: the rule's message).
    pub label: Option<String>,
    pub related: Vec<(Range<usize>, String)>,
    /// A severity other than the rule's (a length's softer warning).
    pub severity: Option<Severity>,
    /// Shared with the rule when the rewrite is its `suggest` as written.
    pub suggestion: Option<Text>,
    /// The sentence holding the hit, when the rule already found it (a shown rewrite replaces
    /// it; finding it again per hit in a window cost O(window) per finding).
    pub sentence: Option<Range<usize>>,
    /// How sure a model is of the hit (0–1); `None` for a rule that matched exactly.
    pub confidence: Option<f32>,
}

impl Hit {
    pub fn new(rule: usize, primary: Range<usize>) -> Hit {
        Hit {
            rule,
            primary,
            label: None,
            related: Vec::new(),
            severity: None,
            suggestion: None,
            sentence: None,
            confidence: None,
        }
    }
}

/// Everything one rule's `run` sees.
pub struct Scan<'a, 'm> {
    pub pack: &'a Pack,
    pub rule: &'a Rule,
    /// The rule's index in the pack (what [`Hit::rule`] holds).
    pub index: usize,
    pub msg: &'a Message,
    pub ctx: &'a Context,
    /// The prepared segments the rule reads (its `segments`).
    pub views: &'a [&'a View<'m>],
    /// What was found in the message before this rule ran: by the packs run before this one,
    /// and by the rules before it in this pack.
    pub found: [&'a [Finding]; 2],
    /// The message is one of a template's other renderings (the engine's `Pass` says so).
    pub variant: bool,
    /// The folded text `unless-message` reads, made by the first rule of the pass that asks
    /// (each rule folding a huge message again made it quadratic in the rules that hit).
    pub message_text: &'a std::sync::OnceLock<String>,
}

impl Scan<'_, '_> {
    /// Prose ranges of the rule's `unless` matches in the given views.
    pub fn exceptions(&self, views: &[&View]) -> Exceptions {
        let mut out = Vec::new();
        let (base, ri) = (&self.pack.pattern_base, self.index);
        let gated = self.rule.kind.gated();
        for v in views {
            // Where the pre-filter scan checked the exceptions' pieces, only those with all of
            // them present are searched for.
            let checked = v.candidates.checked(ri, gated);
            for &u in &self.rule.unless {
                if !checked || v.candidates.contains(base, ri, u) {
                    out.extend(v.find(self.pack, self.rule, u, checked));
                }
            }
        }
        Exceptions::new(out)
    }

    /// Whether one of the rule's `unless-message` patterns occurs in the message as the reader
    /// sees it: every segment but quoted text, whichever segments the rule itself reads (a
    /// confirmation in the subject excuses a sentence in the body). Asked only once the rule
    /// has hits, so the message is folded again only then (once per pass).
    pub fn excused_by_message(&self) -> bool {
        let rule = self.rule;
        if rule.unless_message.is_empty() {
            return false;
        }
        let text = self
            .message_text
            .get_or_init(|| fold_str(&self.msg.text_of(&MESSAGE_SEGMENTS)));
        rule.unless_message.iter().any(|&u| {
            let p = &rule.patterns[u];
            p.may_match(text) && !p.find_all(text, &self.pack.word_prefixes).is_empty()
        })
    }

    /// Whether a hit in view `v` is excused by an exception in the rule's `unless-scope`.
    pub fn excused(&self, v: &View, hit: &Range<usize>, excs: &Exceptions) -> bool {
        if excs.is_empty() {
            return false;
        }
        let scope = match self.rule.unless_scope {
            Scope::Sentence => v.sentence_of(hit.start),
            Scope::Paragraph => v.seg.range.clone(),
            Scope::Message => return true,
        };
        excs.overlaps(&scope)
    }
}

/// Ranges searchable for overlap in O(log n): a rule's exceptions (every hit asks whether one
/// lies in its sentence, and scanning all of them made a file dense with both quadratic), and
/// the pattern findings the learned kind gives way to.
#[derive(Default)]
pub struct Exceptions {
    /// Sorted by start.
    ranges: Vec<Range<usize>>,
    /// `max_end[i]`: the largest end among `ranges[..=i]`.
    max_end: Vec<usize>,
}

impl Exceptions {
    pub fn new(mut ranges: Vec<Range<usize>>) -> Self {
        ranges.sort_by_key(|r| r.start);
        let mut m = 0;
        let max_end = ranges
            .iter()
            .map(|r| {
                m = m.max(r.end);
                m
            })
            .collect();
        Exceptions { ranges, max_end }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether an exception overlaps `scope` (`e.start < scope.end && scope.start < e.end`).
    pub fn overlaps(&self, scope: &Range<usize>) -> bool {
        let before_end = self.ranges.partition_point(|e| e.start < scope.end);
        before_end > 0 && self.max_end[before_end - 1] > scope.start
    }
}
