//! Text files that are not UTF-8: UTF-16 with a byte-order mark, and legacy single- or
//! multi-byte charsets (Latin-1, windows-1252, Shift_JIS …) guessed with `chardetng`, the
//! detector Firefox uses. The decoded text keeps a map to the raw bytes, so spans, lines and
//! columns stay those of the file as given, as they do for an `.eml` in a legacy charset.

use super::layer::Layer;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use std::ops::Range;

/// Where a file that is not UTF-8 shows it is binary rather than text in a legacy charset: its
/// first NUL byte (UTF-16 with a byte-order mark is text).
pub fn binary_at(raw: &[u8]) -> Option<usize> {
    if matches!(raw, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..]) || std::str::from_utf8(raw).is_ok() {
        return None;
    }
    raw.iter().position(|&b| b == 0)
}

/// A file's text decoded from another encoding, each character mapped to its raw bytes.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// (offset in `text`, raw byte range) for each character, in order.
    chars: Vec<(usize, Range<usize>)>,
    raw_len: usize,
}

/// What a file's bytes are.
#[derive(Debug)]
pub enum Text {
    Utf8,
    /// Another encoding, decoded.
    Decoded(Decoded),
    /// Neither: damaged UTF-8 (its good bytes are UTF-8; decoding it as Latin-1 would garble
    /// them) or bytes that do not read as text in any legacy charset. Refused, at the byte.
    Invalid,
}

/// Tells UTF-8, other encodings and broken text apart.
pub fn classify(raw: &[u8]) -> Text {
    if std::str::from_utf8(raw).is_ok() {
        return Text::Utf8;
    }
    if let Some(d) = Decoded::utf16(raw) {
        return Text::Decoded(d);
    }
    let (mut good, mut bad) = (0usize, 0usize);
    let mut rest = raw;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                good += s.bytes().filter(|b| !b.is_ascii()).count();
                break;
            }
            Err(e) => {
                let ok = e.valid_up_to();
                good += rest[..ok].iter().filter(|b| !b.is_ascii()).count();
                let n = e.error_len().unwrap_or(rest.len() - ok);
                bad += n;
                rest = &rest[ok + n..];
            }
        }
    }
    if good > bad || !letters_in_words(raw) {
        return Text::Invalid;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(raw, true);
    match det.guess_assess(None, false) {
        (encoding, true) => Text::Decoded(Decoded::with(encoding, raw, 0)),
        _ => Text::Invalid,
    }
}

/// Whether the bytes above ASCII sit in words, as accented letters of a legacy charset do
/// (`Ol\xe1`, `solu\xe7\xe3o`): at least half of the runs of such bytes touch an ASCII letter.
/// Binary junk and broken UTF-8 (`\xff\xfe`, `\xc3(`) do not.
fn letters_in_words(raw: &[u8]) -> bool {
    let (mut runs, mut in_words) = (0usize, 0usize);
    let mut i = 0;
    while i < raw.len() {
        if raw[i].is_ascii() {
            i += 1;
            continue;
        }
        let start = i;
        while i < raw.len() && !raw[i].is_ascii() {
            i += 1;
        }
        runs += 1;
        let before = start > 0 && raw[start - 1].is_ascii_alphabetic();
        let after = raw.get(i).is_some_and(|b| b.is_ascii_alphabetic());
        in_words += usize::from(before || after);
    }
    runs > 0 && in_words * 2 >= runs
}

/// The raw file as text with the same byte offsets, every byte above ASCII shown as `?`: the
/// source of a decoded file, on whose every byte offset a span may start or end.
pub fn ascii_text(raw: &[u8]) -> String {
    raw.iter()
        .map(|&b| if b.is_ascii() { b as char } else { '?' })
        .collect()
}

impl Decoded {
    /// UTF-16 announced by its byte-order mark.
    fn utf16(raw: &[u8]) -> Option<Decoded> {
        match raw {
            [0xFF, 0xFE, ..] => Some(Decoded::with(UTF_16LE, raw, 2)),
            [0xFE, 0xFF, ..] => Some(Decoded::with(UTF_16BE, raw, 2)),
            _ => None,
        }
    }

    /// Decodes one byte at a time, so every character knows the bytes it came from.
    fn with(encoding: &'static Encoding, raw: &[u8], skip: usize) -> Decoded {
        let mut decoder = encoding.new_decoder_without_bom_handling();
        let mut text = String::with_capacity(raw.len());
        let mut chars = Vec::new();
        let mut pending = skip;
        let mut buf = String::new();
        for i in skip..raw.len() {
            buf.clear();
            buf.reserve(16);
            let last = i + 1 == raw.len();
            let _ = decoder.decode_to_string(&raw[i..=i], &mut buf, last);
            if buf.is_empty() {
                continue;
            }
            // Everything decoded now came from the bytes since the last output.
            let n = buf.chars().count();
            for (k, c) in buf.chars().enumerate() {
                let r = if k + 1 == n {
                    pending..i + 1
                } else {
                    pending..pending
                };
                chars.push((text.len(), r));
                text.push(c);
            }
            pending = i + 1;
        }
        Decoded {
            text,
            chars,
            raw_len: raw.len(),
        }
    }

