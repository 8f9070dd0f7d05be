//! Email files (`.eml`, and any file that starts with RFC 5322 headers).
//!
//! `mail-parser` reads the MIME structure: which parts there are, their content types,
//! transfer encodings, charsets and byte offsets in the raw file. The bodies rules read are
//! then decoded here, byte by byte with their provenance, so that every decoded character maps
//! back to the raw file: 7bit/8bit text in UTF-8 maps exactly, a quoted-printable escape maps
//! to the escape (`=E2=80=99`), base64 maps to the encoded line(s) a character came from, and
//! a legacy charset's byte maps to that byte.
//!
//! A raw file that is not valid UTF-8 (an 8bit part in ISO-8859-1, say) cannot be the
//! `source` string as it is; its `source` is the raw file with every byte that is not part of
//! valid UTF-8 replaced by `?`, so byte offsets, lines and columns are those of the raw file.

use super::layer::Layer;
use crate::message::InputNote;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::charsets::DecoderFnc;
use mail_parser::{Encoding, HeaderName, MessageParser, MessagePart, MimeHeaders, PartType};
use std::ops::Range;

/// One body part to check.
#[derive(Debug)]
pub struct Body {
    /// Decoded text mapped to offsets in the raw file.
    pub layer: Layer,
    pub html: bool,
}

#[derive(Debug)]
pub struct Email {
    pub source: String,
    /// The decoded Subject header, mapped to the raw file.
    pub subject: Option<Layer>,
    pub bodies: Vec<Body>,
    pub notes: Vec<InputNote>,
    /// The message answers another (In-Reply-To or References headers).
    pub reply: bool,
    /// Its subject says reply or forward (`Re:`, `Fwd:`, `AW:`, `WG:`, `TR:`, `RV:` …).
    pub reply_subject: bool,
}

/// The raw file as a string with the same byte offsets: bytes outside valid UTF-8 become `?`.
pub fn lossless_text(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len() - good);
                out.extend(std::iter::repeat_n('?', bad));
                rest = &rest[good + bad..];
            }
        }
    }
}

const ENVELOPE_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "date",
    "message-id",
    "mime-version",
    "received",
    "return-path",
    "delivered-to",
    "reply-to",
    "content-type",
    "in-reply-to",
    "references",
    "sender",
    "x-mailer",
    "user-agent",
    "subject",
];

/// Whether a file that is not named `.eml` starts with mail headers (at least two fields, one
/// of them an envelope field other than Subject, then a blank line), or with an mbox line.
pub fn looks_like_email(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if b.starts_with(b"From ") && b.iter().take(200).any(|&c| c == b'\n') {
        let first = &b[..b.iter().position(|&c| c == b'\n').unwrap_or(b.len())];
        if first.contains(&b'@')
            || first.windows(2).any(|w| w == b"  ")
            || first.iter().filter(|&&c| c == b':').count() >= 2
        {
            return true;
        }
    }
    let mut fields = 0;
    let mut envelope = false;
    for (n, line) in b.split(|&c| c == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return fields >= 2 && envelope;
        }
        if n > 300 {
            return false;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if fields == 0 {
                return false;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            return false;
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
            return false;
        }
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        fields += 1;
        envelope |= lower != "subject"
            && (ENVELOPE_FIELDS.contains(&lower.as_str()) || lower.starts_with("x-"));
    }
    false
}

