//! Cost that grows with the work: the per-file finding cap and its summary finding in every
//! output format, and line/column positions deep inside a long line. These tests count and
//! check what is reported; they never time anything.

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::Output;

const DEMO: &str = "early-pitch/demo-request";
const CAPPED: &str = "tactful/capped";

fn tactful(args: &[&str], dir: &Path) -> Output {
    let mut cmd = common::command(args, dir);
    cmd.env("NO_COLOR", "1");
    common::run(cmd, None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// A first message that asks for a demo in each of `n` sentences, on one line.
fn demo_asks(n: usize) -> String {
    let asks = [
        "Can I book a quick demo for your team?",
        "Could we book a demo on Friday?",
        "I would love to book a quick demo with you.",
    ];
    let body: Vec<&str> = (0..n).map(|i| asks[i % asks.len()]).collect();
    format!("Hi Ana,\n\n{}\n\nBest,\nSam\n", body.join(" "))
}

fn setup(n: usize) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("draft.txt"), demo_asks(n)).expect("write");
    d
}

fn json_check(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--no-config", "--format", "json"];
    args.extend_from_slice(extra);
    args.push("draft.txt");
    let out = tactful(&args, dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout(&out)).expect("one JSON document")
}

fn diagnostics(doc: &Value) -> Vec<Value> {
    doc["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn of_rule<'a>(ds: &'a [Value], rule: &str) -> Vec<&'a Value> {
    ds.iter().filter(|d| d["rule"] == rule).collect()
}

#[test]
fn json_lists_the_first_findings_of_a_rule_and_counts_the_rest() {
    let d = setup(9);
    let all = json_check(d.path(), &["--max-per-rule", "0"]);
    let every = diagnostics(&all);
    let total = of_rule(&every, DEMO).len();
    assert_eq!(total, 9, "one finding per sentence without the cap");
    assert!(of_rule(&every, CAPPED).is_empty());

    let doc = json_check(d.path(), &["--max-per-rule", "4"]);
    let ds = diagnostics(&doc);
    let shown = of_rule(&ds, DEMO);
    assert_eq!(shown.len(), 4);
    let capped = of_rule(&ds, CAPPED);
    assert_eq!(capped.len(), 1, "one summary for the rule");
    let c = capped[0];
    assert_eq!(
        c["message"],
        format!("5 more findings of {DEMO} in this file")
    );
    assert_eq!(c["capped"]["rule"], DEMO);
    assert_eq!(c["capped"]["shown"], 4);
    assert_eq!(c["capped"]["hidden"], 5);
    assert_eq!(c["severity"], "error");
    // It sits where the first hidden finding was, after the listed ones.
    let fifth = of_rule(&every, DEMO)[4];
    assert_eq!(c["span"], fifth["span"]);
    assert_eq!(c["start"], fifth["start"]);
    // The totals still count every finding, and say how many are not listed.
    assert_eq!(doc["summary"]["errors"], all["summary"]["errors"]);
    assert_eq!(doc["summary"]["hidden"], 5);
    assert!(all["summary"].get("hidden").is_none());
}

#[test]
fn the_default_cap_is_fifty_and_the_config_can_change_it() {
    let d = setup(53);
    let doc = json_check(d.path(), &[]);
    let ds = diagnostics(&doc);
    assert_eq!(of_rule(&ds, DEMO).len(), 50);
    assert_eq!(of_rule(&ds, CAPPED)[0]["capped"]["hidden"], 3);

    std::fs::write(d.path().join(".tactful.yaml"), "max-per-rule: 2\n").expect("config");
    let out = tactful(&["check", "--format", "json", "draft.txt"], d.path());
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let ds = diagnostics(&doc);
    assert_eq!(of_rule(&ds, DEMO).len(), 2);
    assert_eq!(of_rule(&ds, CAPPED)[0]["capped"]["hidden"], 51);
    // The flag wins over the config.
    let out = tactful(
        &[
            "check",
            "--format",
            "json",
            "--max-per-rule",
            "0",
            "draft.txt",
        ],
        d.path(),
    );
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(of_rule(&diagnostics(&doc), DEMO).len(), 53);
}

#[test]
fn every_text_format_reports_the_cap() {
    let d = setup(6);
    let run = |format: &str| {
        let out = tactful(
            &[
                "check",
                "--no-config",
                "--max-per-rule",
                "2",
                "--format",
                format,
                "draft.txt",
            ],
            d.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        stdout(&out)
    };
    let said = "4 more findings of early-pitch/demo-request in this file";

    let short = run("short");
    assert_eq!(short.matches(&format!("[{DEMO}]")).count(), 2, "{short}");
    assert_eq!(short.matches(said).count(), 1, "{short}");
    assert!(short.contains(&format!("error[{CAPPED}]")), "{short}");

    let github = run("github");
    assert_eq!(
        github.matches(&format!("title={DEMO}")).count(),
        2,
        "{github}"
    );
    assert_eq!(github.matches(said).count(), 1, "{github}");

    let human = run("human");
    assert_eq!(human.matches(said).count(), 1, "{human}");
    assert!(human.contains("4 findings not listed"), "{human}");

    let jsonl = run("jsonl");
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.iter().filter(|v| v["rule"] == DEMO).count(), 2);
    let c: Vec<&Value> = lines.iter().filter(|v| v["rule"] == CAPPED).collect();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["capped"]["hidden"], 4);
    assert_eq!(c[0]["path"], "draft.txt");

    let sarif: Value = serde_json::from_str(&run("sarif")).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.iter().filter(|r| r["ruleId"] == DEMO).count(), 2);
    let c: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == CAPPED).collect();
    assert_eq!(c.len(), 1);
    assert!(c[0]["message"]["text"]
        .as_str()
        .is_some_and(|t| t.starts_with(said)));
    assert_eq!(c[0]["properties"]["capped"]["hidden"], 4);
    assert_eq!(c[0]["properties"]["capped"]["rule"], DEMO);
}

