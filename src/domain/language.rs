//! Kiosk languages and text that must exist in every one of them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language the kiosk, messages and policy texts are available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "es")]
    Spanish,
    #[serde(rename = "vi")]
    Vietnamese,
    #[serde(rename = "zh-Hans")]
    ChineseSimplified,
    #[serde(rename = "tl")]
    Tagalog,
}

impl Language {
    /// Every supported language, in the default display order.
    pub const ALL: [Language; 5] = [
        Language::English,
        Language::Spanish,
        Language::Vietnamese,
        Language::ChineseSimplified,
        Language::Tagalog,
    ];

    /// The token used in config, the CLI and exports (`en`, `zh-Hans`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Spanish => "es",
            Language::Vietnamese => "vi",
            Language::ChineseSimplified => "zh-Hans",
            Language::Tagalog => "tl",
        }
    }

    /// The language's own name for itself, as shown on a language chip.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Spanish => "Español",
            Language::Vietnamese => "Tiếng Việt",
            Language::ChineseSimplified => "简体中文",
            Language::Tagalog => "Tagalog",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code that is not one of the supported ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::msg!("unknown language `{found}`; allowed: en, es, vi, zh-Hans, tl", found = .found))]
pub struct UnknownLanguage {
    /// What was given.
    pub found: String,
}

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .ok_or_else(|| UnknownLanguage {
                found: s.to_string(),
            })
    }
}

/// A text given in every kiosk language. Deserialising fails when one is
/// missing, so a policy profile cannot ship half-translated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: String,
    pub es: String,
    pub vi: String,
    #[serde(rename = "zh-Hans")]
    pub zh_hans: String,
    pub tl: String,
}

impl Localized {
    /// The text in `lang`.
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::English => &self.en,
            Language::Spanish => &self.es,
            Language::Vietnamese => &self.vi,
            Language::ChineseSimplified => &self.zh_hans,
            Language::Tagalog => &self.tl,
        }
    }

    /// The languages whose text is empty or only whitespace.
    pub fn blank_languages(&self) -> Vec<Language> {
        Language::ALL
            .into_iter()
            .filter(|l| self.get(*l).trim().is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for lang in Language::ALL {
            assert_eq!(lang.code().parse::<Language>().unwrap(), lang);
        }
        assert!("zh".parse::<Language>().is_err());
    }

    #[test]
    fn localized_requires_every_language() {
        let missing_tl = r#"en = "a"
es = "b"
vi = "c"
zh-Hans = "d""#;
        assert!(toml::from_str::<Localized>(missing_tl).is_err());
        let blank: Localized =
            toml::from_str("en = \"a\"\nes = \" \"\nvi = \"c\"\nzh-Hans = \"d\"\ntl = \"e\"")
                .unwrap();
        assert_eq!(blank.blank_languages(), vec![Language::Spanish]);
    }
}
