//! The kiosk chrome's texts in every language.

use crate::domain::language::Language;

pub struct Chrome {
    pub tap_to_begin: &'static str,
    pub visiting: &'static str,
    pub official: &'static str,
    pub resources: &'static str,
    pub larger_text: &'static str,
}

pub fn chrome(lang: Language) -> Chrome {
    match lang {
        Language::English => Chrome {
            tap_to_begin: "Tap to begin",
            visiting: "I am visiting",
            official: "I am an official or agent presenting a document",
            resources: "Know your rights and resources",
            larger_text: "Larger text",
        },
        Language::Spanish => Chrome {
            tap_to_begin: "Toque para comenzar",
            visiting: "Vengo de visita",
            official: "Soy funcionario o agente y presento un documento",
            resources: "Conozca sus derechos y recursos",
            larger_text: "Letra más grande",
        },
        Language::Vietnamese => Chrome {
            tap_to_begin: "Chạm để bắt đầu",
            visiting: "Tôi đến thăm",
            official: "Tôi là nhân viên công vụ hoặc đặc vụ xuất trình giấy tờ",
            resources: "Tìm hiểu quyền của bạn và các nguồn hỗ trợ",
            larger_text: "Chữ lớn hơn",
        },
        Language::ChineseSimplified => Chrome {
            tap_to_begin: "轻触开始",
            visiting: "我是访客",
            official: "我是出示文件的官员或执法人员",
            resources: "了解您的权利和资源",
            larger_text: "放大文字",
        },
        Language::Tagalog => Chrome {
            tap_to_begin: "Pindutin para magsimula",
            visiting: "Bumibisita ako",
            official: "Ako ay opisyal o ahente na may ipinapakitang dokumento",
            resources: "Alamin ang inyong mga karapatan at mapagkukunan",
            larger_text: "Mas malaking teksto",
        },
    }
}
