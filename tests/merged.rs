//! One sentence, one finding (issue 9): when rules of different categories fire on the same
//! words, the real binary reports the strongest and lists the others as related entries, in
//! every format; a rule the user turned off hides nothing.

mod common;

use common::{first_file_diagnostics, stdout, tactful, tempdir, validate_sarif, write};
use serde_json::Value;

/// A first note that leans on a new connection to pitch a product: assumed closeness and an
/// early pitch on overlapping words of one sentence.
const NOTE: &str = "Hi Maya,\n\nSince we are connected here, I wanted to tell you about our new \
                    invoicing app.\n\nBest,\nTom\n";

const CONTEXT: [&str; 5] = ["--no-config", "--stage", "first-contact", "--lang", "en"];

fn check(extra: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempdir();
    write(dir.path(), "note.txt", NOTE);
    let mut args = vec!["check"];
    args.extend(CONTEXT);
    args.extend(extra);
    args.push("note.txt");
    (tactful(&args, dir.path(), None), dir)
}

fn diagnostics(extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["--format", "json"];
    args.extend(extra);
    let (out, _dir) = check(&args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    first_file_diagnostics(&out)
}

fn categories(ds: &[Value]) -> Vec<&str> {
    ds.iter().filter_map(|d| d["category"].as_str()).collect()
}

#[test]
fn one_sentence_two_categories_is_one_finding_with_a_related_entry() {
    let ds = diagnostics(&[]);
    assert_eq!(categories(&ds), ["assumed-closeness"], "{ds:#?}");
    let related: Vec<&Value> = ds[0]["related"]
        .as_array()
        .expect("related")
        .iter()
        .filter(|r| r.get("rule").is_some())
        .collect();
    assert_eq!(related.len(), 1, "{ds:#?}");
    let r = related[0];
    assert_eq!(r["category"], "early-pitch");
    let rule = r["rule"].as_str().expect("rule");
    assert!(rule.starts_with("early-pitch/"), "{r}");
    let label = r["label"].as_str().expect("label");
    assert!(label.starts_with(&format!("also {rule}: ")), "{label}");
    // The related span points at the folded finding's own words, inside the same sentence.
    let (a, b) = (
        r["span"]["start"].as_u64().expect("start") as usize,
        r["span"]["end"].as_u64().expect("end") as usize,
    );
    let sentence = NOTE.find("Since").expect("sentence")..NOTE.find("app.").expect("end");
    assert!(
        sentence.start <= a && a < b && b <= sentence.end + 4,
        "{a}..{b}"
    );
}

#[test]
fn a_rule_turned_off_hides_nothing() {
    // Ignoring the category that wins brings the other one back as a finding of its own, and
    // the other way round.
    for (ignored, left) in [
        ("assumed-closeness", "early-pitch"),
        ("early-pitch", "assumed-closeness"),
    ] {
        let ds = diagnostics(&["--ignore", ignored]);
        assert_eq!(categories(&ds), [left], "{ds:#?}");
        assert!(ds[0]["related"]
            .as_array()
            .expect("related")
            .iter()
            .all(|r| r.get("rule").is_none()));
    }
}

#[test]
fn sarif_lists_the_folded_rule_and_stays_valid() {
    let (out, _dir) = check(&["--format", "sarif"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    validate_sarif(&doc).expect("valid SARIF 2.1.0");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{results:#?}");
    let rel = results[0]["relatedLocations"].as_array().expect("related");
    let folded: Vec<&Value> = rel
        .iter()
        .filter(|r| r["properties"]["category"] == "early-pitch")
        .collect();
    assert_eq!(folded.len(), 1, "{rel:#?}");
    let text = folded[0]["message"]["text"].as_str().expect("text");
    assert!(text.starts_with("also early-pitch/"), "{text}");
}

#[test]
fn human_output_and_statistics_show_one_finding() {
    let (out, _dir) = check(&[]);
    let text = stdout(&out);
    assert!(text.contains("assumed-closeness/"), "{text}");
    assert!(text.contains("also early-pitch/"), "{text}");
    assert!(text.contains("1 warning in 1 file"), "{text}");
    // One line per finding, naming the folded rule.
    let (out, _dir) = check(&["--format", "short"]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("[assumed-closeness/"), "{text}");
    assert!(
        text.trim_end().ends_with(')') && text.contains("(also early-pitch/"),
        "{text}"
    );
    // The exit status follows the kept finding's severity (the highest of the group).
    let (out, _dir) = check(&["--deny", "warning"]);
    assert_eq!(out.status.code(), Some(1));
    // `--statistics` counts what is reported: the kept finding.
    let (out, _dir) = check(&["--statistics"]);
    let text = stdout(&out);
    assert!(text.contains("assumed-closeness/"), "{text}");
    assert!(!text.contains("early-pitch/"), "{text}");
}

/// A first message that pitches, then asks the reader to pass it on: the routing ask is the
/// pitch's, in another paragraph than the pitch.
const PITCH_THEN_ROUTE: &str = "Hi Lena,\n\nOur scheduling platform cuts no-shows for dental \
    clinics by 30%. Do you have 15 minutes for a demo on Thursday?\n\nP.S. If you're not the \
    right person, could you forward this to whoever handles operations?\n\nBest,\nTom\n";

/// The same routing ask with no pitch around it.
const ROUTE_ONLY: &str = "Hi Lena,\n\nI'm Tom, a junior analyst in Leeds. If you're not the \
    right person, could you forward this to whoever handles hiring in operations?\n\nBest,\nTom\n";

fn check_text(text: &str, extra: &[&str]) -> Vec<Value> {
    let dir = tempdir();
    write(dir.path(), "draft.txt", text);
    let mut args = vec!["check", "--format", "json"];
    args.extend(CONTEXT);
    args.extend(extra);
    args.push("draft.txt");
    let out = tactful(&args, dir.path(), None);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    first_file_diagnostics(&out)
}

#[test]
fn ask_before_give_gives_way_to_a_pitch_in_the_same_message() {
    // The pitch is reported; its routing ask is not a second problem, not even a related entry.
    let ds = check_text(PITCH_THEN_ROUTE, &[]);
    let cats = categories(&ds);
    assert!(cats.contains(&"early-pitch"), "{ds:#?}");
    assert!(!cats.contains(&"ask-before-give"), "{ds:#?}");
    let text = serde_json::to_string(&ds).expect("json");
    assert!(!text.contains("ask-before-give"), "{text}");
    // With no pitch reported, the same ask is ask-before-give again: when the user turns
    // early-pitch off or selects only ask-before-give, and in a message that sells nothing.
    for extra in [
        &["--ignore", "early-pitch"][..],
        &["--select", "ask-before-give"][..],
    ] {
        let ds = check_text(PITCH_THEN_ROUTE, extra);
        assert_eq!(categories(&ds), ["ask-before-give"], "{extra:?}: {ds:#?}");
    }
    let ds = check_text(ROUTE_ONLY, &[]);
    assert_eq!(categories(&ds), ["ask-before-give"], "{ds:#?}");
}
