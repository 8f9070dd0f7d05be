//! A rule's two exception scopes, through the real binary: `unless` (the hit's sentence, or
//! what `unless-scope` says) and `unless-message` (anywhere in the message the reader sees).

mod common;
use common::{command, tempdir, write};
use serde_json::Value;
use std::path::Path;

const RULE: &str = r#"category: signup-without-consent
rules:
  - id: signup-without-consent/zz-digest
    severity: error
    message: announces the digest
    help: ask first
    match: ['you will get our digest']
    unless: ['only if you like']
    unless-message: ['thanks for joining the digest']
"#;

/// The rules the message gets from the test rule alone.
fn rules_for(dir: &Path, message: &str) -> Vec<String> {
    write(dir, "rules/digest.yaml", RULE);
    write(dir, "m.txt", message);
    let out = command(
        &[
            "check",
            "--format",
            "json",
            "--no-config",
            "--lang",
            "en",
            "--rules",
            "rules",
            "--select",
            "signup-without-consent/zz-digest",
            "m.txt",
        ],
        dir,
    )
    .output()
    .expect("run tactful");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    doc["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_message_level_exception_excuses_the_rule_anywhere_in_the_message() {
    let d = tempdir();
    let hit = ["signup-without-consent/zz-digest"];
    let none: [&str; 0] = [];
    for (case, message, want) in [
        (
            "no exception",
            "Hi Ann,\n\nYou will get our digest every Monday.\n\nBo\n",
            &hit[..],
        ),
        (
            "the confirmation in the subject",
            "Subject: Thanks for joining the digest\n\nHi Ann,\n\nYou will get our digest every Monday.\n\nBo\n",
            &none[..],
        ),
        (
            "the confirmation in another paragraph",
            "Hi Ann,\n\nThanks for joining the digest last week.\n\nYou will get our digest every Monday.\n\nBo\n",
            &none[..],
        ),
        (
            "the confirmation only in quoted text (someone else's words)",
            "Hi Ann,\n\nYou will get our digest every Monday.\n\nBo\n\n> Thanks for joining the digest\n",
            &hit[..],
        ),
        (
            "the sentence-level exception in the hit's sentence",
            "Hi Ann,\n\nOnly if you like, you will get our digest every Monday.\n\nBo\n",
            &none[..],
        ),
        (
            "the sentence-level exception in another paragraph",
            "Hi Ann,\n\nOnly if you like, we can talk.\n\nYou will get our digest every Monday.\n\nBo\n",
            &hit[..],
        ),
    ] {
        assert_eq!(rules_for(d.path(), message), want, "{case}");
    }
}

/// The error a rule file gets (exit status 2, the error in the JSON document).
fn load_error(rule: &str) -> String {
    let d = tempdir();
    write(d.path(), "rules/bad.yaml", rule);
    write(d.path(), "m.txt", "hello\n");
    let out = command(
        &[
            "check",
            "--format",
            "json",
            "--no-config",
            "--rules",
            "rules",
            "m.txt",
        ],
        d.path(),
    )
    .output()
    .expect("run tactful");
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("valid JSON even so");
    doc["files"][0]["error"]
        .as_str()
        .expect("an error")
        .to_string()
}

#[test]
fn a_bad_message_level_exception_is_reported_at_its_line() {
    let rule = RULE.replace("thanks for joining the digest", "thanks (for joining");
    let err = load_error(&rule);
    assert!(
        err.contains("bad.yaml:9:") && err.contains("invalid pattern"),
        "{err}"
    );
}

#[test]
fn a_scope_without_sentence_exceptions_is_an_error_that_names_unless_message() {
    let rule = RULE.replace(
        "    unless: ['only if you like']\n",
        "    unless-scope: message\n",
    );
    let err = load_error(&rule);
    assert!(
        err.contains("bad.yaml:3:") && err.contains("`unless-message`"),
        "{err}"
    );
}

#[test]
fn a_whole_message_measure_takes_its_exceptions_from_unless_message_only() {
    // A ratio weighs the whole message, so a sentence-level `unless` could never apply to it:
    // the loader says so instead of ignoring it.
    let rule = "category: self-focus\nrules:\n  - id: self-focus/ratio-test\n    kind:\n      metric: ratio\n    severity: warning\n    message: about the sender\n    help: talk about the reader\n    metric:\n      numerator: ['i|we']\n      denominator: ['you']\n      min-count: 2\n      max-ratio: 1.0\n    unless: ['thanks for asking']\n";
    let err = load_error(rule);
    assert!(
        err.contains("bad.yaml:3:")
            && err.contains("does not read `unless`")
            && err.contains("`unless-message`"),
        "{err}"
    );
}
