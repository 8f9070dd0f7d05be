//! What `check` reads: the paths named on the command line, folders walked for message files,
//! and standard input.

use crate::config::{ConfigResolver, Exclude};
use crate::input::Format;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a folder walk skips, besides hidden files.
pub(super) struct Walking {
    /// `--exclude` globs, relative to the working folder.
    pub(super) exclude: Exclude,
    /// Read `.gitignore` and friends (not with `--no-ignore`).
    pub(super) gitignore: bool,
    /// Where each walked path's config comes from (its `exclude:`); None with `--no-config`,
    /// when the default exclusions apply.
    pub(super) configs: Option<Arc<ConfigResolver>>,
}

impl Walking {
    /// Whether the walk skips a path (a folder with everything under it).
    fn skips(&self, path: &Path) -> bool {
        if self.exclude.matches(path) {
            return true;
        }
        let config = self
            .configs
            .as_ref()
            .and_then(|c| c.for_file(Some(path)).ok().flatten());
        match config {
            Some(c) => c.exclude.matches(path),
            None => default_exclude().matches(path),
        }
    }
}

fn default_exclude() -> &'static Exclude {
    static DEFAULT: std::sync::OnceLock<Exclude> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(Exclude::default)
}

/// One thing to check.
pub(super) enum Input {
    Stdin,
    File(PathBuf),
    /// A path that could not be walked or does not exist.
    Missing(String, String),
}

/// Where a checked input came from, as the output needs to know it.
#[derive(Clone, Copy)]
pub(super) enum Source<'a> {
    Stdin,
    File(&'a Path),
    Missing,
}

impl<'a> Source<'a> {
    pub(super) fn of(input: &'a crate::lint::Input) -> Source<'a> {
        match input.on_disk() {
            Some(p) => Source::File(p),
            None if input.in_memory() => Source::Stdin,
            None => Source::Missing,
        }
    }
}

/// The inputs named by `paths` (the current folder when none), in command-line order; a
/// folder's files sorted by name.
pub(super) fn collect_inputs(paths: &[String], walking: &Arc<Walking>) -> Vec<Input> {
    let mut out = Vec::new();
    let defaults = [".".to_string()];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_file() {
            out.push(Input::File(path));
        } else if path.is_dir() {
            walk(p, &path, walking, &mut out);
        } else {
            // `exists()` is false for a looping or unreadable link too: say which it is.
            let why = match std::fs::metadata(&path) {
                Ok(_) => "not a regular file or folder".to_string(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    "no such file or folder".to_string()
                }
                Err(e) => format!("cannot read: {e}"),
            };
            out.push(Input::Missing(p.clone(), why));
        }
    }
    out
}

/// The message files under a folder (hidden, ignored and excluded paths skipped).
fn walk(named: &str, path: &Path, walking: &Arc<Walking>, out: &mut Vec<Input>) {
    let filter = Arc::clone(walking);
    let walker = ignore::WalkBuilder::new(path)
        .standard_filters(walking.gitignore)
        .hidden(true)
        .require_git(false)
        // The folder named on the command line is walked even if a pattern matches it.
        .filter_entry(move |e| e.depth() == 0 || !filter.skips(e.path()))
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                let ep = e.path();
                let wanted = e.file_type().is_some_and(|t| t.is_file())
                    && ep
                        .extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| Format::for_extension(&x.to_ascii_lowercase()).is_some());
                if wanted {
                    out.push(Input::File(ep.to_path_buf()));
                }
            }
            Err(e) => out.push(Input::Missing(
                named.to_string(),
                format!("cannot read folder: {e}"),
            )),
        }
    }
}

/// A path as shown in output (without a leading `./`).
pub(super) fn shown(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
