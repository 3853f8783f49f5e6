//! The CLI's own sentences, in the operator's language, from the one
//! message catalogue. The language is the operator's locale, read the way
//! gettext reads it (`LC_ALL`, else `LC_MESSAGES`, else `LANG`; then the
//! `LANGUAGE` list unless the locale is `C`/`POSIX`), and English when the
//! catalogue has none of those. Machine output (`--json`, CSV, bundles) and
//! the service's log lines stay as they are: scripts and journald read them.
//!
//! `say!("text with {name}", name = value)` and
//! `sayn!("one {n} thing", "{n} things", n, other = value)` are the only ways
//! a CLI sentence is written; `tests/catalogue.rs` finds them in the source
//! and fails when one is missing from any language.

use crate::domain::language::Language;
use std::sync::OnceLock;

/// The operator's language, read once from the environment.
pub fn lang() -> Language {
    static LANG: OnceLock<Language> = OnceLock::new();
    *LANG.get_or_init(|| from_env(|k| std::env::var(k).ok()))
}

/// The language a locale environment names (see the module text).
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Language {
    let set = |k: &str| var(k).filter(|v| !v.is_empty());
    let locale = set("LC_ALL")
        .or_else(|| set("LC_MESSAGES"))
        .or_else(|| set("LANG"));
    let Some(locale) = locale else {
        return Language::English;
    };
    if locale == "C" || locale == "POSIX" || locale.starts_with("C.") {
        return Language::English;
    }
    set("LANGUAGE")
        .iter()
        .flat_map(|list| list.split(':').map(str::to_string).collect::<Vec<_>>())
        .chain([locale])
        .find_map(|l| of_locale(&l))
        .unwrap_or(Language::English)
}

/// The catalogue language of one locale name (`es_US.UTF-8`, `vi`,
/// `zh_CN`, `fil_PH`), if it has one. Every Chinese locale reads the
/// Simplified texts: the catalogue has no Traditional ones.
pub fn of_locale(locale: &str) -> Option<Language> {
    let name = locale.split(['.', '@']).next()?.to_ascii_lowercase();
    let primary = name.split(['_', '-']).next()?;
    match primary {
        "en" => Some(Language::English),
        "es" => Some(Language::Spanish),
        "vi" => Some(Language::Vietnamese),
        "zh" => Some(Language::ChineseSimplified),
        "tl" | "fil" => Some(Language::Tagalog),
        _ => None,
    }
}

/// A CLI sentence in the operator's language, with `{name}` placeholders
/// filled: `say!("{id}: closed", id = id)`.
macro_rules! say {
    ($($args:tt)+) => {
        $crate::msg_in!($crate::cli::says::lang(), $($args)+)
    };
}

/// A CLI sentence with a count, in the plural form the language needs:
/// `sayn!("{n} row", "{n} rows", n)`.
macro_rules! sayn {
    ($one:literal, $other:literal, $n:expr $(, $k:ident = $v:expr)* $(,)?) => {
        $crate::domain::catalogue::trn(
            $crate::cli::says::lang(),
            $one,
            $other,
            u64::try_from($n).unwrap_or(u64::MAX),
            &[$((stringify!($k), &$v as &dyn std::fmt::Display)),*],
        )
    };
}

pub(crate) use {say, sayn};

/// How many columns `s` takes in a terminal: Chinese characters and
/// full-width forms take two.
pub fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `label` padded to `width` terminal columns (at least one space after).
pub fn pad(label: &str, width: usize) -> String {
    let used = columns(label);
    format!("{label}{}", " ".repeat(width.saturating_sub(used).max(1)))
}

/// An indented `label value` line of a summary, labels in one column.
pub fn row(label: &str, value: impl std::fmt::Display) -> String {
    format!("  {}{value}", pad(label, 15))
}

/// Rows of cells as lines, each column as wide as its widest cell (in
/// terminal columns) plus two spaces; the last column is not padded.
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| columns(c))
                .max()
                .unwrap_or(0)
                + 2
        })
        .collect();
    rows.iter()
        .map(|r| {
            let last = r.len().saturating_sub(1);
            r.iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == last {
                        c.clone()
                    } else {
                        pad(c, widths[i])
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_locale_names_the_language_as_gettext_reads_it() {
        assert_eq!(from_env(env(&[])), Language::English);
        assert_eq!(from_env(env(&[("LANG", "C.UTF-8")])), Language::English);
        assert_eq!(
            from_env(env(&[("LANG", "vi_VN.UTF-8")])),
            Language::Vietnamese
        );
        assert_eq!(
            from_env(env(&[("LANG", "vi_VN.UTF-8"), ("LC_ALL", "es_US.UTF-8")])),
            Language::Spanish
        );
        assert_eq!(
            from_env(env(&[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "zh_CN")])),
            Language::ChineseSimplified
        );
        assert_eq!(
            from_env(env(&[("LANG", "fil_PH.UTF-8")])),
            Language::Tagalog
        );
        // LANGUAGE lists preferences, the first the catalogue has wins...
        assert_eq!(
            from_env(env(&[("LANG", "en_US.UTF-8"), ("LANGUAGE", "fr:es:vi")])),
            Language::Spanish
        );
        // ...but not under the C locale, as in gettext.
        assert_eq!(
            from_env(env(&[("LANG", "C"), ("LANGUAGE", "es")])),
            Language::English
        );
        assert_eq!(from_env(env(&[("LANG", "fr_FR.UTF-8")])), Language::English);
    }

    #[test]
    fn chinese_takes_two_columns_a_character() {
        assert_eq!(columns("设施"), 4);
        assert_eq!(pad("设施", 6), "设施  ");
        assert_eq!(pad("facility", 6), "facility ");
        let rows = vec![
            vec!["设施".to_string(), "x".into()],
            vec!["ab".to_string(), "y".into()],
        ];
        assert_eq!(table(&rows), ["设施  x", "ab    y"]);
    }
}
