//! The context a message is sent in: relationship stage, channel, list consent and language.
//! Whether something is a mistake depends on it ("as we discussed" is fine in a follow-up).
//!
//! Each source (flag, front matter, config, default) yields a [`ContextLayer`] of optional
//! values; [`ContextLayer::resolve`] applies them in precedence order.

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
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(|| format!("unknown {} `{}` (expected one of: {})",
                    stringify!($name).to_lowercase(), s, Self::expected()))
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
    fn parse_rejects_unknown_words_with_the_choices() {
        let err = "later".parse::<Stage>().unwrap_err();
        assert!(
            err.contains("first-contact, follow-up, established"),
            "{err}"
        );
    }
}
