//! The command line as users and integrations see it: exit statuses, input kinds, every output
//! format, the JSON contract, config and front matter, and clear errors on bad input.

mod common;

use common::{tactful, tempdir, write, TEST_RULES};
use serde_json::Value;
use std::path::Path;

/// `check` with the test rules, JSON output, no config discovery.
fn check_json(args: &[&str], dir: &Path, stdin: Option<&[u8]>) -> (Option<i32>, Value) {
    let mut all = vec!["check", "--format", "json", "--rules", TEST_RULES];
    all.extend_from_slice(args);
    let out = tactful(&all, dir, stdin);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), doc)
}

fn diags(doc: &Value, file: usize) -> Vec<Value> {
    doc["files"][file]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn rules_of(doc: &Value, file: usize) -> Vec<String> {
    diags(doc, file)
        .iter()
        .filter_map(|d| d["rule"].as_str().map(String::from))
        .collect()
}

#[test]
fn exit_status_follows_the_failing_level() {
    let d = tempdir();
    write(
        d.path(),
        "clean.txt",
        b"Thanks for the notes from Tuesday.\n",
    );
    write(d.path(), "error.txt", b"Can I book a zebra demo?\n");
    write(d.path(), "warn.txt", b"Fancy a zebra call?\n");
    let (code, _) = check_json(&["--stage", "established", "clean.txt"], d.path(), None);
    assert_eq!(code, Some(0));
    let (code, doc) = check_json(&["error.txt"], d.path(), None);
    assert_eq!(code, Some(1));
    assert!(rules_of(&doc, 0).contains(&"early-pitch/zz-zebra-demo".to_string()));
    let (code, _) = check_json(&["--stage", "established", "warn.txt"], d.path(), None);
    assert_eq!(code, Some(0), "warnings do not fail by default");
    let (code, _) = check_json(
        &["--stage", "established", "--deny", "warning", "warn.txt"],
        d.path(),
        None,
    );
    assert_eq!(code, Some(1));
}

#[test]
fn json_spans_are_bytes_and_columns_are_characters() {
    let d = tempdir();
    let text = "---\nstage: first-contact\n---\r\nCześć Żaneto,\r\n\r\nŻółć — a zebra demo?\r\n";
    write(d.path(), "m.txt", text.as_bytes());
    let (_, doc) = check_json(&["--lang", "en", "m.txt"], d.path(), None);
    let diag = diags(&doc, 0)
        .into_iter()
        .find(|x| x["rule"] == "early-pitch/zz-zebra-demo")
        .expect("finding");
    let start = diag["span"]["start"].as_u64().unwrap() as usize;
    let end = diag["span"]["end"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..end], "zebra demo");
    assert_eq!(diag["text"], "zebra demo");
    assert_eq!(diag["start"]["line"], 6);
    assert_eq!(diag["start"]["column"], "Żółć — a ".chars().count() + 1);
    assert_eq!(
        diag["end"]["column"],
        "Żółć — a zebra demo".chars().count() + 1
    );
    assert_eq!(diag["category"], "early-pitch");
    assert_eq!(diag["severity"], "error");
    assert_eq!(
        diag["suggestion"]["replacement"],
        "would a zebra chat help?"
    );
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["files"][0]["context"]["stage"], "first-contact");
    assert_eq!(doc["files"][0]["context"]["lang"], "en");
    assert!(doc["summary"]["errors"].as_u64().unwrap() >= 1);
}

#[test]
fn stdin_is_named_by_stdin_filename() {
    let d = tempdir();
    let (code, doc) = check_json(
        &["--stdin-filename", "draft.txt", "-"],
        d.path(),
        Some(b"A zebra demo?"),
    );
    assert_eq!(code, Some(1));
    assert_eq!(doc["files"][0]["path"], "draft.txt");
    let (_, doc) = check_json(&["-"], d.path(), Some(b"A zebra demo?"));
    assert_eq!(doc["files"][0]["path"], "-");
}

