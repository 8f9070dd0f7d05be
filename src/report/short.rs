//! `path:line:column: severity[rule]: message` — what Vim's and Emacs's error parsers read.

use super::{Reporter, Summary};
use crate::finding::FileResult;
use crate::internal::INPUT_ERROR;
use crate::text::position::LineIndex;
use std::io::{self, Write};

pub struct ShortReporter;

impl Reporter for ShortReporter {
    fn file(&mut self, out: &mut dyn Write, r: &FileResult) -> io::Result<()> {
        for e in &r.errors {
            match e.line_col() {
                Some((l, c)) => writeln!(
                    out,
                    "{}:{l}:{c}: error[{INPUT_ERROR}]: {}",
                    e.path, e.message
                )?,
                None => writeln!(out, "{}:1:1: error[{INPUT_ERROR}]: {}", e.path, e.message)?,
            }
        }
        let idx = LineIndex::new(&r.source);
        for f in &r.findings {
            let (l, c) = idx.line_col(f.span.start);
            // Rules folded into this finding (lint::merge) are named, or the line would hide them.
            let also: Vec<&str> = f
                .related
                .iter()
                .filter_map(|x| x.merged.as_ref().map(|m| m.rule.as_str()))
                .collect();
            let also = if also.is_empty() {
                String::new()
            } else {
                format!(" (also {})", also.join(", "))
            };
            writeln!(
                out,
                "{}:{l}:{c}: {}[{}]: {}{also}",
                r.path,
                f.severity.as_str(),
                f.rule,
                f.message
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}
