//! Open documents, the files that configure each one, and `file:` URIs.

use super::server::Server;
use crate::finding::FileResult;
use lsp_types::Uri;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

/// What the last check of a document saw of the files that configure it.
pub(super) type Stamp = Vec<(PathBuf, Option<(Option<SystemTime>, u64)>)>;

pub(super) struct Doc {
    pub(super) text: String,
    pub(super) version: Option<i32>,
    pub(super) path: Option<PathBuf>,
    /// The name in messages (the path, or the URI for unsaved buffers).
    pub(super) shown: String,
    pub(super) result: Option<FileResult>,
    pub(super) stamp: Stamp,
    /// Its place among the open documents' near-identical drafts at the last check.
    pub(super) copy: Option<(String, usize)>,
}

/// The path of a `file:` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    crate::text::uri::file_uri_to_path(uri.as_str())
}

/// The `file:` URI of a path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_str(&crate::text::uri::path_to_file_uri(path)?).ok()
}

pub(super) fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

impl Server<'_> {
    pub(super) fn open(&mut self, uri: Uri, text: String, version: Option<i32>) {
        let path = uri_to_path(&uri);
        if path.as_deref().is_some_and(is_yaml) {
            return; // config and rule files are not messages
        }
        let shown = path
            .as_ref()
            .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        self.docs.insert(
            uri.clone(),
            Doc {
                text,
                version,
                path,
                shown,
                result: None,
                stamp: Vec::new(),
                copy: None,
            },
        );
        self.check(&uri);
    }

    /// The files that decide how a document is checked, with their sizes and times.
    pub(super) fn stamp(&self, path: Option<&Path>) -> Stamp {
        let files = self.linter.watched_paths(path);
        files
            .into_iter()
            .map(|f| {
                let meta = std::fs::metadata(&f)
                    .ok()
                    .map(|m| (m.modified().ok(), m.len()));
                (f, meta)
            })
            .collect()
    }
}