#[test]
fn a_broken_file_does_not_stop_the_others() {
    let d = tempdir();
    write(d.path(), "a.txt", b"A zebra demo?");
    write(d.path(), "b.txt", b"bad \x00\xfe bytes");
    write(d.path(), "c.txt", b"Another zebra demo?");
    let (code, doc) = check_json(&["a.txt", "b.txt", "missing.txt", "c.txt"], d.path(), None);
    assert_eq!(code, Some(2));
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    assert!(
        files[1]["error"].as_str().unwrap().contains("byte 4"),
        "{}",
        files[1]["error"]
    );
    assert!(files[2]["error"].as_str().unwrap().contains("no such file"));
    assert!(rules_of(&doc, 3).contains(&"early-pitch/zz-zebra-demo".to_string()));
}

#[test]
fn folders_are_walked_skipping_hidden_and_ignored_files() {
    let d = tempdir();
    write(d.path(), "drafts/a.txt", b"A zebra demo?");
    write(d.path(), "drafts/.hidden.txt", b"A zebra demo?");
    write(d.path(), "drafts/skip/b.txt", b"A zebra demo?");
    write(d.path(), "drafts/image.png", b"\x89PNG");
    write(d.path(), ".gitignore", b"drafts/skip/\n");
    let (_, doc) = check_json(&["drafts"], d.path(), None);
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths, vec!["drafts/a.txt"]);
}

