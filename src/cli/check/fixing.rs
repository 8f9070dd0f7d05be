//! `--fix` and `--diff`: the run ([`crate::lint::Session::fix`]) applies a file's safe
//! rewrites and re-checks; here they are written back, only if the file still holds what was
//! checked.

use super::inputs::shown;
use crate::error::SourceError;
use crate::finding::FileResult;
use crate::lint::Fixed;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FixMode {
    Off,
    Write,
    Diff,
}

pub(super) struct Checked {
    pub(super) result: FileResult,
    /// None when there was nothing safe to fix.
    pub(super) fixed: Option<Fixed>,
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
