//! Readers: turn a file's bytes into a [`Message`] with spans into those bytes.
//!
//! Every reader produces the same model, so rules never care whether the words came from a
//! plain draft, an email, an HTML newsletter or a template.

mod decode;
mod email;
pub mod frontmatter;
pub mod html;
mod layer;
mod markdown;
mod plain;
mod render;
pub mod template;

use crate::context::{ContextLayer, Stage};
use crate::error::SourceError;
use crate::message::{InputNote, Message, SegmentKind, Vocabulary};
pub use email::lossless_text;
pub use frontmatter::{Allow, FrontMatter};
use render::{assemble, Markup, Piece};

/// How to read a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A plain-text draft (or, if it starts with mail headers, an email).
    Plain,
    /// A mail-merge template: placeholders are expected and replaced by neutral stand-ins.
    /// The markup inside (plain, HTML, Markdown, email) comes from the inner extension
    /// (`welcome.html.hbs`) or, failing that, from the content.
    Template,
    /// An email file (`.eml`).
    Email,
    /// An HTML draft or newsletter.
    Html,
    /// A Markdown draft.
    Markdown,
}

fn extension(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

impl Format {
    /// The format for a path, from its extension.
    pub fn for_path(path: &str) -> Format {
        Format::for_extension(&extension(path)).unwrap_or(Format::Plain)
    }

    /// The format of a message file's (lower-case) extension; `None` for other files.
    pub fn for_extension(ext: &str) -> Option<Format> {
        MESSAGE_EXTENSIONS
            .iter()
            .find(|(e, _)| *e == ext)
            .map(|&(_, format)| format)
    }
}

/// Extensions of the files `check` picks up when walking a folder, each with the format it is
/// read as (any other file named on the command line is read as plain text).
pub const MESSAGE_EXTENSIONS: &[(&str, Format)] = &[
    ("txt", Format::Plain),
    ("text", Format::Plain),
    ("eml", Format::Email),
    ("md", Format::Markdown),
    ("markdown", Format::Markdown),
    ("html", Format::Html),
    ("htm", Format::Html),
    ("hbs", Format::Template),
    ("handlebars", Format::Template),
    ("mustache", Format::Template),
    ("liquid", Format::Template),
    ("j2", Format::Template),
    ("jinja", Format::Template),
    ("jinja2", Format::Template),
    ("tmpl", Format::Template),
    ("tpl", Format::Template),
];

/// A file read into a message, with its front matter.
#[derive(Debug)]
pub struct ReadMessage {
    pub message: Message,
    pub front_matter: Option<FrontMatter>,
    /// What the file says about its own context: its front matter's keys, or what an email's
    /// headers show (a reply or a forward is not a first contact). Same precedence as front
    /// matter.
    pub context: ContextLayer,
}

/// Decodes `bytes` as UTF-8, or says where they are not: the error points at the first
/// invalid byte.
pub fn utf8(path: &str, bytes: Vec<u8>) -> Result<String, SourceError> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let len = e.utf8_error().error_len().unwrap_or(1);
        let raw = e.into_bytes();
        let text = lossless_text(&raw);
        let end = (at + len).min(text.len());
        SourceError::new(
            path,
            &text,
            Some(at..end),
            format!("not valid UTF-8 at byte {at}"),
        )
        .with_help("save the file as UTF-8")
    })
}

/// Reads a message file. `path` is how the file is named in output.
pub fn read(
    path: &str,
    bytes: Vec<u8>,
    format: Format,
    vocab: &Vocabulary,
) -> Result<ReadMessage, SourceError> {
    let template = format == Format::Template;
    let inner = if template {
        // `welcome.html.hbs` is an HTML template; `note.hbs` is sniffed.
        let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
        match Format::for_path(stem) {
            Format::Template | Format::Plain if looks_like_html(&bytes) => Format::Html,
            Format::Template => Format::Plain,
            f => f,
        }
    } else {
        format
    };
    let markup = match inner {
        Format::Email => return read_email(path, bytes, template, vocab),
        Format::Plain if email::looks_like_email(&bytes) => {
            return read_email(path, bytes, template, vocab)
        }
        Format::Html => Markup::Html,
        Format::Markdown => Markup::Markdown,
        Format::Plain | Format::Template => Markup::Plain,
    };
    if let Some(at) = decode::binary_at(&bytes) {
        let text = lossless_text(&bytes);
        return Err(SourceError::new(
            path,
            &text,
            Some(at..at + 1),
            format!(
                "not a text file: a NUL byte at byte {at} (and not UTF-16 with a byte-order mark)"
            ),
        )
        .with_help("save the message as text (UTF-8, or UTF-16 with a byte-order mark)"));
    }
    match decode::classify(&bytes) {
        decode::Text::Utf8 => plain::read(path, utf8(path, bytes)?, markup, template, vocab),
        decode::Text::Invalid => Err(utf8(path, bytes).err().unwrap_or_else(|| {
            SourceError::whole(path, "not valid text").with_help("save the file as UTF-8")
        })),
        decode::Text::Decoded(d) => plain::read_decoded(
            path,
            decode::ascii_text(&bytes),
            Some((&d, &bytes)),
            markup,
            template,
            vocab,
        ),
    }
}

