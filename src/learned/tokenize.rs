//! The XLM-R unigram tokeniser, as multilingual-e5-small runs it: the tokenizer's own per-character
//! normalisation (NFKC-like), `▁` for word starts, and Viterbi over the pieces' log-probabilities.
//! The pieces live in an `fst` map embedded in the binary; walking it from each position finds
//! every piece that starts there in one pass.

use super::params;
use fst::raw::{Fst, Output};

/// The SentencePiece word marker.
const META: char = '\u{2581}';

/// A piece found by the tokeniser: its score and, when distilled, its embedding row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub score: f32,
    pub row: Option<u32>,
}

/// Values in the map: the score's f32 bits in the high half, embedding row + 1 in the low half
/// (0 when the piece has no row).
fn unpack(v: u64) -> Piece {
    let score = f32::from_bits((v >> 32) as u32);
    let row = (v & 0xffff_ffff) as u32;
    Piece {
        score,
        row: row.checked_sub(1),
    }
}

/// The normalised text with `▁` markers, and the byte offset of each character in it (plus the
/// end), which is what the Viterbi search steps over.
fn normalise(text: &str) -> (String, Vec<usize>) {
    let mut cps: Vec<char> = Vec::with_capacity(text.len() + 1);
    for ch in text.chars() {
        match params::NORM.binary_search_by_key(&(ch as u32), |e| e.0) {
            Ok(i) => cps.extend(params::NORM[i].1.iter().filter_map(|&c| char::from_u32(c))),
            Err(_) => cps.push(ch),
        }
    }
    cps.dedup_by(|a, b| *a == ' ' && *b == ' ');
    let mut buf = String::with_capacity(cps.len() * 2 + 3);
    let mut starts = Vec::with_capacity(cps.len() + 2);
    if cps.first() != Some(&' ') {
        starts.push(0);
        buf.push(META);
    }
    for c in cps {
        starts.push(buf.len());
        buf.push(if c == ' ' { META } else { c });
    }
    starts.push(buf.len());
    (buf, starts)
}

/// The pieces of `text` in order (unknown characters as `None`).
pub fn pieces(fst: &Fst<&[u8]>, text: &str) -> Vec<Option<Piece>> {
    let (buf, starts) = normalise(text);
    let bytes = buf.as_bytes();
    let n = starts.len() - 1;
    // char index of each byte offset that starts a character (usize::MAX elsewhere)
    let mut char_at = vec![usize::MAX; bytes.len() + 1];
    for (ci, &b) in starts.iter().enumerate() {
        char_at[b] = ci;
    }
    let mut best = vec![f32::NEG_INFINITY; n + 1];
    let mut back: Vec<(usize, Option<Piece>)> = vec![(0, None); n + 1];
    best[0] = 0.0;
    for i in 0..n {
        if best[i] == f32::NEG_INFINITY {
            continue;
        }
        let from = starts[i];
        let limit = (from + params::MAX_PIECE_BYTES).min(bytes.len());
        let mut node = fst.root();
        let mut out = Output::zero();
        for (pos, &b) in bytes.iter().enumerate().take(limit).skip(from) {
            let Some(ti) = node.find_input(b) else { break };
            let t = node.transition(ti);
            out = out.cat(t.out);
            node = fst.node(t.addr);
            let e = char_at[pos + 1];
            if node.is_final() && e != usize::MAX {
                let piece = unpack(out.cat(node.final_output()).value());
                let sc = best[i] + piece.score;
                if sc > best[e] {
                    best[e] = sc;
                    back[e] = (i, Some(piece));
                }
            }
        }
        let us = best[i] + params::UNK_SCORE;
        if us > best[i + 1] {
            best[i + 1] = us;
            back[i + 1] = (i, None);
        }
    }
    let mut out = Vec::new();
    let mut i = n;
    while i > 0 {
        let (from, p) = back[i];
        out.push(p);
        i = from;
    }
    out.reverse();
    out
}
