//! `--select`, `--extend-select` and `--ignore`: which rules a run reports, by rule id or
//! category, as ruff chooses its rules. A rule is on when a selector names it (no `--select`
//! means every rule) and no ignore names it as specifically: a rule id beats a category, and at
//! equal specificity an ignore wins (`--select early-pitch --ignore early-pitch/price-quote`
//! keeps the rest of the category; `--ignore early-pitch --select early-pitch/demo-request`
//! keeps the one rule).

use super::KnownNames;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    select: Option<Vec<String>>,
    extend: Vec<String>,
    ignore: Vec<String>,
}

/// How specifically a selector names a rule: 2 its id, 1 its category, 0 not at all.
fn specificity(selector: &str, rule: &str, category: &str) -> u8 {
    if selector == rule {
        2
    } else if selector == category {
        1
    } else {
        0
    }
}

impl Selection {
    pub fn new(select: Vec<String>, extend: Vec<String>, ignore: Vec<String>) -> Selection {
        Selection {
            select: (!select.is_empty()).then_some(select),
            extend,
            ignore,
        }
    }

    /// Whether the run selects everything (nothing to filter).
    pub fn is_all(&self) -> bool {
        self.select.is_none() && self.ignore.is_empty()
    }

    /// Every selector must be a rule id or a category the rules know.
    pub fn check(&self, known: &KnownNames) -> Result<(), String> {
        let groups = [
            ("--select", self.select.as_deref().unwrap_or_default()),
            ("--extend-select", &self.extend[..]),
            ("--ignore", &self.ignore[..]),
        ];
        for (flag, list) in groups {
            for s in list {
                known
                    .check(s, false)
                    .map_err(|m| format!("invalid value for {flag}: {m}"))?;
            }
        }
        Ok(())
    }

    pub fn enabled(&self, rule: &str, category: &str) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .map(|s| specificity(s, rule, category))
                .max()
                .unwrap_or(0)
        };
        let selected = match &self.select {
            None => best(&self.extend).max(1),
            Some(s) => best(s).max(best(&self.extend)),
        };
        selected > 0 && best(&self.ignore) < selected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(select: &[&str], extend: &[&str], ignore: &[&str]) -> Selection {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Selection::new(v(select), v(extend), v(ignore))
    }

    #[test]
    fn selects_by_category_or_id_and_the_more_specific_wins() {
        let all = sel(&[], &[], &[]);
        assert!(all.is_all() && all.enabled("early-pitch/demo", "early-pitch"));

        let s = sel(&["early-pitch"], &[], &["early-pitch/price"]);
        assert!(s.enabled("early-pitch/demo", "early-pitch"));
        assert!(!s.enabled("early-pitch/price", "early-pitch"));
        assert!(!s.enabled("self-focus/we", "self-focus"));

        let s = sel(&[], &[], &["early-pitch"]);
        assert!(!s.enabled("early-pitch/demo", "early-pitch"));
        assert!(s.enabled("self-focus/we", "self-focus"));

        let s = sel(&["early-pitch/demo"], &[], &["early-pitch"]);
        assert!(s.enabled("early-pitch/demo", "early-pitch"));
        assert!(!s.enabled("early-pitch/price", "early-pitch"));

        let s = sel(&["self-focus"], &["early-pitch/demo"], &[]);
        assert!(s.enabled("early-pitch/demo", "early-pitch"));
        assert!(s.enabled("self-focus/we", "self-focus"));
        assert!(!s.enabled("early-pitch/price", "early-pitch"));

        let s = sel(&[], &[], &["early-pitch/demo"]);
        assert!(!s.enabled("early-pitch/demo", "early-pitch"));
        assert!(s.enabled("early-pitch/price", "early-pitch"));
    }
}