/// Reads an email. `None` when the bytes hold no headers at all.
pub fn read(raw: &[u8]) -> Option<Email> {
    // An mbox "From " line is not a header: parse after it and shift offsets back.
    let skip = if raw.starts_with(b"From ") {
        raw.iter().position(|&c| c == b'\n').map_or(0, |i| i + 1)
    } else {
        0
    };
    let body = &raw[skip..];
    let msg = MessageParser::default().parse(body)?;
    if msg.parts.is_empty() || msg.parts[0].headers.is_empty() {
        return None;
    }
    let has = |name: HeaderName| msg.parts[0].headers.iter().any(|h| h.name == name);
    let mut email = Email {
        source: lossless_text(raw),
        subject: None,
        bodies: Vec::new(),
        notes: Vec::new(),
        reply: has(HeaderName::InReplyTo) || has(HeaderName::References),
        reply_subject: msg.subject().is_some_and(|s| {
            let s = s.trim_start().to_lowercase();
            [
                "re:", "re :", "fwd:", "fw:", "aw:", "wg:", "tr:", "rv:", "r:", "i:", "antw:",
                "odp:", "sv:", "enc:", "res:",
            ]
            .iter()
            .any(|p| s.starts_with(p))
        }),
    };
    let whole = 0..raw.iter().position(|&c| c == b'\n').unwrap_or(raw.len());
    if let Some(h) = msg.parts[0]
        .headers
        .iter()
        .find(|h| h.name == HeaderName::Subject)
    {
        let r = h.offset_start as usize + skip..(h.offset_end as usize + skip).min(raw.len());
        let layer = header_text(raw, r);
        if !layer.text.trim().is_empty() {
            email.subject = Some(layer);
        }
    }
    let mut chosen = Vec::new();
    select(&msg.parts, 0, 0, &mut chosen);
    let mut notes = Vec::new();
    for (id, part) in msg.parts.iter().enumerate() {
        let hdr = part.offset_header as usize + skip..part.offset_body as usize + skip;
        if part.is_encoding_problem {
            notes.push(note(
                "a MIME part is malformed; it was read as far as possible",
                trim_range(raw, hdr.clone()),
            ));
        }
        if let PartType::Multipart(_) = part.body {
            if let Some(boundary) = part.content_type().and_then(|c| attribute(c, "boundary")) {
                let end = format!("--{boundary}--");
                let r = part.offset_body as usize + skip
                    ..(part.offset_end as usize + skip).min(raw.len());
                if !contains(&raw[r.clone()], end.as_bytes()) {
                    let at = if id == 0 {
                        whole.clone()
                    } else {
                        trim_range(raw, hdr)
                    };
                    notes.push(note(
                        "a multipart body has no closing boundary (the message may be truncated)",
                        at,
                    ));
                }
            }
        }
    }
    for id in chosen {
        let part = &msg.parts[id];
        let html = matches!(part.body, PartType::Html(_));
        let r = (part.offset_body as usize + skip).min(raw.len())
            ..(part.offset_end as usize + skip).min(raw.len());
        let r = r.start..r.end.max(r.start);
        let charset = part
            .content_type()
            .and_then(|c| attribute(c, "charset"))
            .map(str::to_string);
        let prov = match part.encoding {
            Encoding::QuotedPrintable => quoted_printable(raw, r.clone()),
            Encoding::Base64 => {
                let (p, clean) = base64(raw, r.clone());
                if !clean {
                    let hdr = part.offset_header as usize + skip..part.offset_body as usize + skip;
                    notes.push(note(
                        "a base64 part holds characters that are not base64; they were skipped",
                        trim_range(raw, hdr),
                    ));
                }
                p
            }
            Encoding::None => Prov {
                bytes: raw[r.clone()].to_vec(),
                runs: vec![Run {
                    at: 0,
                    src: r.clone(),
                    exact: true,
                }],
            },
        };
        let hdr = part.offset_header as usize + skip..part.offset_body as usize + skip;
        let layer = decode_charset(&prov, charset.as_deref(), &mut |m| {
            notes.push(note(&m, trim_range(raw, hdr.clone())))
        });
        email.bodies.push(Body { layer, html });
    }
    if email.bodies.is_empty() {
        notes.push(note("the message has no text or HTML part to check", whole));
    }
    notes.dedup();
    email.notes = notes;
    Some(email)
}

fn note(message: &str, span: Range<usize>) -> InputNote {
    InputNote {
        message: message.to_string(),
        span,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn trim_range(raw: &[u8], r: Range<usize>) -> Range<usize> {
    let r = r.start.min(raw.len())..r.end.min(raw.len()).max(r.start.min(raw.len()));
    let s = &raw[r.clone()];
    let lead = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let trail = s
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    if lead + trail >= s.len() {
        return r.start..r.start;
    }
    // Keep spans on character boundaries of the lossless source: ASCII whitespace is.
    r.start + lead..r.end - trail
}

fn attribute<'a>(c: &'a mail_parser::ContentType, name: &str) -> Option<&'a str> {
    c.attributes()?
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map(|a| a.value.as_ref())
}