    /// The raw byte offset where the character at text offset `at` starts (the end of the
    /// file past the last one).
    fn raw_start(&self, at: usize) -> usize {
        let i = self.chars.partition_point(|(t, _)| *t < at);
        self.chars.get(i).map_or(self.raw_len, |(_, r)| r.start)
    }

    /// The text offset of the first character at or after raw offset `raw_at`.
    pub fn text_offset(&self, raw_at: usize) -> usize {
        let i = self.chars.partition_point(|(_, r)| r.start < raw_at);
        self.chars.get(i).map_or(self.text.len(), |(t, _)| *t)
    }

    /// A text range as raw bytes.
    pub fn to_raw(&self, r: Range<usize>) -> Range<usize> {
        let start = self.raw_start(r.start);
        if r.is_empty() {
            return start..start;
        }
        let i = self.chars.partition_point(|(t, _)| *t < r.end);
        let end = match i.checked_sub(1).and_then(|j| self.chars.get(j)) {
            Some((_, last)) => last.end,
            None => start,
        };
        start..end.max(start)
    }

    /// The text from `from` on, as a layer mapped onto the raw bytes.
    pub fn layer_from(&self, from: usize, raw: &[u8]) -> Layer {
        let mut l = Layer::default();
        let first = self.chars.partition_point(|(t, _)| *t < from);
        for (k, (at, r)) in self.chars.iter().enumerate().skip(first) {
            let end = self.chars.get(k + 1).map_or(self.text.len(), |(t, _)| *t);
            let s = &self.text[*at..end];
            if raw.get(r.clone()) == Some(s.as_bytes()) {
                l.exact(s, r.start);
            } else {
                l.whole(s, r.clone());
            }
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(raw: &[u8]) -> Decoded {
        match classify(raw) {
            Text::Decoded(d) => d,
            other => panic!("not decoded: {other:?}"),
        }
    }

    #[test]
    fn utf8_is_left_alone_and_broken_text_is_not_decoded_as_latin1() {
        assert!(matches!(classify("Olá, Ana".as_bytes()), Text::Utf8));
        assert!(matches!(classify(b"\xEF\xBB\xBFHi"), Text::Utf8));
        let mut raw = "שלום דנה, ".as_bytes().to_vec();
        raw.push(0xd7);
        raw.extend("מה שלומך".as_bytes());
        assert!(matches!(classify(&raw), Text::Invalid));
        assert!(matches!(
            classify(b"Hi Ana,\nbook a demo \xff\xfe\xc3( now\n"),
            Text::Invalid
        ));
        assert!(matches!(classify(b"\xc3\x28 demo"), Text::Invalid));
        assert!(matches!(
            classify(b"Bonjour, \xe7a va tr\xe8s bien, merci."),
            Text::Decoded(_)
        ));
    }

    #[test]
    fn latin1_maps_each_character_to_its_byte() {
        let raw = b"Ol\xe1 Ana, j\xe1 conhece a nossa solu\xe7\xe3o?";
        let d = decoded(raw);
        assert_eq!(d.text, "Olá Ana, já conhece a nossa solução?");
        let at = d.text.find("solução").unwrap();
        let r = d.to_raw(at..at + "solução".len());
        assert_eq!(&raw[r.clone()], b"solu\xe7\xe3o");
        let l = d.layer_from(0, raw);
        assert_eq!(l.text, d.text);
        assert_eq!(l.map.to_source(at..at + 4), r.start..r.start + 4);
    }

    #[test]
    fn utf16_with_a_bom_is_decoded_with_spans_on_the_raw_bytes() {
        let text = "Hi Ana,\nbook a demo 🙂\n";
        for (bom, big) in [([0xFF, 0xFE], false), ([0xFE, 0xFF], true)] {
            let mut raw = bom.to_vec();
            for u in text.encode_utf16() {
                raw.extend(if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
            let d = decoded(&raw);
            assert_eq!(d.text, text);
            let at = text.find("book").unwrap();
            assert_eq!(d.to_raw(at..at + 4), 2 + 2 * at..2 + 2 * (at + 4));
            let smile = text.find('🙂').unwrap();
            let r = d.to_raw(smile..smile + 4);
            assert_eq!(r.len(), 4, "a surrogate pair is four bytes");
        }
    }
}
