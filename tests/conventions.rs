//! What users of ruff, ESLint and Vale expect from a linter's command line (issue 11): path
//! exclusion, rule selection, exit and output switches, init, completions, man page, parallel
//! runs with a stable order, fix and diff conventions. Each runs the real binary.

mod common;

use std::path::Path;
use std::process::Output;

const PITCH: &str = "Hi Sam,\n\nCould we book a quick demo next Tuesday?\n\nBest,\nLee\n";
const LIST: &str = "Hi Sam,\n\nI've added you to our monthly newsletter.\n\nBest,\nLee\n";

fn tactful(args: &[&str], dir: &Path) -> Output {
    common::run(common::ci_command(args, dir), None)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, content).expect("write");
}

/// The paths of the files a `--format json` run reported.
fn paths(o: &Output) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", out(o), err(o)));
    doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path").replace('\\', "/"))
        .collect()
}

#[test]
fn exclusions_from_defaults_config_flag_and_gitignore() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = d.path();
    for f in [
        "t/a.txt",
        "t/node_modules/x/b.txt",
        "t/target/c.txt",
        "t/vendor/d.txt",
        "t/archive/2019/e.txt",
        "t/f.draft.txt",
        "t/ignored/g.txt",
        "t/keep/h.txt",
    ] {
        write(p, f, PITCH);
    }
    write(p, "t/.gitignore", "ignored/\n");
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        paths(&tactful(&all, p))
    };
    assert_eq!(
        run(&["--no-config", "t"]),
        [
            "t/a.txt",
            "t/archive/2019/e.txt",
            "t/f.draft.txt",
            "t/keep/h.txt"
        ]
    );
    assert_eq!(
        run(&[
            "--no-config",
            "--exclude",
            "*.draft.txt",
            "--exclude",
            "t/archive/**",
            "t"
        ]),
        ["t/a.txt", "t/keep/h.txt"]
    );
    assert!(run(&["--no-config", "--no-ignore", "t"]).contains(&"t/ignored/g.txt".to_string()));
    // A file named on the command line is always checked.
    assert_eq!(run(&["--no-config", "t/target/c.txt"]), ["t/target/c.txt"]);

    write(
        p,
        "t/.tactful.yaml",
        "extend-exclude: ['archive/2019/*', '*.draft.txt']\n",
    );
    assert_eq!(run(&["t"]), ["t/a.txt", "t/keep/h.txt"]);
    // `exclude:` replaces the defaults.
    write(p, "t/.tactful.yaml", "exclude: [keep]\n");
    let got = run(&["t"]);
    assert!(got.contains(&"t/vendor/d.txt".to_string()), "{got:?}");
    assert!(!got.contains(&"t/keep/h.txt".to_string()), "{got:?}");

    write(p, "t/.tactful.yaml", "extend-exclude: ['a[']\n");
    let o = tactful(&["check", "--format", "short", "t"], p);
    assert_eq!(o.status.code(), Some(2));
    let report = out(&o) + &err(&o);
    assert!(report.contains(".tactful.yaml:1:18"), "{report}");
    // One broken config, reported once however many files it covers.
    assert_eq!(report.matches("invalid glob").count(), 1, "{report}");
}

