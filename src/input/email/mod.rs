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

mod decode;

use super::layer::Layer;
use crate::message::InputNote;
use decode::{base64, decode_charset, header_text, quoted_printable, Prov, Run};
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
