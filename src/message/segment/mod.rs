//! Cutting prose into segments: subject, greeting, body paragraphs, sign-off, signature and
//! quoted text. Works on lines, so every reader (plain text, email, HTML, Markdown) shares it.

use super::Segment;
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SegmentKind {
    Subject,
    Greeting,
    Body,
    Signoff,
    Signature,
    Quote,
}

impl SegmentKind {
    pub const ALL: [SegmentKind; 6] = [
        SegmentKind::Subject,
        SegmentKind::Greeting,
        SegmentKind::Body,
        SegmentKind::Signoff,
        SegmentKind::Signature,
        SegmentKind::Quote,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Subject => "subject",
            SegmentKind::Greeting => "greeting",
            SegmentKind::Body => "body",
            SegmentKind::Signoff => "signoff",
            SegmentKind::Signature => "signature",
            SegmentKind::Quote => "quote",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What segmentation knows about languages, gathered from every language pack: the words that
/// open greeting and sign-off lines, the markers mail clients write, and template field names.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    pub greetings: Vec<String>,
    pub signoffs: Vec<String>,
    pub markers: Markers,
    /// Words people write as hand-made merge fields (`[First Name]`, `%Empresa%`), normalised
    /// (lower case, no spaces or underscores).
    pub fields: Vec<String>,
    /// What tells a word of address after a bare greeting (`address:` in `pack.yaml`), folded.
    pub address: AddressWords,
}

/// The `address:` words of every pack (see `rules::schema::AddressDef`).
#[derive(Debug, Default, Clone)]
pub struct AddressWords {
    /// Open a two-word address ("ma belle", "dear friend").
    pub openers: Vec<String>,
    /// Close a two-word address ("tesoro mio", "יפה שלי").
    pub closers: Vec<String>,
    /// Carry the sentence on after a comma ("sorry, that…", "przepraszam, że…").
    pub clause: Vec<String>,
}

/// The words (regex fragments) mail clients and phones write around a message, in every
/// language a pack covers (`markers:` in `pack.yaml`). The shapes around them (dashes, colons,
/// dates, quoted lines) are the same everywhere and live here.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MarkerWords {
    /// Before the colon of a subject line ("Asunto: …"). `Re` is understood everywhere.
    pub subject: Vec<String>,
    /// Inside a dashed separator ("-----Original Message-----").
    pub separators: Vec<String>,
    /// A forward header ending in a colon ("Begin forwarded message:").
    pub forward_headers: Vec<String>,
    /// The first word of a dated attribution ("On", "Le", "W dniu").
    pub attribution_openers: Vec<String>,
    /// The verb that ends an attribution ("wrote", "a écrit", "napisał(a)").
    pub wrote: Vec<String>,
    /// Whole attribution lines of other shapes (before the closing colon).
    pub attribution_lines: Vec<String>,
    /// The first field of an Outlook header block ("From:", "Von:").
    pub header_from: Vec<String>,
    /// The fields after it ("Sent:", "To:", "Betreff:").
    pub header_fields: Vec<String>,
    /// A phone's or mail app's signature ("Sent from my iPhone").
    pub device_signatures: Vec<String>,
    /// Labels of contact lines in a signature ("Tel:", "M.").
    pub contact_labels: Vec<String>,
}

/// The markers, each shape compiled once per vocabulary on first use: a one-line note that has
/// no colon never compiles the header and attribution shapes.
#[derive(Debug, Default, Clone)]
pub struct Markers {
    pub words: MarkerWords,
    /// Shared by clones: a vocabulary copied before its first use compiles once.
    compiled: std::sync::Arc<OnceLock<Compiled>>,
}

/// One shape of [`Compiled`].
#[derive(Debug, Clone, Copy)]
enum Shape {
    Subject,
    QuoteHeader,
    Attribution,
    BareWrote,
    OutlookFrom,
    OutlookNext,
    DeviceSignature,
    Contact,
}

const SHAPES: usize = 8;

#[derive(Debug)]
struct Compiled {
    sources: [String; SHAPES],
    regexes: [OnceLock<Regex>; SHAPES],
    /// The longest text (in bytes) a device-signature fragment matches; `None`: unbounded.
    device_len: OnceLock<Option<usize>>,
    device_fragments: String,
}

