//! Hostile and odd input, through the real binary with a time limit: every case ends with a
//! clear diagnostic (or a best-effort check), exit status 0, 1 or 2 as the contract says, and
//! output that is one valid JSON document — never a panic, a hang or half a document.

mod common;

use common::{tempdir, write};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: what it catches is a hang, not slowness. The debug binary needs ~22 s of CPU for
/// the 50 MB line; on a busy 2-core machine (CI, or several builds beside it) that took over
/// 60 s of wall time, so the guard is three minutes.
const LIMIT: Duration = Duration::from_secs(180);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}); exit {}\nstdout: {}\nstderr: {}",
                self.code,
                preview(&self.stdout),
                preview(&self.stderr)
            )
        })
    }

    /// Neither a panic, nor a backtrace, nor the internal-error hook.
    fn no_crash(&self) {
        for bad in [
            "panicked",
            "internal error",
            "RUST_BACKTRACE",
            "stack backtrace",
        ] {
            assert!(
                !self.stderr.contains(bad) && !self.stdout.contains(bad),
                "crash output ({bad}): {}",
                preview(&self.stderr)
            );
        }
        assert!(
            (0..=2).contains(&self.code),
            "exit status {} (stderr: {})",
            self.code,
            preview(&self.stderr)
        );
    }
}

fn preview(s: &str) -> String {
    if s.len() > 2000 {
        let mut end = 2000;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &s[..end], s.len())
    } else {
        s.to_string()
    }
}

/// Reads a pipe to the end on its own thread, so a chatty child cannot block on a full pipe.
fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

