//! A static check of a pattern's shape: whether it can end on a lone digit, which the
//! word-boundary rule turns into a pattern that finds "$9" and never "$90" (`tactful test
//! --coverage` and the built-in rules' tests report it).

/// Whether a (variable-expanded) pattern can end on a single digit that nothing lets grow:
/// `for \$[0-9]` or `à \d`. A match must end at the end of a word, so such a pattern finds "$9"
/// but never "$90" or "$900": almost always a forgotten `+` or `[\d.,]*`. A digit right after
/// another one (`(?:19|20)\d\d`, a year) is a fixed-length number and fine. `None`: the
/// pattern does not parse.
pub fn ends_in_lone_digit(source: &str) -> Option<bool> {
    let hir = super::literals::parse(source).ok()?;
    Some(ends(&hir).contains(&End::LoneDigit))
}

/// What a pattern's last piece can be, for [`ends_in_lone_digit`].
#[derive(Clone, Copy, PartialEq)]
enum End {
    /// Matches nothing (an anchor, `\b`, an empty group): look at what comes before.
    Empty,
    /// A single digit class, not repeated.
    LoneDigit,
    /// A digit that can repeat, a digit literal, or anything else.
    Other,
}

/// Every way `hir` can end (one entry per alternative it can end with).
fn ends(hir: &regex_syntax::hir::Hir) -> Vec<End> {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![End::Empty],
        HirKind::Literal(_) => vec![End::Other],
        HirKind::Class(c) => {
            let digit = match c {
                Class::Unicode(u) => u
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= '9' && r.end() >= '0'),
                Class::Bytes(b) => b
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= b'9' && r.end() >= b'0'),
            };
            vec![if digit { End::LoneDigit } else { End::Other }]
        }
        HirKind::Repetition(r) => {
            if r.max == Some(1) {
                let mut out = ends(&r.sub);
                if r.min == 0 {
                    out.push(End::Empty);
                }
                out
            } else {
                vec![End::Other]
            }
        }
        HirKind::Capture(c) => ends(&c.sub),
        HirKind::Alternation(alts) => alts.iter().flat_map(ends).collect(),
        HirKind::Concat(items) => concat_ends(items),
    }
}

/// The ends of a sequence: its last piece's, and where that can be empty, the piece before's.
/// A lone digit right after a piece that ends in a digit is the tail of a fixed-length number.
fn concat_ends(items: &[regex_syntax::hir::Hir]) -> Vec<End> {
    let Some((last, rest)) = items.split_last() else {
        return vec![End::Empty];
    };
    let mut out = Vec::new();
    for e in ends(last) {
        match e {
            End::Empty => out.extend(concat_ends(rest)),
            End::LoneDigit if ends_with_digit(rest) => out.push(End::Other),
            e => out.push(e),
        }
    }
    out
}

/// Whether the sequence can end in a digit (of any kind: lone, repeated or literal).
fn ends_with_digit(items: &[regex_syntax::hir::Hir]) -> bool {
    use regex_syntax::hir::HirKind;
    let Some(last) = items.last() else {
        return false;
    };
    match last.kind() {
        HirKind::Literal(l) => l.0.last().is_some_and(|b| b.is_ascii_digit()),
        HirKind::Class(_) => ends(last).contains(&End::LoneDigit),
        HirKind::Repetition(r) => {
            ends_with_digit(std::slice::from_ref(&r.sub)) || ends(&r.sub).contains(&End::LoneDigit)
        }
        HirKind::Capture(c) => ends_with_digit(std::slice::from_ref(&c.sub)),
        HirKind::Alternation(alts) => alts
            .iter()
            .any(|a| ends_with_digit(std::slice::from_ref(a))),
        HirKind::Concat(items) => ends_with_digit(items),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::ends_in_lone_digit;

    #[test]
    fn a_single_digit_at_the_end_is_reported_and_a_number_that_can_grow_is_not() {
        for bad in [
            r"for \$[0-9]",
            r"à (?:\d|seulement)",
            r"at \d\b",
            r"(?:€ ?\d|\d[\d.,]* ?€)",
            r"de \d(?: estrellas)?",
        ] {
            assert_eq!(ends_in_lone_digit(bad), Some(true), "{bad}");
        }
        for good in [
            r"for \$[0-9][0-9,.]*k?",
            r"\d+ ?%",
            r"founded in (?:19|20)\d\d",
            r"call me on \+?[0-9][0-9 -]{5,}[0-9]",
            r"at \d+(?:am|pm)?",
            r"in 2020",
            r"(?:€ ?\d[\d.,]*|\d[\d.,]* ?€)",
        ] {
            assert_eq!(ends_in_lone_digit(good), Some(false), "{good}");
        }
        assert_eq!(ends_in_lone_digit("(unclosed"), None);
    }
}
