//! The one message catalogue (`assets/messages/<lang>/LC_MESSAGES/threshold.po`):
//! every message of every surface, kiosk screens and Rust-drawn surfaces
//! alike, is in every language with the same placeholders, and nothing
//! stale is left in it.

mod common;

use common::catalogue::{code_messages, rust_messages, slint_messages};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use threshold::domain::catalogue::{parse_po, plural_forms, Entry, SOURCES};
use threshold::domain::language::Language;

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(at) = rest.find('{') {
        let tail = &rest[at..];
        let Some(end) = tail.find('}') else { break };
        out.insert(tail[..=end].to_string());
        rest = &tail[end + 1..];
    }
    out
}

fn catalogue(lang: Language, text: &str) -> BTreeMap<String, Entry> {
    let entries =
        parse_po(text).unwrap_or_else(|e| panic!("{lang}: line {}: {}", e.line, e.message));
    let mut map = BTreeMap::new();
    for e in entries {
        let id = e.msgid.clone();
        assert!(
            map.insert(id.clone(), e).is_none(),
            "{lang}: {id:?} is in the catalogue twice"
        );
    }
    map
}

#[test]
fn every_message_of_every_surface_is_in_every_language_with_its_placeholders() {
    let mut expected: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (one, plural) in slint_messages().into_iter().chain(code_messages()) {
        expected.insert(one, plural);
    }
    for m in rust_messages() {
        expected.entry(m.to_string()).or_insert(None);
    }
    for (one, other) in threshold::app::timeline::PLURALS {
        expected.insert(one.to_string(), Some(other.to_string()));
    }
    assert!(expected.len() > 400, "found only {}", expected.len());
    let mut problems = Vec::new();
    for (lang, text) in SOURCES {
        let cat = catalogue(lang, text);
        let header = &cat.get("").expect("a header entry").msgstr[0];
        assert!(
            header.contains(&format!("Plural-Forms: {}", plural_forms(lang))),
            "{lang}: the header must say Plural-Forms: {}",
            plural_forms(lang)
        );
        for (id, plural) in &expected {
            let Some(e) = cat.get(id) else {
                problems.push(format!("{lang}: missing {id:?}"));
                continue;
            };
            if e.msgid_plural != *plural {
                problems.push(format!(
                    "{lang}: {id:?} has plural {:?}, the source {plural:?}",
                    e.msgid_plural
                ));
            }
            let forms = if plural.is_some() {
                usize::from(plural_forms(lang).starts_with("nplurals=2")) + 1
            } else {
                1
            };
            if e.msgstr.len() != forms {
                problems.push(format!(
                    "{lang}: {id:?} has {} forms, needs {forms}",
                    e.msgstr.len()
                ));
            }
            for s in &e.msgstr {
                if s.trim().is_empty() {
                    problems.push(format!("{lang}: {id:?} is not translated"));
                } else if placeholders(s) != placeholders(id) {
                    problems.push(format!(
                        "{lang}: {id:?} has placeholders {:?}, the translation {s:?} {:?}",
                        placeholders(id),
                        placeholders(s)
                    ));
                }
            }
        }
        for id in cat.keys() {
            if !id.is_empty() && !expected.contains_key(id) {
                problems.push(format!("{lang}: {id:?} is used nowhere (stale)"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_missing_or_changed_placeholder_is_found() {
    assert_eq!(
        placeholders("Wait {minutes} minutes, {}"),
        BTreeSet::from(["{minutes}".to_string(), "{}".to_string()])
    );
    assert_ne!(
        placeholders("Wait {minutes} minutes"),
        placeholders("Espere {minutos} minutos")
    );
}

#[derive(serde::Deserialize)]
struct Glossary {
    term: Vec<Term>,
}

#[derive(serde::Deserialize)]
struct Term {
    idea: String,
    en: Vec<String>,
    #[serde(flatten)]
    langs: BTreeMap<String, Usage>,
}

#[derive(serde::Deserialize)]
struct Usage {
    #[serde(rename = "use")]
    term: String,
    avoid: Vec<String>,
}

/// Whether lower-case English `text` has `word` as a whole word, or as the
/// start of a word when it ends in `*` ("acknowledg*"); "" matches all.
fn mentions(text: &str, word: &str) -> bool {
    let (stem, prefix) = match word.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (word, false),
    };
    if stem.is_empty() {
        return true;
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    text.match_indices(stem).any(|(i, _)| {
        !alnum(text[..i].chars().next_back())
            && (prefix || !alnum(text[i + stem.len()..].chars().next()))
    })
}

/// Where `glossary` is not followed in the `.po` text of `lang`.
fn glossary_problems(glossary: &Glossary, lang: Language, po: &str) -> Vec<String> {
    let entries = parse_po(po).unwrap();
    check_terms(
        glossary,
        lang,
        entries.into_iter().filter(|e| !e.msgid.is_empty()),
    )
}

/// Every multi-language text of a policy profile (a table with `en` and
/// other languages' texts) as a message in `lang`.
fn profile_texts(v: &toml::Value, lang: Language, out: &mut Vec<Entry>) {
    match v {
        toml::Value::Table(t) => {
            if let (Some(en), Some(s)) = (
                t.get("en").and_then(|v| v.as_str()),
                t.get(lang.code()).and_then(|v| v.as_str()),
            ) {
                out.push(Entry {
                    msgid: en.to_string(),
                    msgid_plural: None,
                    msgstr: vec![s.to_string()],
                });
            }
            for v in t.values() {
                profile_texts(v, lang, out);
            }
        }
        toml::Value::Array(a) => a.iter().for_each(|v| profile_texts(v, lang, out)),
        _ => {}
    }
}

fn check_terms(
    glossary: &Glossary,
    lang: Language,
    entries: impl Iterator<Item = Entry>,
) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries {
        // Code to type (`--role counsel`, access-exigent) is not prose:
        // only the words outside backticks and kebab-case values need the
        // language's term.
        let id: String = e
            .msgid
            .split('`')
            .step_by(2)
            .flat_map(|prose| prose.split(' '))
            .filter(|w| {
                !(w.contains('-')
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || "-,".contains(c)))
            })
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        for t in &glossary.term {
            if !t.en.iter().any(|w| mentions(&id, w)) {
                continue;
            }
            let usage = t
                .langs
                .get(lang.code())
                .unwrap_or_else(|| panic!("{}: no {lang} entry", t.idea));
            for s in &e.msgstr {
                let s = s.to_lowercase();
                if !usage
                    .term
                    .split('|')
                    .any(|form| s.contains(&form.to_lowercase()))
                {
                    out.push(format!(
                        "{lang}: {:?} must use “{}” ({}): {s:?}",
                        e.msgid, usage.term, t.idea
                    ));
                }
                for a in &usage.avoid {
                    if s.contains(&a.to_lowercase()) {
                        out.push(format!(
                            "{lang}: {:?} uses “{a}”, not the term “{}” ({}): {s:?}",
                            e.msgid, usage.term, t.idea
                        ));
                    }
                }
            }
        }
    }
    out
}

fn glossary() -> Glossary {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/glossary.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_language_uses_the_glossary_terms() {
    let glossary = glossary();
    assert!(glossary.term.len() >= 4);
    let problems: Vec<String> = SOURCES
        .iter()
        .flat_map(|(lang, po)| glossary_problems(&glossary, *lang, po))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_policy_profile_uses_the_glossary_terms() {
    let glossary = glossary();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/policies");
    let mut problems = Vec::new();
    for f in std::fs::read_dir(dir).unwrap() {
        let path = f.unwrap().path();
        let v: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (lang, _) in SOURCES {
            let mut texts = Vec::new();
            profile_texts(&v, lang, &mut texts);
            assert!(!texts.is_empty(), "{}: no {lang} texts", path.display());
            for p in check_terms(&glossary, lang, texts.into_iter()) {
                problems.push(format!(
                    "{}: {p}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_glossary_check_finds_a_wrong_term() {
    let po = "msgid \"\"\nmsgstr \"\"\n\nmsgid \"Exigent circumstances declared.\"\nmsgstr \"Idineklara ang kagipitan.\"\n\nmsgid \"Thank you\"\nmsgstr \"Cảm ơn bạn\"\n";
    let g = glossary();
    let tl = glossary_problems(&g, Language::Tagalog, po);
    assert_eq!(tl.len(), 2, "{tl:?}");
    assert!(tl.iter().any(|p| p.contains("“kagyat”")));
    let vi = glossary_problems(&g, Language::Vietnamese, po);
    assert!(vi.iter().any(|p| p.contains("“bạn”")), "{vi:?}");
    // Whole words: "counseling" is not counsel.
    assert!(mentions("call counsel now", "counsel"));
    assert!(mentions("counsel's instructions", "counsel"));
    assert!(!mentions("counseling and support", "counsel"));
    assert!(mentions("nobody has acknowledged", "acknowledg*"));
}

/// ASCII punctuation touching a Chinese character, where Chinese uses
/// full-width punctuation (，：；？！（）“”).
fn half_width_in_chinese(s: &str) -> Option<String> {
    let cjk = |c: char| matches!(c as u32, 0x3000..=0x303F | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF);
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        let touches = (i > 0 && cjk(chars[i - 1])) || chars.get(i + 1).is_some_and(|&n| cjk(n));
        (",:;?!()\"".contains(c) && touches).then(|| {
            let from = i.saturating_sub(4);
            chars[from..(i + 5).min(chars.len())].iter().collect()
        })
    })
}

#[test]
fn chinese_uses_full_width_punctuation() {
    let (_, zh) = SOURCES
        .iter()
        .find(|(l, _)| *l == Language::ChineseSimplified)
        .unwrap();
    let mut problems = Vec::new();
    for e in parse_po(zh).unwrap() {
        // A command to type keeps its ASCII quotes.
        if e.msgid.contains("threshold ") {
            continue;
        }
        for s in &e.msgstr {
            if let Some(at) = half_width_in_chinese(s) {
                problems.push(format!("{:?}: half-width punctuation at “{at}”", e.msgid));
            }
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/policies");
    for f in std::fs::read_dir(dir).unwrap() {
        let v: toml::Value =
            toml::from_str(&std::fs::read_to_string(f.unwrap().path()).unwrap()).unwrap();
        let mut texts = Vec::new();
        chinese_texts(&v, &mut texts);
        assert!(texts.len() > 20);
        for s in texts {
            if let Some(at) = half_width_in_chinese(&s) {
                problems.push(format!(
                    "policy text {s:?}: half-width punctuation at “{at}”"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(half_width_in_chinese("移民官员或\"移民法官\"的签名").is_some());
    assert!(half_width_in_chinese("文件（AO 93）：是否？").is_none());
}

/// Every Chinese text of a policy profile.
fn chinese_texts(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::Table(t) => {
            if let Some(s) = t.get("zh-Hans").and_then(|v| v.as_str()) {
                out.push(s.to_string());
            }
            t.values().for_each(|v| chinese_texts(v, out));
        }
        toml::Value::Array(a) => a.iter().for_each(|v| chinese_texts(v, out)),
        _ => {}
    }
}