fn is_attachment(p: &MessagePart) -> bool {
    p.content_disposition().is_some_and(|d| d.is_attachment())
        || p.content_disposition()
            .is_some_and(|d| attribute(d, "filename").is_some())
        || p.content_type()
            .is_some_and(|c| attribute(c, "name").is_some())
}

fn is_plain(p: &MessagePart) -> bool {
    match p.content_type() {
        None => true,
        Some(c) => {
            c.ctype().eq_ignore_ascii_case("text")
                && c.subtype().is_none_or(|s| s.eq_ignore_ascii_case("plain"))
        }
    }
}

/// Picks the parts a recipient reads: in `multipart/alternative` the plain text (else the
/// HTML); in any other multipart every inline text part; never attachments or forwarded
/// messages.
fn select(parts: &[MessagePart], id: usize, depth: usize, out: &mut Vec<usize>) {
    let Some(p) = parts.get(id) else { return };
    if depth > 20 {
        return;
    }
    match &p.body {
        PartType::Multipart(children) => {
            let children: Vec<usize> = children
                .iter()
                .map(|&c| c as usize)
                .filter(|&c| c > id)
                .collect();
            let alternative = p
                .content_type()
                .and_then(|c| c.subtype())
                .is_some_and(|s| s.eq_ignore_ascii_case("alternative"));
            if alternative {
                let pick = children
                    .iter()
                    .find(|&&c| {
                        parts.get(c).is_some_and(|q| {
                            matches!(q.body, PartType::Text(_)) && is_plain(q) && !is_attachment(q)
                        })
                    })
                    .or_else(|| {
                        children.iter().find(|&&c| {
                            parts.get(c).is_some_and(|q| {
                                matches!(q.body, PartType::Html(_)) && !is_attachment(q)
                            })
                        })
                    })
                    .or_else(|| {
                        children.iter().find(|&&c| {
                            parts
                                .get(c)
                                .is_some_and(|q| matches!(q.body, PartType::Multipart(_)))
                        })
                    });
                if let Some(&c) = pick {
                    select(parts, c, depth + 1, out);
                }
            } else {
                for c in children {
                    select(parts, c, depth + 1, out);
                }
            }
        }
        PartType::Text(_) if !is_attachment(p) && is_plain(p) => out.push(id),
        PartType::Html(_) if !is_attachment(p) => out.push(id),
        _ => {}
    }
}

/// Decoded bytes and where each came from.
struct Prov {
    bytes: Vec<u8>,
    runs: Vec<Run>,
}

/// Bytes from `at` up to the next run's `at` came from `src`: one to one when `exact`, else
/// as a whole.
#[derive(Debug, Clone)]
struct Run {
    at: usize,
    src: Range<usize>,
    exact: bool,
}

impl Prov {
    fn push(&mut self, byte: u8, src: Range<usize>, exact: bool) {
        let at = self.bytes.len();
        self.bytes.push(byte);
        if let Some(last) = self.runs.last_mut() {
            let extends = if exact {
                last.exact && last.src.end == src.start && last.src.len() == at - last.at
            } else {
                !last.exact && (last.src == src || last.src.end == src.start)
            };
            if extends {
                last.src.end = last.src.end.max(src.end);
                return;
            }
        }
        self.runs.push(Run { at, src, exact });
    }

