//! The acknowledge pages' texts in the reader's language.

use crate::domain::language::Language;

crate::messages! {
    /// The texts of the acknowledge pages. `{facility}`, `{id}`, `{name}`
    /// and `{time}` are filled in by the caller.
    pub struct AckTexts {
        confirm_title: "Acknowledge this alert",
        confirm_body: "Officials are at {facility}. Reference {id}. Acknowledging tells the front desk you are handling it and stops the alert from escalating.",
        button: "I acknowledge",
        done_title: "Acknowledged",
        done_body: "Thank you, {name}. Your acknowledgement of {id} was recorded at {time}.",
        /// After acknowledging: where counsel goes on to act (signing in).
        open_record: "Open the encounter to see the document and checklist and to send an instruction to the desk (sign in)",
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
    }
}

/// The acknowledge pages' texts in `lang`.
pub fn ack_texts(lang: Language) -> &'static AckTexts {
    AckTexts::get(lang)
}
