//! Real message files: email, HTML, Markdown, templates, batches. Every test runs the real
//! binary and reads the bytes under each reported span back from the file.

mod common;

use common::root;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn tactful(args: &[&str], dir: &Path) -> Output {
    common::tactful(args, dir, None)
}

fn json_of(out: &Output) -> Value {
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// The file's bytes as tactful's `source` shows them: bytes outside valid UTF-8 become `?`.
fn shown(bytes: &[u8]) -> String {
    tactful::input::lossless_text(bytes)
}

/// (rule, text under the span, label) of every finding in one file, after checking that the
/// reported `text` is what the file holds at the span.
fn findings(file: &Value, dir: &Path) -> Vec<(String, String, String)> {
    let path = file["path"].as_str().expect("path");
    assert!(file.get("error").is_none(), "{path}: {}", file["error"]);
    let bytes = std::fs::read(dir.join(path)).expect("read checked file");
    let text = shown(&bytes);
    assert_eq!(text.len(), bytes.len());
    let mut out = Vec::new();
    for d in file["diagnostics"].as_array().expect("diagnostics") {
        let (a, b) = (
            d["span"]["start"].as_u64().unwrap() as usize,
            d["span"]["end"].as_u64().unwrap() as usize,
        );
        assert!(
            a <= b && b <= bytes.len(),
            "{path}: span {a}..{b} outside the file"
        );
        let under = &text[a..b];
        assert_eq!(
            d["text"].as_str(),
            Some(under),
            "{path}: `text` is not the bytes under the span"
        );
        // Lines and columns agree with the span.
        let line = text[..a].matches('\n').count() + 1;
        assert_eq!(
            d["start"]["line"].as_u64(),
            Some(line as u64),
            "{path}: line of {a}"
        );
        out.push((
            d["rule"].as_str().unwrap().to_string(),
            under.to_string(),
            d["label"].as_str().unwrap_or("").to_string(),
        ));
    }
    out
}

fn check_dir(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "json", "--no-config"];
    args.extend_from_slice(extra);
    args.push(".");
    json_of(&tactful(&args, dir))
}

/// What each fixture must report: rule and the exact text under the span.
fn expected() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("clean--double-bracket-fallback.tmpl", vec![]),
        ("clean--forward.eml", vec![]),
        ("clean--liquid-fallbacks.liquid", vec![]),
        ("clean--mautic.tmpl", vec![]),
        ("clean--mustache-sections.mustache", vec![]),
        ("clean--outlook-reply.eml", vec![]),
        ("clean--reply-chain.eml", vec![]),
        ("clean--woodpecker-spintax.tmpl", vec![]),
        (
            "early-pitch--base64.eml",
            vec![
                ("early-pitch/discount-offer", "ZW50cyBpbiBNaWxhbi4gV2UgaGF2ZSBhCmxpbWl0ZWQtdGltZSBvZmZlcjogMzAlIG9mZiBvdXIg"),
                (
                    "early-pitch/demo-request",
                    "aGVscGRlc2sgcGxhbiBpZiB5b3Ugc2lnbiB1cCBiZWZvcmUgRnJpZGF5LgpDYW4gSSBib29rIGEg\ncXVpY2sgZGVtbyBmb3IgeW91IHRoaXMgd2Vlaz8KCkJlc3QgcmVnYXJkcywKTGVuYQo=",
                ),
            ],
        ),
        (
            "early-pitch--calendar-placeholder.hbs",
            vec![
                ("early-pitch/calendar-link", "Grab a slot on my calendar"),
            ],
        ),
        (
            "early-pitch--draft.md",
            vec![("early-pitch/discount-offer", "25% off"), ("early-pitch/limited-time-offer", "this week only")],
        ),
        (
            "early-pitch--html-only.eml",
            vec![("early-pitch/demo-request", "book a quick demo"), ("early-pitch/calendar-link", "pick a time here")],
        ),
        ("early-pitch--jinja-else-branch.j2", vec![("early-pitch/demo-request", "book a quick demo")]),
        (
            "early-pitch--multipart-alternative.eml",
            vec![
                ("early-pitch/product-claim", "Our platform helps"),
                // the mail's text is hard-wrapped: the layer reads the claim's second line
                (
                    "early-pitch/learned",
                    "companies like yours cut route planning time in half.",
                ),
                ("early-pitch/pitch-with-ask", "Can I book"),
                ("early-pitch/demo-request", "book a quick\ndemo"),
            ],
        ),
        (
            "early-pitch--newsletter-draft.html",
            vec![("early-pitch/discount-offer", "25% off"), ("early-pitch/limited-time-offer", "this week only")],
        ),
        ("early-pitch--quoted-printable.eml", vec![("early-pitch/demo-request", "book a qu=\r\nick demo")]),
        (
            "mass-message--bracket-placeholder.md",
            vec![
                ("mass-message/unfilled-placeholder", "[First Name]"),
                ("mass-message/unfilled-placeholder", "[Company]"),
                // The .eml beside it is the same text with the company filled in: one blast.
                ("mass-message/duplicate-blast", "I saw that [Company] just opened a second warehouse in Porto. How did you\nplan the move between the two sites?"),
            ],
        ),
        ("mass-message--handlebars-greeting.hbs", vec![("mass-message/placeholder-without-fallback", "{{first_name}}")]),
        ("mass-message--hubspot-missing-token.html", vec![("mass-message/missing-token", "[[MISSING TOKEN contact.firstname]]")]),
        ("mass-message--mailchimp.tmpl", vec![("mass-message/placeholder-without-fallback", "*|FNAME|*")]),
        ("mass-message--percent-tags.tmpl", vec![("mass-message/placeholder-without-fallback", "%FIRST_NAME%")]),
        ("mass-message--salesforce.tmpl", vec![("mass-message/placeholder-without-fallback", "{!Contact.FirstName}")]),
        ("mass-message--unfilled-tag.eml", vec![("mass-message/unfilled-placeholder", "{{first_name}}"), ("mass-message/duplicate-blast", "I saw that your team just opened a second warehouse in Porto. How did you\nplan the move between the two sites?")]),
    ]
}

