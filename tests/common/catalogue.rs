//! The messages every surface reads from the catalogue, for the
//! completeness test and the report-language test.

use std::path::Path;
use threshold::domain::language::Language;

/// Every `@tr(...)` of the kiosk's `.slint` files: (message, plural).
pub fn slint_messages() -> Vec<(String, Option<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "slint") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for part in text.split("@tr(\"").skip(1) {
            let (one, rest) = part.split_once('"').unwrap();
            let plural = rest
                .trim_start()
                .strip_prefix("| \"")
                .map(|r| r.split('"').next().unwrap().to_string());
            out.push((one.replace("\\\"", "\""), plural));
        }
    }
    out
}

/// Every sentence the Rust code writes through `say!`/`sayn!` (the CLI),
/// `msg!` (errors and configuration diagnostics) and `msg_id!` (kept until
/// read): (message, plural).
pub fn code_messages() -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            // The macros' own files define them; their examples are not messages.
            let defines = path.ends_with("cli/says.rs") || path.ends_with("domain/catalogue.rs");
            if path.extension().is_none_or(|e| e != "rs") || defines {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for (i, _) in code.match_indices("!(") {
                let head = &code[..i];
                let name_start = head
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |p| p + 1);
                let name = &head[name_start..];
                let plural = match name {
                    "say" | "msg" | "msg_id" => false,
                    "sayn" | "msgn_in" => true,
                    _ => continue,
                };
                // `msgn_in!(lang, "one", "other", n)`: the language first.
                let args = if name == "msgn_in" {
                    let rest = &code[i + 2..];
                    &rest[rest.find('"').unwrap()..]
                } else {
                    &code[i + 2..]
                };
                let (one, rest) = literal(args);
                let other = plural.then(|| literal(rest.trim_start().strip_prefix(',').unwrap()).0);
                out.push((one, other));
            }
        }
    }
    assert!(
        out.len() > 250,
        "found only {} messages in the code",
        out.len()
    );
    out
}

/// The string literal at the start of `s` (after blanks), unescaped, and
/// what follows it.
fn literal(s: &str) -> (String, &str) {
    let s = s
        .trim_start()
        .strip_prefix('"')
        .expect("a message is a string literal");
    let mut text = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => text.push(chars.next().unwrap().1),
            '"' => return (text, &s[i + 1..]),
            c => text.push(c),
        }
    }
    panic!("an unterminated string literal");
}

/// Every message the Rust surfaces read from the catalogue.
pub fn rust_messages() -> Vec<&'static str> {
    let mut out = Vec::new();
    out.extend(threshold::app::words::Words::MSGIDS);
    out.extend(threshold::app::city_words::CityWords::MSGIDS);
    out.extend(threshold::admin::page::AckTexts::MSGIDS);
    out.extend(threshold::alerts::message::Words::MSGIDS);
    out.extend(threshold::render::words::msgids());
    out.extend(threshold::app::timeline::Lines::MSGIDS);
    for p in threshold::domain::checkin::BUILTIN_PURPOSES {
        out.push(threshold::domain::checkin::builtin_purpose_label(p, Language::English).unwrap());
    }
    out
}

/// ASCII words of four letters or more in `text`, lowercased; long hex
/// runs (hashes, keys) are not words.
pub fn words(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !(w.len() >= 16 && w.chars().all(|c| c.is_ascii_hexdigit())))
        .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 4)
        .map(str::to_lowercase)
        .collect()
}

/// The ASCII words `lang`'s own translations keep (SHA-256, PDF, Ed25519,
/// acronyms). A translation with a command to type is left out: a test
/// allows a command's words one by one, for the commands it prints.
pub fn kept_words(lang: Language) -> std::collections::BTreeSet<String> {
    let (_, po) = threshold::domain::catalogue::SOURCES
        .iter()
        .find(|(l, _)| *l == lang)
        .unwrap();
    threshold::domain::catalogue::parse_po(po)
        .unwrap()
        .iter()
        .flat_map(|e| e.msgstr.iter())
        .filter(|s| !s.contains("threshold "))
        .flat_map(|s| words(s))
        .collect()
}

/// Fails, showing the lines, when `text` has an English word of the
/// product's own messages that `allowed` (names, recorded words, what the
/// language's catalogue itself keeps) does not let through.
pub fn assert_no_english(what: &str, text: &str, allowed: &std::collections::BTreeSet<String>) {
    let english = english_words();
    let found: std::collections::BTreeSet<String> = words(text)
        .into_iter()
        .filter(|w| english.contains(w) && !allowed.contains(w))
        .collect();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| words(l).iter().any(|w| found.contains(w)))
        .collect();
    assert!(
        found.is_empty(),
        "English in {what}: {found:?}\n{}",
        lines.join("\n")
    );
}

/// Every English word (four letters or more) of the product's own
/// messages: none should appear in a text written in another language,
/// unless a recorded name or word carries it.
pub fn english_words() -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let all = slint_messages()
        .into_iter()
        .chain(code_messages())
        .flat_map(|(one, plural)| [Some(one), plural])
        .flatten()
        .chain(rust_messages().into_iter().map(String::from));
    for m in all {
        for w in m.split(|c: char| !c.is_ascii_alphabetic()) {
            if w.len() >= 4 {
                out.insert(w.to_lowercase());
            }
        }
    }
    out
}
