//! Mapping from prose offsets to source offsets.

use std::ops::Range;

/// A piece of prose and the source bytes it came from. An `exact` chunk is a verbatim copy
/// (offsets map one to one); any other chunk (a decoded entity, a quoted-printable escape, a
/// base64 block, a placeholder's stand-in) maps as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chunk {
    prose: Range<usize>,
    source: Range<usize>,
    exact: bool,
}

/// Built by readers while they assemble the prose; queried by findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    chunks: Vec<Chunk>,
}

impl SourceMap {
    /// The prose is the source itself.
    pub fn identity(len: usize) -> Self {
        SourceMap {
            chunks: vec![Chunk {
                prose: 0..len,
                source: 0..len,
                exact: true,
            }],
        }
    }

    /// Appends a chunk; prose chunks must be pushed in order and without gaps.
    pub fn push(&mut self, prose: Range<usize>, source: Range<usize>, exact: bool) {
        if prose.is_empty() {
            return;
        }
        if let Some(last) = self.chunks.last_mut() {
            // Merge adjacent verbatim chunks to keep look-ups short.
            if exact
                && last.exact
                && last.prose.end == prose.start
                && last.source.end == source.start
            {
                last.prose.end = prose.end;
                last.source.end = source.end;
                return;
            }
        }
        self.chunks.push(Chunk {
            prose,
            source,
            exact,
        });
    }

    fn chunk_at(&self, pos: usize) -> Option<&Chunk> {
        let idx = self.chunks.partition_point(|c| c.prose.end <= pos);
        self.chunks.get(idx)
    }

    fn start_of(&self, pos: usize) -> usize {
        match self.chunk_at(pos) {
            Some(c) if c.exact => c.source.start + (pos.max(c.prose.start) - c.prose.start),
            Some(c) => c.source.start,
            None => self.chunks.last().map_or(pos, |c| c.source.end),
        }
    }

    fn end_of(&self, pos: usize) -> usize {
        // The end of a range belongs to the chunk holding the byte just before it.
        if pos == 0 {
            return self.chunks.first().map_or(0, |c| c.source.start);
        }
        match self.chunk_at(pos - 1) {
            Some(c) if c.exact => c.source.start + (pos - c.prose.start).min(c.source.len()),
            Some(c) => c.source.end,
            None => self.chunks.last().map_or(pos, |c| c.source.end),
        }
    }

    /// The source range covering a prose range; inexact chunks are covered whole.
    pub fn to_source(&self, prose: Range<usize>) -> Range<usize> {
        if self.chunks.is_empty() {
            return prose;
        }
        let start = self.start_of(prose.start);
        if prose.is_empty() {
            return start..start;
        }
        let end = self.end_of(prose.end).max(start);
        start..end
    }

    /// Whether the prose range maps onto source bytes that hold the same text.
    pub fn is_exact(&self, prose: Range<usize>) -> bool {
        let first = self.chunks.partition_point(|c| c.prose.end <= prose.start);
        self.chunks[first..]
            .iter()
            .take_while(|c| c.prose.start < prose.end)
            .all(|c| c.exact)
    }
}

impl SourceMap {
    /// Number of chunks (for tests and size checks).
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Chains two maps: `self` maps prose to an intermediate text, `lower` maps that text to
    /// the file. Readers stack layers this way (MIME decoding → template rendering → HTML
    /// visible text); a piece stays exact only where both layers are exact.
    pub fn compose(&self, lower: &SourceMap) -> SourceMap {
        let mut out = SourceMap::default();
        for c in &self.chunks {
            if !c.exact || c.source.is_empty() {
                out.push_whole(c.prose.clone(), lower.to_source(c.source.clone()));
                continue;
            }
            // Split the exact chunk along the lower map's chunks.
            let mut first = lower
                .chunks
                .partition_point(|l| l.prose.end <= c.source.start);
            let mut pos = c.source.start;
            while pos < c.source.end {
                let Some(l) = lower.chunks.get(first) else {
                    // Past the lower map: map the rest as a whole onto its end.
                    let end = lower.chunks.last().map_or(pos, |l| l.source.end);
                    out.push_whole(
                        c.prose.start + (pos - c.source.start)..c.prose.end,
                        end..end,
                    );
                    break;
                };
                let piece_end = c.source.end.min(l.prose.end);
                let prose = c.prose.start + (pos - c.source.start)
                    ..c.prose.start + (piece_end - c.source.start);
                if l.exact {
                    let s = l.source.start + pos.saturating_sub(l.prose.start);
                    out.push(prose, s..s + (piece_end - pos), true);
                } else {
                    out.push_whole(prose, l.source.clone());
                }
                pos = piece_end;
                first += 1;
            }
        }
        out
    }

