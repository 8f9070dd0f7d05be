//! Where users work: SARIF checked against the official SARIF 2.1.0 schema, GitHub workflow
//! commands, `--fix` and `--diff` on real files. The tests use the rules in
//! `tests/data/integrations/zz` (`--lang zz`), so they do not depend on the built-in packs.

mod common;

use common::write;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/integrations");

fn tactful(args: &[&str], dir: &Path) -> Output {
    common::tactful(args, dir, None)
}

/// `check` with the test rules in their own language, no config discovery.
fn check(args: &[&str], dir: &Path) -> Output {
    let mut all = vec!["check", "--no-config", "--rules", RULES, "--lang", "zz"];
    all.extend_from_slice(args);
    tactful(&all, dir)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Validates a document against the vendored SARIF 2.1.0 schema, format assertions on.
fn assert_valid_sarif(doc: &Value) {
    if let Err(e) = validate_sarif(doc) {
        panic!(
            "SARIF does not validate:\n{e}\n{}",
            serde_json::to_string_pretty(doc).unwrap_or_default()
        );
    }
}

fn validate_sarif(doc: &Value) -> Result<(), String> {
    common::validate_sarif(doc)
}

fn sarif(args: &[&str], dir: &Path) -> (Option<i32>, Value) {
    let mut all = vec!["--format", "sarif"];
    all.extend_from_slice(args);
    let out = check(&all, dir);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&out)));
    (out.status.code(), doc)
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let d = tempfile::tempdir().expect("tempdir");
    let pitch = "Hi Ana,\r\n\r\nOur okapi platform 🦓 costs $40/month.\r\n";
    write(d.path(), "drafts/pitch note.txt", pitch.as_bytes());
    write(
        d.path(),
        "drafts/żółw.txt",
        "Cześć!\n\nI’ve added you to our newsletter.\n".as_bytes(),
    );
    write(
        d.path(),
        "drafts/bad-front.txt",
        b"---\nstage: later\n---\nHi\n",
    );
    write(d.path(), "drafts/latin1.txt", b"caf\xe9\x00\n");
    let (code, doc) = sarif(&["drafts", "missing.txt"], d.path());
    assert_eq!(code, Some(2), "unreadable inputs make the run exit 2");
    assert_valid_sarif(&doc);

    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    // Every rule the run can report is described, built-in ones included.
    for id in [
        "early-pitch/zz-price-pitch",
        "signup-without-consent/zz-added-to-list",
        "tactful/unused-suppression",
        "channel-limit/connection-note",
    ] {
        assert!(rules.iter().any(|r| r["id"] == id), "descriptor for {id}");
    }
    for r in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{key} of {}",
                r["id"]
            );
        }
        assert!(
            r["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://")),
            "{}",
            r["id"]
        );
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().unwrap_or("")));
    }

    let results = run["results"].as_array().expect("results");
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the rule");
    }
    let pitch_result = results
        .iter()
        .find(|r| r["ruleId"] == "early-pitch/zz-price-pitch")
        .expect("pitch");
    let loc = &pitch_result["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"], "drafts/pitch%20note.txt",
        "relative to the working folder"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let region = &loc["region"];
    let start = pitch.find("Our okapi").expect("in text");
    assert_eq!(region["byteOffset"], start);
    assert_eq!(region["byteLength"], "Our okapi platform".len());
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        region["endColumn"],
        1 + "Our okapi platform".chars().count()
    );
    let related = &pitch_result["relatedLocations"][0];
    assert_eq!(related["message"]["text"], "price quoted here");
    let price = pitch.find("$40").expect("price");
    assert_eq!(related["physicalLocation"]["region"]["byteOffset"], price);
    assert_eq!(
        related["physicalLocation"]["region"]["startColumn"],
        1 + pitch[pitch.find("Our").expect("x")..price].chars().count()
    );
    assert_eq!(run["columnKind"], "unicodeCodePoints");

    let signup = results
        .iter()
        .find(|r| r["ruleId"] == "signup-without-consent/zz-added-to-list")
        .expect("signup");
    assert_eq!(
        signup["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "drafts/%C5%BC%C3%B3%C5%82w.txt"
    );
    let replacement = &signup["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(
        replacement["insertedContent"]["text"],
        "Would you like me to add you to our newsletter?"
    );
    assert_eq!(
        replacement["deletedRegion"]["snippet"]["text"],
        "I’ve added you to our newsletter."
    );

    // Files that could not be checked are notifications, with a region when there is one.
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let uris: Vec<&str> = notes
        .iter()
        .filter_map(|n| n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    for f in ["missing.txt", "drafts/bad-front.txt", "drafts/latin1.txt"] {
        assert!(uris.contains(&f), "{f} in {uris:?}");
    }
    let front = notes
        .iter()
        .find(|n| {
            n["message"]["text"]
                .as_str()
                .unwrap_or("")
                .contains("first-contact")
        })
        .expect("front matter");
    assert_eq!(
        front["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn sarif_of_a_clean_run_is_still_a_full_document() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "ok.txt", b"Thanks for the notes.\n");
    let (code, doc) = sarif(&["ok.txt"], d.path());
    assert_eq!(code, Some(0));
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    assert!(doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    // The validator is not a rubber stamp.
    let mut broken = doc.clone();
    broken["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] =
        "fatal".into();
    assert!(validate_sarif(&broken).is_err());
    let mut broken = doc.clone();
    broken["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri".into();
    assert!(validate_sarif(&broken).is_err(), "format assertions are on");
}

#[test]
fn github_format_prints_escaped_workflow_commands() {
    let d = tempfile::tempdir().expect("tempdir");
    write(
        d.path(),
        "a, b: c.txt",
        "Our okapi platform costs $40.\nYou’ve been enrolled.\n".as_bytes(),
    );
    let out = check(&["--format", "github", "a, b: c.txt"], d.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let pitch = lines
        .iter()
        .find(|l| l.contains("title=early-pitch/zz-price-pitch"))
        .expect("pitch line");
    assert!(
        pitch.starts_with("::error file=a%2C b%3A c.txt,line=1,col=1,endLine=1,endColumn=19,title=early-pitch/zz-price-pitch::"),
        "{pitch}"
    );
    // Multi-line details are escaped, never raw newlines; related labels are listed.
    let msg = pitch.split("::").nth(2).expect("message");
    assert!(msg.contains("%0A1:26: price quoted here"), "{msg}");
    assert!(!msg.contains('\r'));
    let enrolled = lines
        .iter()
        .find(|l| l.contains("zz-auto-enrolled"))
        .expect("warning line");
    assert!(
        enrolled.starts_with("::warning file=a%2C b%3A c.txt,line=2,col=1,"),
        "{enrolled}"
    );
    assert_eq!(lines.len(), 2, "one command per finding: {text}");

    let missing = check(&["--format", "github", "nope.txt"], d.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stdout(&missing).starts_with("::error file=nope.txt,title=tactful::"),
        "{}",
        stdout(&missing)
    );
}

#[test]
fn fix_rewrites_only_the_edits_and_keeps_every_other_byte() {
    let d = tempfile::tempdir().expect("tempdir");
    // BOM, front matter, CRLF, trailing spaces, no final newline: all must survive.
    let before = "\u{FEFF}---\r\nchannel: email\r\n---\r\nHi Ana,  \r\n\r\nI’ve added you to our newsletter. Fancy a quick okapi call? 🦓\r\n\r\nBest,\r\nJo";
    let p = write(d.path(), "m.txt", before.as_bytes());
    let untouched = write(d.path(), "clean.txt", b"Thanks for the notes.\r\n");
    let only_unsafe = write(d.path(), "unsafe.txt", b"You've been enrolled.\n");
    let mtime = |p: &Path| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    let (t_clean, t_unsafe) = (mtime(&untouched), mtime(&only_unsafe));
    std::thread::sleep(std::time::Duration::from_millis(20));

    let out = check(&["--fix", "--format", "json", "."], d.path());
    let after = std::fs::read_to_string(&p).expect("read");
    let expected = before
        .replace(
            "I’ve added you to our newsletter.",
            "Would you like me to add you to our newsletter?",
        )
        .replace("quick okapi call", "a question");
    assert_eq!(after, expected);
    // The report is about the fixed text: the fixed findings are gone, the unsafe one stays.
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let rules: Vec<&str> = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().into_iter().flatten())
        .filter_map(|x| x["rule"].as_str())
        .collect();
    assert_eq!(rules, ["signup-without-consent/zz-auto-enrolled"]);
    assert_eq!(out.status.code(), Some(0), "only a warning is left");
    assert!(String::from_utf8_lossy(&out.stderr).contains("fixed 2 problems in 1 file"));
    // Files without a safe fix are never written.
    assert_eq!(mtime(&untouched), t_clean);
    assert_eq!(mtime(&only_unsafe), t_unsafe);
    assert_eq!(
        std::fs::read(&only_unsafe).expect("read"),
        b"You've been enrolled.\n"
    );
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(d.path()).expect("ls").count(), 3);

    // A second run has nothing to do and writes nothing.
    let t = mtime(&p);
    let again = check(&["--fix", "m.txt"], d.path());
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(mtime(&p), t);
    assert!(String::from_utf8_lossy(&again.stderr).contains("fixed 0 problems"));
}

#[test]
fn overlapping_fixes_on_one_sentence_become_one_finding_and_one_rewrite() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = write(
        d.path(),
        "m.txt",
        b"How about a quick okapi call tomorrow?\n",
    );
    // Two rules of one category, each with a rewrite, on overlapping words: one finding (the
    // wider one) with the other as its related entry, and only its rewrite applies.
    let out = check(&["--format", "json", "m.txt"], d.path());
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = json["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics");
    assert_eq!(diags.len(), 1, "{json}");
    assert_eq!(diags[0]["rule"], "early-pitch/zz-okapi-call-tomorrow");
    assert_eq!(diags[0]["related"][0]["rule"], "early-pitch/zz-quick-call");
    let diff = check(&["--diff", "m.txt"], d.path());
    assert!(
        stdout(&diff).contains("+How about a quick a chat sometime?"),
        "{}",
        stdout(&diff)
    );
    let out = check(&["--fix", "m.txt"], d.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&p).expect("read"),
        "How about a quick a chat sometime?\n"
    );
}

#[test]
fn diff_shows_fixes_without_writing() {
    let d = tempfile::tempdir().expect("tempdir");
    let before = "Hi,\n\nI've added you to our mailing list!\n";
    let p = write(d.path(), "sub/m.txt", before.as_bytes());
    write(d.path(), "clean.txt", b"Thanks.\n");
    let out = check(&["--diff", "."], d.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit 1: there are fixes to apply"
    );
    assert_eq!(
        std::fs::read_to_string(&p).expect("read"),
        before,
        "--diff never writes"
    );
    let diff = stdout(&out);
    assert!(
        diff.starts_with("--- a/sub/m.txt\n+++ b/sub/m.txt\n@@ "),
        "{diff}"
    );
    assert!(diff.contains("\n-I've added you to our mailing list!\n+Would you like me to add you to our mailing list?\n"), "{diff}");
    assert!(!diff.contains("clean.txt"));

    // The diff applies with git.
    let git = Command::new("git").arg("--version").output();
    if git.is_ok_and(|o| o.status.success()) {
        std::fs::write(d.path().join("fix.patch"), &diff).expect("patch");
        let applied = Command::new("git")
            .args(["apply", "--unsafe-paths", "fix.patch"])
            .current_dir(d.path())
            .output()
            .expect("git apply");
        assert!(
            applied.status.success(),
            "{}",
            String::from_utf8_lossy(&applied.stderr)
        );
        assert!(std::fs::read_to_string(&p)
            .expect("read")
            .contains("Would you like me to add you to our mailing list?"));
    }

    let nothing = check(&["--diff", "clean.txt"], d.path());
    assert_eq!(nothing.status.code(), Some(0));
    assert!(nothing.stdout.is_empty());
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    let d = tempfile::tempdir().expect("tempdir");
    let out = common::tactful(
        &[
            "check",
            "--no-config",
            "--rules",
            RULES,
            "--lang",
            "zz",
            "--fix",
            "--format",
            "short",
            "-",
        ],
        d.path(),
        Some(b"I've added you to our weekly digest. You have been enrolled."),
    );
    assert_eq!(
        stdout(&out),
        "Would you like me to add you to our weekly digest? You have been enrolled."
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("-:1:52: warning[signup-without-consent/zz-auto-enrolled]"),
        "the report goes to stderr: {err}"
    );
}

#[test]
fn fix_on_standard_input_passes_text_it_cannot_fix_through_unchanged() {
    let d = tempfile::tempdir().expect("tempdir");
    for input in [&b"caf\xe9 au lait\n"[..], b"Nothing to fix here.\n"] {
        let out = common::tactful(
            &[
                "check",
                "--no-config",
                "--rules",
                RULES,
                "--lang",
                "zz",
                "--fix",
                "-",
            ],
            d.path(),
            Some(input),
        );
        assert_eq!(out.stdout, input);
    }
}

/// The composite action in `action.yml`: its shape, and its shell steps run with bash the way
/// the runner runs them (inputs through `env:`, outputs through `$GITHUB_OUTPUT`). The cargo
/// install and the upload step need GitHub and are not run here.
mod action {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Deserialize)]
    struct Input {
        description: String,
        default: Option<String>,
    }

    #[derive(serde::Deserialize)]
    struct Step {
        name: String,
        id: Option<String>,
        #[serde(rename = "if")]
        condition: Option<String>,
        shell: Option<String>,
        run: Option<String>,
        uses: Option<String>,
        #[serde(default)]
        with: BTreeMap<String, String>,
        #[serde(default)]
        env: BTreeMap<String, String>,
        #[serde(default, rename = "continue-on-error")]
        continue_on_error: bool,
    }

    #[derive(serde::Deserialize)]
    struct Runs {
        using: String,
        steps: Vec<Step>,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Action {
        name: String,
        description: String,
        author: String,
        branding: BTreeMap<String, String>,
        inputs: BTreeMap<String, Input>,
        outputs: BTreeMap<String, BTreeMap<String, String>>,
        runs: Runs,
    }

    fn action() -> Action {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml"))
            .expect("action.yml");
        serde_saphyr::from_str(&text).expect("action.yml parses")
    }

    #[cfg(unix)]
    /// Fills `${{ inputs.x }}` and the few contexts the steps use.
    fn expand(
        value: &str,
        inputs: &BTreeMap<String, String>,
        outputs: &BTreeMap<String, String>,
        temp: &Path,
    ) -> String {
        let mut out = value.to_string();
        while let Some(start) = out.find("${{") {
            let end = out[start..]
                .find("}}")
                .map(|e| start + e + 2)
                .expect("closed expression");
            let expr = out[start + 3..end - 2].trim();
            let v = if let Some(name) = expr.strip_prefix("inputs.") {
                inputs
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| panic!("unknown input {name}"))
            } else if let Some(rest) = expr.strip_prefix("steps.") {
                outputs.get(rest).cloned().unwrap_or_default()
            } else if expr == "runner.temp" {
                temp.display().to_string()
            } else if expr == "github.action_path" {
                env!("CARGO_MANIFEST_DIR").to_string()
            } else if expr.starts_with("github.") {
                // The event context a test gives (see `run_steps`); empty when not given.
                inputs.get(expr).cloned().unwrap_or_default()
            } else {
                panic!("unexpected expression {expr}")
            };
            out.replace_range(start..end, &v);
        }
        out
    }

    #[cfg(unix)]
    /// Runs the bash steps that need no network; returns step outputs and the last status.
    fn run_steps(
        given: &[(&str, &str)],
        dir: &Path,
    ) -> (BTreeMap<String, String>, Option<i32>, String) {
        let a = action();
        let mut inputs: BTreeMap<String, String> = a
            .inputs
            .iter()
            .map(|(k, v)| (k.clone(), v.default.clone().unwrap_or_default()))
            .collect();
        for (k, v) in given {
            // `github.…` entries stand for the workflow's context (event, repository, actor).
            assert!(
                inputs.contains_key(*k) || k.starts_with("github."),
                "unknown input {k}"
            );
            inputs.insert(k.to_string(), v.to_string());
        }
        let temp = dir.join("runner-temp");
        std::fs::create_dir_all(temp.join("tactful-install/bin")).expect("mkdir");
        let link = temp.join("tactful-install/bin/tactful");
        if !link.exists() {
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tactful"), link).expect("link");
        }
        let mut outputs = BTreeMap::new();
        let mut path = std::env::var("PATH").unwrap_or_default();
        let (mut status, mut log) = (None, String::new());
        for step in &a.runs.steps {
            let Some(script) = &step.run else { continue };
            if step.name.starts_with("Install") {
                continue; // cargo install: minutes, and the binary under test is already there
            }
            assert_eq!(step.shell.as_deref(), Some("bash"), "{}", step.name);
            assert!(
                !script.contains("${{"),
                "step `{}` must take inputs through env:, not inline expressions",
                step.name
            );
            let gh_output = dir.join("gh-output");
            let gh_path = dir.join("gh-path");
            std::fs::write(&gh_output, "").expect("reset");
            std::fs::write(&gh_path, "").expect("reset");
            let mut cmd = Command::new("bash");
            cmd.args(["-e", "-c", script])
                .current_dir(dir)
                .env("PATH", &path)
                .env("GITHUB_OUTPUT", &gh_output)
                .env("GITHUB_PATH", &gh_path)
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64");
            for (k, v) in &step.env {
                cmd.env(k, expand(v, &inputs, &outputs, &temp));
            }
            let out = cmd.output().expect("bash");
            log.push_str(&String::from_utf8_lossy(&out.stdout));
            status = out.status.code();
            for line in std::fs::read_to_string(&gh_output)
                .expect("outputs")
                .lines()
            {
                if let (Some(id), Some((k, v))) = (&step.id, line.split_once('=')) {
                    outputs.insert(format!("{id}.outputs.{k}"), v.to_string());
                }
            }
            for line in std::fs::read_to_string(&gh_path).expect("path").lines() {
                path = format!("{line}:{path}");
            }
        }
        (outputs, status, log)
    }

    #[test]
    fn action_is_a_composite_that_installs_checks_and_uploads() {
        let a = action();
        assert_eq!(a.runs.using, "composite");
        assert!(a.inputs.values().all(|i| !i.description.is_empty()));
        let uses: Vec<&str> = a
            .runs
            .steps
            .iter()
            .filter_map(|s| s.uses.as_deref())
            .collect();
        assert!(
            uses.contains(&"github/codeql-action/upload-sarif@v3"),
            "{uses:?}"
        );
        let install = a
            .runs
            .steps
            .iter()
            .find(|s| s.name.starts_with("Install"))
            .expect("install step");
        assert!(install
            .run
            .as_deref()
            .is_some_and(|r| r.contains("cargo install --locked --path")));
        let upload = a
            .runs
            .steps
            .iter()
            .find(|s| {
                s.uses
                    .as_deref()
                    .is_some_and(|u| u.contains("upload-sarif"))
            })
            .expect("upload");
        assert!(
            upload
                .condition
                .as_deref()
                .is_some_and(|c| c.starts_with("always()")),
            "upload even when findings fail the check"
        );
        assert_eq!(
            upload.with.get("sarif_file").map(String::as_str),
            Some("${{ steps.check.outputs.sarif-file }}")
        );
    }

    #[cfg(unix)]
    #[test]
    fn action_steps_write_sarif_and_fail_on_findings() {
        let d = tempfile::tempdir().expect("tempdir");
        write(
            d.path(),
            "templates/welcome.txt",
            b"I've added you to our newsletter.\n",
        );
        let rules = format!("--no-config --rules {RULES} --lang zz");
        let (outputs, status, _) = run_steps(&[("paths", "templates"), ("args", &rules)], d.path());
        assert_eq!(
            outputs.get("check.outputs.exit-code").map(String::as_str),
            Some("1")
        );
        assert_eq!(status, Some(1), "the last step fails the job on findings");
        let sarif_path = d.path().join(
            outputs
                .get("check.outputs.sarif-file")
                .expect("sarif output"),
        );
        let doc: Value = serde_json::from_slice(&std::fs::read(sarif_path).expect("sarif written"))
            .expect("json");
        assert_valid_sarif(&doc);
        assert!(outputs
            .get("key.outputs.key")
            .is_some_and(|k| k.starts_with("tactful-Linux-X64-src-")));

        let (_, status, _) = run_steps(
            &[
                ("paths", "templates"),
                ("args", &rules),
                ("fail-on-findings", "false"),
            ],
            d.path(),
        );
        assert_eq!(status, Some(0));

        let (outputs, status, log) = run_steps(
            &[
                ("paths", "templates"),
                ("args", &rules),
                ("format", "github"),
            ],
            d.path(),
        );
        assert_eq!(status, Some(1));
        assert!(
            log.contains("::error file=templates/welcome.txt,line=1,col=1,"),
            "{log}"
        );
        assert!(!outputs.contains_key("check.outputs.sarif-file"));

        let (_, status, _) = run_steps(
            &[
                ("paths", "nope"),
                ("args", &rules),
                ("fail-on-findings", "false"),
            ],
            d.path(),
        );
        assert_eq!(status, Some(2), "input errors always fail");
    }

    #[cfg(unix)]
    #[test]
    fn a_fork_pull_request_gets_annotations_instead_of_a_failing_upload() {
        let d = tempfile::tempdir().expect("tempdir");
        write(
            d.path(),
            "templates/welcome.txt",
            b"I've added you to our newsletter.\n",
        );
        let rules = format!("--no-config --rules {RULES} --lang zz");
        let event = |head: &str| {
            vec![
                ("paths", "templates".to_string()),
                ("args", rules.clone()),
                ("github.event_name", "pull_request".to_string()),
                (
                    "github.event.pull_request.head.repo.full_name",
                    head.to_string(),
                ),
                ("github.repository", "acme/templates".to_string()),
                ("github.actor", "someone".to_string()),
            ]
        };
        let given = event("someone/templates");
        let given: Vec<(&str, &str)> = given.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (outputs, status, log) = run_steps(&given, d.path());
        assert_eq!(
            outputs.get("upload.outputs.can").map(String::as_str),
            Some("false"),
            "a fork's token cannot upload"
        );
        assert!(log.contains("::notice title=tactful::"), "{log}");
        assert!(
            log.contains("::error file=templates/welcome.txt,line=1,col=1,"),
            "findings are annotated instead: {log}"
        );
        assert_eq!(
            status,
            Some(1),
            "the findings, not the upload, fail the job"
        );

        // The repository's own pull request uploads, and the upload step cannot fail the job.
        let given = event("acme/templates");
        let given: Vec<(&str, &str)> = given.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (outputs, _, log) = run_steps(&given, d.path());
        assert_eq!(
            outputs.get("upload.outputs.can").map(String::as_str),
            Some("true")
        );
        assert!(!log.contains("::error file="), "{log}");
        let upload = action()
            .runs
            .steps
            .into_iter()
            .find(|s| {
                s.uses
                    .as_deref()
                    .is_some_and(|u| u.contains("upload-sarif"))
            })
            .expect("upload step");
        assert!(
            upload.continue_on_error,
            "a failed upload does not fail the job"
        );
        assert!(upload
            .condition
            .is_some_and(|c| c.contains("steps.upload.outputs.can == 'true'")));
    }

    #[cfg(unix)]
    #[test]
    fn the_action_checks_a_repository_with_its_exclude_input_honoured() {
        let d = tempfile::tempdir().expect("tempdir");
        let bad = b"I've added you to our newsletter.\n";
        write(d.path(), "templates/welcome.txt", bad);
        write(d.path(), "README.md", bad); // the README quotes a bad message on purpose
        write(d.path(), "docs/examples/bad.txt", bad);
        let rules = format!("--no-config --rules {RULES} --lang zz");
        let annotated = |log: &str, file: &str| log.contains(&format!("::error file={file},"));

        let (_, status, log) = run_steps(
            &[
                ("args", &rules),
                ("format", "github"),
                ("fail-on-findings", "false"),
            ],
            d.path(),
        );
        assert_eq!(status, Some(0));
        assert!(annotated(&log, "README.md"), "checked by default: {log}");

        let (outputs, status, log) = run_steps(
            &[
                ("args", &rules),
                ("format", "github"),
                ("exclude", "README.md\ndocs/examples"),
            ],
            d.path(),
        );
        assert!(annotated(&log, "templates/welcome.txt"), "{log}");
        assert!(!annotated(&log, "README.md"), "{log}");
        assert!(!annotated(&log, "docs/examples/bad.txt"), "{log}");
        assert_eq!(
            outputs.get("check.outputs.exit-code").map(String::as_str),
            Some("1")
        );
        assert_eq!(status, Some(1));
    }
}
