//! Small HTML pages, readable on a phone, in the reader's language.

use crate::domain::language::Language;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub use crate::html::escape;

/// A page with `title` and already-escaped `body_html`, never cached.
pub fn page(status: StatusCode, lang: Language, title: &str, body_html: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans", system-ui, sans-serif; margin: 0; padding: 1.5rem; max-width: 36rem; color: #1a1a1a; background: #fff; line-height: 1.5; }}
h1 {{ font-size: 1.5rem; }}
button {{ font-size: 1.25rem; padding: 0.9rem 1.5rem; min-height: 48px; border: 0; border-radius: 6px; background: #0b5394; color: #fff; }}
.ref {{ font-family: monospace; font-size: 1.1rem; }}
</style></head>
<body><h1>{title}</h1>
{body_html}
</body></html>"#,
        lang = lang.code(),
        title = escape(title),
    );
    (
        status,
        [
            ("cache-control", "no-store"),
            ("referrer-policy", "no-referrer"),
        ],
        Html(html),
    )
        .into_response()
}

/// The texts of the acknowledge pages.
pub struct AckTexts {
    pub confirm_title: &'static str,
    pub confirm_body: &'static str,
    pub button: &'static str,
    pub done_title: &'static str,
    pub done_body: &'static str,
    pub forged_title: &'static str,
    pub forged_body: &'static str,
    pub expired_title: &'static str,
    pub expired_body: &'static str,
    pub used_title: &'static str,
    pub used_body: &'static str,
    pub closed_title: &'static str,
    pub closed_body: &'static str,
    pub failed_title: &'static str,
    pub failed_body: &'static str,
}

/// The acknowledge pages' texts in `lang`. `{facility}`, `{id}`, `{name}`
/// and `{time}` are filled in by the caller.
pub fn ack_texts(lang: Language) -> AckTexts {
    match lang {
        Language::English => AckTexts {
            confirm_title: "Acknowledge this alert",
            confirm_body: "Officials are at {facility}. Reference {id}. Acknowledging tells the front desk you are handling it and stops the alert from escalating.",
            button: "I acknowledge",
            done_title: "Acknowledged",
            done_body: "Thank you, {name}. Your acknowledgement of {id} was recorded at {time}.",
            forged_title: "This link is not valid",
            forged_body: "It may have been copied incompletely. Acknowledge in staff mode at the kiosk, or call the front desk.",
            expired_title: "This link has expired",
            expired_body: "It expired at {time}. Acknowledge in staff mode at the kiosk, or call the front desk.",
            used_title: "This link was already used",
            used_body: "It was used at {time}; that acknowledgement is recorded. Nothing more is needed.",
            closed_title: "This encounter is closed",
            closed_body: "Reference {id} is closed; no acknowledgement is needed.",
            failed_title: "Not recorded",
            failed_body: "The acknowledgement could not be recorded. Call the front desk.",
        },
        Language::Spanish => AckTexts {
            confirm_title: "Confirmar esta alerta",
            confirm_body: "Hay funcionarios en {facility}. Referencia {id}. Al confirmar, el mostrador sabe que usted se encarga y la alerta deja de escalar.",
            button: "Confirmo",
            done_title: "Confirmado",
            done_body: "Gracias, {name}. Su confirmación de {id} quedó registrada a las {time}.",
            forged_title: "Este enlace no es válido",
            forged_body: "Puede que se haya copiado incompleto. Confirme en el modo de personal del quiosco o llame al mostrador.",
            expired_title: "Este enlace ha vencido",
            expired_body: "Venció a las {time}. Confirme en el modo de personal del quiosco o llame al mostrador.",
            used_title: "Este enlace ya se usó",
            used_body: "Se usó a las {time}; esa confirmación está registrada. No hace falta nada más.",
            closed_title: "Este caso está cerrado",
            closed_body: "La referencia {id} está cerrada; no hace falta confirmar.",
            failed_title: "No registrado",
            failed_body: "No se pudo registrar la confirmación. Llame al mostrador.",
        },
        Language::Vietnamese => AckTexts {
            confirm_title: "Xác nhận cảnh báo này",
            confirm_body: "Có nhân viên công vụ tại {facility}. Mã {id}. Khi xác nhận, quầy tiếp tân biết bạn đang xử lý và cảnh báo sẽ không chuyển cấp nữa.",
            button: "Tôi xác nhận",
            done_title: "Đã xác nhận",
            done_body: "Cảm ơn {name}. Xác nhận của bạn cho {id} đã được ghi lúc {time}.",
            forged_title: "Liên kết này không hợp lệ",
            forged_body: "Có thể liên kết bị sao chép thiếu. Hãy xác nhận ở chế độ nhân viên tại kiosk, hoặc gọi quầy tiếp tân.",
            expired_title: "Liên kết này đã hết hạn",
            expired_body: "Liên kết hết hạn lúc {time}. Hãy xác nhận ở chế độ nhân viên tại kiosk, hoặc gọi quầy tiếp tân.",
            used_title: "Liên kết này đã được dùng",
            used_body: "Liên kết đã được dùng lúc {time}; xác nhận đó đã được ghi. Không cần làm gì thêm.",
            closed_title: "Sự việc này đã kết thúc",
            closed_body: "Mã {id} đã đóng; không cần xác nhận.",
            failed_title: "Chưa ghi được",
            failed_body: "Không thể ghi xác nhận. Hãy gọi quầy tiếp tân.",
        },
        Language::ChineseSimplified => AckTexts {
            confirm_title: "确认此警报",
            confirm_body: "有执法人员在 {facility}。编号 {id}。确认后，前台会知道由您处理，警报也将停止升级。",
            button: "我确认",
            done_title: "已确认",
            done_body: "谢谢，{name}。您对 {id} 的确认已于 {time} 记录。",
            forged_title: "此链接无效",
            forged_body: "链接可能复制不完整。请在自助机的工作人员模式中确认，或致电前台。",
            expired_title: "此链接已过期",
            expired_body: "链接已于 {time} 过期。请在自助机的工作人员模式中确认，或致电前台。",
            used_title: "此链接已被使用",
            used_body: "链接已于 {time} 使用，该确认已记录。无需其他操作。",
            closed_title: "此事件已结束",
            closed_body: "编号 {id} 已关闭，无需确认。",
            failed_title: "未能记录",
            failed_body: "无法记录确认。请致电前台。",
        },
        Language::Tagalog => AckTexts {
            confirm_title: "Kumpirmahin ang alertong ito",
            confirm_body: "May mga opisyal sa {facility}. Reference {id}. Sa pagkumpirma, malalaman ng front desk na hawak mo ito at titigil ang pag-akyat ng alerto.",
            button: "Kinukumpirma ko",
            done_title: "Nakumpirma na",
            done_body: "Salamat, {name}. Naitala ang iyong kumpirmasyon para sa {id} noong {time}.",
            forged_title: "Hindi wasto ang link na ito",
            forged_body: "Maaaring hindi ito nakopya nang buo. Kumpirmahin sa staff mode ng kiosk, o tawagan ang front desk.",
            expired_title: "Nag-expire na ang link na ito",
            expired_body: "Nag-expire ito noong {time}. Kumpirmahin sa staff mode ng kiosk, o tawagan ang front desk.",
            used_title: "Nagamit na ang link na ito",
            used_body: "Nagamit ito noong {time}; naitala na ang kumpirmasyong iyon. Wala nang kailangang gawin.",
            closed_title: "Sarado na ang kasong ito",
            closed_body: "Sarado na ang reference {id}; hindi na kailangang kumpirmahin.",
            failed_title: "Hindi naitala",
            failed_body: "Hindi maitala ang kumpirmasyon. Tawagan ang front desk.",
        },
    }
}
