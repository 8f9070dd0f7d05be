//! `--fix` and `--diff`: apply a checked file's safe rewrites, re-check, and write the result
//! back only if the file still holds what was checked.

use super::inputs::shown;
use crate::error::SourceError;
use crate::finding::FileResult;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FixMode {
    Off,
    Write,
    Diff,
}

/// A file's text with its safe fixes applied, and the check of that text.
pub(super) struct Fixed {
    pub(super) text: String,
    pub(super) applied: usize,
    pub(super) result: FileResult,
}

pub(super) struct Checked {
    pub(super) result: FileResult,
    /// None when there was nothing safe to fix.
    pub(super) fixed: Option<Fixed>,
}

/// Fixing can make another safe fix possible (or reveal one an overlap held back); a few
/// passes settle it, and the cap keeps two rules that undo each other from looping.
const MAX_FIX_PASSES: usize = 4;

/// Applies safe fixes to a checked file's text, re-checking after each pass.
pub(super) fn fixes(first: &FileResult, recheck: impl Fn(&str) -> FileResult) -> Option<Fixed> {
    if !first.errors.is_empty() {
        return None;
    }
    let mut text = first.source.to_string();
    let mut applied = 0;
    let mut result: Option<FileResult> = None;
    for _ in 0..MAX_FIX_PASSES {
        let findings = result.as_ref().map_or(&first.findings, |r| &r.findings);
        let plan = crate::fix::plan(&text, findings);
        if plan.is_empty() {
            break;
        }
        let next = plan.apply(&text);
        let checked = recheck(&next);
        if !checked.errors.is_empty() {
            // The rewrite broke something the reader needs (front matter, say): keep what we had.
            break;
        }
        applied += plan.edits.len();
        text = next;
        result = Some(checked);
    }
    result.map(|result| Fixed {
        text,
        applied,
        result,
    })
}

/// Writes a fixed file, if it still holds the text that was checked.
pub(super) fn write_fixed(path: &Path, checked: &str, fixed: &str) -> Result<(), SourceError> {
    let shown = shown(path);
    let now = std::fs::read(path)
        .map_err(|e| SourceError::whole(&shown, format!("cannot re-read file to fix it: {e}")))?;
    if now != checked.as_bytes() {
        return Err(SourceError::whole(
            &shown,
            "not fixed: the file changed while it was being checked (or is not plain UTF-8 text)",
        ));
    }
    crate::fix::write_atomic(path, fixed.as_bytes()).map_err(|e| {
        SourceError::whole(
            &shown,
            format!("cannot write fixes, the file is unchanged: {e}"),
        )
    })
}
