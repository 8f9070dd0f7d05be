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

/// Words that open greeting and sign-off lines, gathered from every language pack.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    pub greetings: Vec<String>,
    pub signoffs: Vec<String>,
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

fn subject_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)^\s*(?:subject|subj|re|betreff|asunto|oggetto|onderwerp|temat|objet|assunto|נושא)\s*:\s*")
            .expect("static regex")
    })
}

/// Lines after which everything is quoted or forwarded text.
fn quote_header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?i)^\s*(?:",
            r"-{2,}\s*(?:original message|forwarded message|mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|doorgestuurd bericht|ursprüngliche nachricht|weitergeleitete nachricht|message d'origine|message transféré|mensagem original|mensagem encaminhada|wiadomość oryginalna|wiadomość przekazana)\s*-{2,}",
            r"|begin forwarded message:",
            r"|_{10,}",
            r"|(?:on|le|el|am|il|op|em|w dniu)\s.{4,200}(?:wrote|a écrit|escribió|schrieb|ha scritto|schreef|escreveu|napisał(?:a)?)\s*:",
            r"|.{0,120}(?:כתב|כתבה)\s*:",
            r")\s*$"
        ))
        .expect("static regex")
    })
}

/// The first line of an Outlook-style header block ("From: … / Sent: … / To: …").
fn outlook_from_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)^\s*\*?(?:from|von|de|da|van|od|מאת)\s*:\*?\s").expect("static regex")
    })
}

fn outlook_next_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)^\s*\*?(?:sent|date|to|subject|gesendet|an|datum|enviado|fecha|para|inviato|data|a|verzonden|aan|envoyé|wysłano|do|נשלח|אל)\s*:\*?").expect("static regex")
    })
}

/// "On Tue, 3 Mar 2025 at 10:12, Ana <ana@x.com>" followed on the next line by "wrote:".
fn split_wrote_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?i)^\s*(?:wrote|a écrit|escribió|schrieb|ha scritto|schreef|escreveu|napisał(?:a)?)\s*:\s*$").expect("static regex"))
}

fn starts_with_word(line: &str, words: &[String]) -> Option<usize> {
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
    words
        .iter()
        .filter(|w| !w.is_empty() && lower.starts_with(w.as_str()))
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
    let lines = lines_of(text, from);
    let line_text = |l: &Line| &text[l.start..l.end];
    let blank = |l: &Line| text[l.start..l.end].trim().is_empty();
    let mut segs = Vec::new();
    let mut i = 0;

    // Leading blank lines, then an optional subject line.
    while i < lines.len() && blank(&lines[i]) {
        i += 1;
    }
    if let Some(l) = lines.get(i) {
        if let Some(m) = subject_re().find(line_text(l)) {
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
        let outlook = outlook_from_re().is_match(t)
            && lines[j + 1..]
                .iter()
                .take(3)
                .any(|n| outlook_next_re().is_match(line_text(n)));
        let split_wrote = lines
            .get(j + 1)
            .is_some_and(|n| split_wrote_re().is_match(line_text(n)))
            && t.len() < 200
            && t.trim_start().to_lowercase().starts_with("on ");
        if quote_header_re().is_match(t) || outlook || split_wrote {
            quote_from = j;
            break;
        }
        if sig_from == lines.len() && (t == "-- " || t == "--" || t == "—") {
            sig_from = j;
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
    starts_with_word(line, &vocab.greetings)?;
    let line_end = s + line.len();
    // "Hi Ana, hope you're well." keeps the greeting to the first comma or exclamation mark.
    let cut = if line.chars().count() <= 60 && !line.contains(['.', '?']) {
        line_end
    } else {
        match line.find([',', '!', '\u{60c}']) {
            Some(i) if i < 60 => s + i + 1,
            _ => return None,
        }
    };
    let rest_start = text[cut..e]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| cut + i);
    Some(((s, cut), rest_start.map(|r| (r, e))))
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
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            greetings: vec!["hi".into(), "dear".into(), "hello".into()],
            signoffs: vec!["best".into(), "thanks".into(), "best regards".into()],
        }
    }

    fn kinds(text: &str) -> Vec<(SegmentKind, &str)> {
        segment_lines(text, 0, &vocab())
            .into_iter()
            .map(|s| (s.kind, &text[s.range]))
            .collect()
    }

    #[test]
    fn finds_every_part_of_a_plain_email() {
        let text = "Subject: Quick question\n\nHi Ana,\n\nI read your post.\nIt was good.\n\nSecond para.\n\nBest regards,\nJo\n-- \nJo Smith | Acme\n\nOn Mon, 3 Mar 2025, Ana <a@b.c> wrote:\n> hello\n";
        assert_eq!(
            kinds(text),
            vec![
                (SegmentKind::Subject, "Quick question"),
                (SegmentKind::Greeting, "Hi Ana,"),
                (SegmentKind::Body, "I read your post.\nIt was good."),
                (SegmentKind::Body, "Second para."),
                (SegmentKind::Signoff, "Best regards,\nJo"),
                (SegmentKind::Signature, "-- \nJo Smith | Acme"),
                (
                    SegmentKind::Quote,
                    "On Mon, 3 Mar 2025, Ana <a@b.c> wrote:\n> hello"
                ),
            ]
        );
    }

    #[test]
    fn greeting_inside_a_longer_first_line() {
        let text = "Hi Ana, I hope this finds you well. I saw your talk.";
        assert_eq!(
            kinds(text),
            vec![
                (SegmentKind::Greeting, "Hi Ana,"),
                (
                    SegmentKind::Body,
                    "I hope this finds you well. I saw your talk."
                ),
            ]
        );
    }

    #[test]
    fn a_lone_sentence_starting_with_thanks_is_not_a_signoff() {
        let text = "Thanks for connecting! Loved your piece on hiring.";
        assert_eq!(kinds(text), vec![(SegmentKind::Body, text)]);
    }

    #[test]
    fn outlook_header_block_starts_a_quote() {
        let text =
            "Sounds good.\n\nFrom: Ana Lopez\nSent: Monday\nTo: Jo\nSubject: Re: hi\n\nold text";
        let k = kinds(text);
        assert_eq!(k[0], (SegmentKind::Body, "Sounds good."));
        assert_eq!(k[1].0, SegmentKind::Quote);
    }

    #[test]
    fn crlf_lines_do_not_leak_carriage_returns() {
        let text = "Hi Ana,\r\n\r\nBody line.\r\n\r\nThanks,\r\nJo\r\n";
        assert_eq!(
            kinds(text),
            vec![
                (SegmentKind::Greeting, "Hi Ana,"),
                (SegmentKind::Body, "Body line."),
                (SegmentKind::Signoff, "Thanks,\r\nJo"),
            ]
        );
    }
}