#[test]
fn exit_status_does_not_depend_on_the_cap() {
    let d = setup(5);
    for cap in ["0", "1", "5"] {
        let out = tactful(
            &[
                "check",
                "--no-config",
                "--max-per-rule",
                cap,
                "--format",
                "short",
                "draft.txt",
            ],
            d.path(),
        );
        assert_eq!(out.status.code(), Some(1), "--max-per-rule {cap}");
    }
}

/// The contract's line and column, the slow obvious way.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u64, col as u64)
}

#[test]
fn columns_are_right_deep_in_a_long_line() {
    let d = tempfile::tempdir().expect("tempdir");
    // A long first paragraph line of multi-byte text (Polish, Hebrew, emoji), with demo asks
    // spread along it, CRLF line ends around it.
    let filler = "Zażółć gęślą jaźń — שלום 👋 the quarterly numbers look steady. ";
    let mut line = String::new();
    for i in 0..40 {
        line.push_str(&filler.repeat(25));
        if i % 8 == 7 {
            line.push_str("Can I book a quick demo for your team? ");
        }
    }
    let text = format!("Hi Ana,\r\n\r\n{line}\r\n\r\nBest,\r\nSam\r\n");
    std::fs::write(d.path().join("draft.txt"), &text).expect("write");
    let doc = json_check(d.path(), &["--lang", "en", "--max-per-rule", "0"]);
    let ds = diagnostics(&doc);
    let demos = of_rule(&ds, DEMO);
    assert_eq!(demos.len(), 5, "{ds:#?}");
    for diag in &ds {
        for (key, at) in [("start", "start"), ("end", "end")] {
            let offset = diag["span"][at].as_u64().expect("offset") as usize;
            let (line, column) = line_col(&text, offset);
            assert_eq!(diag[key]["line"], line, "{diag}");
            assert_eq!(diag[key]["column"], column, "{diag}");
        }
    }
    // The last ask is tens of thousands of characters into line 3.
    let last = demos.last().expect("a finding");
    assert_eq!(last["start"]["line"], 3);
    assert!(
        last["start"]["column"].as_u64().unwrap_or(0) > 50_000,
        "{last}"
    );
}

/// Batch mode reads each file once: the batch step keeps what it read for the check, so a
/// file removed after the run started is still checked from that one read.
#[test]
fn a_batch_reads_each_file_once() {
    use tactful::lint::{Input, LintOptions, Linter, Session};
    let d = tempfile::tempdir().expect("tempdir");
    let mut inputs = Vec::new();
    for i in 0..3 {
        let path = d.path().join(format!("draft{i}.txt"));
        std::fs::write(&path, demo_asks(2 + i)).expect("write");
        inputs.push(Input::file(&format!("draft{i}.txt"), path));
    }
    let linter = Linter::new(LintOptions {
        no_config: true,
        ..Default::default()
    });
    let session = Session::new(&linter, inputs, None);
    for i in 0..3 {
        std::fs::remove_file(d.path().join(format!("draft{i}.txt"))).expect("remove");
    }
    for i in 0..3 {
        let r = session.check(i);
        assert!(r.errors.is_empty(), "draft{i}: {:?}", r.errors);
        let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(rules.contains(&DEMO), "draft{i}: {rules:?}");
    }
    // A second check of the same input has nothing kept: it reads the (now missing) file.
    assert!(!session.check(0).errors.is_empty());
}
