//! Whole-message fixtures: each file's name says what it must produce (`<category>--…` at least
//! one finding of that category, `clean--…` none at all), and an insta snapshot pins everything
//! the tool says about it, spans and the text under them included.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn check_json(dir: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--format", "json", "--no-config", dir])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run tactful");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

/// A compact, reviewable rendering of one file's diagnostics.
fn render(file: &Value, bytes: &[u8]) -> String {
    let mut s = String::new();
    for d in file["diagnostics"].as_array().into_iter().flatten() {
        let (a, b) = (
            d["span"]["start"].as_u64().unwrap_or(0) as usize,
            d["span"]["end"].as_u64().unwrap_or(0) as usize,
        );
        let under = String::from_utf8_lossy(&bytes[a..b]);
        assert_eq!(
            d["text"].as_str(),
            Some(under.as_ref()),
            "`text` is the bytes under the span"
        );
        s.push_str(&format!(
            "{}:{} {}[{}] {:?}\n",
            d["start"]["line"],
            d["start"]["column"],
            d["severity"].as_str().unwrap_or(""),
            d["rule"].as_str().unwrap_or(""),
            under
        ));
        for r in d["related"].as_array().into_iter().flatten() {
            let (ra, rb) = (
                r["span"]["start"].as_u64().unwrap_or(0) as usize,
                r["span"]["end"].as_u64().unwrap_or(0) as usize,
            );
            s.push_str(&format!(
                "    related {:?}: {}\n",
                String::from_utf8_lossy(&bytes[ra..rb]),
                r["label"].as_str().unwrap_or("")
            ));
        }
    }
    if s.is_empty() {
        s.push_str("(no findings)\n");
    }
    s
}

#[test]
fn fixtures_produce_what_their_names_promise() {
    let doc = check_json("fixtures");
    let files = doc["files"].as_array().expect("files");
    assert!(
        files.len() >= 40,
        "expected at least 40 fixtures, found {}",
        files.len()
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    for f in files {
        let path = f["path"].as_str().expect("path");
        assert!(f.get("error").is_none(), "{path}: {}", f["error"]);
        let name = Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let expected = name.split("--").next().unwrap_or("");
        let diags = f["diagnostics"].as_array().expect("diagnostics");
        let cats: Vec<&str> = diags
            .iter()
            .filter_map(|d| d["category"].as_str())
            .collect();
        if expected == "clean" {
            if !diags.is_empty() {
                problems.push(format!("{path}: expected no findings, got {cats:?}"));
            }
        } else if !cats.contains(&expected) {
            problems.push(format!(
                "{path}: expected a `{expected}` finding, got {cats:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for f in files {
        let path = f["path"].as_str().expect("path");
        let bytes = std::fs::read(root.join(path)).expect("read fixture");
        let snapshot_name = path
            .trim_start_matches("fixtures/")
            .replace(['/', '.'], "__");
        insta::with_settings!({snapshot_path => "snapshots/fixtures", prepend_module_to_snapshot => false, description => path}, {
            insta::assert_snapshot!(snapshot_name, render(f, &bytes));
        });
    }
}
