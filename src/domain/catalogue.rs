//! The one message catalogue: every sentence a person reads, on every
//! surface (kiosk, admin web, acknowledge pages, alerts, receipts, door sign,
//! reports), in gettext `.po` files under `assets/messages/<lang>/LC_MESSAGES/
//! threshold.po`. The English text is the message id; the kiosk's Slint
//! screens read the same files (bundled at build time), the Rust surfaces
//! read them here. Placeholders are `{name}` (Rust) or `{}`/`{0}` (Slint);
//! a translation carries exactly its message's placeholders, and
//! `tests/catalogue.rs` fails on any message missing or different in any
//! language.

use super::language::Language;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// The catalogue sources, compiled in (English is the message ids).
pub const SOURCES: [(Language, &str); 4] = [
    (
        Language::Spanish,
        include_str!("../../assets/messages/es/LC_MESSAGES/threshold.po"),
    ),
    (
        Language::Vietnamese,
        include_str!("../../assets/messages/vi/LC_MESSAGES/threshold.po"),
    ),
    (
        Language::ChineseSimplified,
        include_str!("../../assets/messages/zh-Hans/LC_MESSAGES/threshold.po"),
    ),
    (
        Language::Tagalog,
        include_str!("../../assets/messages/tl/LC_MESSAGES/threshold.po"),
    ),
];

/// One entry of a `.po` file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub msgid: String,
    pub msgid_plural: Option<String>,
    /// `msgstr`, or `msgstr[0]`, `msgstr[1]`, ... for a plural message.
    pub msgstr: Vec<String>,
}

/// A `.po` file that cannot be read, with the line to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoError {
    pub line: usize,
    pub message: String,
}

fn unquote(s: &str, line: usize) -> Result<String, PoError> {
    let err = |message: &str| PoError {
        line,
        message: message.to_string(),
    };
    let inner = s
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or_else(|| err("expected a quoted string"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            _ => return Err(err("unknown escape (use \\n, \\t, \\\" or \\\\)")),
        }
    }
    Ok(out)
}

/// Parse a `.po` file (the header entry, with an empty id, included).
pub fn parse_po(text: &str) -> Result<Vec<Entry>, PoError> {
    enum Field {
        Id,
        Plural,
        Str(usize),
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut field = None;
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (f, rest) = if let Some(rest) = l.strip_prefix("msgid_plural ") {
            (Field::Plural, rest)
        } else if let Some(rest) = l.strip_prefix("msgid ") {
            entries.push(Entry::default());
            (Field::Id, rest)
        } else if let Some(rest) = l.strip_prefix("msgstr[") {
            let (i, rest) = rest.split_once("] ").ok_or(PoError {
                line,
                message: "expected msgstr[N] \"...\"".into(),
            })?;
            let i = i.parse().map_err(|_| PoError {
                line,
                message: format!("bad plural index {i:?}"),
            })?;
            (Field::Str(i), rest)
        } else if let Some(rest) = l.strip_prefix("msgstr ") {
            (Field::Str(0), rest)
        } else if l.starts_with('"') {
            let e = entries.last_mut().ok_or(PoError {
                line,
                message: "a continued string before any msgid".into(),
            })?;
            let s = unquote(l, line)?;
            match field {
                Some(Field::Id) => e.msgid.push_str(&s),
                Some(Field::Plural) => e.msgid_plural.get_or_insert_with(String::new).push_str(&s),
                Some(Field::Str(i)) => e.msgstr[i].push_str(&s),
                None => {
                    return Err(PoError {
                        line,
                        message: "a continued string before any msgid".into(),
                    })
                }
            }
            continue;
        } else if l.starts_with("msgctxt ") {
            return Err(PoError {
                line,
                message: "msgctxt is not used in this catalogue: messages have no context".into(),
            });
        } else {
            return Err(PoError {
                line,
                message: format!("not a .po line: {l:?}"),
            });
        };
        let s = unquote(rest, line)?;
        let e = entries.last_mut().ok_or(PoError {
            line,
            message: "msgstr before any msgid".into(),
        })?;
        match f {
            Field::Id => e.msgid = s,
            Field::Plural => e.msgid_plural = Some(s),
            Field::Str(i) => {
                if e.msgstr.len() != i {
                    return Err(PoError {
                        line,
                        message: format!("msgstr[{i}] out of order"),
                    });
                }
                e.msgstr.push(s);
            }
        }
        field = Some(f);
    }
    Ok(entries)
}

/// The plural form for `n` in `lang`: index into a plural message's
/// translations. Matches each file's `Plural-Forms` header (checked by
/// `tests/catalogue.rs`).
pub fn plural_index(lang: Language, n: u64) -> usize {
    match lang {
        Language::Vietnamese | Language::ChineseSimplified => 0,
        Language::English | Language::Spanish | Language::Tagalog => usize::from(n != 1),
    }
}