    /// Source of decoded bytes `k..e`, and whether they are a verbatim copy.
    fn source_of(&self, k: usize, e: usize) -> (Range<usize>, bool) {
        let first = self.runs.partition_point(|r| r.at <= k).saturating_sub(1);
        let last = self.runs.partition_point(|r| r.at < e).saturating_sub(1);
        let Some(r) = self.runs.get(first) else {
            return (0..0, false);
        };
        if first == last && r.exact {
            let s = r.src.start + (k - r.at);
            return (s..s + (e - k), true);
        }
        let mut start = usize::MAX;
        let mut end = 0;
        for (i, run) in self.runs[first..=last.max(first)].iter().enumerate() {
            let run_end = self
                .runs
                .get(first + i + 1)
                .map_or(self.bytes.len(), |n| n.at);
            if run.exact {
                let lo = k.max(run.at);
                let hi = e.min(run_end);
                start = start.min(run.src.start + (lo - run.at));
                end = end.max(run.src.start + (hi - run.at));
            } else {
                start = start.min(run.src.start);
                end = end.max(run.src.end);
            }
        }
        (start.min(end)..end, false)
    }
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn quoted_printable(raw: &[u8], r: Range<usize>) -> Prov {
    let mut p = Prov {
        bytes: Vec::with_capacity(r.len()),
        runs: Vec::new(),
    };
    let mut i = r.start;
    while i < r.end {
        let c = raw[i];
        if c == b'=' {
            // Soft line break: '=' (maybe trailing blanks) then a line break.
            let mut j = i + 1;
            while j < r.end && (raw[j] == b' ' || raw[j] == b'\t') {
                j += 1;
            }
            if j < r.end && raw[j] == b'\n' {
                i = j + 1;
                continue;
            }
            if j + 1 < r.end && raw[j] == b'\r' && raw[j + 1] == b'\n' {
                i = j + 2;
                continue;
            }
            if j == r.end {
                break;
            }
            // An escape `=XX`; anything else is a literal `=` (lenient, like most readers).
            if i + 3 <= r.end {
                if let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2])) {
                    p.push(h * 16 + l, i..i + 3, false);
                    i += 3;
                    continue;
                }
            }
        }
        p.push(c, i..i + 1, true);
        i += 1;
    }
    p
}

fn b64(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64 in `raw[r]`; every decoded byte maps to the encoded line(s) it came from.
/// Returns whether the input held only base64, padding and white space.
fn base64(raw: &[u8], r: Range<usize>) -> (Prov, bool) {
    let mut p = Prov {
        bytes: Vec::with_capacity(r.len() / 4 * 3),
        runs: Vec::new(),
    };
    let mut clean = true;
    // The encoded lines, found once: each decoded byte maps to the line(s) it came from.
    let mut lines: Vec<Range<usize>> = Vec::new();
    let mut start = r.start;
    for (i, &c) in raw[r.clone()].iter().enumerate() {
        if c == b'\n' {
            let end = r.start + i;
            let end = if end > start && raw[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            lines.push(start..end);
            start = r.start + i + 1;
        }
    }
    lines.push(start..r.end.max(start));
    let line_of = |pos: usize| -> Range<usize> {
        let k = lines.partition_point(|l| l.end < pos).min(lines.len() - 1);
        lines[k].clone()
    };
    let mut group: Vec<(u8, usize)> = Vec::with_capacity(4);
    let flush = |group: &mut Vec<(u8, usize)>, p: &mut Prov| {
        if group.len() < 2 {
            group.clear();
            return;
        }
        let first = line_of(group[0].1);
        let last = line_of(group[group.len() - 1].1);
        let src = first.start..last.end;
        let v: Vec<u32> = group.iter().map(|&(x, _)| u32::from(x)).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &x)| acc | (x << (18 - 6 * i)));
        let out = group.len() - 1;
        for k in 0..out {
            p.push((n >> (16 - 8 * k)) as u8, src.clone(), false);
        }
        group.clear();
    };
    for (i, &c) in raw[r.clone()].iter().enumerate() {
        let pos = r.start + i;
        match b64(c) {
            Some(v) => {
                group.push((v, pos));
                if group.len() == 4 {
                    flush(&mut group, &mut p);
                }
            }
            None if c == b'=' => flush(&mut group, &mut p),
            None if c.is_ascii_whitespace() => {}
            None => clean = false,
        }
    }
    flush(&mut group, &mut p);
    (p, clean)
}

enum Charset {
    Utf8 { declared: bool },
    Single(DecoderFnc),
    Multi(DecoderFnc),
}

