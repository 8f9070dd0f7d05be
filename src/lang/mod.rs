//! Language detection for `--lang auto`, restricted to the languages that have rule packs
//! (unrestricted, short Italian comes back as Indonesian).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use unicode_segmentation::UnicodeSegmentation;
use whatlang::{Detector, Lang};

fn to_whatlang(code: &str) -> Option<Lang> {
    Some(match code {
        "en" => Lang::Eng,
        "es" => Lang::Spa,
        "it" => Lang::Ita,
        "nl" => Lang::Nld,
        "pl" => Lang::Pol,
        "he" => Lang::Heb,
        "de" => Lang::Deu,
        "fr" => Lang::Fra,
        "pt" => Lang::Por,
        "ru" => Lang::Rus,
        "uk" => Lang::Ukr,
        "sv" => Lang::Swe,
        "da" => Lang::Dan,
        "fi" => Lang::Fin,
        "cs" => Lang::Ces,
        "tr" => Lang::Tur,
        "ro" => Lang::Ron,
        "hu" => Lang::Hun,
        "ar" => Lang::Ara,
        "ja" => Lang::Jpn,
        "zh" => Lang::Cmn,
        _ => return None,
    })
}

fn from_whatlang(l: Lang) -> &'static str {
    match l {
        Lang::Eng => "en",
        Lang::Spa => "es",
        Lang::Ita => "it",
        Lang::Nld => "nl",
        Lang::Pol => "pl",
        Lang::Heb => "he",
        Lang::Deu => "de",
        Lang::Fra => "fr",
        Lang::Por => "pt",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Fin => "fi",
        Lang::Ces => "cs",
        Lang::Tur => "tr",
        Lang::Ron => "ro",
        Lang::Hun => "hu",
        Lang::Ara => "ar",
        Lang::Jpn => "ja",
        Lang::Cmn => "zh",
        _ => "und",
    }
}

/// Languages detection can tell apart beyond those with packs, so that a message in a language
/// without rules is recognised as such instead of being forced into the nearest pack.
const ALSO_DETECTED: &[&str] = &[
    "ru", "uk", "sv", "da", "fi", "cs", "tr", "ro", "hu", "ar", "ja", "zh",
];

