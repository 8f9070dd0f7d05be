//! The `.pre-commit-hooks.yaml` of this repository, run by the real `pre-commit` tool (from
//! PyPI: `pip install pre-commit`) in a throwaway git repository with `pre-commit try-repo`.
//! When `pre-commit` or `git` is not installed the test says so and passes without running.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[derive(serde::Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    files: String,
}

fn hooks() -> Vec<Hook> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(".pre-commit-hooks.yaml"))
        .expect("hooks file");
    serde_saphyr::from_str(&text).expect("hooks YAML")
}

#[test]
fn hooks_cover_every_message_extension() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["tactful", "tactful-build"]);
    assert_eq!(hooks[0].language, "system");
    for h in &hooks {
        assert_eq!(h.entry, "tactful check");
        let re = regex::Regex::new(&h.files).expect("files is a regex");
        for (ext, _) in tactful::input::MESSAGE_EXTENSIONS {
            assert!(
                re.is_match(&format!("drafts/a.{ext}")),
                "{} misses .{ext}",
                h.id
            );
            assert!(
                re.is_match(&format!("drafts/A.{}", ext.to_uppercase())),
                "{} misses .{ext} in capitals",
                h.id
            );
        }
        assert!(!re.is_match("src/main.rs") && !re.is_match(".tactful.yaml"));
    }
}

fn available(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run")
}

fn git(repo: &Path, args: &[&str]) {
    let out = run(Command::new("git").args(args).current_dir(repo));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("ls") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

#[test]
fn pre_commit_runs_the_hook_on_message_files() {
    if !available("pre-commit") || !available("git") {
        eprintln!("SKIPPED pre_commit_runs_the_hook_on_message_files: `pre-commit` (pip install pre-commit) or `git` is not installed");
        return;
    }
    let d = tempfile::tempdir().expect("tempdir");
    let repo = d.path().join("templates");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.email", "test@example.com"]);
    git(&repo, &["config", "user.name", "Test"]);
    copy_dir(
        &Path::new(ROOT).join("tests/data/integrations"),
        &repo.join("rules"),
    );
    std::fs::write(
        repo.join(".tactful.yaml"),
        "context: {lang: zz}\nrules: [rules]\n",
    )
    .expect("config");
    std::fs::create_dir_all(repo.join("drafts")).expect("mkdir");
    let bad = repo.join("drafts/welcome.txt");
    std::fs::write(&bad, "Hi Ana,\n\nI've added you to our newsletter.\n").expect("write");
    std::fs::write(
        repo.join("drafts/thanks.md"),
        "Thanks for the notes from Tuesday.\n",
    )
    .expect("write");
    // Not a message file: the hook's `files` pattern leaves it out.
    std::fs::write(
        repo.join("notes.py"),
        "# I've added you to our newsletter.\n",
    )
    .expect("write");
    git(&repo, &["add", "-A"]);

    // The hook runs the tactful under test: put its folder first on PATH.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_tactful"));
    let bin_dir = bin.parent().expect("bin dir").to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let try_repo = |extra: &[&str]| -> Output {
        let mut cmd = Command::new("pre-commit");
        cmd.args(["try-repo", ROOT, "tactful"])
            .args(extra)
            .current_dir(&repo)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", d.path().join("cache"))
            .env("NO_COLOR", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE");
        run(&mut cmd)
    };

    let out = try_repo(&["--all-files"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the hook fails on the signup announcement:\n{text}"
    );
    assert!(
        text.contains("signup-without-consent/zz-added-to-list"),
        "{text}"
    );
    assert!(text.contains("drafts/welcome.txt"), "{text}");
    assert!(!text.contains("notes.py"), "{text}");

    let only_good = try_repo(&["--files", "drafts/thanks.md"]);
    assert_eq!(
        only_good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&only_good.stdout)
    );

    std::fs::write(
        &bad,
        "Hi Ana,\n\nWould you like me to add you to our newsletter?\n",
    )
    .expect("write");
    git(&repo, &["add", "-A"]);
    let fixed = try_repo(&["--all-files"]);
    let text = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(0), "{text}");
    assert!(text.contains("Passed"), "{text}");
}