fn charset_of(name: Option<&str>, warn: &mut dyn FnMut(String)) -> Charset {
    let Some(name) = name.map(|n| n.trim().trim_matches('"').to_ascii_lowercase()) else {
        return Charset::Utf8 { declared: false };
    };
    let n = name.as_str();
    if n.is_empty() || matches!(n, "us-ascii" | "ascii" | "ansi_x3.4-1968" | "iso646-us") {
        return Charset::Utf8 { declared: false };
    }
    if matches!(n, "utf-8" | "utf8") {
        return Charset::Utf8 { declared: true };
    }
    let multi = [
        "2022", "jis", "euc", "gb", "big5", "utf-16", "utf16", "utf-7", "utf7", "ks_c", "949",
        "932", "936", "hz", "utf-32", "cp50",
    ]
    .iter()
    .any(|m| n.contains(m));
    match charset_decoder(n.as_bytes()) {
        Some(d) if multi => {
            // Built without encoding_rs: multi-byte legacy charsets decode as lossy UTF-8
            // (UTF-16 and UTF-7 have decoders of their own).
            if !n.starts_with("utf") {
                warn(format!(
                    "charset `{name}` is read as UTF-8 (tactful has no decoder for it)"
                ));
            }
            Charset::Multi(d)
        }
        Some(d) => Charset::Single(d),
        None => {
            warn(format!(
                "unknown charset `{name}`; the part was read as UTF-8"
            ));
            Charset::Utf8 { declared: false }
        }
    }
}

/// Turns decoded bytes into text in their charset, mapping each character back to its source.
fn decode_charset(p: &Prov, charset: Option<&str>, warn: &mut dyn FnMut(String)) -> Layer {
    let mut out = Layer::default();
    let b = &p.bytes;
    match charset_of(charset, warn) {
        Charset::Utf8 { declared } => {
            let cp1252 = charset_decoder(b"windows-1252");
            let mut bad = false;
            let mut k = 0;
            while k < b.len() {
                let end = (k + 4).min(b.len());
                let (ch, len): (String, usize) = match std::str::from_utf8(&b[k..end]) {
                    Ok(s) => s
                        .chars()
                        .next()
                        .map(|c| (c.to_string(), c.len_utf8()))
                        .unwrap_or_default(),
                    Err(e) if e.valid_up_to() > 0 => {
                        let s = std::str::from_utf8(&b[k..k + e.valid_up_to()]).unwrap_or_default();
                        s.chars()
                            .next()
                            .map(|c| (c.to_string(), c.len_utf8()))
                            .unwrap_or_default()
                    }
                    Err(_) => {
                        bad = true;
                        let s = match (declared, cp1252) {
                            // Undeclared 8-bit text is most often Windows-1252.
                            (false, Some(d)) => d(&b[k..k + 1]),
                            _ => "\u{FFFD}".to_string(),
                        };
                        let (src, _) = p.source_of(k, k + 1);
                        out.whole(&s, src);
                        k += 1;
                        continue;
                    }
                };
                let len = len.max(1);
                let (src, exact) = p.source_of(k, k + len);
                if exact {
                    out.exact(&ch, src.start);
                } else {
                    out.whole(&ch, src);
                }
                k += len;
            }
            if bad && declared {
                warn("a part declared as UTF-8 holds invalid bytes; they were replaced".into());
            }
        }
        Charset::Single(d) => {
            for k in 0..b.len() {
                let (src, exact) = p.source_of(k, k + 1);
                if b[k] < 0x80 && exact {
                    out.exact(&(b[k] as char).to_string(), src.start);
                } else {
                    out.whole(&d(&b[k..k + 1]), src);
                }
            }
        }
        Charset::Multi(d) => {
            let mut k = 0;
            while k < b.len() {
                let e = b[k..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |i| k + i + 1);
                let line = &b[k..e];
                let (src, exact) = p.source_of(k, e);
                if exact && line.iter().all(|&c| c < 0x80 && c != 0x1b) {
                    out.exact(std::str::from_utf8(line).unwrap_or_default(), src.start);
                } else {
                    out.whole(&d(line), src);
                }
                k = e;
            }
        }
    }
    out
}

