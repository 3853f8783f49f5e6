//! The text of a page, in the contact's language. Every page of a drill
//! starts with `DRILL —`, in every language, so it can be filtered on.

use crate::config::Loaded;
use crate::domain::document::DocumentKind;
use crate::domain::language::Language;
use chrono::DateTime;
use serde::Serialize;

/// What a page says about an encounter.
#[derive(Debug, Clone, Serialize)]
pub struct EncounterFacts {
    pub id: String,
    pub opened_at: String,
    pub entrance: String,
    pub drill: bool,
    pub exigent: bool,
    pub document_kind: Option<DocumentKind>,
    pub area: Option<String>,
    pub area_public: Option<bool>,
    pub officers: u32,
    /// The record's head when the page was queued (`SEQ:HASH`): a copy of
    /// it off the box, for `log verify --against`.
    pub record: Option<String>,
}

/// A composed page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// One line, for an e-mail subject or a notification title.
    pub headline: String,
    /// The whole message.
    pub text: String,
}

crate::messages! {
    /// A page's words in one language.
    pub struct Words {
        drill: "training exercise",
        headline: "Officials at the desk: {facility}, {entrance} entrance, {time}.",
        document: "Document: {label}.",
        not_recorded: "not yet recorded",
        officers: "Officers: {n}.",
        area: "Area sought: {area} ({kind}).",
        public: "public",
        non_public: "non-public",
        exigent: "Exigent circumstances declared.",
        escalated: "Escalated: nobody has acknowledged yet.",
        acknowledge: "Reference {id}. To acknowledge: threshold encounter ack {id} --by \"your name\"",
        open_link: "Reference {id}. To acknowledge, open: {url}",
        reply: "Or reply ACK {code} to this message.",
        record: "Record: {anchor}.",
        test_message: "Threshold test message from {facility}. This is a test of the alert channels; no action is needed.",
    }
}

fn words(lang: Language) -> &'static Words {
    Words::get(lang)
}

/// How the reader of a page can acknowledge it, besides the CLI.
#[derive(Debug, Clone, Copy, Default)]
pub struct AckWays<'a> {
    /// A signed link.
    pub url: Option<&'a str>,
    /// A code to text back (`ACK <code>`), for pages by SMS through a modem.
    pub sms_code: Option<&'a str>,
}

/// Compose the page about `facts` for tier `tier` in `lang`.
pub fn compose(
    loaded: &Loaded,
    facts: &EncounterFacts,
    tier: u32,
    lang: Language,
    ack: AckWays<'_>,
) -> Message {
    let w = words(lang);
    let time = DateTime::parse_from_rfc3339(&facts.opened_at)
        .map(|t| {
            t.with_timezone(&loaded.timezone())
                .format("%H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|_| facts.opened_at.clone());
    let mut headline = w
        .headline
        .replace("{facility}", &loaded.config.facility.name)
        .replace("{entrance}", &facts.entrance)
        .replace("{time}", &time);
    if facts.drill {
        let label = if lang == Language::English {
            String::new()
        } else {
            format!("{} · ", w.drill)
        };
        headline = format!("DRILL — {label}{headline}");
    }
    let label = facts
        .document_kind
        .and_then(|k| loaded.profile.document(k))
        .map_or(w.not_recorded.to_string(), |d| {
            d.label.get(lang).to_string()
        });
    let mut parts = vec![headline.clone(), w.document.replace("{label}", &label)];
    if facts.officers > 0 {
        parts.push(w.officers.replace("{n}", &facts.officers.to_string()));
    }
    if let Some(area) = &facts.area {
        let kind = if facts.area_public == Some(true) {
            w.public
        } else {
            w.non_public
        };
        parts.push(w.area.replace("{area}", area).replace("{kind}", kind));
    }
    if facts.exigent {
        parts.push(w.exigent.to_string());
    }
    if tier > 0 {
        parts.push(w.escalated.to_string());
    }
    if let Some(anchor) = &facts.record {
        parts.push(w.record.replace("{anchor}", anchor));
    }
    parts.push(match ack.url {
        Some(url) => w.open_link.replace("{id}", &facts.id).replace("{url}", url),
        None => w.acknowledge.replace("{id}", &facts.id),
    });
    if let Some(code) = ack.sms_code {
        parts.push(w.reply.replace("{code}", code));
    }
    Message {
        headline,
        text: parts.join("\n"),
    }
}

/// The text of `threshold alerts test`.
pub fn compose_test(loaded: &Loaded, lang: Language) -> Message {
    let facility = &loaded.config.facility.name;
    let text = words(lang).test_message.replace("{facility}", facility);
    Message {
        headline: text.split(". ").next().unwrap_or(&text).to_string(),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(drill: bool) -> EncounterFacts {
        EncounterFacts {
            id: "E-7K2M9Q4P".into(),
            opened_at: "2026-11-27T18:05:00.000Z".into(),
            entrance: "main".into(),
            drill,
            exigent: true,
            document_kind: Some(DocumentKind::AdministrativeWarrant),
            area: Some("Staff office".into()),
            area_public: Some(false),
            officers: 2,
            record: Some("1234:9f86d081884c7d65".into()),
        }
    }

    #[test]
    fn every_language_says_everything_and_drills_say_so_first() {
        let loaded = Loaded::demo();
        for lang in Language::ALL {
            let m = compose(&loaded, &facts(true), 1, lang, AckWays::default());
            assert!(m.text.starts_with("DRILL — "), "{lang}: {}", m.text);
            assert!(m.text.contains("E-7K2M9Q4P"), "{lang}");
            assert!(
                m.text.contains("10:05 PST"),
                "{lang}: local time: {}",
                m.text
            );
            assert!(
                m.text.contains("I-200"),
                "{lang}: the document label: {}",
                m.text
            );
            assert!(
                !m.text.contains('{'),
                "{lang}: unfilled placeholder: {}",
                m.text
            );
            assert_eq!(m.text.lines().count(), 8, "{lang}: {}", m.text);
            assert!(
                m.text.contains("1234:9f86d081884c7d65"),
                "{lang}: the record head: {}",
                m.text
            );
            let real = compose(
                &loaded,
                &facts(false),
                0,
                lang,
                AckWays {
                    url: Some("https://t.example/ack/x.y"),
                    sms_code: None,
                },
            );
            assert!(
                real.text.ends_with("https://t.example/ack/x.y"),
                "{lang}: {}",
                real.text
            );
            assert!(!real.text.contains("DRILL"), "{lang}");
            assert_eq!(real.text.lines().count(), 7, "{lang}: not escalated");
        }
        let vi = compose(
            &loaded,
            &facts(false),
            0,
            Language::Vietnamese,
            AckWays {
                url: None,
                sms_code: Some("123456"),
            },
        );
        assert!(vi.text.contains("Lệnh hành chính của ICE"), "{}", vi.text);
        assert!(
            vi.text
                .ends_with("Hoặc trả lời ACK 123456 cho tin nhắn này."),
            "{}",
            vi.text
        );
    }
}