fn wait(mut child: Child, limit: Duration, what: &str) -> Run {
    let out = drain(child.stdout.take().expect("stdout"));
    let err = drain(child.stderr.take().expect("stderr"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{what}` still running after {limit:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = start.elapsed();
    let stdout = String::from_utf8(out.join().expect("stdout thread")).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&err.join().expect("stderr thread")).into_owned();
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        took,
    }
}

fn tactful_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = common::command(args, dir);
    cmd.env("NO_COLOR", "1");
    let run = wait(common::spawn(cmd, stdin), LIMIT, &args.join(" "));
    run.no_crash();
    run
}

/// `check --format json --no-config` on `paths` in `dir`.
fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "json", "--no-config"];
    args.extend_from_slice(extra);
    tactful_in(dir, &args, None)
}

fn files(doc: &Value) -> Vec<Value> {
    doc["files"].as_array().cloned().unwrap_or_default()
}

fn error_of(doc: &Value, path: &str) -> String {
    files(doc)
        .iter()
        .find(|f| f["path"].as_str() == Some(path))
        .and_then(|f| f["error"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no error for {path} in {doc}"))
}

/// Spans of every diagnostic lie inside the file on character boundaries.
fn spans_ok(doc: &Value, dir: &Path) {
    for f in files(doc) {
        let Some(path) = f["path"].as_str() else {
            continue;
        };
        let Ok(bytes) = std::fs::read(dir.join(path)) else {
            continue;
        };
        // A character boundary: the end, or any byte that is not a UTF-8 continuation byte.
        let boundary = |i: usize| i == bytes.len() || (bytes[i] & 0xC0) != 0x80;
        for d in f["diagnostics"].as_array().cloned().unwrap_or_default() {
            let (s, e) = (
                d["span"]["start"].as_u64().expect("start") as usize,
                d["span"]["end"].as_u64().expect("end") as usize,
            );
            assert!(s <= e && e <= bytes.len(), "span {s}..{e} outside {path}");
            assert!(
                boundary(s) && boundary(e),
                "span {s}..{e} splits a character"
            );
        }
    }
}

#[test]
fn invalid_utf8_is_a_clear_error_and_the_others_are_still_checked() {
    let d = tempdir();
    write(
        d.path(),
        "bad.txt",
        b"Hi Ana,\nbook a quick demo \xff\xfe\xc3( now\n",
    );
    write(d.path(), "good.txt", b"Hi Ana, can I book a quick demo?\n");
    let run = check(d.path(), &["bad.txt", "good.txt"]);
    assert_eq!(run.code, 2);
    let doc = run.json();
    let err = error_of(&doc, "bad.txt");
    assert!(err.contains("UTF-8") && err.contains("byte"), "{err}");
    assert!(files(&doc)[1]["diagnostics"].is_array());
    // The same bytes on standard input, in every output format.
    for format in ["human", "short", "jsonl", "json"] {
        let run = tactful_in(
            d.path(),
            &["check", "--no-config", "--format", format, "-"],
            Some(b"\xc3\x28 demo"),
        );
        assert_eq!(run.code, 2, "{format}");
        assert!(
            (run.stdout.clone() + &run.stderr).contains("UTF-8"),
            "{format}"
        );
    }
}

#[test]
fn nul_bytes_and_control_characters_are_just_text() {
    let d = tempdir();
    write(
        d.path(),
        "nul.txt",
        b"Hi\0 Ana,\x07\x1b[31m\n\nCan I book a quick demo\0 next week?\x0c\r\r\n\0\0\0\n",
    );
    let run = check(d.path(), &["nul.txt"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let doc = run.json();
    assert!(files(&doc)[0].get("error").is_none(), "{doc}");
    spans_ok(&doc, d.path());
    // The human report must not pass raw escape sequences through as a crash would.
    let human = tactful_in(d.path(), &["check", "--no-config", "nul.txt"], None);
    assert!(human.code <= 1);
}

#[test]
fn a_50_mb_single_line_is_checked_to_its_end() {
    let d = tempdir();
    // One line, no paragraph breaks; a pitch every megabyte so findings reach the end.
    let filler = "The quarterly numbers for the north region look steady, and the team is hiring. ";
    let pitch = "Can I book a quick demo? ";
    let chunk = filler.repeat(1024 * 1024 / filler.len()) + pitch;
    let line = chunk.repeat(50);
    write(d.path(), "huge.txt", line.as_bytes());
    let run = check(d.path(), &["huge.txt"]);
    assert!(run.code <= 1, "{}", preview(&run.stderr));
    let doc = run.json();
    assert_eq!(doc["summary"]["files"], 1);
    spans_ok(&doc, d.path());
    let last = files(&doc)[0]["diagnostics"]
        .as_array()
        .and_then(|ds| ds.iter().filter_map(|d| d["span"]["end"].as_u64()).max())
        .unwrap_or(0);
    assert!(
        last as usize > line.len() - chunk.len(),
        "no finding near the end of the line (last ends at {last} of {})",
        line.len()
    );
    eprintln!("50 MB line: {:?}", run.took);
}

#[test]
fn deeply_nested_mime_is_read_or_refused_quickly() {
    let d = tempdir();
    let depth = 3000;
    let mut eml = String::from("From: a@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
    for i in 0..depth {
        eml.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    eml.push_str("Content-Type: text/plain\r\n\r\nCan I book a quick demo?\r\n");
    for i in (0..depth).rev() {
        eml.push_str(&format!("--b{i}--\r\n"));
    }
    write(d.path(), "nested.eml", eml.as_bytes());
    // And a message/rfc822 chain, each part an attached message.
    let mut chain = String::new();
    for _ in 0..depth {
        chain.push_str("Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n");
    }
    chain.push_str("Subject: inner\r\n\r\nI've added you to our newsletter.\r\n");
    write(d.path(), "chain.eml", chain.as_bytes());
    let run = check(d.path(), &["nested.eml", "chain.eml"]);
    let doc = run.json();
    assert_eq!(doc["summary"]["files"], 2);
    spans_ok(&doc, d.path());
}

#[test]
fn ten_thousand_placeholders() {
    let d = tempdir();
    let mut text = String::from("Hi {{first_name}},\n\n");
    for i in 0..10_000 {
        text.push_str(&format!("{{{{var_{i}}}}} *|F{i}|* [Name {i}] "));
    }
    text.push_str("\n\nBest,\nTom\n");
    write(d.path(), "many.txt", text.as_bytes());
    write(d.path(), "many.hbs", text.as_bytes());
    for extra in [&[][..], &["--template"][..]] {
        let mut args = extra.to_vec();
        args.extend(["many.txt", "many.hbs"]);
        let run = check(d.path(), &args);
        let doc = run.json();
        assert_eq!(doc["summary"]["files"], 2);
        spans_ok(&doc, d.path());
    }
}

fn alias_bomb(prefix: &str) -> String {
    let mut text = format!("{prefix}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text
}

fn nested(depth: usize) -> String {
    format!("x: {}1{}\n", "[".repeat(depth), "]".repeat(depth))
}

fn assert_clear_yaml_error(run: &Run, file: &str) {
    assert_eq!(run.code, 2, "stderr: {}", preview(&run.stderr));
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains(file),
        "the error names {file}: {}",
        preview(&all)
    );
    assert!(
        run.took < Duration::from_secs(10),
        "took {:?}: not failing fast",
        run.took
    );
}

#[test]
fn yaml_bombs_in_rule_files_fail_fast() {
    let d = tempdir();
    write(d.path(), "m.txt", b"Hi Ana\n");
    let cases = [
        ("bomb", alias_bomb("category: early-pitch\nrules: []\n")),
        (
            "deep",
            format!("category: early-pitch\nrules: []\n{}", nested(50_000)),
        ),
        (
            "unclosed",
            format!("category: early-pitch\nrules: {}", "[".repeat(100_000)),
        ),
        (
            "deep-map",
            "category: x\nrules:\n".to_string() + &"{a: ".repeat(20_000),
        ),
    ];
    for (name, text) in cases {
        let file = format!("r-{name}/en/early-pitch.yaml");
        write(d.path(), &file, text.as_bytes());
        let rules = format!("r-{name}");
        let run = check(d.path(), &["--rules", &rules, "m.txt"]);
        assert_clear_yaml_error(&run, "early-pitch.yaml");
        let run = tactful_in(d.path(), &["test", &rules], None);
        assert_clear_yaml_error(&run, "early-pitch.yaml");
    }
}

#[test]
fn yaml_bombs_in_config_and_front_matter_fail_fast() {
    let d = tempdir();
    write(d.path(), "m.txt", b"Hi Ana, can I book a quick demo?\n");
    for (name, text) in [
        ("bomb.yaml", alias_bomb("")),
        ("deep.yaml", nested(50_000)),
        (
            "unclosed.yaml",
            "context: ".to_string() + &"{".repeat(100_000),
        ),
    ] {
        write(d.path(), name, text.as_bytes());
        let mut args = vec!["check", "--format", "json", "--config", name, "m.txt"];
        let run = tactful_in(d.path(), &args, None);
        assert_clear_yaml_error(&run, name);
        assert!(run.json()["files"][0]["error"].is_string());
        // Discovered rather than named.
        let sub = d.path().join(format!("found-{name}"));
        write(&sub, ".tactful.yaml", text.as_bytes());
        write(&sub, "m.txt", b"Hi\n");
        args = vec!["check", "--format", "json", "m.txt"];
        let run = tactful_in(&sub, &args, None);
        assert_clear_yaml_error(&run, ".tactful.yaml");
        // In a message's front matter.
        let fm = format!("---\n{text}\n---\nHi Ana, can I book a quick demo?\n");
        let f = format!("fm-{name}.txt");
        write(d.path(), &f, fm.as_bytes());
        let run = check(d.path(), &[&f]);
        assert_clear_yaml_error(&run, &f);
    }
}

fn rule_file(pattern: &str) -> String {
    format!(
        "category: early-pitch\nrules:\n  - id: early-pitch/hostile\n    severity: error\n    message: m\n    help: h\n    match: ['{pattern}']\n"
    )
}

#[test]
fn pathological_regexes_in_user_rules_are_refused_with_a_clear_error() {
    let d = tempdir();
    write(d.path(), "m.txt", b"Hi Ana, can I book a quick demo?\n");
    let cases = [
        ("huge", r"\w{1000}\w{1000}\w{1000}".to_string(), "too large"),
        (
            "counted",
            r"(?:(?:a{100}){100}){100}".to_string(),
            "too large",
        ),
        (
            "nested",
            format!("{}a{}", "(".repeat(500), ")".repeat(500)),
            "nest",
        ),
    ];
    for (name, pattern, expect) in cases {
        write(
            d.path(),
            &format!("{name}/en/early-pitch.yaml"),
            rule_file(&pattern).as_bytes(),
        );
        let run = check(d.path(), &["--rules", name, "m.txt"]);
        assert_eq!(run.code, 2, "{name}: {}", preview(&run.stderr));
        let all = (run.stdout.clone() + &run.stderr).to_lowercase();
        assert!(all.contains(expect), "{name}: {}", preview(&all));
        assert!(all.contains("early-pitch.yaml"), "{name}");
        assert!(run.took < Duration::from_secs(20), "{name}: {:?}", run.took);
    }
}

#[test]
fn backtracking_traps_do_not_hang() {
    // Catastrophic for a backtracking engine; the regex crate matches in linear time.
    let d = tempdir();
    write(
        d.path(),
        "trap/en/early-pitch.yaml",
        rule_file(r"(?:a+)+b|(?:\w+\s?)+!").as_bytes(),
    );
    let text = "a".repeat(200_000) + " " + &"word ".repeat(20_000);
    write(d.path(), "m.txt", text.as_bytes());
    let run = check(d.path(), &["--rules", "trap", "m.txt"]);
    assert!(run.code <= 1, "{}", preview(&run.stderr));
    run.json();
}

fn is_root_reading(p: &Path) -> bool {
    std::fs::read(p).is_ok()
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempdir();
    let locked = write(d.path(), "locked.txt", b"Can I book a quick demo?\n");
    write(d.path(), "ok.txt", b"Hi Ana\n");
    write(d.path(), "shut/inner.txt", b"Hi\n");
    let set = |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
    set(&locked, 0o000).expect("chmod");
    set(&d.path().join("shut"), 0o000).expect("chmod");
    let run = check(d.path(), &["locked.txt", "ok.txt", "shut"]);
    let doc = run.json();
    // Root reads through chmod 000; then the files are simply checked.
    if is_root_reading(&locked) {
        eprintln!("running as root: chmod 000 does not stop reads, error assertions skipped");
        assert!(run.code <= 1);
    } else {
        assert_eq!(run.code, 2);
        let err = error_of(&doc, "locked.txt");
        assert!(err.to_lowercase().contains("permission denied"), "{err}");
        assert!(files(&doc).iter().any(|f| f["path"] == "shut"), "{doc}");
    }
    assert!(files(&doc).iter().any(|f| f["path"] == "ok.txt"));
    let _ = set(&d.path().join("shut"), 0o755);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    use std::os::unix::fs::symlink;
    let d = tempdir();
    write(d.path(), "tree/a/m.txt", b"Can I book a quick demo?\n");
    symlink("..", d.path().join("tree/a/up")).expect("symlink");
    symlink("../tree", d.path().join("tree/a/again")).expect("symlink");
    symlink("self.txt", d.path().join("tree/self.txt")).expect("symlink");
    symlink("pong.txt", d.path().join("tree/ping.txt")).expect("symlink");
    symlink("ping.txt", d.path().join("tree/pong.txt")).expect("symlink");
    let run = check(d.path(), &["tree"]);
    let doc = run.json();
    assert!(
        files(&doc).iter().any(|f| f["path"] == "tree/a/m.txt"),
        "{doc}"
    );
    // Named directly, a looping link is an input error with a clear reason.
    let run = check(d.path(), &["tree/self.txt", "tree/ping.txt"]);
    assert_eq!(run.code, 2);
    let err = error_of(&run.json(), "tree/self.txt");
    assert!(
        err.contains("symbolic link") || err.contains("loop"),
        "{err}"
    );
    // A rule folder with a loop in it.
    write(
        d.path(),
        "rules/en/x.yaml",
        rule_file("zebra demo").as_bytes(),
    );
    symlink("..", d.path().join("rules/en/up")).expect("symlink");
    let run = check(d.path(), &["--rules", "rules", "tree/a/m.txt"]);
    run.json();
}

#[cfg(unix)]
#[test]
fn special_files_do_not_block() {
    let d = tempdir();
    let fifo = d.path().join("pipe.txt");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mkfifo unavailable: skipped");
        return;
    }
    // Named: an input error. Inside a folder: skipped. Neither may wait for a writer.
    let run = check(d.path(), &["pipe.txt"]);
    assert_eq!(run.code, 2);
    assert!(error_of(&run.json(), "pipe.txt").contains("not a regular file"));
    let run = check(d.path(), &["."]);
    run.json();
}

#[test]
fn a_file_that_changes_while_read_gets_a_best_effort_check() {
    let d = tempdir();
    let p = write(d.path(), "moving.txt", b"Hi Ana\n");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (p, stop) = (p.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Truncate, grow, rewrite with multi-byte text that may be cut mid-character.
                let body = "Can I book a quick demo? żółw ה 👋 ".repeat((i % 5000) as usize);
                let _ = std::fs::write(&p, body.as_bytes());
                if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(&p) {
                    let _ = f.write_all(&[0xe2, 0x82]);
                }
                i += 1;
            }
        })
    };
    for _ in 0..8 {
        let run = check(d.path(), &["moving.txt", "moving.txt"]);
        let doc = run.json();
        assert_eq!(doc["summary"]["files"], 2);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = writer.join();
}

#[test]
fn json_stays_one_document_when_every_kind_of_input_fails() {
    let d = tempdir();
    write(d.path(), "good.txt", b"Can I book a quick demo?\n");
    write(d.path(), "bad.txt", b"\xff\xff");
    write(d.path(), "fm.txt", b"---\nstage: [\n---\nHi\n");
    let run = check(
        d.path(),
        &["good.txt", "bad.txt", "missing.txt", "fm.txt", "-"],
    );
    // stdin is /dev/null here: an empty message.
    assert_eq!(run.code, 2);
    let doc = run.json();
    assert_eq!(doc["summary"]["files"], 5);
    assert!(error_of(&doc, "missing.txt").contains("no such file"));
    assert!(error_of(&doc, "fm.txt").contains("front matter"));
    // jsonl: every line is an object.
    let run = tactful_in(
        d.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "jsonl",
            "good.txt",
            "bad.txt",
            "missing.txt",
        ],
        None,
    );
    for line in run.stdout.lines() {
        serde_json::from_str::<Value>(line).expect("jsonl line");
    }
    // SARIF: one document, every file that could not be read named in it.
    let run = tactful_in(
        d.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "sarif",
            "good.txt",
            "bad.txt",
            "missing.txt",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    let sarif = run.json();
    let text = sarif.to_string();
    assert!(
        text.contains("bad.txt") && text.contains("missing.txt"),
        "{text}"
    );
}

/// The mail parser test corpus in `../shared/corpora/eml/` (real and deliberately broken mail),
/// when it is there: checked in place, never copied into the repository.
#[test]
fn real_broken_mail_from_the_shared_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/eml");
    let corpus = if corpus.is_dir() {
        corpus
    } else {
        PathBuf::from("/work/shared/corpora/eml")
    };
    if !corpus.is_dir() {
        eprintln!("no shared mail corpus: skipped");
        return;
    }
    let run = check(&corpus, &["."]);
    let doc = run.json();
    let n = files(&doc).len();
    assert!(n >= 10, "only {n} files checked");
    let failed = files(&doc)
        .iter()
        .filter(|f| f.get("error").is_some())
        .count();
    eprintln!(
        "shared mail corpus: {n} files, {failed} could not be read, exit {}, {:?}",
        run.code, run.took
    );
    spans_ok(&doc, &corpus);
}

/// `--fix` killed at random moments: every file is either exactly as it was or exactly as a
/// finished fix leaves it, never truncated or half written; a temporary file a kill leaves
/// behind is hidden, so `check` never reads it as a message.
#[cfg(unix)]
#[test]
fn fix_killed_midway_never_leaves_a_truncated_file() {
    let d = tempdir();
    // Large files make the write window wide enough for a kill to land in it.
    let filler =
        "Thanks for the notes from Tuesday; the pilot in the north went well. ".repeat(4000);
    let original = format!("Hi Ana,\n\nI've added you to our newsletter. {filler}\n\nBest,\nJo\n");
    let fixed_once = {
        write(d.path(), "probe/m.txt", original.as_bytes());
        let run = tactful_in(
            &d.path().join("probe"),
            &[
                "check",
                "--no-config",
                "--fix",
                "--format",
                "short",
                "m.txt",
            ],
            None,
        );
        assert!(run.code <= 1, "{}", run.stderr);
        std::fs::read_to_string(d.path().join("probe/m.txt")).expect("read")
    };
    assert_ne!(fixed_once, original, "the probe fix changed nothing");
    let dir = d.path().join("work");
    for round in 0..6u64 {
        for i in 0..20 {
            write(&dir, &format!("m{i:02}.txt"), original.as_bytes());
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_tactful"))
            .args(["check", "--no-config", "--fix", "--format", "short", "."])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(5 + round * 15));
        let _ = child.kill();
        let _ = child.wait();
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let p = entry.expect("entry").path();
            let text = std::fs::read(&p).expect("read");
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if name.ends_with(".txt") {
                assert!(
                    text == original.as_bytes() || text == fixed_once.as_bytes(),
                    "round {round}: {name} is neither the original nor the fixed text ({} bytes)",
                    text.len()
                );
            } else {
                assert!(
                    name.starts_with('.'),
                    "round {round}: a visible leftover {name}"
                );
            }
        }
    }
}