/// The text of an unstructured header (`Subject`): folding undone, RFC 2047 encoded words
/// decoded (each mapped to the whole encoded word), everything else mapped exactly.
fn header_text(raw: &[u8], r: Range<usize>) -> Layer {
    let r = trim_range(raw, r);
    let mut out = Layer::default();
    let mut i = r.start;
    let mut last_was_word = false;
    let mut gap: Option<Range<usize>> = None; // white space waiting to be emitted
    while i < r.end {
        let c = raw[i];
        if c == b'\r' || c == b'\n' || c == b' ' || c == b'\t' {
            let s = i;
            while i < r.end && matches!(raw[i], b'\r' | b'\n' | b' ' | b'\t') {
                i += 1;
            }
            gap = Some(s..i);
            continue;
        }
        if raw[i..r.end].starts_with(b"=?") {
            if let Some((text, end)) = encoded_word(raw, i, r.end) {
                if let Some(g) = gap.take() {
                    if !last_was_word {
                        push_gap(&mut out, raw, g);
                    }
                }
                out.whole(&text, i..end);
                i = end;
                last_was_word = true;
                continue;
            }
        }
        if let Some(g) = gap.take() {
            push_gap(&mut out, raw, g);
        }
        last_was_word = false;
        // Plain header text: UTF-8 (RFC 6532) maps exactly; other bytes as Windows-1252.
        let s = i;
        while i < r.end
            && !matches!(raw[i], b'\r' | b'\n' | b' ' | b'\t')
            && !raw[i..r.end].starts_with(b"=?")
        {
            i += 1;
        }
        let word = &raw[s..i.max(s + 1).min(r.end)];
        i = i.max(s + 1);
        match std::str::from_utf8(word) {
            Ok(t) => out.exact(t, s),
            Err(_) => {
                let t = charset_decoder(b"windows-1252")
                    .map_or_else(|| String::from_utf8_lossy(word).into_owned(), |d| d(word));
                out.whole(&t, s..s + word.len());
            }
        }
    }
    out
}

fn push_gap(out: &mut Layer, raw: &[u8], g: Range<usize>) {
    if &raw[g.clone()] == b" " {
        out.exact(" ", g.start);
    } else {
        out.whole(" ", g);
    }
}