/// The `Plural-Forms` header each language's file must carry.
pub fn plural_forms(lang: Language) -> &'static str {
    match lang {
        Language::Vietnamese | Language::ChineseSimplified => "nplurals=1; plural=0;",
        _ => "nplurals=2; plural=(n != 1);",
    }
}

type Table = HashMap<String, Vec<String>>;

fn tables() -> &'static [Table; 4] {
    static TABLES: OnceLock<[Table; 4]> = OnceLock::new();
    TABLES.get_or_init(|| {
        SOURCES.map(|(lang, text)| {
            // The files are compiled in and checked by tests; a broken one
            // is a build defect, shown in English rather than not at all.
            let entries = parse_po(text).unwrap_or_else(|e| {
                debug_assert!(false, "{lang} catalogue, line {}: {}", e.line, e.message);
                Vec::new()
            });
            entries
                .into_iter()
                .filter(|e| !e.msgid.is_empty())
                .map(|e| (e.msgid, e.msgstr))
                .collect()
        })
    })
}

fn table(lang: Language) -> Option<&'static Table> {
    let i = SOURCES.iter().position(|(l, _)| *l == lang)?;
    Some(&tables()[i])
}

/// `msgid` in `lang`. English, or a message missing from the catalogue
/// (which `tests/catalogue.rs` prevents), reads as the id itself.
pub fn tr(lang: Language, msgid: &'static str) -> &'static str {
    match table(lang).and_then(|t| t.get(msgid)) {
        Some(s) if !s.is_empty() && !s[0].is_empty() => s[0].as_str(),
        _ => {
            debug_assert!(
                lang == Language::English,
                "{msgid:?} has no {lang} translation"
            );
            msgid
        }
    }
}

/// `msgid` in `lang` when the catalogue has it (any text, e.g. one read
/// back from a screen).
pub fn lookup(lang: Language, msgid: &str) -> Option<&'static str> {
    table(lang)?
        .get(msgid)
        .and_then(|forms| forms.first())
        .filter(|s| !s.is_empty())
        .map(String::as_str)
}

/// Put `args` into `{name}` placeholders of `text`.
pub fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = text.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

/// The plural message `one`/`other` for `n` in `lang`, with `{n}` and
/// `args` filled.
pub fn trn(
    lang: Language,
    one: &'static str,
    other: &'static str,
    n: u64,
    args: &[(&str, &dyn Display)],
) -> String {
    let text = match table(lang).and_then(|t| t.get(one)) {
        Some(forms) if !forms.is_empty() => {
            let i = plural_index(lang, n).min(forms.len() - 1);
            forms[i].as_str()
        }
        _ => {
            debug_assert!(
                lang == Language::English,
                "{one:?} has no {lang} translation"
            );
            if n == 1 {
                one
            } else {
                other
            }
        }
    };
    let mut all: Vec<(&str, &dyn Display)> = vec![("n", &n)];
    all.extend_from_slice(args);
    fill(text, &all)
}

/// "Label: value", with the colon the language writes.
pub fn labelled(lang: Language, label: &str, value: &str) -> String {
    if lang == Language::ChineseSimplified {
        format!("{label}：{value}")
    } else {
        format!("{label}: {value}")
    }
}

/// `main` with `note` in brackets after it, as the language writes it:
/// "Rosa (city counsel)", "Rosa（法律顾问）".
pub fn noted(main: &str, note: &str, lang: Language) -> String {
    if lang == Language::ChineseSimplified {
        format!("{main}（{note}）")
    } else {
        format!("{main} ({note})")
    }
}

/// The comma between two items, as the language writes it.
pub fn comma(lang: Language) -> &'static str {
    if lang == Language::ChineseSimplified {
        "，"
    } else {
        ", "
    }
}

static READER: OnceLock<Language> = OnceLock::new();

/// Set the language this process writes its errors and diagnostics in
/// (`msg!`). The command line sets it once, from the operator's locale;
/// the service does not, so its log and the errors it serves stay in
/// English (the web pages and alerts have their own readers' languages).
pub fn set_reader(lang: Language) {
    let _ = READER.set(lang);
}

thread_local! {
    static LOCAL_READER: std::cell::Cell<Option<Language>> = const { std::cell::Cell::new(None) };
}

/// The language of this process's errors and diagnostics: the reader of
/// [`with_reader`] on this thread, else English unless [`set_reader`] said
/// otherwise.
pub fn reader() -> Language {
    LOCAL_READER
        .with(std::cell::Cell::get)
        .or_else(|| READER.get().copied())
        .unwrap_or(Language::English)
}

/// Run `f` (which writes errors, e.g. `e.to_string()`) for a reader of
/// `lang`: the kiosk words an error in the language on its screen.
pub fn with_reader<T>(lang: Language, f: impl FnOnce() -> T) -> T {
    let before = LOCAL_READER.with(|r| r.replace(Some(lang)));
    let out = f();
    LOCAL_READER.with(|r| r.set(before));
    out
}

