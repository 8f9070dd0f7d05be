//! The pages under `docs/rules/` are generated from the rule definitions (`tactful docs`) and
//! must match them, and every documentation link tactful emits (SARIF `helpUri`) must name a
//! page that exists in this repository.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_rule_pages_match_the_rule_definitions() {
    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["docs", "--check", "--out", "docs/rules"])
        .current_dir(root())
        .output()
        .expect("run tactful docs");
    assert!(
        out.status.success(),
        "docs/rules is out of date; regenerate with `cargo run -- docs --out docs/rules`:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_check_notices_a_changed_or_stray_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tactful"))
            .arg("docs")
            .args(args)
            .arg("--out")
            .arg(dir.path())
            .output()
            .expect("run tactful docs")
    };
    assert!(run(&[]).status.success());
    assert!(run(&["--check"]).status.success());
    let page = dir.path().join("early-pitch/demo-request.md");
    let text = std::fs::read_to_string(&page).expect("a rule page");
    assert!(text.contains("## What it does") && text.contains("## Use instead"));
    std::fs::write(&page, text.replace("## Use instead", "## Instead")).unwrap();
    let stale = run(&["--check"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("early-pitch/demo-request.md"));
    assert!(run(&[]).status.success());
    std::fs::write(dir.path().join("early-pitch/retired-rule.md"), "old").unwrap();
    assert_eq!(run(&["--check"]).status.code(), Some(1));
    assert!(run(&[]).status.success(), "regenerating removes it");
    assert!(!dir.path().join("early-pitch/retired-rule.md").exists());
}

#[test]
fn every_help_link_in_sarif_names_a_committed_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.txt"),
        "Hi,\n\nCan I book a quick demo?\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--no-config", "--format", "sarif", "a.txt"])
        .current_dir(dir.path())
        .output()
        .expect("run tactful");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let base = format!("{}/blob/main/", env!("CARGO_PKG_REPOSITORY"));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules.len() > 100);
    for r in rules {
        let uri = r["helpUri"].as_str().expect("helpUri");
        let rel = uri
            .strip_prefix(&base)
            .unwrap_or_else(|| panic!("{uri} is not in {base}"));
        assert!(root().join(rel).is_file(), "{uri}: no such page");
        let id = r["id"].as_str().unwrap();
        assert_eq!(rel, format!("docs/rules/{id}.md"), "the rule's own page");
    }
}
