//! Settings are strict (issue 11): a wrong language, stage, channel or consent, or a mistyped
//! rule id, is an error that says what is valid — never a silent switch-off.

mod common;

use common::{stderr, stdout, write};
use std::path::Path;
use std::process::Output;

/// A first message that asks a stranger for a demo: an error with the English rules.
const PITCH: &str = "Hi Sam,\n\nCould we book a quick demo next Tuesday?\n\nBest,\nLee\n";

fn tactful(args: &[&str], dir: &Path, stdin: Option<&str>) -> Output {
    common::run(common::ci_command(args, dir), stdin.map(str::as_bytes))
}

/// Everything the run printed, on either stream.
fn all(o: &Output) -> String {
    stdout(o) + &stderr(o)
}

#[test]
fn region_tags_select_the_language_pack() {
    let d = tempfile::tempdir().expect("tempdir");
    for lang in ["en", "en-US", "en_GB", "EN"] {
        let o = tactful(
            &["check", "--no-config", "--lang", lang, "-"],
            d.path(),
            Some(PITCH),
        );
        assert_eq!(o.status.code(), Some(1), "--lang {lang}: {}", stdout(&o));
        assert!(stdout(&o).contains("early-pitch/demo-request"), "{lang}");
    }
    let front = format!("---\nlang: en-US\n---\n{PITCH}");
    let o = tactful(&["check", "--no-config", "-"], d.path(), Some(&front));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    write(d.path(), "c/.tactful.yaml", "context: {lang: en-AU}\n");
    write(d.path(), "c/m.txt", PITCH);
    let o = tactful(&["check", "c/m.txt"], d.path(), None);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn an_unknown_language_is_an_error_listing_the_valid_ones() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = tactful(
        &["check", "--no-config", "--lang", "english", "-"],
        d.path(),
        Some(PITCH),
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("auto, de, en, es"), "{e}");
    assert!(e.contains("did you mean `en`?"), "{e}");

    let front = "---\nlang: english\n---\nHi\n";
    let o = tactful(
        &["check", "--no-config", "--format", "short", "-"],
        d.path(),
        Some(front),
    );
    assert_eq!(o.status.code(), Some(2));
    // The error points at the value in the front matter: line 2, column 7.
    assert!(all(&o).contains("-:2:7:"), "{}", all(&o));

    write(d.path(), ".tactful.yaml", "context:\n  lang: klingon\n");
    write(d.path(), "m.txt", PITCH);
    let o = tactful(&["check", "--format", "short", "m.txt"], d.path(), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(all(&o).contains(".tactful.yaml:2:9:"), "{}", all(&o));
}

#[test]
fn unknown_stage_channel_and_consent_are_errors_everywhere() {
    let d = tempfile::tempdir().expect("tempdir");
    for (flag, value, valid) in [
        ("--stage", "followup", "follow-up"),
        ("--channel", "linkedin-note", "linkedin-connect"),
        ("--consent", "newsletter", "list"),
    ] {
        let o = tactful(
            &["check", "--no-config", flag, value, "-"],
            d.path(),
            Some(PITCH),
        );
        assert_eq!(o.status.code(), Some(2), "{flag} {value}");
        assert!(stderr(&o).contains(valid), "{flag}: {}", stderr(&o));
    }
    for front in [
        "---\nstage: followup\n---\nHi\n",
        "---\nchannel: linkdin\n---\nHi\n",
        "---\nconsent: [newsletter]\n---\nHi\n",
    ] {
        let o = tactful(&["check", "--no-config", "-"], d.path(), Some(front));
        assert_eq!(o.status.code(), Some(2), "{front}");
    }
    write(
        d.path(),
        ".tactful.yaml",
        "context: {consent: [newsletter]}\n",
    );
    write(d.path(), "m.txt", PITCH);
    let o = tactful(&["check", "--format", "short", "m.txt"], d.path(), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(all(&o).contains(".tactful.yaml:1:21:"), "{}", all(&o));
}

#[test]
fn check_help_lists_the_values() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = tactful(&["check", "--help"], d.path(), None);
    let help = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    for v in [
        "first-contact",
        "follow-up",
        "established",
        "linkedin-connect",
        "linkedin-inmail",
        "en, es, it, nl, pl, he, de, fr, pt",
    ] {
        assert!(help.contains(v), "{v} missing from check --help");
    }
}

#[test]
fn the_help_lists_every_built_in_language() {
    let d = tempfile::tempdir().expect("tempdir");
    let help = stdout(&tactful(&["check", "--help"], d.path(), None));
    let rules = stdout(&tactful(&["rules", "--format", "json"], d.path(), None));
    let doc: serde_json::Value = serde_json::from_str(&rules).expect("json");
    let mut langs: Vec<String> = doc
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["lang"].as_str().map(String::from))
        .filter(|l| l != "any")
        .collect();
    langs.sort();
    langs.dedup();
    for l in langs {
        assert!(help.contains(&format!(" {l}")), "--lang help misses {l}");
    }
}

#[test]
fn unknown_rule_ids_in_config_are_errors_with_a_suggestion() {
    let d = tempfile::tempdir().expect("tempdir");
    write(
        d.path(),
        ".tactful.yaml",
        "severity:\n  early-pitch/calender-link: off\n",
    );
    write(d.path(), "m.txt", PITCH);
    let o = tactful(&["check", "--format", "short", "m.txt"], d.path(), None);
    assert_eq!(o.status.code(), Some(2));
    let e = all(&o);
    assert!(
        e.contains("did you mean `early-pitch/calendar-link`?"),
        "{e}"
    );
    assert!(e.contains(".tactful.yaml:2:3"), "{e}");
}

#[test]
fn front_matter_allow_must_name_a_rule_and_near_miss_keys_warn() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = tactful(
        &["check", "--no-config", "--format", "short", "-"],
        d.path(),
        Some("---\nallow: [early-pich]\n---\nHi\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(all(&o).contains("-:2:9:"), "{}", all(&o));
    assert!(
        all(&o).contains("did you mean `early-pitch`?"),
        "{}",
        all(&o)
    );

    let o = tactful(
        &["check", "--no-config", "--format", "short", "-"],
        d.path(),
        Some("---\ntitle: Intro\nchanel: linkedin\n---\nHi Sam, thanks for the talk.\n"),
    );
    let out = stdout(&o);
    assert!(out.contains("-:3:1: warning[tactful/unknown-key]"), "{out}");
    assert!(out.contains("did you mean `channel`?"), "{out}");
    assert!(!out.contains("title"), "{out}");
}

#[test]
fn explain_knows_the_internal_rules() {
    let d = tempfile::tempdir().expect("tempdir");
    for id in [
        "tactful/no-rule-pack",
        "tactful/unused-suppression",
        "tactful/unknown-key",
        "tactful/malformed-input",
        "tactful",
    ] {
        let o = tactful(&["explain", id], d.path(), None);
        assert_eq!(o.status.code(), Some(0), "{id}: {}", stderr(&o));
        assert!(stdout(&o).contains("tactful/"), "{id}");
    }
    let o = tactful(&["explain", "early-pitch/calender-link"], d.path(), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `early-pitch/calendar-link`?"));
}
