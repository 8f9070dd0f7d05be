//! What `check` reads: the paths named on the command line, folders walked for message files,
//! and standard input.

use crate::input::Format;
use std::path::{Path, PathBuf};

/// One thing to check.
pub(super) enum Input {
    Stdin,
    File(PathBuf),
    /// A path that could not be walked or does not exist.
    Missing(String, String),
}

/// The inputs named by `paths` (the current folder when none), in command-line order; a
/// folder's files sorted by name.
pub(super) fn collect_inputs(paths: &[String]) -> Vec<Input> {
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
            walk(p, &path, &mut out);
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

/// The message files under a folder (hidden and ignored paths skipped).
fn walk(named: &str, path: &Path, out: &mut Vec<Input>) {
    let walker = ignore::WalkBuilder::new(path)
        .standard_filters(true)
        .require_git(false)
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
