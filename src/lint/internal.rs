//! The findings the linter reports itself (`tactful/*`), built from the one table of internal
//! rules ([`crate::rules::catalog::internal_rules`], which `explain`, `rules`, SARIF and the
//! config's rule-id check read too): a finding's severity and category always agree with
//! what those describe.

use crate::finding::{Finding, Severity, Text};
use crate::rules::catalog::internal_rules;
use std::ops::Range;

/// A finding of internal rule `id`, at the table's severity.
pub fn finding(
    id: &str,
    message: impl Into<String>,
    help: impl Into<String>,
    span: Range<usize>,
    label: impl Into<String>,
) -> Finding {
    let severity = internal_rules()
        .into_iter()
        .find(|r| r.id == id)
        .map_or(Severity::Warning, |r| r.severity);
    Finding {
        rule: id.into(),
        category: "tactful".into(),
        severity,
        message: Text::from(message.into()),
        help: Text::from(help.into()),
        span,
        label: Text::from(label.into()),
        related: Vec::new(),
        suggestion: None,
        confidence: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `tactful/…` id the code reports is in the table (a new one must be added there,
    /// or `explain` and SARIF would not know it).
    #[test]
    fn every_internal_id_in_the_source_is_in_the_table() {
        let ids: Vec<String> = internal_rules().into_iter().map(|r| r.id).collect();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut used = Vec::new();
        for dir in ["lint", "."] {
            for e in std::fs::read_dir(src.join(dir)).unwrap().flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    let code = text.split("#[cfg(test)]").next().unwrap_or("");
                    for (i, _) in code.match_indices("\"tactful/") {
                        let id: String = code[i + 1..].chars().take_while(|c| *c != '"').collect();
                        used.push((p.display().to_string(), id));
                    }
                }
            }
        }
        assert!(used.iter().any(|(_, id)| id == "tactful/no-rule-pack"));
        let missing: Vec<_> = used
            .iter()
            .filter(|(_, id)| id != "tactful/input" && !ids.contains(id))
            .collect();
        assert!(missing.is_empty(), "not in internal_rules(): {missing:?}");
    }

    #[test]
    fn severity_comes_from_the_table() {
        let f = finding("tactful/no-rule-pack", "m", "h", 0..0, "l");
        assert_eq!(f.severity, Severity::Info);
        let f = finding("tactful/malformed-input", "m", "h", 0..0, "l");
        assert_eq!(f.severity, Severity::Warning);
    }
}