    /// Appends `other`'s chunks with their prose moved to start at `prose_at` and their
    /// source moved by `source_shift` (a sub-document read on its own, such as an HTML block
    /// inside Markdown).
    pub fn append(&mut self, other: &SourceMap, prose_at: usize, source_shift: usize) {
        for c in &other.chunks {
            let prose = c.prose.start + prose_at..c.prose.end + prose_at;
            let source = c.source.start + source_shift..c.source.end + source_shift;
            if c.exact {
                self.push(prose, source, true);
            } else {
                self.push_whole(prose, source);
            }
        }
    }

    /// Pushes an inexact chunk, merging it with the previous one when both cover the same
    /// source (a base64 line decoded into many words stays one chunk).
    pub fn push_whole(&mut self, prose: Range<usize>, source: Range<usize>) {
        if prose.is_empty() {
            return;
        }
        if let Some(last) = self.chunks.last_mut() {
            if !last.exact && last.prose.end == prose.start && last.source == source {
                last.prose.end = prose.end;
                return;
            }
        }
        self.chunks.push(Chunk {
            prose,
            source,
            exact: false,
        });
    }

    /// The prose range whose source lies within `source` (the inverse look-up, used to find
    /// where a placeholder's stand-in ended up). `None` when nothing of it reached the prose.
    pub fn to_prose(&self, source: Range<usize>) -> Option<Range<usize>> {
        let mut found: Option<Range<usize>> = None;
        for c in &self.chunks {
            // Synthesised text (an empty source range) never belongs to anything.
            if c.source.is_empty() || !(c.source.start < source.end && source.start < c.source.end)
            {
                continue;
            }
            let r = if c.exact {
                let s = source.start.max(c.source.start) - c.source.start + c.prose.start;
                let e = source.end.min(c.source.end) - c.source.start + c.prose.start;
                s..e
            } else {
                c.prose.clone()
            };
            found = Some(match found {
                Some(f) => f.start.min(r.start)..f.end.max(r.end),
                None => r,
            });
        }
        found.filter(|r| !r.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_maps_offsets_one_to_one() {
        let m = SourceMap::identity(10);
        assert_eq!(m.to_source(2..5), 2..5);
        assert_eq!(m.to_source(10..10), 10..10);
    }

    #[test]
    fn inexact_chunks_map_as_a_whole() {
        // prose "a é b" from source "a =C3=A9 b"
        let mut m = SourceMap::default();
        m.push(0..2, 0..2, true);
        m.push(2..4, 2..8, false);
        m.push(4..6, 8..10, true);
        assert_eq!(m.to_source(0..1), 0..1);
        assert_eq!(m.to_source(2..4), 2..8);
        assert_eq!(m.to_source(3..5), 2..9);
        assert_eq!(m.to_source(0..6), 0..10);
        assert!(!m.is_exact(0..6));
        assert!(m.is_exact(4..6));
    }

    #[test]
    fn composing_keeps_exactness_only_where_both_layers_are_exact() {
        // file "a =C3=A9 b" → decoded "a é b" → prose "é b" (the first two bytes dropped)
        let mut lower = SourceMap::default();
        lower.push(0..2, 0..2, true);
        lower.push(2..4, 2..8, false);
        lower.push(4..6, 8..10, true);
        let mut upper = SourceMap::default();
        upper.push(0..4, 2..6, true);
        let m = upper.compose(&lower);
        assert_eq!(m.to_source(0..2), 2..8);
        assert_eq!(m.to_source(2..4), 8..10);
        assert!(m.is_exact(2..4));
        assert!(!m.is_exact(0..2));
    }

    #[test]
    fn to_prose_finds_where_source_bytes_went() {
        let mut m = SourceMap::default();
        m.push(0..3, 10..13, true);
        m.push(3..7, 13..30, false);
        assert_eq!(m.to_prose(11..12), Some(1..2));
        assert_eq!(m.to_prose(13..30), Some(3..7));
        assert_eq!(m.to_prose(40..50), None);
    }
}