/// `msgid` (kept with [`msg_id!`]) in the reader's language.
pub fn for_reader(msgid: &'static str) -> &'static str {
    tr(reader(), msgid)
}

/// A sentence in `lang` with `{name}` placeholders filled, as a `String`:
/// the one body of [`msg!`] and the CLI's `say!`, which differ only in
/// whose language they write in. Not for messages of its own: the
/// completeness test finds `msg!`, `say!`, `sayn!` and `msg_id!`.
#[macro_export]
macro_rules! msg_in {
    ($lang:expr, $m:literal $(,)?) => {
        $crate::domain::catalogue::tr($lang, $m).to_string()
    };
    ($lang:expr, $m:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::domain::catalogue::fill(
            $crate::domain::catalogue::tr($lang, $m),
            &[$((stringify!($k), &$v as &dyn std::fmt::Display)),+],
        )
    };
}

/// An error or diagnostic sentence in the reader's language, with
/// `{name}` placeholders filled: `msg!("no encounter `{id}`", id = id)`.
/// Usable in `#[error(...)]`: `#[error("{}", crate::msg!("...", id = .0))]`.
#[macro_export]
macro_rules! msg {
    ($($args:tt)+) => {
        $crate::msg_in!($crate::domain::catalogue::reader(), $($args)+)
    };
}

/// A sentence with a count in `lang`, in the plural form the language
/// needs: `msgn_in!(lang, "{n} batch", "{n} batches", n, facility = f)`.
#[macro_export]
macro_rules! msgn_in {
    ($lang:expr, $one:literal, $other:literal, $n:expr $(, $k:ident = $v:expr)* $(,)?) => {
        $crate::domain::catalogue::trn(
            $lang,
            $one,
            $other,
            u64::try_from($n).unwrap_or(u64::MAX),
            &[$((stringify!($k), &$v as &dyn std::fmt::Display)),*],
        )
    };
}

/// Marks a sentence kept as `&'static str` until it is read, for the
/// catalogue (gettext's `N_`): the reader translates it with [`tr`].
#[macro_export]
macro_rules! msg_id {
    ($m:literal $(,)?) => {
        $m
    };
}

/// A struct of fixed texts, one field per message, read from the
/// catalogue once per language: `messages! { pub struct W { title: "Title", } }`
/// gives `W::get(lang) -> &'static W` and `W::MSGIDS` (for the
/// completeness test).
#[macro_export]
macro_rules! messages {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($(#[$fmeta:meta])* $key:ident: $en:expr,)* }) => {
        $(#[$meta])*
        $vis struct $name { $($(#[$fmeta])* pub $key: &'static str,)* }
        impl $name {
            /// Every message id of this struct, in English.
            pub const MSGIDS: &'static [&'static str] = &[$($en,)*];
            /// The texts in `lang`.
            pub fn get(lang: $crate::domain::language::Language) -> &'static $name {
                static CELL: std::sync::OnceLock<[$name; 5]> = std::sync::OnceLock::new();
                let all = CELL.get_or_init(|| {
                    $crate::domain::language::Language::ALL.map(|l| $name {
                        $($key: $crate::domain::catalogue::tr(l, $en),)*
                    })
                });
                let i = $crate::domain::language::Language::ALL
                    .iter()
                    .position(|l| *l == lang)
                    .unwrap_or(0);
                &all[i]
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_continued_escaped_and_plural_entries() {
        let po = "msgid \"\"\nmsgstr \"\"\n\"Language: vi\\n\"\n\n# c\nmsgid \"a \\\"b\\\"\"\n\"c\"\nmsgstr \"x\\ny\"\n\nmsgid \"{n} page\"\nmsgid_plural \"{n} pages\"\nmsgstr[0] \"{n} trang\"\n";
        let e = parse_po(po).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].msgstr[0], "Language: vi\n");
        assert_eq!(e[1].msgid, "a \"b\"c");
        assert_eq!(e[1].msgstr, vec!["x\ny".to_string()]);
        assert_eq!(e[2].msgid_plural.as_deref(), Some("{n} pages"));
        assert_eq!(e[2].msgstr, vec!["{n} trang".to_string()]);
    }

    #[test]
    fn a_broken_file_names_the_line() {
        let e = parse_po("msgid \"a\"\nmsgstr \"b\\q\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_po("msgid \"a\"\nbogus\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn every_compiled_in_file_parses() {
        for (lang, text) in SOURCES {
            parse_po(text).unwrap_or_else(|e| panic!("{lang}: line {}: {}", e.line, e.message));
        }
    }

    #[test]
    fn translates_and_fills() {
        assert_eq!(tr(Language::English, "Purpose"), "Purpose");
        assert_eq!(tr(Language::Spanish, "Purpose"), "Motivo");
        assert_eq!(fill("Wait {minutes} min", &[("minutes", &5)]), "Wait 5 min");
    }
}