/// An alternation of fragments; one that never matches when there are none.
fn alt(words: &[String]) -> String {
    if words.is_empty() {
        r"[^\s\S]".into()
    } else {
        words.join("|")
    }
}

impl Markers {
    pub fn new(words: MarkerWords) -> Markers {
        Markers {
            words,
            compiled: Default::default(),
        }
    }

    fn get(&self) -> &Compiled {
        // Vocabularies made in passing (tests, the fuzz harness) share one compiled copy of the
        // language-neutral shapes.
        static NEUTRAL: OnceLock<Compiled> = OnceLock::new();
        if self.words == MarkerWords::default() {
            return NEUTRAL.get_or_init(|| Compiled::new(&MarkerWords::default()));
        }
        self.compiled.get_or_init(|| Compiled::new(&self.words))
    }

    /// Whether one fragment compiles (for errors pointing at a pack's YAML).
    pub fn check_fragment(fragment: &str) -> Result<(), String> {
        Regex::new(&format!("(?i)(?:{fragment})"))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

impl Compiled {
    fn new(w: &MarkerWords) -> Compiled {
        Compiled {
            sources: Compiled::sources(w),
            regexes: Default::default(),
            device_len: OnceLock::new(),
            device_fragments: alt(&w.device_signatures),
        }
    }

    fn sources(w: &MarkerWords) -> [String; SHAPES] {
        [
            format!(r"(?i)^\s*(?:re|{})\s*:\s*", alt(&w.subject)),
            // The separators mail clients put above a quoted or forwarded message: dashes
            // around words (Outlook, Gmail, Thunderbird), a forward header (Apple Mail), a rule.
            format!(
                r"(?i)^\s*\*{{0,2}}(?:-{{2,}}\s*(?:{})\s*-*|(?:{})\s*:|_{{10,}})\s*\*{{0,2}}\s*$",
                alt(&w.separators),
                alt(&w.forward_headers)
            ),
            // "On Mon, 3 Mar 2025, Ana <a@b.c> wrote:", matched against one line or two or
            // three joined (clients wrap long attributions).
            format!(
                r"(?i)^\s*(?:(?:{})\s.{{4,250}}?(?:{})(?:\s.{{0,200}})?\s*:|(?:{})\s*:)\s*$",
                alt(&w.attribution_openers),
                alt(&w.wrote),
                alt(&w.attribution_lines)
            ),
            // A bare "Ana Lopez wrote:": an attribution only when quoted lines follow it.
            format!(r"(?i)^\s*.{{1,120}}\s(?:{})\s*:\s*$", alt(&w.wrote)),
            format!(
                r"(?i)^\s*\*{{0,2}}(?:{})\s*:\*{{0,2}}\s",
                alt(&w.header_from)
            ),
            format!(
                r"(?i)^\s*\*{{0,2}}(?:{})\s*:\*{{0,2}}",
                alt(&w.header_fields)
            ),
            format!(r"(?i)^\s*(?:{}).{{0,60}}$", alt(&w.device_signatures)),
            // An address, a web site, a phone number, `|`-separated titles, a labelled line.
            format!(
                r"(?i)[\w.+-]+@[\w-]+\.[\w.-]+|(?:https?://|www\.)\S+|linkedin\.com/\S+|(?:\+|\b)\d[\d ()./-]{{6,}}\d|\s\|\s|^(?:{})\s*[.:]",
                alt(&w.contact_labels)
            ),
        ]
    }

    fn re(&self, shape: Shape) -> &Regex {
        let i = shape as usize;
        self.regexes[i].get_or_init(|| {
            // Fragments are checked one by one when packs load; should their union still not
            // compile, the language-neutral shape alone is used.
            Regex::new(&self.sources[i]).unwrap_or_else(|_| {
                Regex::new(&Compiled::sources(&MarkerWords::default())[i])
                    .expect("language-neutral markers compile")
            })
        })
    }

    /// Every shape below needs a colon except the separators, device signatures and contacts:
    /// a line without one is not worth compiling them for.
    fn is_match(&self, shape: Shape, line: &str) -> bool {
        let needs_colon = !matches!(
            shape,
            Shape::QuoteHeader | Shape::DeviceSignature | Shape::Contact
        );
        if needs_colon && !line.contains(':') {
            return false;
        }
        if matches!(shape, Shape::QuoteHeader)
            && !line.contains(':')
            && !line.contains("--")
            && !line.contains('_')
        {
            return false;
        }
        // A device signature is a fragment and at most 60 more characters: a longer line
        // (most sentences) cannot be one.
        if matches!(shape, Shape::DeviceSignature) {
            let longest = self.device_len.get_or_init(|| {
                regex_syntax::ParserBuilder::new()
                    .case_insensitive(true)
                    .build()
                    .parse(&self.device_fragments)
                    .ok()
                    .and_then(|h| h.properties().maximum_len())
            });
            if longest.is_some_and(|n| line.trim_start().chars().count() > n + 60) {
                return false;
            }
        }
        self.re(shape).is_match(line)
    }

    fn find<'t>(&self, shape: Shape, line: &'t str) -> Option<regex::Match<'t>> {
        if !line.contains(':') {
            return None;
        }
        self.re(shape).find(line)
    }
}

