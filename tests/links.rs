//! Link targets hidden in markup are checked like the same address typed in a plain draft, and
//! their spans point at the `href` value or the Markdown destination in the file. Runs the
//! real binary on files written to a temporary folder.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// (rule, text under the span, span start) of every finding in `name`, written with `body`.
fn check(dir: &Path, name: &str, body: &str) -> Vec<(String, String, usize)> {
    std::fs::write(dir.join(name), body).expect("write draft");
    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--format", "json", "--no-config", name])
        .current_dir(dir)
        .output()
        .expect("run tactful");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{name}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    doc["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let (a, b) = (
                d["span"]["start"].as_u64().unwrap() as usize,
                d["span"]["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                d["text"].as_str(),
                body.get(a..b),
                "{name}: text under span"
            );
            (
                d["rule"].as_str().unwrap().to_string(),
                body[a..b].to_string(),
                a,
            )
        })
        .collect()
}

fn calendar_findings(found: &[(String, String, usize)]) -> Vec<(String, usize)> {
    found
        .iter()
        .filter(|(r, _, _)| r == "early-pitch/calendar-link")
        .map(|(_, t, a)| (t.clone(), *a))
        .collect()
}

const URL: &str = "https://calendly.com/jo-reyes/intro";

#[test]
fn a_booking_link_hidden_in_html_is_reported_on_its_href() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = format!(
        "<p>Hi Dana,</p>\n<p>I liked your talk on warehouse robotics. \
         <a class=\"button\" href=\"{URL}\">Pick a time</a> if that sounds useful.</p>\n\
         <p>Best,<br>Jo</p>\n"
    );
    let found = calendar_findings(&check(dir.path(), "note.html", &html));
    let href = html.find(URL).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let (text, start) = &found[0];
    assert!(
        text.contains("calendly.com/"),
        "span on the address: {text:?}"
    );
    assert!(
        *start >= href && start + text.len() <= href + URL.len(),
        "span {start} inside the href value at {href}"
    );
    // The same address typed in a plain draft is the same finding.
    let txt = format!("Hi Dana,\n\nI liked your talk on warehouse robotics. Pick a time at {URL} if that sounds useful.\n\nBest,\nJo\n");
    let plain = calendar_findings(&check(dir.path(), "note.txt", &txt));
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].0, *text);
}

#[test]
fn a_booking_link_in_markdown_is_reported_on_its_destination() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inline = format!(
        "Hi Dana,\n\nI liked your talk on warehouse robotics. [Book a slot]({URL}) if that \
         sounds useful.\n\nBest,\nJo\n"
    );
    let found = calendar_findings(&check(dir.path(), "inline.md", &inline));
    let dest = inline.find(URL).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.contains("calendly.com/"));
    assert!(found[0].1 >= dest && found[0].1 < dest + URL.len());

    // A reference link: the span is on the definition's destination.
    let reference = format!(
        "Hi Dana,\n\nI liked your talk on warehouse robotics. [Book a slot][cal] if that \
         sounds useful.\n\nBest,\nJo\n\n[cal]: {URL}\n"
    );
    let found = calendar_findings(&check(dir.path(), "reference.md", &reference));
    let dest = reference.rfind(URL).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1 >= dest && found[0].1 < dest + URL.len());

    // An autolink shows its address: reported once, on the address.
    let auto = format!("Hi Dana,\n\nBook a slot: <{URL}>\n\nJo\n");
    let found = calendar_findings(&check(dir.path(), "auto.md", &auto));
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn markup_and_harmless_links_stay_silent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = "<p>Hi Dana,</p>\n<p>I enjoyed <a href=\"https://blog.example.com/how-we-book-a-demo-in-minutes\">your \
                article</a> and <a href=\"mailto:jo@example.com\">wrote to you</a> about it; \
                <a href=\"#notes\">my notes</a> are attached.</p>\n<p>Best,<br>Jo</p>\n";
    assert_eq!(check(dir.path(), "clean.html", html), vec![]);
    let md = "Hi Dana,\n\nI enjoyed [your article](https://blog.example.com/how-we-book-a-demo) \
              and wrote up [my notes](notes.md).\n\nBest,\nJo\n";
    assert_eq!(check(dir.path(), "clean.md", md), vec![]);
}

#[test]
fn a_link_already_past_the_first_contact_is_fine() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = format!(
        "---\nstage: established\n---\n<p>Hi Dana,</p><p>Here is <a href=\"{URL}\">my calendar</a> for the review.</p>"
    );
    assert!(calendar_findings(&check(dir.path(), "later.html", &html)).is_empty());
}
