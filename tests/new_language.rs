//! A new language is one folder of YAML and no Rust: this test writes a made-up language
//! (`xx`) into a temporary directory — its pack (greetings, reply markers, template field
//! names, stop words) and its evidence for a built-in rule — and checks messages in it with the
//! real binary.

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::Output;

const PACK: &str = r#"lang: xx
name: Testish
greetings: [saluton]
signoffs: [amike]
stopwords: [kaj, estas, la, vi, mi]
vars:
  quick: "rapidan|mallongan"
markers:
  attribution-openers: ["je"]
  wrote: ["skribis"]
  device-signatures: ["sendita per"]
fields: [nomo, firmao]
"#;

const EVIDENCE: &str = r#"rules:
  - id: early-pitch/demo-request
    match:
      - "rezervu (?:{quick} )?demon"
    examples:
      bad:
        - "Saluton Ana,\n\nCu ni rezervu rapidan demon marde?"
        - "Ni rezervu demon por via teamo."
        - "Bonvolu: rezervu mallongan demon."
      good:
        - "Dankon pro la demo hieraux."
        - text: "Kiel interkonsentite, ni rezervu demon vendrede."
          stage: follow-up
        - "Mi vidis vian demon en la konferenco."
"#;

fn tactful(args: &[&str], dir: &Path) -> Output {
    common::tactful(args, dir, None)
}

fn check(dir: &Path, text: &str) -> Vec<Value> {
    std::fs::write(dir.join("draft.txt"), text).expect("write draft");
    let out = tactful(
        &[
            "check",
            "--no-config",
            "--rules",
            "langs",
            "--lang",
            "xx",
            "--format",
            "json",
            "draft.txt",
        ],
        dir,
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::first_file_diagnostics(&out)
}

fn rules(ds: &[Value]) -> Vec<&str> {
    ds.iter().filter_map(|d| d["rule"].as_str()).collect()
}

#[test]
fn a_language_folder_from_a_temporary_directory_is_a_new_language() {
    let d = tempfile::tempdir().expect("tempdir");
    let folder = d.path().join("langs").join("xx");
    std::fs::create_dir_all(&folder).expect("mkdir");
    std::fs::write(folder.join("pack.yaml"), PACK).expect("write pack");
    std::fs::write(folder.join("early-pitch.yaml"), EVIDENCE).expect("write evidence");

    // The language's evidence completes the built-in definition: shared severity and wording.
    let ds = check(
        d.path(),
        "Saluton Ana,\n\nCu ni rezervu rapidan demon marde?\n\nAmike,\nJo\n",
    );
    let demo: Vec<&Value> = ds
        .iter()
        .filter(|x| x["rule"] == "early-pitch/demo-request")
        .collect();
    assert_eq!(demo.len(), 1, "{ds:?}");
    assert_eq!(demo[0]["severity"], "error");
    assert_eq!(demo[0]["text"], "rezervu rapidan demon");

    // The pack's reply markers: a pitch below "Je …, Ana skribis:" is quoted, not the sender's.
    let ds = check(
        d.path(),
        "Bone, gxis marde.\n\nJe 3 mar 2025 10:12, Ana <ana@example.com> skribis:\nNi rezervu demon por via teamo.\n",
    );
    assert!(!rules(&ds).contains(&"early-pitch/demo-request"), "{ds:?}");

    // The pack's template field names: "[Nomo]" left in a draft is an unfilled placeholder.
    let ds = check(d.path(), "Saluton [Nomo],\n\nMi legis vian artikolon.\n");
    assert!(
        rules(&ds).contains(&"mass-message/unfilled-placeholder"),
        "{ds:?}"
    );

    // And the folder's examples pass as tests.
    let out = tactful(&["test", "langs/xx"], d.path());
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
