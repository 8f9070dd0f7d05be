//! Which paths a folder walk skips, with ruff's glob semantics: a pattern without a `/`
//! (`node_modules`, `*.draft.md`) matches a file or folder of that name anywhere in the tree; a
//! pattern with a `/` (`archive/2019/*`, `drafts/**/old-*.txt`) matches paths relative to the
//! folder the pattern was written for (the config file's folder, or the working folder for
//! `--exclude`). A file named on the command line is always checked, as in ruff.

use crate::error::SourceError;
use crate::yaml::Spanned;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Folders no one writes messages in: version control, dependencies, build output, caches.
/// Skipped unless a config's `exclude:` replaces the list (`extend-exclude:` adds to it).
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".jj",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
    "node_modules",
    "bower_components",
    "target",
    "vendor",
    "dist",
    "build",
    "_build",
    "buck-out",
    ".cache",
];

/// A compiled set of exclusions.
#[derive(Debug, Clone)]
pub struct Exclude {
    /// The folder relative patterns are anchored at.
    base: PathBuf,
    names: GlobSet,
    paths: GlobSet,
}

impl Default for Exclude {
    fn default() -> Self {
        let names: Vec<String> = DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect();
        Exclude::from_patterns(Path::new("."), &names).unwrap_or_else(|_| Exclude::none())
    }
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    // `*` stays inside one path component, as in ruff and .gitignore.
    GlobBuilder::new(pattern).literal_separator(true).build()
}

impl Exclude {
    /// Excludes nothing.
    pub fn none() -> Exclude {
        Exclude {
            base: PathBuf::new(),
            names: GlobSet::empty(),
            paths: GlobSet::empty(),
        }
    }

    /// Patterns written for `base` (already validated or from the command line).
    pub fn from_patterns(base: &Path, patterns: &[String]) -> Result<Exclude, String> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for p in patterns {
            add(&mut names, &mut paths, p).map_err(|e| format!("invalid glob `{p}`: {e}"))?;
        }
        Ok(Exclude {
            base: absolute(base),
            names: names.build().map_err(|e| e.to_string())?,
            paths: paths.build().map_err(|e| e.to_string())?,
        })
    }

    /// A config's `exclude:` (None: the defaults) and `extend-exclude:`.
    pub(super) fn new(
        base: &Path,
        exclude: Option<&[Spanned<String>]>,
        extend: &[Spanned<String>],
        bad: impl Fn(&Spanned<String>, globset::Error) -> SourceError,
    ) -> Result<Exclude, SourceError> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        if exclude.is_none() {
            for d in DEFAULT_EXCLUDE {
                // The defaults are plain names; they always compile.
                let _ = add(&mut names, &mut paths, d);
            }
        }
        for p in exclude.unwrap_or_default().iter().chain(extend) {
            add(&mut names, &mut paths, &p.value).map_err(|e| bad(p, e))?;
        }
        let build = |b: GlobSetBuilder| {
            b.build()
                .map_err(|e| SourceError::whole(&base.display().to_string(), e.to_string()))
        };
        Ok(Exclude {
            base: absolute(base),
            names: build(names)?,
            paths: build(paths)?,
        })
    }

    /// Whether a path met in a walk is excluded (a folder: with everything under it).
    pub fn matches(&self, path: &Path) -> bool {
        if path
            .file_name()
            .is_some_and(|n| self.names.is_match(Path::new(n)))
        {
            return true;
        }
        if self.paths.is_empty() {
            return false;
        }
        let abs = absolute(path);
        abs.strip_prefix(&self.base)
            .is_ok_and(|rel| self.paths.is_match(rel))
    }
}

fn add(
    names: &mut GlobSetBuilder,
    paths: &mut GlobSetBuilder,
    pattern: &str,
) -> Result<(), globset::Error> {
    let p = pattern.trim();
    let p = p.strip_prefix("./").unwrap_or(p);
    let p = p.strip_suffix('/').unwrap_or(p);
    if p.contains('/') {
        paths.add(glob(p)?);
    } else {
        names.add(glob(p)?);
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(base: &str, patterns: &[&str]) -> Exclude {
        let p: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        Exclude::from_patterns(Path::new(base), &p).unwrap()
    }

    #[test]
    fn names_match_anywhere_and_paths_from_the_base() {
        let e = ex("/repo", &["node_modules", "*.draft.txt", "archive/2019/*"]);
        assert!(e.matches(Path::new("/repo/web/node_modules")));
        assert!(e.matches(Path::new("/repo/a/b/intro.draft.txt")));
        assert!(e.matches(Path::new("/repo/archive/2019/old.txt")));
        assert!(!e.matches(Path::new("/repo/x/archive/2019/old.txt")));
        assert!(!e.matches(Path::new("/repo/archive/2019/deep/old.txt")));
        assert!(!e.matches(Path::new("/repo/templates/intro.txt")));
    }

    #[test]
    fn the_defaults_skip_dependency_and_build_folders() {
        let e = Exclude::default();
        for d in [
            "node_modules",
            "target",
            "vendor",
            ".venv",
            "dist",
            "build",
            ".git",
        ] {
            assert!(e.matches(&Path::new("/repo").join(d)), "{d}");
        }
        assert!(!e.matches(Path::new("/repo/templates")));
    }

    #[test]
    fn a_bad_glob_is_an_error() {
        assert!(Exclude::from_patterns(Path::new("."), &["a[".to_string()]).is_err());
    }
}
