//! Applying rules' suggested rewrites: `tactful check --fix` and `--diff`.
//!
//! Only suggestions marked safe are applied. Edits never overlap (a later edit that overlaps an
//! earlier one is skipped and shows up again on the next check), every byte outside the edits
//! is kept, and files are replaced atomically: the new text goes to a temporary file in the
//! same folder, is synced to disk, gets the original's permissions, and is renamed over the
//! original. A failure at any step leaves the original as it was.

use crate::finding::Finding;
use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One replacement of a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub replacement: String,
    pub rule: String,
}

/// The safe edits for a text, in order and without overlaps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub edits: Vec<Edit>,
    /// Safe suggestions left out because they overlap an earlier one.
    pub skipped: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The text with every edit applied.
    pub fn apply(&self, source: &str) -> String {
        let mut out = String::with_capacity(source.len());
        let mut at = 0;
        for e in &self.edits {
            out.push_str(&source[at..e.span.start]);
            out.push_str(&e.replacement);
            at = e.span.end;
        }
        out.push_str(&source[at..]);
        out
    }
}

/// Picks the safe suggestions of `findings` that can be applied to `source` together.
pub fn plan(source: &str, findings: &[Finding]) -> Plan {
    let mut candidates: Vec<Edit> = findings
        .iter()
        .filter_map(|f| {
            let s = f.suggestion.as_ref().filter(|s| s.safe)?;
            let valid = s.span.start <= s.span.end
                && s.span.end <= source.len()
                && source.is_char_boundary(s.span.start)
                && source.is_char_boundary(s.span.end);
            valid.then(|| Edit {
                span: s.span.clone(),
                replacement: s.replacement.to_string(),
                rule: f.rule.to_string(),
            })
        })
        // A rewrite that changes nothing is not a fix.
        .filter(|e| source[e.span.clone()] != *e.replacement)
        .collect();
    candidates.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(a.span.end.cmp(&b.span.end))
    });
    candidates.dedup_by(|b, a| a.span == b.span && a.replacement == b.replacement);
    let mut plan = Plan::default();
    for e in candidates {
        let overlaps = plan.edits.last().is_some_and(|last| {
            e.span.start < last.span.end
                || (e.span.start == last.span.start && e.span.start == last.span.end)
        });
        if overlaps {
            plan.skipped += 1;
        } else {
            plan.edits.push(e);
        }
    }
    plan
}

/// A unified diff of a file before and after its fixes (`--- a/path`, `+++ b/path`, as
/// `git apply` and `patch -p1` read it).
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let path = path.strip_prefix('/').unwrap_or(path);
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Replaces the file at `path` with `bytes`, atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, |_| Ok(()))
}

/// [`write_atomic`] with a step run just before the rename (tests use it to fail there).
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    // Write through a symlink to the file it points at, so the link stays a link.
    let target: PathBuf = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    // Renaming over a read-only file would succeed (the folder is writable) and silently drop
    // the protection; refuse, as ruff does.
    if meta.permissions().readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only (make it writable to apply fixes)",
        ));
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tactful-tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    fs::set_permissions(tmp.path(), meta.permissions())?;
    before_rename(tmp.path())?;
    // On any error above, dropping `tmp` removes the temporary file.
    tmp.persist(&target).map_err(|e| e.error)?;
    // Make the rename itself durable where the platform allows syncing a folder.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::finding::Suggestion;

    fn finding(rule: &str, span: Range<usize>, replacement: &str, safe: bool) -> Finding {
        Finding {
            rule: rule.into(),
            category: "x".into(),
            severity: Severity::Error,
            message: "m".into(),
            help: "".into(),
            span: span.clone(),
            label: "".into(),
            related: Vec::new(),
            suggestion: Some(Suggestion {
                span,
                replacement: replacement.into(),
                safe,
            }),
            confidence: None,
        }
    }

    #[test]
    fn applies_safe_edits_and_keeps_every_other_byte() {
        let src = "\u{FEFF}Hi Ana,\r\n\r\nI've added you — to our list.\r\nBye\r\n";
        let start = src.find("I've").unwrap();
        let end = src.find(" —").unwrap();
        let f = vec![
            finding("a/b", start..end, "Would you like me to add you", true),
            finding("a/c", 0..3, "", false),
        ];
        let p = plan(src, &f);
        assert_eq!(p.edits.len(), 1);
        let out = p.apply(src);
        assert_eq!(&out[..start], &src[..start]);
        let new_end = start + "Would you like me to add you".len();
        assert_eq!(&out[new_end..], &src[end..]);
    }

    #[test]
    fn overlapping_and_unsafe_edits_are_skipped() {
        let src = "abcdefghij";
        let f = vec![
            finding("r/1", 2..5, "X", true),
            finding("r/2", 4..7, "Y", true),
            finding("r/3", 7..9, "Z", true),
            finding("r/4", 0..1, "W", false),
            finding("r/5", 9..9, "!", true),
            finding("r/6", 9..9, "?", true),
        ];
        let p = plan(src, &f);
        assert_eq!(p.skipped, 2);
        assert_eq!(p.apply(src), "abXfgZ!j");
    }

    #[test]
    fn edits_off_char_boundaries_are_ignored() {
        let src = "żółw";
        assert!(plan(src, &[finding("r/1", 1..2, "x", true)]).is_empty());
        assert!(plan(src, &[finding("r/1", 2..99, "x", true)]).is_empty());
    }

    #[test]
    fn diff_has_git_headers() {
        let d = unified_diff("./m.txt", "a\nb\n", "a\nc\n");
        assert!(d.starts_with("--- a/m.txt\n+++ b/m.txt\n@@"), "{d}");
        assert!(d.contains("-b\n+c\n"));
    }

    #[test]
    fn atomic_write_keeps_permissions_and_follows_symlinks() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("m.txt");
        fs::write(&p, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
            let link = d.path().join("link.txt");
            std::os::unix::fs::symlink(&p, &link).unwrap();
            write_atomic(&link, b"new").unwrap();
            assert!(fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink());
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        #[cfg(not(unix))]
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            fs::read_dir(d.path()).unwrap().count(),
            if cfg!(unix) { 2 } else { 1 }
        );
    }

    #[test]
    fn a_read_only_file_is_refused_and_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("m.txt");
        fs::write(&p, "old").unwrap();
        let mut perms = fs::metadata(&p).unwrap().permissions();
        perms.set_readonly(true);
        fs::set_permissions(&p, perms).unwrap();
        let err = write_atomic(&p, b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_write_interrupted_before_the_rename_leaves_the_original_whole() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("m.txt");
        let original = "Hi Ana,\n\nthe whole original text\n".repeat(1000);
        fs::write(&p, &original).unwrap();
        let mut seen_tmp = None;
        let err = write_atomic_with(&p, b"short", |tmp| {
            // The new text is fully on disk next to the original before the rename.
            assert_eq!(fs::read(tmp)?, b"short");
            seen_tmp = Some(tmp.to_path_buf());
            Err(io::Error::other("simulated crash before rename"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("simulated"));
        assert_eq!(fs::read_to_string(&p).unwrap(), original);
        let tmp = seen_tmp.expect("hook ran");
        assert!(!tmp.exists(), "temporary file is removed");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