/// Decodes an RFC 2047 encoded word at `i` (`=?utf-8?Q?Caf=C3=A9?=`); returns the text and
/// where the word ends.
fn encoded_word(raw: &[u8], i: usize, limit: usize) -> Option<(String, usize)> {
    let s = &raw[i..limit];
    let q1 = 2 + s[2..].iter().position(|&c| c == b'?')?;
    let enc = *s.get(q1 + 1)?;
    if s.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let body_start = q1 + 3;
    let close = body_start + s[body_start..].windows(2).position(|w| w == b"?=")?;
    let charset = std::str::from_utf8(&s[2..q1])
        .ok()?
        .split('*')
        .next()?
        .to_string();
    let body = &s[body_start..close];
    if body.iter().any(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let bytes = match enc.to_ascii_uppercase() {
        b'B' => {
            let (p, _) = base64(body, 0..body.len());
            p.bytes
        }
        b'Q' => {
            let mut out = Vec::with_capacity(body.len());
            let mut k = 0;
            while k < body.len() {
                match body[k] {
                    b'_' => out.push(b' '),
                    b'=' => {
                        match (
                            body.get(k + 1).and_then(|&c| hex(c)),
                            body.get(k + 2).and_then(|&c| hex(c)),
                        ) {
                            (Some(h), Some(l)) => {
                                out.push(h * 16 + l);
                                k += 2;
                            }
                            _ => out.push(b'='),
                        }
                    }
                    c => out.push(c),
                }
                k += 1;
            }
            out
        }
        _ => return None,
    };
    let cs = charset.to_ascii_lowercase();
    let text = if matches!(cs.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii") {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        match charset_decoder(cs.as_bytes()) {
            Some(d) => d(&bytes),
            None => String::from_utf8_lossy(&bytes).into_owned(),
        }
    };
    Some((text, i + close + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_text(e: &Email) -> Vec<&str> {
        e.bodies.iter().map(|b| b.layer.text.as_str()).collect()
    }

    #[test]
    fn alternative_prefers_plain_and_qp_maps_to_escapes() {
        let raw = b"From: a@b.c\r\nSubject: =?utf-8?Q?Caf=C3=A9?= and\r\n more\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHi Ana,\r\nCaf=C3=A9 time=\r\n ok\r\n--XX\r\nContent-Type: text/html\r\n\r\n<p>Hi</p>\r\n--XX--\r\n";
        let e = read(raw).unwrap();
        let s = e.subject.as_ref().unwrap();
        assert_eq!(s.text, "Café and more");
        assert_eq!(&e.source[s.map.to_source(0..5)], "=?utf-8?Q?Caf=C3=A9?=");
        assert_eq!(&e.source[s.map.to_source(10..14)], "more");
        assert_eq!(body_text(&e), vec!["Hi Ana,\r\nCafé time ok"]);
        let l = &e.bodies[0].layer;
        let cafe = l.text.find("Café").unwrap();
        assert_eq!(&e.source[l.map.to_source(cafe..cafe + 5)], "Caf=C3=A9");
        let ok = l.text.find("ok").unwrap();
        assert_eq!(&e.source[l.map.to_source(ok..ok + 2)], "ok");
        assert!(e.notes.is_empty(), "{:?}", e.notes);
    }

    #[test]
    fn base64_maps_to_encoded_lines() {
        // "Hello Ana,\nbook a demo" in base64, split over two lines.
        let raw = b"From: a@b.c\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGVsbG8gQW5h\nLApib29rIGEgZGVtbw==\n";
        let e = read(raw).unwrap();
        let l = &e.bodies[0].layer;
        assert_eq!(l.text, "Hello Ana,\nbook a demo");
        let d = l.text.find("demo").unwrap();
        assert_eq!(&e.source[l.map.to_source(d..d + 4)], "LApib29rIGEgZGVtbw==");
        assert_eq!(&e.source[l.map.to_source(0..5)], "SGVsbG8gQW5h");
    }

    #[test]
    fn latin1_8bit_keeps_offsets() {
        let mut raw = b"From: a@b.c\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nCaf".to_vec();
        raw.push(0xE9);
        raw.extend_from_slice(b" ok");
        let e = read(&raw).unwrap();
        assert_eq!(e.source.len(), raw.len());
        let l = &e.bodies[0].layer;
        assert_eq!(l.text, "Café ok");
        assert_eq!(&e.source[l.map.to_source(3..5)], "?");
        assert_eq!(&e.source[l.map.to_source(6..8)], "ok");
    }

    #[test]
    fn html_only_and_attachments() {
        let raw = b"From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>Hi</p>\n--b\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\n\nbook a demo\n--b--\n";
        let e = read(raw).unwrap();
        assert_eq!(e.bodies.len(), 1);
        assert!(e.bodies[0].html);
    }

    #[test]
    fn sniffing_headers() {
        assert!(looks_like_email(
            b"From: a@b.c\nTo: d@e.f\nSubject: x\n\nHi"
        ));
        assert!(looks_like_email(
            b"To: ana@x.com\r\nSubject: Hi\r\n\r\nHi Ana"
        ));
        assert!(!looks_like_email(b"Subject: Quick question\n\nHi Ana"));
        assert!(!looks_like_email(b"Hi Ana,\nThanks: for all\n\nBest"));
        assert!(!looks_like_email(b"Note: one\nTodo: two\n\nbody"));
    }

    #[test]
    fn truncated_and_broken_mail_gives_notes_not_panics() {
        let raw = b"From: a@b.c\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=x-unknown\n\nHello there";
        let e = read(raw).unwrap();
        assert_eq!(body_text(&e), vec!["Hello there"]);
        assert!(
            e.notes
                .iter()
                .any(|n| n.message.contains("closing boundary")),
            "{:?}",
            e.notes
        );
        assert!(
            e.notes
                .iter()
                .any(|n| n.message.contains("unknown charset")),
            "{:?}",
            e.notes
        );
        for raw in [
            &b""[..],
            b"\xff\xfe",
            b"From: x\n",
            b"Content-Type: multipart/mixed; boundary=\n\n--\n--",
            b"Subject: =?utf-8?B?###?=\n\n",
        ] {
            let _ = read(raw);
        }
    }
}
