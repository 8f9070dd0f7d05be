//! The context a message is sent in: relationship stage, channel, list consent and language.
//! Whether something is a mistake depends on it ("as we discussed" is fine in a follow-up).
//!
//! Each source (flag, front matter, config, default) yields a [`ContextLayer`] of optional
//! values; [`ContextLayer::resolve`] applies them in precedence order.

mod suggest;

pub use suggest::{did_you_mean, suggestion_suffix};

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! keyword_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
            /// Every accepted word, for `--help` and error messages.
            pub const WORDS: &'static [&'static str] = &[$($text),+];
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(|| format!("unknown {} `{}` (expected one of: {}){}",
                    stringify!($name).to_lowercase(), s, Self::expected(),
                    suggestion_suffix(s, Self::WORDS.iter().copied())))
            }
        }
    };
}

keyword_enum!(
    /// How well sender and recipient know each other.
    Stage { FirstContact = "first-contact", FollowUp = "follow-up", Established = "established" }
);

keyword_enum!(
    /// Where the message is sent.
    Channel {
        Email = "email",
        Linkedin = "linkedin",
        LinkedinConnect = "linkedin-connect",
        LinkedinInmail = "linkedin-inmail",
        Other = "other",
    }
);

keyword_enum!(
    /// What the recipient agreed to.
    Consent { List = "list" }
);

/// The value of `lang` that asks for detection.
pub const AUTO: &str = "auto";

/// Normalises a language setting the way BCP 47 tags are compared: lower case, `_` read as
/// `-`, and region, script and variant subtags dropped, because a rule pack covers a language
/// wherever it is spoken (`pt-BR` and `pt-PT` both get `pt`, `en_US` gets `en`). The deprecated
/// code `iw` is Hebrew's `he`, as BCP 47 maps it.
pub fn normalize_lang(value: &str) -> String {
    let lower = value.trim().to_ascii_lowercase().replace('_', "-");
    let primary = lower.split('-').next().unwrap_or("");
    match primary {
        "iw" => "he".to_string(),
        _ => primary.to_string(),
    }
}

/// Language names people write instead of codes, for a "did you mean" hint.
const LANGUAGE_NAMES: &[(&str, &str)] = &[
    ("english", "en"),
    ("eng", "en"),
    ("spanish", "es"),
    ("español", "es"),
    ("espanol", "es"),
    ("castellano", "es"),
    ("spa", "es"),
    ("italian", "it"),
    ("italiano", "it"),
    ("ita", "it"),
    ("dutch", "nl"),
    ("nederlands", "nl"),
    ("flemish", "nl"),
    ("nld", "nl"),
    ("dut", "nl"),
    ("polish", "pl"),
    ("polski", "pl"),
    ("pol", "pl"),
    ("hebrew", "he"),
    ("ivrit", "he"),
    ("עברית", "he"),
    ("heb", "he"),
    ("german", "de"),
    ("deutsch", "de"),
    ("deu", "de"),
    ("ger", "de"),
    ("french", "fr"),
    ("français", "fr"),
    ("francais", "fr"),
    ("fra", "fr"),
    ("fre", "fr"),
    ("portuguese", "pt"),
    ("português", "pt"),
    ("portugues", "pt"),
    ("por", "pt"),
];

/// Checks a `lang` setting against the languages that have a rule pack: returns the pack's code
/// (`pt-BR` → `pt`, `auto` stays `auto`), or a message that lists the valid values.
pub fn parse_lang(value: &str, available: &[String]) -> Result<String, String> {
    let code = normalize_lang(value);
    if code == AUTO || available.contains(&code) {
        return Ok(code);
    }
    let lower = value.trim().to_lowercase();
    let by_name = LANGUAGE_NAMES
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, c)| *c)
        .filter(|c| available.iter().any(|l| l == c));
    let mut valid = vec![AUTO.to_string()];
    valid.extend(available.iter().cloned());
    let hint = match by_name {
        Some(c) => format!("; did you mean `{c}`?"),
        None => suggestion_suffix(value.trim(), valid.iter().map(String::as_str)),
    };
    Err(format!(
        "unknown language `{}` (expected a language code with a rule pack: {}; a region tag such as `pt-BR` is read as its language){hint}",
        value.trim(),
        valid.join(", ")
    ))
}

/// Parses `consent` values: each must be a known kind of consent.
pub fn parse_consent(values: &[String]) -> Result<Vec<String>, String> {
    values
        .iter()
        .map(|v| v.trim().parse::<Consent>().map(|c| c.as_str().to_string()))
        .collect()
}