#[test]
fn every_format_fixture_reports_exactly_its_pinned_spans() {
    let dir = root().join("fixtures/formats");
    let doc = check_dir(&dir, &[]);
    let files = doc["files"].as_array().expect("files");
    let expected = expected();
    assert_eq!(
        files.len(),
        expected.len(),
        "one entry in `expected()` per fixture"
    );
    for f in files {
        let path = f["path"].as_str().unwrap();
        let name = path.rsplit('/').next().unwrap();
        let want = &expected
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no expectation for {name}"))
            .1;
        let got: Vec<(String, String)> = findings(f, &dir)
            .into_iter()
            .map(|(r, t, _)| (r, t))
            .collect();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(r, t)| (r.to_string(), t.to_string()))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

/// A mail in a legacy 8-bit charset is not UTF-8, so it lives outside `fixtures/` (whose files
/// the JSON contract smoke test decodes as UTF-8); its spans are byte offsets into the raw file.
#[test]
fn a_latin1_mail_reports_spans_on_its_raw_bytes() {
    let dir = root().join("tests/data/formats");
    let doc = check_dir(&dir, &[]);
    let f = &doc["files"][0];
    assert_eq!(f["path"], "early-pitch--latin1-8bit.eml");
    let got: Vec<(String, String)> = findings(f, &dir)
        .into_iter()
        .map(|(r, t, _)| (r, t))
        .collect();
    let want = [
        ("early-pitch/discount-offer", "20% off"),
        ("early-pitch/limited-time-offer", "this month only"),
        ("early-pitch/demo-request", "book a\r\nquick demo"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(r, t)| (r.to_string(), t.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn encoded_spans_carry_the_decoded_words_in_their_label() {
    let dir = root().join("fixtures/formats");
    let out = tactful(
        &[
            "check",
            "--format",
            "json",
            "--no-config",
            "early-pitch--base64.eml",
        ],
        &dir,
    );
    let doc = json_of(&out);
    let found = findings(&doc["files"][0], &dir);
    let demo = found
        .iter()
        .find(|(r, _, _)| r == "early-pitch/demo-request")
        .expect("demo finding");
    assert!(demo.2.contains("“book a quick demo”"), "{}", demo.2);
}

#[test]
fn a_file_that_starts_with_mail_headers_is_read_as_email() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "From: Jo <jo@x.example>\nTo: Ana <ana@y.example>\nSubject: Your talk\n\nHi Ana,\n\nCan I book a quick demo with you?\n\nOn Mon, Mar 3, 2025 at 9:00 AM Ana <ana@y.example> wrote:\n> Our platform helps companies like yours.\n";
    std::fs::write(tmp.path().join("draft.txt"), text).unwrap();
    let doc = check_dir(tmp.path(), &[]);
    let found = findings(&doc["files"][0], tmp.path());
    let rules: Vec<&str> = found.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        rules,
        vec!["early-pitch/demo-request"],
        "headers and the quoted reply are not prose: {found:?}"
    );
}

#[test]
fn templates_by_flag_and_by_config_glob() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("seq")).unwrap();
    let text = "Hi {{first_name}},\n\nI enjoyed your talk on route planning.\n";
    std::fs::write(tmp.path().join("seq/step1.txt"), text).unwrap();
    // A finished draft: the tag is an unfilled placeholder.
    let doc = check_dir(tmp.path(), &[]);
    let rules: Vec<String> = findings(&doc["files"][0], tmp.path())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(rules, vec!["mass-message/unfilled-placeholder"]);
    // `--template`: tags are expected; only the missing fallback is reported.
    let doc = check_dir(tmp.path(), &["--template"]);
    let rules: Vec<String> = findings(&doc["files"][0], tmp.path())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(rules, vec!["mass-message/placeholder-without-fallback"]);
    // A `templates:` glob in the config does the same.
    std::fs::write(tmp.path().join(".tactful.yaml"), "templates: ['seq/**']\n").unwrap();
    let out = tactful(&["check", "--format", "json", "seq"], tmp.path());
    let doc = json_of(&out);
    let rules: Vec<String> = findings(&doc["files"][0], tmp.path())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(rules, vec!["mass-message/placeholder-without-fallback"]);
}

#[test]
fn template_syntax_is_never_reported_as_prose() {
    let tmp = tempfile::tempdir().unwrap();
    // Pitch words hidden in tag names, comments and filters must not fire.
    let text = "{{!-- book a demo in step 3 --}}\nHi {{ first_name | default: \"there\" }},\n\n{% comment %}30% off this week only{% endcomment %}\nI read {{ demo_booking_note }} and your post on hiring.\n{# book a quick demo #}\nThanks,\nJo\n";
    std::fs::write(tmp.path().join("step.liquid"), text).unwrap();
    let doc = check_dir(tmp.path(), &[]);
    let found = findings(&doc["files"][0], tmp.path());
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn channel_limits_for_inmail_subjects_and_linkedin_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let subject = "word ".repeat(45);
    std::fs::write(
        tmp.path().join("inmail.txt"),
        format!("Subject: {subject}\n\nHi Lee,\n\nA short question.\n"),
    )
    .unwrap();
    let doc = check_dir(tmp.path(), &["--channel", "linkedin-inmail"]);
    let found = findings(&doc["files"][0], tmp.path());
    assert!(
        found.iter().any(|f| f.0 == "channel-limit/inmail-subject"),
        "{found:?}"
    );
    // A 3,500-character message fits LinkedIn's 8,000 by default; a team can ask for 3,000.
    let body = "We moved the warehouse over one weekend and it went well. ".repeat(60);
    std::fs::write(
        tmp.path().join("msg.txt"),
        format!("Hi Lee,\n\n{body}\n\nBest,\nKim\n"),
    )
    .unwrap();
    std::fs::remove_file(tmp.path().join("inmail.txt")).unwrap();
    let doc = check_dir(tmp.path(), &["--channel", "linkedin"]);
    assert!(findings(&doc["files"][0], tmp.path())
        .iter()
        .all(|f| f.0 != "channel-limit/linkedin-message"));
    std::fs::write(
        tmp.path().join(".tactful.yaml"),
        "options:\n  channel-limit/linkedin-message: {max: 3000}\n",
    )
    .unwrap();
    let out = tactful(
        &[
            "check",
            "--format",
            "json",
            "--channel",
            "linkedin",
            "msg.txt",
        ],
        tmp.path(),
    );
    let found = findings(&json_of(&out)["files"][0], tmp.path());
    let limit = found
        .iter()
        .find(|f| f.0 == "channel-limit/linkedin-message")
        .expect("over 3000");
    assert!(limit.2.contains("the limit is 3000"), "{}", limit.2);
}

const BLAST: &str = "I came across your profile and was impressed by the work your team is doing at {company}. We help companies like yours grow their pipeline with a proven outbound system, and I would love to show you how it works in a short call next week.";

#[test]
fn a_batch_names_how_many_drafts_share_the_text_and_the_first_copy() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, (name, company)) in [("Ana", "Acme"), ("Ben", "Globex"), ("Carla", "Initech")]
        .iter()
        .enumerate()
    {
        let text = format!(
            "Hi {name},\n\n{}\n\nBest,\nSam\n",
            BLAST.replace("{company}", company)
        );
        std::fs::write(tmp.path().join(format!("{i}-{name}.txt")), text).unwrap();
    }
    std::fs::write(
        tmp.path().join("3-Dana.txt"),
        "Hi Dana,\n\nYour talk in Rotterdam on route planning for small fleets changed how I think about depot placement. Did the pilot with the two bakeries keep its numbers through the winter?\n\nBest,\nSam\n",
    )
    .unwrap();
    // A template with the same words is meant to be reused: not part of the batch.
    std::fs::write(
        tmp.path().join("4-template.hbs"),
        format!(
            "Hi {{{{first_name}}}},\n\n{}\n",
            BLAST.replace("{company}", "{{company}}")
        ),
    )
    .unwrap();
    let doc = check_dir(tmp.path(), &[]);
    let mut copies = Vec::new();
    for f in doc["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap().to_string();
        for d in f["diagnostics"].as_array().unwrap() {
            if d["rule"] == "mass-message/duplicate-blast" {
                copies.push((
                    path.clone(),
                    d["message"].as_str().unwrap().to_string(),
                    d["label"].as_str().unwrap().to_string(),
                ));
            }
        }
        for (_, text, _) in findings(f, tmp.path())
            .iter()
            .filter(|x| x.0 == "mass-message/duplicate-blast")
        {
            assert!(
                text.starts_with("I came across"),
                "the span is the body: {text:?}"
            );
        }
    }
    assert_eq!(copies.len(), 3, "{copies:?}");
    assert!(
        copies.iter().all(|c| c.1.contains("2 other drafts")),
        "{copies:?}"
    );
    assert!(
        copies[0].0.ends_with("0-Ana.txt") && copies[0].2.contains("first copy"),
        "{copies:?}"
    );
    assert!(copies[1].2.contains("0-Ana.txt"), "{copies:?}");
}

