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

struct Words {
    drill: &'static str,
    headline: &'static str,
    document: &'static str,
    not_recorded: &'static str,
    officers: &'static str,
    area: &'static str,
    public: &'static str,
    non_public: &'static str,
    exigent: &'static str,
    escalated: &'static str,
    acknowledge: &'static str,
    open_link: &'static str,
    reply: &'static str,
    record: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::English => Words {
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
        },
        Language::Spanish => Words {
            drill: "simulacro",
            headline: "Funcionarios en el mostrador: {facility}, entrada {entrance}, {time}.",
            document: "Documento: {label}.",
            not_recorded: "aún no registrado",
            officers: "Agentes: {n}.",
            area: "Área solicitada: {area} ({kind}).",
            public: "pública",
            non_public: "no pública",
            exigent: "Se declararon circunstancias urgentes.",
            escalated: "Escalado: nadie ha confirmado todavía.",
            acknowledge: "Referencia {id}. Para confirmar: threshold encounter ack {id} --by \"su nombre\"",
            open_link: "Referencia {id}. Para confirmar, abra: {url}",
            reply: "O responda ACK {code} a este mensaje.",
            record: "Registro: {anchor}.",
        },
        Language::Vietnamese => Words {
            drill: "diễn tập",
            headline: "Có nhân viên công vụ tại quầy: {facility}, lối vào {entrance}, {time}.",
            document: "Giấy tờ: {label}.",
            not_recorded: "chưa ghi nhận",
            officers: "Số nhân viên: {n}.",
            area: "Khu vực yêu cầu: {area} ({kind}).",
            public: "công cộng",
            non_public: "không công cộng",
            exigent: "Đã tuyên bố tình huống khẩn cấp.",
            escalated: "Đã chuyển cấp: chưa ai xác nhận.",
            acknowledge: "Mã {id}. Để xác nhận: threshold encounter ack {id} --by \"tên của bạn\"",
            open_link: "Mã {id}. Để xác nhận, hãy mở: {url}",
            reply: "Hoặc trả lời ACK {code} cho tin nhắn này.",
            record: "Hồ sơ: {anchor}.",
        },
        Language::ChineseSimplified => Words {
            drill: "演练",
            headline: "有执法人员在前台：{facility}，{entrance} 入口，{time}。",
            document: "文件：{label}。",
            not_recorded: "尚未记录",
            officers: "人数：{n}。",
            area: "要求进入的区域：{area}（{kind}）。",
            public: "公共",
            non_public: "非公共",
            exigent: "已宣称紧急情况。",
            escalated: "已升级：尚无人确认。",
            acknowledge: "编号 {id}。确认方式：threshold encounter ack {id} --by \"您的姓名\"",
            open_link: "编号 {id}。请打开以下链接确认：{url}",
            reply: "或回复 ACK {code} 确认。",
            record: "记录：{anchor}。",
        },
        Language::Tagalog => Words {
            drill: "pagsasanay",
            headline: "May mga opisyal sa front desk: {facility}, pasukang {entrance}, {time}.",
            document: "Dokumento: {label}.",
            not_recorded: "hindi pa naitala",
            officers: "Bilang ng opisyal: {n}.",
            area: "Lugar na hinihiling: {area} ({kind}).",
            public: "pampubliko",
            non_public: "hindi pampubliko",
            exigent: "Idineklara ang kagyat na sitwasyon.",
            escalated: "Itinaas na: wala pang kumumpirma.",
            acknowledge: "Reference {id}. Para kumpirmahin: threshold encounter ack {id} --by \"inyong pangalan\"",
            open_link: "Reference {id}. Para kumpirmahin, buksan: {url}",
            reply: "O sumagot ng ACK {code} sa mensaheng ito.",
            record: "Talaan: {anchor}.",
        },
    }
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
    let text = match lang {
        Language::English => format!("Threshold test message from {facility}. This is a test of the alert channels; no action is needed."),
        Language::Spanish => format!("Mensaje de prueba de Threshold desde {facility}. Es una prueba de los canales de alerta; no hace falta hacer nada."),
        Language::Vietnamese => format!("Tin nhắn thử nghiệm của Threshold từ {facility}. Đây là thử nghiệm các kênh báo động; không cần làm gì."),
        Language::ChineseSimplified => format!("来自 {facility} 的 Threshold 测试消息。这是警报渠道的测试，无需采取任何行动。"),
        Language::Tagalog => format!("Pansubok na mensahe ng Threshold mula sa {facility}. Pagsubok ito ng mga alert channel; walang kailangang gawin."),
    };
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