/// A cheap hash for the stop-word map (FxHash's multiply-rotate): it is looked up once per word
/// of every message, where SipHash cost a fifth of detection. Its keys are the packs' stop words
/// and input only looks them up, so crafted input cannot pile keys into one bucket.
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl WordHasher {
    fn eat(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.eat(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.eat(u64::from(b));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub struct LanguageDetector {
    detector: Detector,
    /// Stop word → the languages (indices into `langs`) it belongs to.
    stopwords: HashMap<String, Vec<usize>, BuildHasherDefault<WordHasher>>,
    langs: Vec<String>,
}

/// The language with the highest stop-word score, its score, and the runner-up's.
fn best_two(counts: &[f32]) -> (Option<usize>, f32, f32) {
    let mut best: Option<usize> = None;
    let mut second = 0.0f32;
    for (i, &c) in counts.iter().enumerate() {
        match best {
            Some(b) if counts[b] >= c => second = second.max(c),
            _ => {
                if let Some(b) = best {
                    second = second.max(counts[b]);
                }
                best = Some(i);
            }
        }
    }
    let top = best.map_or(0.0, |b| counts[b]);
    (best, top, second)
}

impl LanguageDetector {
    /// A detector for the pack languages, with their stop word lists (may be empty).
    pub fn with_stopwords(
        pack_langs: &[String],
        stopwords: &BTreeMap<String, Vec<String>>,
    ) -> LanguageDetector {
        let mut d = LanguageDetector::new(pack_langs);
        for (lang, words) in stopwords {
            if words.is_empty() {
                continue;
            }
            let li = d.langs.len();
            d.langs.push(lang.clone());
            for w in words {
                d.stopwords.entry(w.clone()).or_default().push(li);
            }
        }
        d
    }

    /// Scores stop words per language over the first words of `text`. A word several
    /// languages share (`de`, `que`, `a`) counts for each of them in proportion, so words
    /// only one language has decide between close languages (Spanish and Portuguese).
    fn stopword_counts(&self, text: &str) -> Vec<f32> {
        let mut counts = vec![0.0f32; self.langs.len()];
        if counts.is_empty() {
            return counts;
        }
        let mut word = String::new();
        for w in text.unicode_words().take(120) {
            word.clear();
            if w.is_ascii() {
                // The same as the general case for ASCII, without a lookup per character.
                word.push_str(w);
                word.make_ascii_lowercase();
            } else {
                word.extend(w.chars().flat_map(char::to_lowercase));
            }
            if let Some(ls) = self.stopwords.get(word.as_str()) {
                let share = 1.0 / ls.len() as f32;
                for &l in ls {
                    counts[l] += share;
                }
            }
        }
        counts
    }

    /// The language of a whole message: stop words when they are decisive, else the
    /// statistical detector on the first few hundred characters.
    pub fn detect_message(&self, text: &str) -> Option<String> {
        let counts = self.stopword_counts(text);
        let (best, top, second) = best_two(&counts);
        if let Some(best) = best {
            if top >= 3.0 && top >= 2.5 * second {
                return Some(self.langs[best].clone());
            }
        }
        let end = text.char_indices().nth(400).map_or(text.len(), |(i, _)| i);
        let info = self.detector.detect(&text[..end]);
        if let Some(info) = info.filter(|i| i.is_reliable()) {
            return Some(from_whatlang(info.lang()).to_string());
        }
        // Too short for statistics: a stop word or two is better evidence than a guess
        // ("Hi Ana, can I book a quick demo?" is not Turkish).
        if let Some(best) = best.filter(|_| top >= 1.0 && top > second) {
            return Some(self.langs[best].clone());
        }
        self.detect_prefix(text, 400).map(str::to_string)
    }

    /// The language of one paragraph if it is clearly not `main` (stop words only: cheap, and
    /// paragraphs are too short for statistics to be reliable).
    pub fn paragraph_language(&self, text: &str, main: &str) -> Option<String> {
        let counts = self.stopword_counts(text);
        let (best, top, _) = best_two(&counts);
        let best = best?;
        let main_count = self
            .langs
            .iter()
            .position(|l| l == main)
            .map_or(0.0, |i| counts[i]);
        (self.langs[best] != main && top >= 3.0 && top >= 3.0 * main_count.max(1.0))
            .then(|| self.langs[best].clone())
    }

    pub fn new(pack_langs: &[String]) -> LanguageDetector {
        let mut allow: Vec<Lang> = pack_langs.iter().filter_map(|c| to_whatlang(c)).collect();
        allow.extend(ALSO_DETECTED.iter().filter_map(|c| to_whatlang(c)));
        allow.sort_by_key(|l| l.code());
        allow.dedup();
        LanguageDetector {
            detector: Detector::with_allowlist(allow),
            stopwords: HashMap::default(),
            langs: Vec::new(),
        }
    }

    /// The language of a text, if the text is long enough to tell. Only the first `max_chars`
    /// characters are read: detection cost grows with length, and a few sentences suffice.
    pub fn detect_prefix(&self, text: &str, max_chars: usize) -> Option<&'static str> {
        let end = text
            .char_indices()
            .nth(max_chars)
            .map_or(text.len(), |(i, _)| i);
        self.detect(&text[..end])
    }

    /// The language of a text, if the text is long enough to tell.
    pub fn detect(&self, text: &str) -> Option<&'static str> {
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 12 {
            return None;
        }
        let info = self.detector.detect(text)?;
        // Short texts give low confidence; accept the best guess once there is enough text.
        if info.confidence() < 0.2 && letters < 60 {
            return None;
        }
        Some(from_whatlang(info.lang()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det() -> LanguageDetector {
        let langs: Vec<String> = ["en", "es", "it", "nl", "pl", "he", "de", "fr", "pt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        LanguageDetector::new(&langs)
    }

    #[test]
    fn ordinary_sentences() {
        let d = det();
        assert_eq!(
            d.detect("Would you be open to a short call next week to talk about hiring?"),
            Some("en")
        );
        assert_eq!(
            d.detect("Ciao Marco, ti scrivo perché ho letto il tuo articolo sul networking."),
            Some("it")
        );
        assert_eq!(
            d.detect("Hola Ana, te escribo porque vi tu charla sobre liderazgo en Madrid."),
            Some("es")
        );
        assert_eq!(
            d.detect("Dzień dobry, piszę do Pana w sprawie współpracy przy nowym projekcie."),
            Some("pl")
        );
        assert_eq!(
            d.detect("שלום דנה, ראיתי את ההרצאה שלך בכנס ורציתי להתחבר"),
            Some("he")
        );
    }

    #[test]
    fn stop_words_find_a_paragraph_in_another_language() {
        let mut sw = BTreeMap::new();
        sw.insert(
            "en".to_string(),
            [
                "the", "and", "to", "of", "you", "a", "is", "for", "in", "we",
            ]
            .map(String::from)
            .to_vec(),
        );
        sw.insert(
            "es".to_string(),
            [
                "el", "la", "de", "que", "y", "en", "los", "por", "con", "para",
            ]
            .map(String::from)
            .to_vec(),
        );
        let langs: Vec<String> = ["en", "es"].iter().map(|s| s.to_string()).collect();
        let d = LanguageDetector::with_stopwords(&langs, &sw);
        let en = "We would love to show you the platform and book a demo for the team in March.";
        assert_eq!(d.paragraph_language(en, "es").as_deref(), Some("en"));
        assert_eq!(d.paragraph_language(en, "en"), None);
        assert_eq!(d.detect_message("Te escribo por el artículo que publicaste en la revista de la asociación y para saludarte.").as_deref(), Some("es"));
    }

    #[test]
    fn a_short_message_goes_by_its_stop_words() {
        let mut sw = BTreeMap::new();
        sw.insert(
            "en".to_string(),
            ["the", "and", "to", "of", "you", "a", "i", "can"]
                .map(String::from)
                .to_vec(),
        );
        sw.insert(
            "es".to_string(),
            ["el", "la", "de", "que", "y", "en", "los", "por"]
                .map(String::from)
                .to_vec(),
        );
        let langs: Vec<String> = ["en", "es"].iter().map(|s| s.to_string()).collect();
        let d = LanguageDetector::with_stopwords(&langs, &sw);
        assert_eq!(
            d.detect_message("Hi Ana, can I book a quick demo next week?")
                .as_deref(),
            Some("en")
        );
    }

    #[test]
    fn too_short_to_tell() {
        assert_eq!(det().detect("Hi Ana"), None);
    }
}