/// The resolved context of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Context {
    pub stage: Stage,
    pub channel: Channel,
    /// Language code of the message (`en`, `es`, …) once resolved; `auto` asks for detection.
    pub lang: String,
    /// What the recipient agreed to, e.g. `list` for a mailing list.
    pub consent: Vec<String>,
    /// A LinkedIn Premium / Sales Navigator account (longer connection notes).
    #[serde(skip)]
    pub premium: bool,
    /// The file is a mail-merge template: placeholders are expected.
    #[serde(skip)]
    pub template: bool,
    /// The recipient's name, when known (front matter `recipient:`, `--recipient`, an email's
    /// `To:` header): lets rules suggest "Hi Ana," for "Dear Sir or Madam,".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            stage: Stage::FirstContact,
            channel: Channel::Email,
            lang: "auto".into(),
            consent: Vec::new(),
            premium: false,
            template: false,
            recipient: None,
        }
    }
}

impl Context {
    pub fn has_list_consent(&self) -> bool {
        self.consent.iter().any(|c| c == "list")
    }
}

/// Context values from one source; unset values fall through to the next source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextLayer {
    pub stage: Option<Stage>,
    pub channel: Option<Channel>,
    pub lang: Option<String>,
    pub consent: Option<Vec<String>>,
    pub premium: Option<bool>,
    pub template: Option<bool>,
    pub recipient: Option<String>,
}

impl ContextLayer {
    /// Fills unset values of `self` from `lower` (a source of lower precedence).
    pub fn or(mut self, lower: &ContextLayer) -> ContextLayer {
        self.stage = self.stage.or(lower.stage);
        self.channel = self.channel.or(lower.channel);
        self.lang = self.lang.or_else(|| lower.lang.clone());
        self.consent = self.consent.or_else(|| lower.consent.clone());
        self.premium = self.premium.or(lower.premium);
        self.template = self.template.or(lower.template);
        self.recipient = self.recipient.or_else(|| lower.recipient.clone());
        self
    }

    /// Applies layers from highest to lowest precedence over the defaults.
    pub fn resolve(layers: &[&ContextLayer]) -> Context {
        let merged = layers
            .iter()
            .fold(ContextLayer::default(), |acc, l| acc.or(l));
        let d = Context::default();
        Context {
            stage: merged.stage.unwrap_or(d.stage),
            channel: merged.channel.unwrap_or(d.channel),
            lang: merged.lang.unwrap_or(d.lang),
            consent: merged.consent.unwrap_or(d.consent),
            premium: merged.premium.unwrap_or(false),
            template: merged.template.unwrap_or(false),
            recipient: merged.recipient,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_layers_win_and_defaults_fill_the_rest() {
        let flag = ContextLayer {
            stage: Some(Stage::FollowUp),
            ..Default::default()
        };
        let front = ContextLayer {
            stage: Some(Stage::Established),
            channel: Some(Channel::Linkedin),
            ..Default::default()
        };
        let ctx = ContextLayer::resolve(&[&flag, &front]);
        assert_eq!(ctx.stage, Stage::FollowUp);
        assert_eq!(ctx.channel, Channel::Linkedin);
        assert_eq!(ctx.lang, "auto");
        assert!(ctx.consent.is_empty());
    }

    #[test]
    fn region_tags_map_to_the_language_pack() {
        let packs: Vec<String> = ["en", "es", "pt", "he"].map(String::from).to_vec();
        for (given, want) in [
            ("pt-BR", "pt"),
            ("es-ES", "es"),
            ("en_US", "en"),
            ("EN-gb", "en"),
            ("zh-Hant-TW", "zh"),
            ("iw", "he"),
        ] {
            assert_eq!(normalize_lang(given), want, "{given}");
        }
        assert_eq!(parse_lang("pt-BR", &packs).unwrap(), "pt");
        assert_eq!(parse_lang(" Auto ", &packs).unwrap(), "auto");
    }

    #[test]
    fn an_unknown_language_lists_the_valid_codes_and_suggests_one() {
        let packs: Vec<String> = ["en", "es", "pt"].map(String::from).to_vec();
        let err = parse_lang("english", &packs).unwrap_err();
        assert!(err.contains("auto, en, es, pt"), "{err}");
        assert!(err.contains("did you mean `en`?"), "{err}");
        let err = parse_lang("ja", &packs).unwrap_err();
        assert!(err.contains("unknown language `ja`"), "{err}");
        assert!(parse_lang("", &packs).is_err());
    }

    #[test]
    fn consent_accepts_known_words_only() {
        assert_eq!(parse_consent(&["list".into()]).unwrap(), ["list"]);
        let err = parse_consent(&["lsit".into()]).unwrap_err();
        assert!(err.contains("expected one of: list"), "{err}");
        assert!(err.contains("did you mean `list`?"), "{err}");
    }

    #[test]
    fn parse_rejects_unknown_words_with_the_choices() {
        let err = "later".parse::<Stage>().unwrap_err();
        assert!(
            err.contains("first-contact, follow-up, established"),
            "{err}"
        );
    }
}
