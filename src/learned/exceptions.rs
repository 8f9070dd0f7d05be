//! The message-level exceptions the layer honours, from each language pack's pattern variables:
//! a pitch or a favour the reader asked for (`requested`), a favour asked with something offered
//! (`offer`), a list the reader agreed to (`consented`), and sign-up sentences that ask first or
//! deny (`askfirst`, `neg`). Compiled only when a candidate needs them.

use crate::rules::Registry;
use crate::text::fold::fold_str;
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

fn var_regex(registry: &Registry, lang: &str, name: &str) -> Option<Regex> {
    type Cache = Mutex<HashMap<(String, String), Option<Regex>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (lang.to_string(), name.to_string());
    if let Some(r) = cache.lock().ok()?.get(&key) {
        return r.clone();
    }
    let re = registry.pack_var(lang, name).and_then(|v| {
        Regex::new(&format!(
            r"(?:^|[^\p{{L}}\p{{N}}_])(?:{v})(?:[^\p{{L}}\p{{N}}_]|$)"
        ))
        .ok()
    });
    cache.lock().ok()?.insert(key, re.clone());
    re
}

fn matches(registry: &Registry, lang: &str, name: &str, folded: &str) -> bool {
    var_regex(registry, lang, name).is_some_and(|r| r.is_match(folded))
}

/// Whether a learned finding of `category` on `sentence` is excused by the message (`folded`:
/// the message's own words, folded once by the caller).
pub fn excused(
    registry: &Registry,
    lang: &str,
    category: &str,
    folded: &str,
    sentence: &str,
) -> bool {
    let (in_message, in_sentence): (&[&str], &[&str]) = match category {
        "early-pitch" => (&["requested"], &[]),
        "ask-before-give" => (&["requested", "offer"], &[]),
        "signup-without-consent" => (&["consented"], &["askfirst", "neg"]),
        _ => (&[], &[]),
    };
    if in_message.is_empty() && in_sentence.is_empty() {
        return false;
    }
    let s = fold_str(sentence);
    in_message
        .iter()
        .any(|v| matches(registry, lang, v, folded))
        || in_sentence.iter().any(|v| matches(registry, lang, v, &s))
}