struct Line {
    start: usize,
    end: usize,
}

fn lines_of(text: &str, from: usize) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pos = from;
    let bytes = text.as_bytes();
    while pos < text.len() {
        let nl = memchr_nl(&bytes[pos..]).map_or(text.len(), |i| pos + i);
        let mut end = nl;
        if end > pos && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        out.push(Line { start: pos, end });
        pos = nl + 1;
    }
    out
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// A line of contact details (an address, a phone number, a web site, `|`-separated titles).
fn contact_line(t: &str, m: &Compiled) -> bool {
    t.chars().count() <= 100 && m.is_match(Shape::Contact, t)
}

fn starts_with_word(line: &str, words: &[String]) -> Option<usize> {
    if line.is_ascii() {
        // Lower-casing ASCII keeps lengths, so only the bytes a word and the character after
        // it can reach need it (lines are often whole paragraphs).
        let reach = words.iter().map(String::len).max().unwrap_or(0) + 1;
        let lower = line[..line.len().min(reach)].to_ascii_lowercase();
        return longest_word_at_start(&lower, words);
    }
    let lower = line.to_lowercase();
    if lower.len() != line.len() {
        // Case mapping changed lengths (rare); compare char by char instead of by bytes.
        return words.iter().find_map(|w| {
            let n = w.chars().count();
            let head: String = line.chars().take(n).collect::<String>().to_lowercase();
            let rest = line.chars().nth(n);
            (head == *w && rest.is_none_or(|c| !c.is_alphanumeric()))
                .then(|| line.char_indices().nth(n).map_or(line.len(), |(i, _)| i))
        });
    }
    longest_word_at_start(&lower, words)
}

