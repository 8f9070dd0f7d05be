//! The evaluation set in `tests/eval/<lang>/`: realistic messages written by people who did not write
//! the rules, each with the categories it must produce in its front matter (`expect: […]`).
//! This pins precision and recall per language so a rule change that loses either shows up.
//! (`tests/eval/score.py` prints the full per-category table; this test is its CI guard.)

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Precision first: a linter that cries wolf gets switched off.
const MIN_PRECISION: f64 = 0.9;
const MIN_RECALL: f64 = 0.8;

fn expected(text: &str) -> Option<BTreeSet<String>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = body.lines();
    if lines.next()?.trim() != "---" {
        return None;
    }
    for line in lines {
        if line.trim() == "---" {
            break;
        }
        if let Some(v) = line.strip_prefix("expect:") {
            let v = v.trim().trim_start_matches('[').trim_end_matches(']');
            return Some(
                v.split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
            );
        }
    }
    None
}

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

#[test]
fn evaluation_set_meets_the_precision_and_recall_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--format", "json", "--no-config", "tests/eval"])
        .current_dir(root)
        .output()
        .expect("run tactful");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let mut per_lang: BTreeMap<String, Counts> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut files = 0;
    for f in doc["files"].as_array().expect("files") {
        let path = f["path"].as_str().expect("path");
        let text = std::fs::read_to_string(root.join(path)).expect("read");
        let Some(want) = expected(&text) else {
            continue;
        };
        files += 1;
        // tests/eval/<lang>/<file>
        let lang = Path::new(path)
            .parent()
            .and_then(Path::file_name)
            .map_or("?".into(), |l| l.to_string_lossy().into_owned());
        let got: BTreeSet<String> = f["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["category"].as_str())
            .filter(|c| !c.starts_with("tactful"))
            .map(String::from)
            .collect();
        let c = per_lang.entry(lang).or_default();
        for cat in got.union(&want) {
            match (got.contains(cat), want.contains(cat)) {
                (true, true) => c.tp += 1,
                (true, false) => {
                    c.fp += 1;
                    misses.push(format!("false alarm {cat}: {path}"));
                }
                (false, true) => {
                    c.fn_ += 1;
                    misses.push(format!("missed {cat}: {path}"));
                }
                _ => {}
            }
        }
    }
    assert!(
        files >= 300,
        "expected the evaluation set, found {files} files"
    );
    let mut report = String::new();
    let mut failing = Vec::new();
    for (lang, c) in &per_lang {
        let p = c.tp as f64 / (c.tp + c.fp).max(1) as f64;
        let r = c.tp as f64 / (c.tp + c.fn_).max(1) as f64;
        report.push_str(&format!(
            "{lang}: precision {p:.2} recall {r:.2} (tp {} fp {} fn {})\n",
            c.tp, c.fp, c.fn_
        ));
        if p < MIN_PRECISION || r < MIN_RECALL {
            failing.push(lang.clone());
        }
    }
    eprintln!("{report}");
    assert!(
        failing.is_empty(),
        "below target in {failing:?}:\n{report}\n{}",
        misses.join("\n")
    );
}
