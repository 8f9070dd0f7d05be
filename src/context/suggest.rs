//! "Did you mean …?" for a mistyped setting, rule id or key (as rustc and ruff suggest).

/// The candidate closest to `given`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let given = given.trim();
    if given.is_empty() {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, c)| {
            // Short words need a near match, or `en` would "suggest" every two-letter code.
            *score >= 0.8 && (c.chars().count() > 3 || strsim::damerau_levenshtein(given, c) <= 1)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `"; did you mean `x`?"`, or nothing when no candidate is close.
pub fn suggestion_suffix<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(given, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_candidate_only_when_close() {
        let ids = [
            "early-pitch/calendar-link",
            "early-pitch/demo-request",
            "self-focus",
        ];
        assert_eq!(
            did_you_mean("early-pitch/calender-link", ids),
            Some("early-pitch/calendar-link")
        );
        assert_eq!(did_you_mean("self-focsu", ids), Some("self-focus"));
        assert_eq!(did_you_mean("newsletter", ids), None);
        assert_eq!(did_you_mean("de", ["en", "es"]), None);
        assert_eq!(
            did_you_mean("chanel", ["stage", "channel", "lang"]),
            Some("channel")
        );
    }
}