/// The byte length of the longest of `words` that `lower` starts with as a whole word.
fn longest_word_at_start(lower: &str, words: &[String]) -> Option<usize> {
    // Every line is compared with every greeting and sign-off word of the packs: the first
    // byte rules out nearly all of them without a call to compare.
    let first = *lower.as_bytes().first()?;
    words
        .iter()
        .filter(|w| w.as_bytes().first() == Some(&first) && lower.starts_with(w.as_str()))
        .filter(|w| {
            lower[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        })
        .map(|w| w.len())
        .max()
}

/// Splits `text[from..]` into segments. `text` is the prose; all ranges are prose offsets.
pub fn segment_lines(text: &str, from: usize, vocab: &Vocabulary) -> Vec<Segment> {
    segment(text, from, vocab, true)
}

/// Like [`segment_lines`] for a body whose subject is known from elsewhere (an email's
/// Subject header): a first line that starts with `Subject:` or `Re:` is body text here.
pub fn segment_body(text: &str, from: usize, vocab: &Vocabulary) -> Vec<Segment> {
    segment(text, from, vocab, false)
}

fn segment(text: &str, from: usize, vocab: &Vocabulary, subject_line: bool) -> Vec<Segment> {
    let lines = lines_of(text, from);
    let m = vocab.markers.get();
    let line_text = |l: &Line| &text[l.start..l.end];
    let blank = |l: &Line| text[l.start..l.end].trim().is_empty();
    let mut segs = Vec::new();
    let mut i = 0;

    // Leading blank lines, then an optional subject line.
    while i < lines.len() && blank(&lines[i]) {
        i += 1;
    }
    if let Some(l) = lines.get(i).filter(|_| subject_line) {
        if let Some(m) = m.find(Shape::Subject, line_text(l)) {
            let s = l.start + m.end();
            let e = trim_end(text, s, l.end);
            if e > s {
                segs.push(seg(SegmentKind::Subject, s, e));
            }
            i += 1;
        }
    }

    // Where the sender's own words stop: a quote header, a signature delimiter.
    let mut quote_from = lines.len();
    let mut sig_from = lines.len();
    for (j, l) in lines.iter().enumerate().skip(i) {
        let t = line_text(l);
        if t.trim().is_empty() {
            continue;
        }
        let outlook = m.is_match(Shape::OutlookFrom, t)
            && lines[j + 1..]
                .iter()
                .take(3)
                .any(|n| m.is_match(Shape::OutlookNext, line_text(n)));
        if m.is_match(Shape::QuoteHeader, t) || outlook || attribution(text, &lines, j, m) {
            quote_from = j;
            break;
        }
        if sig_from == lines.len()
            && (t == "-- " || t == "--" || t == "—" || m.is_match(Shape::DeviceSignature, t))
        {
            sig_from = j;
        }
    }
    // A closing block of contact details with no `-- ` above it ("Jo Smith / CEO, Acme /
    // jo@acme.com") is a signature too.
    if sig_from == lines.len() {
        if let Some(start) = contact_block(text, &lines, i, quote_from, vocab) {
            sig_from = start;
        }
    }
    let own_end = sig_from.min(quote_from);

    // Sign-off: a short closing line near the end, followed only by short lines (name, title).
    let mut signoff_from = own_end;
    {
        let mut tail = 0;
        let mut j = own_end;
        while j > i {
            j -= 1;
            let t = line_text(&lines[j]).trim();
            if t.is_empty() {
                continue;
            }
            if tail >= 6 || t.chars().count() > 60 {
                break;
            }
            if let Some(n) = starts_with_word(t, &vocab.signoffs) {
                let rest = t[n..].trim_matches(|c: char| !c.is_alphanumeric());
                // Some of the sender's own words must come before a sign-off.
                let words_before = lines[i..j]
                    .iter()
                    .map(|l| line_text(l).trim())
                    .filter(|t| !t.is_empty())
                    .enumerate()
                    .any(|(k, t)| k > 0 || starts_with_word(t, &vocab.greetings).is_none());
                if words_before && rest.chars().count() <= 25 && t.chars().count() <= 40 {
                    signoff_from = j;
                }
            }
            tail += 1;
        }
    }

    // Body lines between subject and sign-off; '>' lines are quotes wherever they are.
    let mut first_para = true;
    let mut para: Option<(usize, usize)> = None;
    let mut quote_run: Option<(usize, usize)> = None;
    let flush_para =
        |para: &mut Option<(usize, usize)>, segs: &mut Vec<Segment>, first: &mut bool| {
            if let Some((s, e)) = para.take() {
                if *first {
                    *first = false;
                    if let Some((g, rest)) = split_greeting(text, s, e, vocab) {
                        segs.push(seg(SegmentKind::Greeting, g.0, g.1));
                        if let Some(r) = rest {
                            segs.push(seg(SegmentKind::Body, r.0, r.1));
                        }
                        return;
                    }
                }
                segs.push(seg(SegmentKind::Body, s, e));
            }
        };
    for l in &lines[i.min(lines.len())..signoff_from.max(i).min(lines.len())] {
        let t = line_text(l);
        if t.trim_start().starts_with('>') {
            flush_para(&mut para, &mut segs, &mut first_para);
            quote_run = Some(quote_run.map_or((l.start, l.end), |(s, _)| (s, l.end)));
            continue;
        }
        if let Some((s, e)) = quote_run.take() {
            segs.push(seg(SegmentKind::Quote, s, e));
        }
        if t.trim().is_empty() {
            flush_para(&mut para, &mut segs, &mut first_para);
        } else {
            let (s, e) = (
                l.start + (t.len() - t.trim_start().len()),
                trim_end(text, l.start, l.end),
            );
            para = Some(para.map_or((s, e), |(ps, _)| (ps, e)));
        }
    }
    flush_para(&mut para, &mut segs, &mut first_para);
    if let Some((s, e)) = quote_run.take() {
        segs.push(seg(SegmentKind::Quote, s, e));
    }
    let block = |from: usize, to: usize| -> Option<(usize, usize)> {
        let ls = lines.get(from..to.min(lines.len()))?;
        let first = ls.iter().find(|l| !blank(l))?;
        let last = ls.iter().rev().find(|l| !blank(l))?;
        Some((first.start, trim_end(text, first.start, last.end)))
    };
    if let Some((s, e)) = block(signoff_from, own_end) {
        segs.push(seg(SegmentKind::Signoff, s, e));
    }
    if let Some((s, e)) = block(sig_from, quote_from) {
        segs.push(seg(SegmentKind::Signature, s, e));
    }
    if let Some((s, e)) = block(quote_from, lines.len()) {
        segs.push(seg(SegmentKind::Quote, s, e));
    }
    segs.retain(|s| !s.range.is_empty());
    segs
}

/// Whether line `j` starts a reply attribution, alone or wrapped over the next one or two
/// lines, or is a bare "Ana wrote:" with quoted lines after it.
fn attribution(text: &str, lines: &[Line], j: usize, m: &Compiled) -> bool {
    let t = |k: usize| lines.get(k).map_or("", |l| &text[l.start..l.end]);
    if t(j).len() > 300 || t(j).trim_start().starts_with('>') {
        return false;
    }
    let mut joined = t(j).trim_end().to_string();
    for k in j..j + 3 {
        if k > j {
            let next = t(k).trim();
            if next.is_empty() || next.starts_with('>') {
                break;
            }
            joined.push(' ');
            joined.push_str(next);
        }
        if m.is_match(Shape::Attribution, &joined) {
            // A real attribution carries a date, a time or an address; "On Monday I wrote:"
            // in the sender's own words does not, unless quoted lines follow it.
            let dated = joined.contains(|c: char| c.is_ascii_digit() || c == '@' || c == '<');
            return dated || quoted_next(text, lines, k);
        }
    }
    m.is_match(Shape::BareWrote, t(j)) && quoted_next(text, lines, j)
}

/// Whether the first non-blank line after line `j` is quoted (`>`).
fn quoted_next(text: &str, lines: &[Line], j: usize) -> bool {
    lines
        .get(j + 1..)
        .unwrap_or(&[])
        .iter()
        .map(|l| text[l.start..l.end].trim())
        .find(|l| !l.is_empty())
        .is_some_and(|n| n.starts_with('>'))
}

/// The start line of a closing paragraph of contact details between `from` and `to`: at most
/// six short lines, at least two of them, one at least with an address, a phone number or a
/// web site, and some of the sender's words before it.
fn contact_block(
    text: &str,
    lines: &[Line],
    from: usize,
    to: usize,
    vocab: &Vocabulary,
) -> Option<usize> {
    let t = |l: &Line| text[l.start..l.end].trim();
    let ls = lines.get(from..to)?;
    let last = ls.iter().rposition(|l| !t(l).is_empty())?;
    let mut first = last;
    while first > 0 && !t(&ls[first - 1]).is_empty() {
        first -= 1;
    }
    let block = &ls[first..=last];
    // "Best,\nJo\n+1 555…" is a sign-off with contact details: the sign-off logic has it.
    if block
        .iter()
        .any(|l| starts_with_word(&t(l).to_lowercase(), &vocab.signoffs).is_some())
    {
        return None;
    }
    let own_words_before = ls[..first].iter().any(|l| !t(l).is_empty());
    let short = block.iter().all(|l| t(l).chars().count() <= 80);
    // The cheap conditions first: most closing paragraphs fail them, and counting contact
    // lines compiles the contact regex.
    if !own_words_before
        || !short
        || !(2..=6).contains(&block.len())
        || block.iter().any(|l| t(l).starts_with('>'))
    {
        return None;
    }
    let contacts = block
        .iter()
        .filter(|l| contact_line(t(l), vocab.markers.get()))
        .count();
    // "Jo Smith", "Ana López-Vidal": every word capitalised, no sentence punctuation.
    let name_first = {
        let f = t(&block[0]);
        f.chars().count() <= 40
            && !f.ends_with(['.', '?', '!', ':'])
            && f.split_whitespace()
                .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
    };
    let signature_like = contacts >= 2 || (contacts >= 1 && name_first);
    (own_words_before
        && short
        && (2..=6).contains(&block.len())
        && signature_like
        && !block.iter().any(|l| t(l).starts_with('>')))
    .then_some(from + first)
}

/// The greeting at the start of the first paragraph, and the rest of the paragraph if any.
#[allow(clippy::type_complexity)]
fn split_greeting(
    text: &str,
    s: usize,
    e: usize,
    vocab: &Vocabulary,
) -> Option<((usize, usize), Option<(usize, usize)>)> {
    let para = &text[s..e];
    let first_line_end = para.find('\n').map_or(e, |i| s + i);
    let line = text[s..first_line_end].trim_end_matches('\r');
    let word = starts_with_word(line, &vocab.greetings)?;
    let line_end = s + line.len();
    // "Hi Ana, hope you're well." keeps the greeting to the first comma or exclamation mark.
    let cut = if line.chars().count() <= 60 && !line.contains(['.', '?']) {
        line_end
    } else {
        match line.find([',', '!', '\u{60c}']) {
            Some(i) if i < 60 => {
                // "Hi, babe!": only a bare greeting word takes a word of address after it
                let bare = line[word..i].trim().is_empty();
                s + i + 1 + vocative_name(&line[i + 1..], bare.then_some(&vocab.address))
            }
            _ => return None,
        }
    };
    let rest_start = text[cut..e]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| cut + i);
    Some(((s, cut), rest_start.map(|r| (r, e))))
}

