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
}