#[test]
fn select_ignore_and_extend_select() {
    let d = tempfile::tempdir().expect("tempdir");
    write(
        d.path(),
        "m.txt",
        "Hi Sam,\n\nCould we book a quick demo next Tuesday? I've added you to our monthly newsletter.\n\nBest,\nLee\n",
    );
    let rules = |args: &[&str]| {
        let mut all = vec!["check", "--no-config", "--format", "json"];
        all.extend_from_slice(args);
        all.push("m.txt");
        let o = tactful(&all, d.path());
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let mut r: Vec<String> = doc["files"][0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|x| x["category"].as_str().expect("category").to_string())
            .collect();
        r.sort();
        r.dedup();
        r
    };
    let all = rules(&[]);
    assert!(all.contains(&"early-pitch".into()) && all.contains(&"signup-without-consent".into()));
    assert_eq!(rules(&["--select", "early-pitch"]), ["early-pitch"]);
    assert!(!rules(&["--ignore", "early-pitch"]).contains(&"early-pitch".into()));
    assert_eq!(
        rules(&[
            "--select",
            "early-pitch",
            "--extend-select",
            "signup-without-consent"
        ]),
        ["early-pitch", "signup-without-consent"]
    );
    assert_eq!(
        rules(&[
            "--select",
            "early-pitch/demo-request,signup-without-consent"
        ])
        .len(),
        2
    );
    let o = tactful(
        &["check", "--no-config", "--select", "early-pich", "m.txt"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("did you mean `early-pitch`?"),
        "{}",
        err(&o)
    );
    // Only selected rules decide the exit status.
    let o = tactful(
        &["check", "--no-config", "--select", "self-focus", "m.txt"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
}

#[test]
fn exit_zero_quiet_statistics_and_output_file() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "a.txt", PITCH);
    write(d.path(), "b.txt", PITCH);
    let o = tactful(&["check", "--no-config", "--exit-zero", "a.txt"], d.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("early-pitch/demo-request"));

    let o = tactful(&["check", "--no-config", "--quiet", "a.txt"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("early-pitch/demo-request"));
    assert!(!out(&o).contains(" in 1 file"), "{}", out(&o));
    let o = tactful(&["check", "--no-config", "a.txt"], d.path());
    assert!(
        out(&o).contains(" in 1 file"),
        "the summary line is there without --quiet"
    );

    let o = tactful(
        &["check", "--no-config", "--statistics", "a.txt", "b.txt"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let stats = out(&o);
    let line = stats
        .lines()
        .find(|l| l.contains("early-pitch/demo-request"))
        .unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(line.split_whitespace().next(), Some("2"), "{stats}");
    assert!(!stats.contains('╭'), "no per-finding report: {stats}");
    let o = tactful(
        &[
            "check",
            "--no-config",
            "--statistics",
            "--format",
            "json",
            "a.txt",
            "b.txt",
        ],
        d.path(),
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let demo = doc["statistics"]
        .as_array()
        .expect("statistics")
        .iter()
        .find(|r| r["rule"] == "early-pitch/demo-request")
        .expect("demo-request counted");
    assert_eq!(demo["count"], 2);
    assert_eq!(doc["summary"]["files"], 2);

    let o = tactful(
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--output-file",
            "report.json",
            "a.txt",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "{}", out(&o));
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join("report.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(doc["summary"]["errors"], 1);
}

#[test]
fn jobs_keep_the_output_order() {
    let d = tempfile::tempdir().expect("tempdir");
    for i in 0..40 {
        let text = if i % 2 == 0 { PITCH } else { LIST };
        write(
            d.path(),
            &format!("m/{i:02}-{}.txt", 40 - i),
            &text.replace("Sam", &format!("Sam{i}")),
        );
    }
    let one = tactful(
        &[
            "check",
            "--no-config",
            "--format",
            "short",
            "--jobs",
            "1",
            "m",
        ],
        d.path(),
    );
    let two = tactful(
        &["check", "--no-config", "--format", "short", "-j", "2", "m"],
        d.path(),
    );
    assert_eq!(out(&one), out(&two));
    let report = out(&one);
    let names: Vec<&str> = report
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|n| n.starts_with("m/"))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "files are reported in path order");
    assert!(names.len() >= 40);
}

#[test]
fn no_progress_bar_when_piped_or_in_ci() {
    let d = tempfile::tempdir().expect("tempdir");
    for i in 0..30 {
        write(d.path(), &format!("m/{i}.txt"), PITCH);
    }
    let o = tactful(
        &["check", "--no-config", "--format", "short", "m"],
        d.path(),
    );
    let e = err(&o);
    assert!(!e.contains("files") && !e.contains('\r'), "{e}");
}

#[test]
fn an_empty_folder_says_what_was_looked_for() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(d.path().join("empty")).expect("mkdir");
    write(d.path(), "empty/notes.docx", "x");
    let o = tactful(&["check", "--no-config", "empty"], d.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(
        err(&o).contains("no message files found in empty"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains(".txt"), "{}", err(&o));
}

#[test]
fn init_writes_a_config_that_loads_and_refuses_to_overwrite() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = tactful(&["init"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = std::fs::read_to_string(d.path().join(".tactful.yaml")).expect("written");
    assert!(text.contains("# "), "commented");
    write(d.path(), "m.txt", PITCH);
    let o = tactful(&["check", "m.txt"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    let o = tactful(&["init"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("already exists"));
}

#[test]
fn completions_and_man_page() {
    let d = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = tactful(&["completions", shell], d.path());
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(out(&o).contains("exclude"), "{shell}");
        assert!(out(&o).contains("statistics"), "{shell}");
    }
    let o = tactful(&["man"], d.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out(&o).starts_with(".ie") || out(&o).contains(".TH"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("tactful"));
}

#[test]
fn every_convention_is_in_check_help() {
    let d = tempfile::tempdir().expect("tempdir");
    let help = out(&tactful(&["check", "--help"], d.path()));
    for flag in [
        "--select",
        "--extend-select",
        "--ignore",
        "--exclude",
        "--no-ignore",
        "--exit-zero",
        "--statistics",
        "--quiet",
        "--output-file",
        "--jobs",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
    let top = out(&tactful(&["--help"], d.path()));
    for cmd in ["init", "completions", "man"] {
        assert!(top.contains(cmd), "{cmd}");
    }
}

#[test]
fn fix_refuses_read_only_files_and_diff_follows_the_conventions() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "l.txt", LIST);
    let p = d.path().join("l.txt");
    let mut perms = std::fs::metadata(&p).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&p, perms).expect("chmod");
    let o = tactful(&["check", "--no-config", "--fix", "l.txt"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    assert!((out(&o) + &err(&o)).contains("read-only"));
    assert_eq!(std::fs::read_to_string(&p).expect("read"), LIST);

    let o = tactful(
        &["check", "--no-config", "--fix", "--diff", "l.txt"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("cannot be used with"), "{}", err(&o));

    // Nothing safe to fix, but an error finding remains: --diff fails like check does.
    write(d.path(), "p.txt", PITCH);
    let o = tactful(&["check", "--no-config", "--diff", "p.txt"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
}

#[test]
fn fix_to_stdout_keeps_a_json_report_whole() {
    let o = common::run(
        common::ci_command(
            &["check", "--no-config", "--fix", "--format", "json", "-"],
            &common::root(),
        ),
        Some(LIST.as_bytes()),
    );
    assert!(
        out(&o).contains("Would you like me to add you"),
        "{}",
        out(&o)
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stderr)
        .unwrap_or_else(|e| panic!("stderr is not one JSON document ({e}): {}", err(&o)));
    assert!(report["summary"].is_object());
}