#[test]
fn thousands_of_drafts_stay_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let topics = [
        "route planning",
        "night deliveries",
        "cold storage",
        "driver hiring",
        "depot leases",
        "van electrification",
    ];
    for i in 0..2000 {
        let text = if i % 4 == 0 {
            format!(
                "Hi Person{i},\n\n{}\n",
                BLAST.replace("{company}", &format!("Company{i}"))
            )
        } else {
            // Drafts that are not one template filled in: words drawn at random from a small
            // vocabulary, so no two share more than chance (one template with a topic and a
            // few numbers filled in would be a mail-merge blast).
            let mut x = i as u64 * 0x9e37_79b9 + 7;
            let words: Vec<&str> = (0..30)
                .map(|_| {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let t = topics[(x >> 33) as usize % topics.len()];
                    let w = [
                        "the", "team", "asked", "about", "weeks", "late", "stops", "region", "we",
                        "saw", "how", "after", "change", "notes", "your",
                    ];
                    if (x >> 20) % 4 == 0 {
                        t
                    } else {
                        w[(x >> 40) as usize % w.len()]
                    }
                })
                .collect();
            format!("Hi Person{i},\n\n{}.\n", words.join(" "))
        };
        std::fs::write(tmp.path().join(format!("d{i:04}.txt")), text).unwrap();
    }
    let start = std::time::Instant::now();
    let out = tactful(
        &["check", "--format", "short", "--no-config", "."],
        tmp.path(),
    );
    let took = start.elapsed();
    assert!(matches!(out.status.code(), Some(0) | Some(1)));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let blasts = stdout
        .lines()
        .filter(|l| l.contains("duplicate-blast") && l.contains("499 other drafts"))
        .count();
    assert_eq!(
        blasts, 500,
        "every copy of the blast is named, with the size of its cluster"
    );
    // Generous for a debug build on two shared cores; the release build takes well under this.
    assert!(took.as_secs_f64() < 120.0, "{took:?}");
}

/// The robustness corpus (real and broken mails) lives outside the repository; when it is
/// there, every file must give a clean exit and one valid JSON document.
#[test]
fn the_mail_corpus_never_panics() {
    let corpus = root().join("../shared/corpora/eml");
    if !corpus.is_dir() {
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    let mut files = Vec::new();
    for sub in std::fs::read_dir(&corpus).unwrap().flatten() {
        if sub.path().is_dir() {
            for f in std::fs::read_dir(sub.path()).unwrap().flatten() {
                if f.path().extension().is_some_and(|e| e == "eml") {
                    files.push(f.path());
                }
            }
        }
    }
    assert!(!files.is_empty());
    for f in files {
        let out = tactful(
            &[
                "check",
                "--format",
                "json",
                "--no-config",
                f.to_str().unwrap(),
            ],
            &root(),
        );
        let doc = json_of(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", f.display());
        let file = &doc["files"][0];
        if file.get("error").is_none() {
            let dir = f.parent().unwrap();
            let mut one = file.clone();
            one["path"] = Value::from(f.file_name().unwrap().to_str().unwrap());
            findings(&one, dir);
        }
    }
}
