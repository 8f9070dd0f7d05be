//! SARIF `partialFingerprints` identify a finding by what it says, not where: adding lines
//! above a finding keeps its fingerprint (code scanning keeps the same alert), and two findings
//! of the same rule on the same words stay apart.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// (rule, start line, fingerprint) of each result for `body` written as `draft.txt`.
fn results(dir: &Path, body: &str) -> Vec<(String, u64, String)> {
    std::fs::write(dir.join("draft.txt"), body).expect("write draft");
    let out = Command::new(env!("CARGO_BIN_EXE_tactful"))
        .args(["check", "--no-config", "--format", "sarif", "draft.txt"])
        .current_dir(dir)
        .output()
        .expect("run tactful");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let prints = r["partialFingerprints"]
                .as_object()
                .expect("partialFingerprints");
            assert_eq!(prints.len(), 1);
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                prints
                    .values()
                    .next()
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_lines_added_above() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "Hi Ines,\n\nCould we book a quick demo next week?\n\nBest,\nTom\n";
    let before = results(dir.path(), body);
    assert!(!before.is_empty());
    let shifted = body.replace(
        "Hi Ines,\n\n",
        "Hi Ines,\n\nI enjoyed your piece on supplier audits.\nThe part on spot checks was new to me.\n\n",
    );
    let after = results(dir.path(), &shifted);
    assert_eq!(after.len(), before.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1 + 3, "the finding moved down three lines");
        assert_eq!(a.2, b.2, "{}: same fingerprint after the shift", a.0);
    }
}

#[test]
fn the_same_words_twice_get_two_fingerprints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "Hi Ines,\n\nCould we book a quick demo next week? If not, could we book a quick demo in May?\n\nTom\n";
    let found: Vec<(String, u64, String)> = results(dir.path(), body)
        .into_iter()
        .filter(|r| r.0 == "early-pitch/demo-request")
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_ne!(found[0].2, found[1].2);
}
