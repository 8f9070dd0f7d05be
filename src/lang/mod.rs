//! Language detection for `--lang auto`, restricted to the languages that have rule packs
//! (unrestricted, short Italian comes back as Indonesian).

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

pub struct LanguageDetector {
    detector: Detector,
}

impl LanguageDetector {
    pub fn new(pack_langs: &[String]) -> LanguageDetector {
        let mut allow: Vec<Lang> = pack_langs.iter().filter_map(|c| to_whatlang(c)).collect();
        allow.extend(ALSO_DETECTED.iter().filter_map(|c| to_whatlang(c)));
        allow.sort_by_key(|l| l.code());
        allow.dedup();
        LanguageDetector {
            detector: Detector::with_allowlist(allow),
        }
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
    fn too_short_to_tell() {
        assert_eq!(det().detect("Hi Ana"), None);
    }
}
