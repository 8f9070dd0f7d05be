//! The XLM-R unigram tokeniser, as multilingual-e5-small runs it: the tokenizer's own per-character
//! normalisation (NFKC-like), `▁` for word starts, and Viterbi over the pieces' log-probabilities.
//! The pieces live in an `fst` map embedded in the binary; walking it from each position finds
//! every piece that starts there in one pass.

use super::{params, WordCache};
use fst::raw::{Fst, Output};
use std::cell::RefCell;

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

/// A piece that starts at character `from` of a word and ends before character `to`.
#[derive(Debug, Clone, Copy)]
struct Edge {
    from: u32,
    to: u32,
    piece: Piece,
}

thread_local! {
    /// Each word's edges, per thread: walking the `fst` from every character is most of the
    /// tokeniser's cost, and words repeat (function words in every sentence, a template's words
    /// in every draft).
    static EDGES: RefCell<WordCache<Box<[Edge]>>> = RefCell::default();
}

/// Every vocabulary piece inside `word` (a `▁` and the characters up to the next one), in the
/// order the search meets them: by start, then by end.
fn word_edges(fst: &Fst<&[u8]>, word: &str) -> Vec<Edge> {
    let bytes = word.as_bytes();
    let starts: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
    // char index of each byte offset that starts a character (u32::MAX elsewhere)
    let mut char_at = vec![u32::MAX; bytes.len() + 1];
    for (ci, &b) in starts.iter().enumerate() {
        char_at[b] = ci as u32;
    }
    char_at[bytes.len()] = starts.len() as u32;
    let mut edges = Vec::new();
    for (i, &from) in starts.iter().enumerate() {
        for_each_piece(fst, bytes, from, |end, piece| {
            let e = char_at[end];
            if e != u32::MAX {
                edges.push(Edge {
                    from: i as u32,
                    to: e,
                    piece,
                });
            }
        });
    }
    edges
}

/// Calls `f(end, piece)` for every vocabulary piece that `bytes[from..end]` spells, shortest
/// first, up to the longest piece's length.
fn for_each_piece(fst: &Fst<&[u8]>, bytes: &[u8], from: usize, mut f: impl FnMut(usize, Piece)) {
    let limit = (from + params::MAX_PIECE_BYTES).min(bytes.len());
    let mut node = fst.root();
    let mut out = Output::zero();
    for (pos, &b) in bytes.iter().enumerate().take(limit).skip(from) {
        let Some(ti) = node.find_input(b) else { break };
        let t = node.transition(ti);
        out = out.cat(t.out);
        node = fst.node(t.addr);
        if node.is_final() {
            f(pos + 1, unpack(out.cat(node.final_output()).value()));
        }
    }
}

/// Relaxes the Viterbi search over one word that starts at character `base` of the text.
fn relax(
    best: &mut [f32],
    back: &mut [(usize, Option<Piece>)],
    base: usize,
    len: usize,
    edges: &[Edge],
) {
    let mut k = 0;
    for c in 0..len {
        let i = base + c;
        let here = edges[k..]
            .iter()
            .take_while(|e| e.from as usize == c)
            .count();
        let mine = &edges[k..k + here];
        k += here;
        if best[i] == f32::NEG_INFINITY {
            continue;
        }
        for edge in mine {
            let e = base + edge.to as usize;
            let sc = best[i] + edge.piece.score;
            if sc > best[e] {
                best[e] = sc;
                back[e] = (i, Some(edge.piece));
            }
        }
        let us = best[i] + params::UNK_SCORE;
        if us > best[i + 1] {
            best[i + 1] = us;
            back[i + 1] = (i, None);
        }
    }
}

/// The pieces of `text` in order (unknown characters as `None`).
///
/// No vocabulary piece holds `▁` after its first character (a test checks the embedded map), so
/// no piece crosses a word start and the pieces found inside a word do not depend on its
/// neighbours: they are looked up per word, and the search over them runs exactly as over the
/// whole text.
pub fn pieces(fst: &Fst<&[u8]>, text: &str) -> Vec<Option<Piece>> {
    let (buf, starts) = normalise(text);
    let n = starts.len() - 1;
    let mut best = vec![f32::NEG_INFINITY; n + 1];
    let mut back: Vec<(usize, Option<Piece>)> = vec![(0, None); n + 1];
    best[0] = 0.0;
    let mut w = 0;
    while w < n {
        // A word runs from its `▁` to the next one (the text always starts with one).
        let mut end = w + 1;
        while end < n && !buf[starts[end]..].starts_with(META) {
            end += 1;
        }
        let word = &buf[starts[w]..starts[end]];
        EDGES.with_borrow_mut(|cache| {
            let make = || word_edges(fst, word).into_boxed_slice();
            cache.with(word, make, |edges| {
                relax(&mut best, &mut back, w, end - w, edges);
            });
        });
        w = end;
    }
    backtrack(&back, n)
}

/// The best path's pieces, read back from the end of the Viterbi table.
fn backtrack(back: &[(usize, Option<Piece>)], n: usize) -> Vec<Option<Piece>> {
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

/// The old search over the whole text at once, kept to check the per-word one against.
#[cfg(test)]
fn pieces_whole(fst: &Fst<&[u8]>, text: &str) -> Vec<Option<Piece>> {
    let (buf, starts) = normalise(text);
    let bytes = buf.as_bytes();
    let n = starts.len() - 1;
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
        let at = best[i];
        for_each_piece(fst, bytes, starts[i], |end, piece| {
            let e = char_at[end];
            if e != usize::MAX && at + piece.score > best[e] {
                best[e] = at + piece.score;
                back[e] = (i, Some(piece));
            }
        });
        let us = best[i] + params::UNK_SCORE;
        if us > best[i + 1] {
            best[i + 1] = us;
            back[i + 1] = (i, None);
        }
    }
    backtrack(&back, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fst::Streamer;

    #[test]
    fn no_piece_crosses_a_word_start() {
        let meta = META.to_string();
        let mut keys = super::super::vocab().stream();
        let mut n = 0;
        while let Some((k, _)) = keys.next() {
            let k = String::from_utf8_lossy(k);
            let rest = k.strip_prefix(META).unwrap_or(&k);
            assert!(
                !rest.contains(&meta),
                "piece {k:?} holds a word start inside"
            );
            n += 1;
        }
        assert!(n > 1000);
    }

    #[test]
    fn per_word_search_is_the_whole_text_search() {
        let fst = super::super::vocab();
        let long = "y".repeat(300);
        let texts = [
            "",
            " ",
            "  two  spaces  ",
            "Hello world, would you be open to a quick call next week?",
            "Ciao Marco, ti scrivo perché ho letto il tuo articolo sul networking.",
            "Dzień dobry, piszę do Pana w sprawie współpracy przy nowym projekcie.",
            "שלום דנה, ראיתי את ההרצאה שלך בכנס ורציתי להתחבר",
            "Größere Straße — “quoted” … ﬁne ① ＡＢＣ 🙂 a\u{301} \u{0} \u{2581}x\u{2581}\u{2581}y",
            "https://example.com/a-very-long-link-that-goes-on-and-on-and-on/with/more?and=query&x=y",
            &long,
        ];
        for _ in 0..2 {
            for t in texts {
                assert_eq!(pieces(fst, t), pieces_whole(fst, t), "{t:?}");
            }
        }
    }
}