#[test]
fn jsonl_and_short_formats() {
    let d = tempdir();
    write(
        d.path(),
        "m.txt",
        b"Hi,\n\nA zebra demo? And a zebra call.\n",
    );
    let out = tactful(
        &["check", "--format", "jsonl", "--rules", TEST_RULES, "m.txt"],
        d.path(),
        None,
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(lines.len() >= 2);
    assert!(lines.iter().all(|l| l["path"] == "m.txt"));
    let out = tactful(
        &["check", "--format", "short", "--rules", TEST_RULES, "m.txt"],
        d.path(),
        None,
    );
    let short = String::from_utf8_lossy(&out.stdout);
    assert!(
        short.contains(
            "m.txt:3:3: error[early-pitch/zz-zebra-demo]: asks for a zebra demo in a first message"
        ),
        "{short}"
    );
    assert!(
        short.contains("m.txt:3:21: warning[early-pitch/zz-zebra-call]: mentions a zebra call"),
        "{short}"
    );
}

#[test]
fn human_output_is_a_compiler_style_report() {
    let d = tempdir();
    write(d.path(), "m.txt", b"Hi,\n\nA zebra demo?\n");
    let out = tactful(
        &["check", "--color", "never", "--rules", TEST_RULES, "m.txt"],
        d.path(),
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("early-pitch/zz-zebra-demo"), "{text}");
    assert!(text.contains("asks for a zebra demo in a first message"));
    assert!(text.contains("offer something useful first"));
    assert!(text.contains("m.txt:3:3"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes with --color never"
    );
    let out = tactful(
        &["check", "--color", "always", "--rules", TEST_RULES, "m.txt"],
        d.path(),
        None,
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn front_matter_sets_context_and_flags_override_it() {
    let d = tempdir();
    write(
        d.path(),
        "m.txt",
        b"---\nstage: follow-up\n---\nA zebra demo?\n",
    );
    let (code, doc) = check_json(&["m.txt"], d.path(), None);
    assert_eq!(code, Some(0));
    assert_eq!(doc["files"][0]["context"]["stage"], "follow-up");
    let (code, _) = check_json(&["--stage", "first-contact", "m.txt"], d.path(), None);
    assert_eq!(code, Some(1));
}

#[test]
fn front_matter_allow_silences_and_unused_allow_is_reported() {
    let d = tempdir();
    write(
        d.path(),
        "m.txt",
        b"---\nallow: [early-pitch/zz-zebra-demo, mass-message]\n---\nA zebra demo?\n",
    );
    let (_, doc) = check_json(&["m.txt"], d.path(), None);
    let rules = rules_of(&doc, 0);
    assert!(!rules.contains(&"early-pitch/zz-zebra-demo".to_string()));
    assert_eq!(rules, vec!["tactful/unused-suppression".to_string()]);
    assert_eq!(diags(&doc, 0)[0]["text"], "mass-message");
}

#[test]
fn bad_front_matter_is_an_error_with_a_position() {
    let d = tempdir();
    write(d.path(), "m.txt", b"---\nstage: later\n---\nhello\n");
    let (code, doc) = check_json(&["m.txt"], d.path(), None);
    assert_eq!(code, Some(2));
    let err = doc["files"][0]["error"].as_str().unwrap();
    assert!(err.contains("m.txt:2:8"), "{err}");
    assert!(err.contains("first-contact"), "{err}");
}

#[test]
fn config_is_discovered_upward_with_overrides() {
    let d = tempdir();
    write(
        d.path(),
        ".tactful.yaml",
        b"severity:\n  early-pitch/zz-zebra-call: error\noverrides:\n  - files: ['followups/**']\n    context: {stage: follow-up}\n",
    );
    write(d.path(), "drafts/a.txt", b"A zebra call and a zebra demo?");
    write(d.path(), "followups/b.txt", b"A zebra demo?");
    let (_, doc) = check_json(&["drafts", "followups"], d.path(), None);
    let a = diags(&doc, 0);
    let call = a
        .iter()
        .find(|x| x["rule"] == "early-pitch/zz-zebra-call")
        .expect("call finding");
    assert_eq!(call["severity"], "error", "config raised the severity");
    assert_eq!(doc["files"][1]["context"]["stage"], "follow-up");
    assert!(!rules_of(&doc, 1).contains(&"early-pitch/zz-zebra-demo".to_string()));
    // --config names another file; --no-config ignores them all.
    write(d.path(), "other.yaml", b"severity: {early-pitch: off}\n");
    let (code, _) = check_json(&["--config", "other.yaml", "drafts"], d.path(), None);
    assert_eq!(code, Some(0));
    let (_, doc) = check_json(&["--no-config", "followups"], d.path(), None);
    assert_eq!(doc["files"][0]["context"]["stage"], "first-contact");
}

#[test]
fn bad_config_is_reported_with_a_span_and_exit_2() {
    let d = tempdir();
    write(
        d.path(),
        ".tactful.yaml",
        b"severity:\n  early-pitch: loud\n",
    );
    write(d.path(), "a.txt", b"hello");
    let (code, doc) = check_json(&["a.txt"], d.path(), None);
    assert_eq!(code, Some(2));
    let err = doc["files"][0]["error"].as_str().unwrap();
    assert!(err.contains(".tactful.yaml:2:16"), "{err}");
}

#[test]
fn bad_rule_files_are_reported_with_a_span_into_the_yaml() {
    let d = tempdir();
    write(d.path(), "a.txt", b"hello");
    let bad = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad-rules");
    let out = tactful(
        &["check", "--format", "json", "--rules", bad, "a.txt"],
        d.path(),
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("valid JSON even so");
    let err = doc["files"][0]["error"].as_str().unwrap();
    assert!(
        err.contains("early-pitch.yaml:7:13") && err.contains("invalid pattern"),
        "{err}"
    );
    let out = tactful(&["rules", "--rules", bad], d.path(), None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid pattern") && stderr.contains("book (a demo"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn usage_errors_exit_2() {
    let d = tempdir();
    let out = tactful(&["check", "--stage", "later", "x.txt"], d.path(), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("first-contact"));
    let out = tactful(&["frobnicate"], d.path(), None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_lists_and_explain_explains() {
    let d = tempdir();
    let out = tactful(
        &["rules", "--format", "json", "--rules", TEST_RULES],
        d.path(),
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ours = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "early-pitch/zz-zebra-demo")
        .expect("listed");
    assert_eq!(ours["category"], "early-pitch");
    assert_eq!(ours["lang"], "en");
    assert_eq!(ours["severity"], "error");
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "channel-limit/connection-note"));

    let out = tactful(&["explain", "early-pitch"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    for section in [
        "## What it catches",
        "## Why it matters",
        "## Example",
        "## Use instead",
    ] {
        assert!(text.contains(section), "missing {section} in:\n{text}");
    }
    assert!(!text.contains("## Gives way to"), "{text}");
    // A category that gives way to another says so.
    let out = tactful(&["explain", "ask-before-give"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("## Gives way to\nReports nothing in a message where early-pitch"),
        "{text}"
    );
    let out = tactful(
        &["explain", "channel-limit/connection-note"],
        d.path(),
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("max: 200") && text.contains("max-premium: 300"),
        "{text}"
    );
    let out = tactful(&["explain", "no-such/rule"], d.path(), None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn test_subcommand_runs_rule_examples() {
    let d = tempdir();
    let out = tactful(&["test", TEST_RULES], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("12 passed, 0 failed"), "{text}");
    // A rule whose example does not behave fails the run and says which.
    write(
        d.path(),
        "r/en/early-pitch.yaml",
        b"category: early-pitch\nrules:\n  - id: early-pitch/x\n    severity: error\n    message: m\n    help: h\n    match: ['okapi']\n    examples:\n      bad: ['no match here']\n",
    );
    let out = tactful(&["test", "r"], d.path(), None);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL early-pitch/x [en] bad example #1"),
        "{text}"
    );
}

#[test]
fn test_subcommand_json_lists_each_example_and_what_its_rule_flagged() {
    let d = tempdir();
    write(
        d.path(),
        "r/en/early-pitch.yaml",
        b"category: early-pitch\nrules:\n  - id: early-pitch/x\n    severity: error\n    message: m\n    help: h\n    match: ['okapi']\n    examples:\n      bad: ['Hello there. We sell okapi food.', 'no match here']\n      good: ['A zebra.']\n",
    );
    let out = tactful(&["test", "--format", "json", "r"], d.path(), None);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(
        (doc["passed"].as_u64(), doc["failed"].as_u64()),
        (Some(2), Some(1))
    );
    let ex = doc["examples"].as_array().expect("examples");
    let pick = |kind: &str, index: u64| {
        ex.iter()
            .find(|e| e["kind"] == kind && e["index"] == index)
            .unwrap_or_else(|| panic!("no {kind} example #{index}: {doc}"))
    };
    let first = pick("bad", 1);
    assert_eq!(first["rule"], "early-pitch/x");
    assert_eq!(first["passed"], true);
    assert_eq!(first["found"], serde_json::json!(["okapi"]));
    assert_eq!(pick("bad", 2)["passed"], false);
    assert_eq!(pick("good", 1)["found"], serde_json::json!([]));
}

/// `tactful test --coverage` names each pattern no bad example of its rule matches (by list and
/// position), in the human and the JSON report, and leaves the exit status to the examples.
#[test]
fn test_coverage_names_patterns_no_bad_example_matches() {
    let d = tempdir();
    write(
        d.path(),
        "r/en/early-pitch.yaml",
        b"category: early-pitch\nrules:\n  - id: early-pitch/x\n    severity: error\n    message: m\n    help: h\n    match: ['okapi', 'zebra (?:food|feed)', 'gnu']\n    unless: ['as you asked', 'no thanks']\n    examples:\n      bad: ['We sell okapi food.', 'Zebra feed, cheap.']\n      good: ['As you asked, okapi food.']\n",
    );
    let out = tactful(&["test", "--coverage", "r"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("UNTESTED early-pitch/x [en] match #3 (r/en/early-pitch.yaml)"),
        "{text}"
    );
    assert!(
        !text.contains("match #1") && !text.contains("match #2"),
        "{text}"
    );
    // An exception no good example matches is untested too.
    assert!(
        text.contains(
            "UNTESTED early-pitch/x [en] unless #2 (r/en/early-pitch.yaml): no good example"
        ),
        "{text}"
    );
    assert!(!text.contains("unless #1"), "{text}");
    assert!(
        text.contains(
            "coverage: 2 of 3 patterns matched by a bad example of their rule, 1 of 2 exceptions \
             by a good one"
        ),
        "{text}"
    );
    // Without the flag, nothing about coverage.
    let out = tactful(&["test", "r"], d.path(), None);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("UNTESTED"));
    // Signals are listed by label, and JSON carries the same.
    write(
        d.path(),
        "s/en/early-pitch.yaml",
        b"category: early-pitch\nrules:\n  - id: early-pitch/y\n    severity: error\n    message: m\n    help: h\n    signals:\n      - label: offer\n        match: ['okapi', 'gnu']\n      - label: ask\n        match: ['call\\?']\n    examples:\n      bad: ['Okapi food for you, a call?']\n",
    );
    let out = tactful(
        &["test", "--coverage", "--format", "json", "s"],
        d.path(),
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["coverage"]["patterns"], 3, "{doc}");
    let un = doc["coverage"]["unexercised"].as_array().expect("a list");
    assert_eq!(un.len(), 1, "{doc}");
    assert_eq!(un[0]["list"], "signal `offer`");
    assert_eq!(un[0]["index"], 2);
    assert_eq!(un[0]["pattern"], "gnu");
    assert_eq!(doc["coverage"]["exceptions"], 0, "{doc}");
}

/// `--coverage` names a pattern that needs a word to end where no example word ends, but one
/// goes on ("okapiwool" of "okapiwoolly"): a branch cut short, which can never match there.
#[test]
fn test_coverage_reports_words_cut_short() {
    let d = tempdir();
    write(
        d.path(),
        "c/en/early-pitch.yaml",
        b"category: early-pitch\nrules:\n  - id: early-pitch/z\n    severity: error\n    message: m\n    help: h\n    match: ['(?:okapiwool|okapi) sale', 'gnufur\\p{L}* sale']\n    examples:\n      bad: ['Okapiwoolly jumpers, okapi sale!', 'Gnufurry hats: gnufurry sale.']\n",
    );
    let out = tactful(&["test", "--coverage", "c"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    // A finding, not a failure: the examples pass.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "CUT SHORT early-pitch/z [en] match #1 (c/en/early-pitch.yaml): ends a word with \
             \"okapiwool\", which no example word does (\"okapiwoolly\" goes on)"
        ),
        "{text}"
    );
    // A stem the pattern lets go on is fine.
    assert!(!text.contains("match #2"), "{text}");
    let out = tactful(
        &["test", "--coverage", "--format", "json", "c"],
        d.path(),
        None,
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let cut = doc["coverage"]["cut_short"].as_array().expect("a list");
    assert_eq!(cut.len(), 1, "{doc}");
    assert_eq!(cut[0]["word"], "okapiwool");
    assert_eq!(cut[0]["longer"], "okapiwoolly");
    assert_eq!(cut[0]["index"], 1);
}

#[test]
fn bom_and_crlf_files_work() {
    let d = tempdir();
    write(
        d.path(),
        "m.txt",
        "\u{feff}Hi Ana,\r\n\r\nA zebra demo?\r\n".as_bytes(),
    );
    let (_, doc) = check_json(&["m.txt"], d.path(), None);
    let diag = &diags(&doc, 0)[0];
    assert_eq!(diag["start"]["line"], 3);
    assert_eq!(diag["start"]["column"], 3);
    assert_eq!(diag["text"], "zebra demo");
}

#[test]
fn connection_notes_over_the_limit_are_errors_and_premium_allows_more() {
    let d = tempdir();
    let note = "Hi Maria, I enjoyed your talk at the logistics summit in Rotterdam last week, especially the part about route planning for small fleets. I run operations at a courier startup and would love to stay in touch and follow your work here.";
    write(d.path(), "note.txt", note.as_bytes());
    let (code, doc) = check_json(
        &["--channel", "linkedin-connect", "note.txt"],
        d.path(),
        None,
    );
    assert_eq!(code, Some(1));
    let d0 = diags(&doc, 0);
    let limit = d0
        .iter()
        .find(|x| x["rule"] == "channel-limit/connection-note")
        .expect("limit finding");
    let cut: String = note.chars().skip(200).collect();
    assert_eq!(limit["text"], cut);
    let (_, doc) = check_json(
        &["--channel", "linkedin-connect", "--premium", "note.txt"],
        d.path(),
        None,
    );
    assert!(!rules_of(&doc, 0).contains(&"channel-limit/connection-note".to_string()));
}

#[test]
fn fix_turns_a_list_announcement_into_a_question_and_names_the_recipient() {
    let d = tempdir();
    let text = "---\nrecipient: Ana\n---\nDear Sir or Madam,\r\n\r\nThanks for your talk. I've added you to our monthly newsletter.\r\n";
    let p = write(d.path(), "draft.txt", text.as_bytes());
    let out = tactful(
        &["check", "--fix", "--lang", "en", "draft.txt"],
        d.path(),
        None,
    );
    assert!(
        out.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixed = std::fs::read_to_string(&p).expect("read");
    assert_eq!(
        fixed,
        "---\nrecipient: Ana\n---\nDear Ana,\r\n\r\nThanks for your talk. Would you like me to add you to our monthly newsletter?\r\n"
    );
    // Without a known recipient the greeting is reported but not rewritten.
    let p = write(
        d.path(),
        "other.txt",
        b"Dear Sir or Madam,\n\nThanks for your talk.\n",
    );
    tactful(
        &["check", "--fix", "--lang", "en", "other.txt"],
        d.path(),
        None,
    );
    assert_eq!(
        std::fs::read_to_string(&p).expect("read"),
        "Dear Sir or Madam,\n\nThanks for your talk.\n"
    );
}

/// `tactful test` checks each example the way `check` checks a file (the same session):
/// a front matter `allow:` in an example silences its rule there too.
#[test]
fn test_subcommand_checks_examples_as_check_does() {
    let d = tempdir();
    let rule = |bad: &str| {
        format!(
            "category: early-pitch\nrules:\n  - id: early-pitch/zz-widget\n    severity: warning\n    \
             message: m\n    help: h\n    match: ['zz widget']\n    examples:\n      bad:\n        \
             - \"{bad}\"\n      good:\n        - \"Hi Ana, how was the trip?\"\n"
        )
    };
    write(
        d.path(),
        "plain/en/w.yaml",
        rule("Hi Ana, our zz widget is out.").as_bytes(),
    );
    let out = tactful(&["test", "plain"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    write(
        d.path(),
        "allowed/en/w.yaml",
        rule("---\\nallow: [early-pitch/zz-widget]\\n---\\nHi Ana, our zz widget is out.")
            .as_bytes(),
    );
    let out = tactful(&["test", "allowed"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL early-pitch/zz-widget [en] bad example #1"),
        "{text}"
    );
}

/// `tactful test` compares a duplicate rule's examples through the run's batch step, as
/// `check` compares files: copies among the bad examples pass, copies among the good fail.
#[test]
fn test_subcommand_compares_a_duplicate_rules_examples_as_a_batch() {
    let d = tempdir();
    let note = |who: &str, co: &str| {
        format!(
            "Hi {who},\\n\\nI saw the warehouse team at {co} has doubled this year. Our routing \
             service helps operations leads plan every delivery in minutes, and I would be glad \
             to show it to you on a short call next week.\\n\\nBest,\\nSam"
        )
    };
    let distinct = "Hi Dana,\\n\\nYour write-up on cold storage for small bakeries answered a \
                    question our team had argued about for weeks. Did the second freezer pay \
                    for itself by spring?\\n\\nBest,\\nSam";
    let file = |good: &[String]| {
        let item = |t: &String| format!("        - \"{t}\"\n");
        format!(
            "rules:\n  - id: mass-message/duplicate-blast\n    examples:\n      bad:\n{}{}      good:\n{}",
            item(&note("Ana", "Acme")),
            item(&note("Ben", "Globex")),
            good.iter().map(item).collect::<String>()
        )
    };
    write(
        d.path(),
        "ok/any/mass-message.yaml",
        file(&[note("Ana", "Acme"), distinct.to_string()]).as_bytes(),
    );
    let out = tactful(&["test", "ok"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("4 passed, 0 failed"), "{text}");

    write(
        d.path(),
        "copies/any/mass-message.yaml",
        file(&[note("Ana", "Acme"), note("Carla", "Initech")]).as_bytes(),
    );
    let out = tactful(&["test", "copies"], d.path(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL mass-message/duplicate-blast [any] good example #2")
            && text.contains("same text as example #1"),
        "{text}"
    );
}