/// Whether a template's content is HTML (it opens with a tag that email HTML uses).
fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('<')
        && [
            "<html",
            "<!doctype",
            "<p",
            "<div",
            "<table",
            "<body",
            "<br",
            "<span",
            "<h1",
            "<h2",
        ]
        .iter()
        .any(|tag| head.contains(tag))
}

fn read_email(
    path: &str,
    bytes: Vec<u8>,
    template: bool,
    vocab: &Vocabulary,
) -> Result<ReadMessage, SourceError> {
    let Some(mail) = email::read(&bytes) else {
        // No headers at all: check the words as a plain draft, and say so.
        let text = email::lossless_text(&bytes);
        let first_line = 0..text.find('\n').unwrap_or(text.len());
        let mut read = plain::read(path, text, Markup::Plain, template, vocab)?;
        read.message.notes.push(InputNote {
            message: "no mail headers found; the file was checked as plain text".into(),
            span: first_line,
        });
        return Ok(read);
    };
    let subject = mail
        .subject
        .as_ref()
        .map(|l| Piece::new(l, Markup::Plain, template, vocab));
    let bodies: Vec<Piece> = mail
        .bodies
        .iter()
        .map(|b| {
            Piece::new(
                &b.layer,
                if b.html { Markup::Html } else { Markup::Plain },
                template,
                vocab,
            )
        })
        .collect();
    let message = assemble(
        mail.source.clone(),
        subject,
        &bodies,
        vocab,
        mail.notes.clone(),
    );
    // A message that answers or forwards another one is not a first contact: it says so in
    // its headers (In-Reply-To, References) or carries the quoted or forwarded message.
    let quotes = message
        .segments
        .iter()
        .any(|s| s.kind == SegmentKind::Quote);
    let context = ContextLayer {
        stage: (mail.reply || (mail.reply_subject && quotes)).then_some(Stage::FollowUp),
        ..Default::default()
    };
    Ok(ReadMessage {
        message,
        front_matter: None,
        context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few greetings and sign-offs; markers and field names from the built-in packs.
    fn vocab() -> Vocabulary {
        static V: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
        V.get_or_init(|| Vocabulary {
            greetings: vec!["hi".into(), "hello".into()],
            signoffs: vec!["best".into(), "thanks".into()],
            ..crate::rules::Registry::new(&Default::default())
                .expect("built-in packs")
                .vocabulary()
                .clone()
        })
        .clone()
    }

    /// Every range a reader hands out stays inside its text and on character boundaries.
    fn check_invariants(m: &Message, what: &str) {
        for msg in std::iter::once(m).chain(m.variants.iter()) {
            for s in &msg.segments {
                assert!(
                    s.range.end <= msg.prose.len(),
                    "{what}: segment past the prose"
                );
                assert!(
                    msg.prose.is_char_boundary(s.range.start)
                        && msg.prose.is_char_boundary(s.range.end),
                    "{what}"
                );
                let src = msg.to_source(s.range.clone());
                assert!(
                    src.start <= src.end && src.end <= m.source.len(),
                    "{what}: {src:?} outside {}",
                    m.source.len()
                );
                assert!(
                    m.source.is_char_boundary(src.start) && m.source.is_char_boundary(src.end),
                    "{what}: {src:?}"
                );
            }
            for p in &msg.placeholders {
                assert!(
                    p.prose.end <= msg.prose.len() && p.source.end <= m.source.len(),
                    "{what}"
                );
                assert!(
                    m.source.is_char_boundary(p.source.start)
                        && m.source.is_char_boundary(p.source.end),
                    "{what}"
                );
            }
        }
        for n in &m.notes {
            assert!(n.span.end <= m.source.len(), "{what}: note span");
        }
        for s in &m.suppressions {
            assert!(
                s.comment.end <= m.source.len() && s.covers.end <= m.source.len(),
                "{what}: suppression"
            );
        }
    }

    #[test]
    fn any_bytes_in_every_format_keep_spans_sound() {
        const ALPHABET: &[&[u8]] = &[
            b"{{",
            b"}}",
            b"{%",
            b"%}",
            b"{#",
            b"#}",
            b"*|",
            b"|*",
            b"[[",
            b"]]",
            b"[",
            b"]",
            b"{",
            b"}",
            b"|",
            b"%",
            b"!",
            b"<p>",
            b"</p>",
            b"<br>",
            b"<!--",
            b"-->",
            b"&amp;",
            b"&#x2019;",
            b"&",
            b";",
            b"<",
            b">",
            b"\r\n",
            b"\n",
            b"\n\n",
            b" ",
            b"Hi ",
            b"Ana",
            b"first_name",
            b"#if x",
            b"/if",
            b"else",
            b"endif",
            b"=?utf-8?Q?",
            b"?=",
            b"=C3=A9",
            b"=\r\n",
            b"From: a@b.c\n",
            b"Subject: x\n",
            b"Content-Type: multipart/mixed; boundary=b\n",
            b"--b\n",
            b"--b--\n",
            b"Content-Transfer-Encoding: base64\n",
            b"Content-Transfer-Encoding: quoted-printable\n",
            b"SGVsbG8=",
            b"> ",
            b"-- \n",
            b"```\n",
            b"`",
            b"**",
            b"\xc3\xa9",
            b"\xe2\x80\x99",
            b"\xff",
            b"\xe9",
            b"\xf0\x9f\x99\x82",
            b"---\n",
        ];
        let mut state: u64 = std::env::var("TACTFUL_FUZZ_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x2545_f491_4f6c_dd1d);
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let formats = [
            Format::Plain,
            Format::Template,
            Format::Email,
            Format::Html,
            Format::Markdown,
        ];
        // TACTFUL_FUZZ_CASES=100000 for a longer run.
        let cases: u64 = std::env::var("TACTFUL_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1500);
        for case in 0..cases {
            let len = (next() % 40) as usize;
            let mut bytes = Vec::new();
            if case % 3 == 0 {
                bytes.extend_from_slice(
                    b"From: a@b.c\nSubject: =?utf-8?B?SGk=?=\nContent-Type: text/plain\n\n",
                );
            }
            for _ in 0..len {
                bytes.extend_from_slice(ALPHABET[(next() % ALPHABET.len() as u64) as usize]);
            }
            for f in formats {
                let what = format!("{f:?} {:?}", String::from_utf8_lossy(&bytes));
                if let Ok(r) = read("x", bytes.clone(), f, &vocab()) {
                    check_invariants(&r.message, &what);
                }
            }
        }
    }

    #[test]
    fn a_latin1_draft_is_checked_with_spans_on_its_bytes() {
        let raw = b"---\nstage: follow-up\n---\nOl\xe1 Ana, \xe9 um prazer.\n".to_vec();
        let r = read("m.txt", raw.clone(), Format::Plain, &vocab()).unwrap();
        assert!(
            r.message.prose.contains("Olá Ana, é um prazer."),
            "{}",
            r.message.prose
        );
        assert_eq!(r.message.source.len(), raw.len());
        let fm = r.front_matter.expect("front matter");
        assert_eq!(fm.context.stage, Some(Stage::FollowUp));
        assert_eq!(fm.body_start, raw.iter().position(|&b| b == b'O').unwrap());
        let at = r.message.prose.find("prazer").unwrap();
        let src = r.message.to_source(at..at + 6);
        assert_eq!(&raw[src], b"prazer");
    }

    #[test]
    fn a_stray_byte_in_utf8_is_an_error_where_it_is() {
        let raw = b"Hi Ana,\nthanks for the caf\xc3\xa9 \xff chat.\n".to_vec();
        let e = read("m.txt", raw, Format::Plain, &vocab()).unwrap_err();
        assert_eq!(e.span, Some(29..30));
        assert_eq!(e.line_col(), Some((2, 21)));
    }

    #[test]
    fn a_utf16_draft_with_a_bom_is_read() {
        let mut raw = vec![0xFF, 0xFE];
        for u in "---\nlang: en\n---\nHi Ana,\nbook a demo\n".encode_utf16() {
            raw.extend(u.to_le_bytes());
        }
        let r = read("m.txt", raw.clone(), Format::Plain, &vocab()).unwrap();
        assert!(
            r.message.prose.contains("book a demo"),
            "{:?}",
            r.message.prose
        );
        let fm = r.front_matter.expect("front matter");
        assert_eq!(fm.context.lang.as_deref(), Some("en"));
        let at = r.message.prose.find("demo").unwrap();
        let src = r.message.to_source(at..at + 4);
        assert_eq!(src.len(), 8);
        assert_eq!(raw[src.start], b'd');
        check_invariants(&r.message, "utf-16");
    }

    #[test]
    fn an_invalid_byte_in_a_config_is_pointed_at() {
        let e = utf8("c.yaml", b"context:\n  stage: \xff\n".to_vec()).unwrap_err();
        assert_eq!(e.span, Some(18..19));
        assert_eq!(e.line_col(), Some((2, 10)));
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::for_path("a/b.eml"), Format::Email);
        assert_eq!(Format::for_path("x.HTM"), Format::Html);
        assert_eq!(Format::for_path("notes.md"), Format::Markdown);
        assert_eq!(Format::for_path("welcome.html.hbs"), Format::Template);
        assert_eq!(Format::for_path("step.j2"), Format::Template);
        assert_eq!(Format::for_path("draft.txt"), Format::Plain);
    }

    #[test]
    fn an_html_template_is_read_as_html() {
        let r = read(
            "welcome.html.hbs",
            b"<p>Hi {{first_name}},</p><p>Welcome aboard.</p>".to_vec(),
            Format::Template,
            &vocab(),
        )
        .unwrap();
        assert_eq!(r.message.prose, "Hi Alex,\n\nWelcome aboard.");
        let p = &r.message.placeholders[0];
        assert_eq!(&r.message.source[p.source.clone()], "{{first_name}}");
        assert_eq!(&r.message.prose[p.prose.clone()], "Alex");
    }
}
