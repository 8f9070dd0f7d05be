//! The smaller faults of issue 11, each pinned by running the real binary: encodings, errors
//! that point where they are, colour conventions, messages that say something useful.

mod common;

use std::path::Path;
use std::process::Output;

fn tactful_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = common::ci_command(args, dir);
    cmd.envs(env.iter().copied());
    common::run(cmd, None)
}

fn tactful(args: &[&str], dir: &Path) -> Output {
    tactful_env(args, dir, &[])
}

fn all(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", all(o)))
}

#[test]
fn latin1_and_utf16_drafts_are_checked_with_spans_on_the_raw_bytes() {
    let d = tempfile::tempdir().expect("tempdir");
    let latin1 =
        b"Ol\xe1 Sam,\n\nCould we book a quick demo next Tuesday? \xc9 r\xe1pido.\n".to_vec();
    std::fs::write(d.path().join("latin1.txt"), &latin1).expect("write");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Hi Sam,\n\nCould we book a quick demo next Tuesday?\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    std::fs::write(d.path().join("utf16.txt"), &utf16).expect("write");
    for (name, raw) in [("latin1.txt", &latin1), ("utf16.txt", &utf16)] {
        let o = tactful(
            &[
                "check",
                "--no-config",
                "--lang",
                "en",
                "--format",
                "json",
                name,
            ],
            d.path(),
        );
        assert_eq!(o.status.code(), Some(1), "{name}: {}", all(&o));
        let doc = json(&o);
        let demo = doc["files"][0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .find(|x| x["rule"] == "early-pitch/demo-request")
            .unwrap_or_else(|| panic!("{name}: no demo finding: {doc}"))
            .clone();
        let start = demo["span"]["start"].as_u64().expect("start") as usize;
        let end = demo["span"]["end"].as_u64().expect("end") as usize;
        // The span holds the raw bytes of the words (every other byte NUL in UTF-16).
        let words: Vec<u8> = raw[start..end]
            .iter()
            .copied()
            .filter(|&b| b != 0)
            .collect();
        assert!(
            String::from_utf8_lossy(&words).starts_with("book a quick demo"),
            "{name}: {:?}",
            String::from_utf8_lossy(&words)
        );
    }
}

#[test]
fn an_invalid_byte_in_a_config_is_reported_where_it_is() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join(".tactful.yaml"), b"context:\n  stage: \xff\n").expect("write");
    std::fs::write(d.path().join("m.txt"), "Hi Sam,\n").expect("write");
    let o = tactful(&["check", "--format", "short", "m.txt"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(all(&o).contains(".tactful.yaml:2:10:"), "{}", all(&o));
}

#[test]
fn an_unclosed_brace_in_a_config_has_a_position() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join(".tactful.yaml"),
        "severity: {early-pitch: off\n",
    )
    .expect("write");
    std::fs::write(d.path().join("m.txt"), "Hi Sam,\n").expect("write");
    let o = tactful(&["check", "--format", "short", "m.txt"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(all(&o).contains(".tactful.yaml:1:11:"), "{}", all(&o));
}

#[test]
fn a_missing_rule_folder_is_reported_once_without_a_made_up_heading() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("m.txt"), "Hi Sam,\n").expect("write");
    let o = tactful(
        &["check", "--no-config", "--rules", "nope/", "m.txt"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let out = all(&o);
    assert_eq!(out.matches("nope").count(), 1, "{out}");
    assert!(!out.contains("tactful::error"), "{out}");
}

#[test]
fn colour_follows_force_color_clicolor_force_and_term_dumb() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join("m.txt"),
        "Hi Sam,\n\nCould we book a quick demo next Tuesday?\n",
    )
    .expect("write");
    let args = ["check", "--no-config", "m.txt"];
    let esc = |o: &Output| String::from_utf8_lossy(&o.stdout).contains('\u{1b}');
    assert!(!esc(&tactful(&args, d.path())), "piped output is plain");
    assert!(esc(&tactful_env(&args, d.path(), &[("FORCE_COLOR", "1")])));
    assert!(esc(&tactful_env(
        &args,
        d.path(),
        &[("CLICOLOR_FORCE", "1")]
    )));
    assert!(!esc(&tactful_env(&args, d.path(), &[("FORCE_COLOR", "0")])));
    let mut forced = args.to_vec();
    forced.extend(["--color", "always"]);
    assert!(esc(&tactful_env(&forced, d.path(), &[("TERM", "dumb")])));
    // TERM=dumb on a terminal is covered by the unit test of `use_color` (no terminal here).
}

#[test]
fn a_suppression_shown_as_markdown_code_is_not_a_suppression() {
    let d = tempfile::tempdir().expect("tempdir");
    let how_to = "Hi Sam,\n\nTo silence a rule, write `{{!-- tactful-disable early-pitch --}}` above it.\nCould we book a quick demo next Tuesday?\n\n```\n{{!-- tactful-disable --}}\n```\n";
    std::fs::write(d.path().join("how-to.md.hbs"), how_to).expect("write");
    let o = tactful(
        &["check", "--no-config", "--format", "short", "how-to.md.hbs"],
        d.path(),
    );
    let out = all(&o);
    assert!(out.contains("error[early-pitch/demo-request]"), "{out}");
    assert!(!out.contains("unused-suppression"), "{out}");
    // The same comment outside code still works.
    let real = "Hi Sam,\n\n{{!-- tactful-disable early-pitch --}}\nCould we book a quick demo next Tuesday?\n";
    std::fs::write(d.path().join("real.md.hbs"), real).expect("write");
    let o = tactful(
        &["check", "--no-config", "--format", "short", "real.md.hbs"],
        d.path(),
    );
    assert!(!all(&o).contains("early-pitch"), "{}", all(&o));
}

/// The README's own front-matter example is a clean message: its `allow:` is used.
#[test]
fn the_readme_front_matter_example_is_clean() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let after = readme
        .split("Front matter can also allow a rule")
        .nth(1)
        .expect("the front matter paragraph");
    let block = after
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the example block");
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("example.txt"), block).expect("write");
    let o = tactful(
        &["check", "--no-config", "--format", "short", "example.txt"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(o.stdout.is_empty(), "{}", all(&o));
}