/// After "Hey," in "Hey, Jason, it was great to meet you": the length of " Jason," (the
/// name set off by a second comma belongs to the greeting), or 0. The name is one to three
/// capitalised words ("Dr. Ana Ruiz"), never the sender's "I'm Tom," or "I"; or, after a bare
/// greeting word (`bare`: the packs' `address:` words), a word of address in lower case: one
/// word, or two with an opener, a closer or a "!" ("Hi, babe!", "Hey, man,", "Coucou, ma belle
/// !", "Hello, dear friend,", "Ciao, tesoro mio,"), which the rules about pet names and generic
/// salutations read in the greeting.
fn vocative_name(after: &str, bare: Option<&AddressWords>) -> usize {
    let Some(end) = after.find([',', '!']) else {
        return 0;
    };
    let name = after[..end].trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    let capitalised = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
    let own = |w: &str| {
        let w = w.trim_end_matches(['\'', '’']);
        matches!(
            w,
            "I" | "I'm" | "I’m" | "I've" | "I’ve" | "I'd" | "I’d" | "I'll" | "I’ll"
        )
    };
    // lower case ("l'ami" too); a German noun after an opener keeps its capital ("ihr Lieben")
    let word = |w: &str| {
        w.chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’'))
    };
    let address = |w: &&str| word(w) && !w.chars().any(char::is_uppercase);
    // A lone word set off by a comma is an address ("Hey, man, how's it going?") unless the
    // sentence goes on through a "that" ("Hi, sorry, that I missed…", "przepraszam, że…").
    let clause = after[end + 1..]
        .split_whitespace()
        .next()
        .map(|w| w.trim_end_matches(['\'', '’']).to_lowercase());
    // every word looked up is lower case already (`address`, `clause`), as the folded lists are
    let listed = |list: &[String], w: &str| list.iter().any(|x| x == w);
    let addressed = bare.is_some_and(|words_of| match words.as_slice() {
        [one] => {
            !clause
                .as_deref()
                .is_some_and(|c| listed(&words_of.clause, c))
                && address(one)
        }
        [first, second] => {
            // two words before an exclamation mark ("Hey, girl hey!", "Hi, you two!")
            let exclaimed = after[end..].starts_with('!');
            address(first)
                && ((listed(&words_of.openers, first) && word(second))
                    || ((listed(&words_of.closers, second) || exclaimed) && address(second)))
        }
        _ => false,
    });
    if end > 40
        || words.is_empty()
        || words.len() > 3
        || !(words.iter().all(capitalised) || addressed)
        || own(words[0])
        || name.contains(['?', ':', ';'])
    {
        return 0;
    }
    end + 1
}

fn trim_end(text: &str, s: usize, e: usize) -> usize {
    s + text[s..e].trim_end().len()
}

fn seg(kind: SegmentKind, s: usize, e: usize) -> Segment {
    Segment {
        kind,
        range: s..e,
        lang: None,
    }
}

#[cfg(test)]
mod tests;
