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

/// Every message the Rust surfaces read from the catalogue.
pub fn rust_messages() -> Vec<&'static str> {
    let mut out = Vec::new();
    out.extend(threshold::app::words::Words::MSGIDS);
    out.extend(threshold::admin::page::AckTexts::MSGIDS);
    out.extend(threshold::alerts::message::Words::MSGIDS);
    out.extend(threshold::render::words::msgids());
    out.extend(threshold::app::timeline::Lines::MSGIDS);
    for p in threshold::domain::checkin::BUILTIN_PURPOSES {
        out.push(threshold::domain::checkin::builtin_purpose_label(p, Language::English).unwrap());
    }
    out
}

/// Every English word (four letters or more) of the product's own
/// messages: none should appear in a text written in another language,
/// unless a recorded name or word carries it.
pub fn english_words() -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let all = slint_messages()
        .into_iter()
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
