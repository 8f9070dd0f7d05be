//! The one table of the rules tactful reports itself (`tactful/*`): each one's id, severity,
//! message, description and help are defined here and nowhere else. The code that reports one
//! (the linter, the suppression check, the finding cap) builds its finding from its entry,
//! adding only what it found (the specific message, the span, the label); `explain`, `rules`,
//! SARIF, the docs pages and the config's rule-id check read the same entries.

use crate::finding::{Finding, Severity, Text};
use std::ops::Range;

/// A rule the linter reports itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Internal {
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub message: &'static str,
    /// What it reports, in full (the message when it says enough).
    pub description: &'static str,
    /// What to do: the help of every finding of the rule.
    pub help: &'static str,
    /// How to turn it off, when `severity:` and `allow:` cannot (its docs page says this).
    pub turning_off: Option<&'static str>,
}

impl Internal {
    /// A finding of this rule: `message` says what was found, `label` sits under `span`.
    pub fn finding(
        &self,
        message: impl Into<String>,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: self.id.into(),
            category: CATEGORY.into(),
            severity: self.severity,
            message: Text::from(message.into()),
            help: Text::from(self.help),
            span,
            label: Text::from(label.into()),
            related: Vec::new(),
            suggestion: None,
            confidence: None,
        }
    }
}

/// The category of every internal rule.
pub const CATEGORY: &str = "tactful";

/// The id under which errors (exit 2: a file or a rule that could not be read) are shown by
/// the reporters and the language server. Errors are not findings, so it has no entry in
/// [`ALL`].
pub const INPUT_ERROR: &str = "tactful/input";

pub const NO_RULE_PACK: Internal = Internal {
    id: "tactful/no-rule-pack",
    severity: Severity::Info,
    message: "no rule pack for the message's language",
    description: "no rule pack for the message's language",
    help: "Set `lang:` in front matter or use --lang if language detection is wrong.",
    turning_off: None,
};

pub const CAPPED: Internal = Internal {
    id: "tactful/capped",
    severity: Severity::Warning,
    message: "more findings of one rule than a file lists",
    description: "After the first findings of a rule in a file (50 unless `--max-per-rule` or \
                  the config's `max-per-rule:` says otherwise), the rest are replaced by this \
                  one finding, placed where the first hidden one was, saying how many more \
                  there are. Its level is the highest among those it stands for. Totals, the \
                  exit status and `--fix` still count every finding.",
    help: "Fix the findings listed first, or run with `--max-per-rule 0` (or set \
           `max-per-rule: 0` in .tactful.yaml) to list them all.",
    // Severities and suppressions apply before the cap and cannot reach its summary.
    turning_off: Some(
        "`--max-per-rule 0` on the command line, or `max-per-rule: 0` in `.tactful.yaml`, \
         turns the cap off and lists every finding; a larger number raises it. `severity:` and \
         `allow:` do not: they act on the findings before the cap counts them, so setting \
         `tactful/capped` to `off` or allowing it changes nothing. `tactful explain \
         tactful/capped` prints the same sections in a terminal.",
    ),
};

pub const UNUSED_SUPPRESSION: Internal = Internal {
    id: "tactful/unused-suppression",
    severity: Severity::Warning,
    message: "a suppression silences nothing",
    description: "a suppression silences nothing",
    help: "Remove the `allow:` entry or the `tactful-disable` comment, so that a future finding \
           of this rule is not hidden.",
    turning_off: None,
};

pub const UNKNOWN_KEY: Internal = Internal {
    id: "tactful/unknown-key",
    severity: Severity::Warning,
    message: "a front matter key looks like a misspelt tactful key",
    description: "A key in a message's front matter that tactful does not read but that is \
                  close to one it does (`chanel:` for `channel:`). Other keys, such as a \
                  Markdown draft's `title:` or `date:`, are left alone.",
    help: "Rename the key (`chanel:` → `channel:`); until then the setting it was meant for \
           does not apply.",
    turning_off: None,
};

pub const MALFORMED_INPUT: Internal = Internal {
    id: "tactful/malformed-input",
    severity: Severity::Warning,
    message: "part of the file could not be read as its format requires",
    description: "The reader checked what it could but met something broken: an email without \
                  headers, a part with an unknown encoding, a byte that is not valid in the \
                  file's character set.",
    help: "Fix or re-export the file (for an email, export it again as .eml) so that all of it \
           is checked.",
    turning_off: None,
};

/// Every internal rule, in the order the catalog lists them.
pub const ALL: [Internal; 5] = [
    NO_RULE_PACK,
    CAPPED,
    UNUSED_SUPPRESSION,
    UNKNOWN_KEY,
    MALFORMED_INPUT,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// No `"tactful/…"` id is written anywhere in `src/` outside this file: the code names an
    /// internal rule through its entry, so none can be reported without being described.
    #[test]
    fn internal_ids_are_written_only_here() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).expect("read src").flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        // Strings that start the same way but name no rule.
        const NOT_RULES: [&str; 2] = ["tactful/register-watchers", "tactful/README.md"];
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
        let mut stray = Vec::new();
        for p in files.iter().filter(|p| !p.ends_with("src/internal.rs")) {
            let text = std::fs::read_to_string(p).expect("read");
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (i, _) in code.match_indices("\"tactful/") {
                let id: String = code[i + 1..].chars().take_while(|c| *c != '"').collect();
                if !NOT_RULES.contains(&id.as_str()) {
                    stray.push(format!("{}: {id}", p.display()));
                }
            }
        }
        assert!(
            stray.is_empty(),
            "name these through crate::internal: {stray:?}"
        );
    }

    #[test]
    fn a_finding_takes_its_severity_and_help_from_the_table() {
        let f = NO_RULE_PACK.finding("m", 0..0, "l");
        assert_eq!(
            (f.rule.as_str(), f.severity),
            (NO_RULE_PACK.id, Severity::Info)
        );
        assert_eq!(f.help, NO_RULE_PACK.help);
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
    }
}
