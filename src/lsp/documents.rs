//! Open documents, the files that configure each one, and `file:` URIs.

use super::server::Server;
use crate::config::{Config, FILE_NAMES};
use crate::lint::FileResult;
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
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The path of a `file:` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    let path_part = &rest[rest.find('/')?..];
    let path_part = path_part.split(['?', '#']).next().unwrap_or(path_part);
    let decoded = percent_decode(path_part)?;
    // file:///C:/x on Windows
    if cfg!(windows) && decoded.len() > 2 && decoded.as_bytes()[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let abs = std::path::absolute(path).ok()?;
    let mut s = abs.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    Uri::from_str(&format!("file://{}", crate::report::sarif::encode_path(&s))).ok()
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
            },
        );
        self.check(&uri);
    }

    /// The files that decide how a document is checked, with their sizes and times.
    pub(super) fn stamp(&self, path: Option<&Path>) -> Stamp {
        let mut files: Vec<PathBuf> = Vec::new();
        let mut rule_roots = self.options.rule_paths.clone();
        let config = if self.options.no_config {
            None
        } else if let Some(c) = &self.options.config {
            files.push(c.clone());
            Some(c.clone())
        } else {
            let start =
                path.and_then(|p| std::path::absolute(p).ok()?.parent().map(Path::to_path_buf));
            let start = start.or_else(|| std::env::current_dir().ok());
            let mut found = None;
            for dir in start.iter().flat_map(|d| d.ancestors()) {
                for name in FILE_NAMES {
                    let candidate = dir.join(name);
                    let exists = candidate.is_file();
                    files.push(candidate.clone());
                    if exists && found.is_none() {
                        found = Some(candidate);
                    }
                }
                if found.is_some() {
                    break;
                }
            }
            found
        };
        if let Some(c) = config.and_then(|c| Config::load(&c).ok()) {
            rule_roots.extend(c.rule_paths);
        }
        for root in rule_roots {
            files.push(root.clone());
            if root.is_dir() {
                for e in ignore::WalkBuilder::new(&root)
                    .standard_filters(true)
                    .build()
                    .flatten()
                {
                    if e.path().is_dir() || is_yaml(e.path()) {
                        files.push(e.path().to_path_buf());
                    }
                }
            }
        }
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
