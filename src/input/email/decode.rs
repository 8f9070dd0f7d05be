//! Decoding with provenance: quoted-printable, base64, legacy charsets and RFC 2047 encoded
//! header words, each decoded byte or character remembering which raw bytes it came from, so
//! the text rules read maps back to the file.

use super::trim_range;
use crate::input::layer::Layer;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::charsets::DecoderFnc;
use std::ops::Range;

/// Decoded bytes and where each came from.
pub(super) struct Prov {
    pub(super) bytes: Vec<u8>,
    pub(super) runs: Vec<Run>,
}

/// Bytes from `at` up to the next run's `at` came from `src`: one to one when `exact`, else
/// as a whole.
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub(super) at: usize,
    pub(super) src: Range<usize>,
    pub(super) exact: bool,
}

impl Prov {
    pub(super) fn push(&mut self, byte: u8, src: Range<usize>, exact: bool) {
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
    pub(super) fn source_of(&self, k: usize, e: usize) -> (Range<usize>, bool) {
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

pub(super) fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

pub(super) fn quoted_printable(raw: &[u8], r: Range<usize>) -> Prov {
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

pub(super) fn b64(c: u8) -> Option<u8> {
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
pub(super) fn base64(raw: &[u8], r: Range<usize>) -> (Prov, bool) {
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

pub(super) enum Charset {
    Utf8 { declared: bool },
    Single(DecoderFnc),
    Multi(DecoderFnc),
}

pub(super) fn charset_of(name: Option<&str>, warn: &mut dyn FnMut(String)) -> Charset {
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
pub(super) fn decode_charset(
    p: &Prov,
    charset: Option<&str>,
    warn: &mut dyn FnMut(String),
) -> Layer {
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
pub(super) fn header_text(raw: &[u8], r: Range<usize>) -> Layer {
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

pub(super) fn push_gap(out: &mut Layer, raw: &[u8], g: Range<usize>) {
    if &raw[g.clone()] == b" " {
        out.exact(" ", g.start);
    } else {
        out.whole(" ", g);
    }
}

/// Decodes an RFC 2047 encoded word at `i` (`=?utf-8?Q?Caf=C3=A9?=`); returns the text and
/// where the word ends.
pub(super) fn encoded_word(raw: &[u8], i: usize, limit: usize) -> Option<(String, usize)> {
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
