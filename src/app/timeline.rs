//! An encounter's timeline in words, in the reader's language, written
//! when it is read: the journal keeps facts and tokens
//! (`store::query::Line`), the sentences come from the message
//! catalogue. Names, officers' and people's words and error texts are
//! printed as recorded.

use crate::domain::account::AccountRole;
use crate::domain::catalogue::{comma, fill, trn};
use crate::domain::encounter::{PageKind, Via};
use crate::domain::language::Language;
use crate::domain::policy::PolicyProfile;
use crate::domain::role::{Channel, Role};
use crate::store::events::Viewing;
use crate::store::query::Line;

crate::messages! {
    /// The timeline's sentences and the words for its tokens.
    pub struct Lines {
        opened: "Opened at entrance “{entrance}”, from {via}.",
        opened_drill: "Drill opened at entrance “{entrance}”, from {via}.",
        exigent: "Exigent circumstances declared.",
        page: "Page {number} photographed ({bytes} bytes, SHA-256 {hash}…).",
        page_kind: "Page {number} photographed: {kind} ({bytes} bytes, SHA-256 {hash}…).",
        page_kind_by: "Page {number} photographed by {by}: {kind} ({bytes} bytes, SHA-256 {hash}…).",
        acknowledged: "Acknowledged by {by} ({role}), from {via}.",
        checklist: "Checklist: “{question}” answered {answer} by {by}.",
        checklist_via: "Checklist: “{question}” answered {answer} by {by}, from {via}.",
        instruction: "Counsel's instruction recorded by {by}.",
        instruction_via: "Counsel's instruction recorded by {by}, from {via}.",
        note: "Note added by {by}.",
        note_via: "Note added by {by}, from {via}.",
        decided: "Outcome recorded by {by}: {outcome}.",
        decided_basis: "Outcome recorded by {by}: {outcome} ({basis}).",
        closed: "Closed by {by}.",
        tier_paged: "Escalation tier {tier} paged.",
        queued: "Page to {contact} ({role}) queued by {channel}.",
        delivered: "Page to {contact} by {channel} delivered (attempt {attempt}).",
        failed_retry: "Page to {contact} by {channel} failed (attempt {attempt}): {error}. It will be tried again.",
        failed_given_up: "Page to {contact} by {channel} failed (attempt {attempt}): {error}. This channel was given up.",
        purged: "Personal data and page images purged (retention).",
        hold_placed: "Legal hold {hold} placed by {by}: {reason}",
        hold_released: "Legal hold {hold} released by {by}.",
        viewed: "{user} ({role}) viewed {what}.",
        viewed_page: "{user} ({role}) viewed page {page}.",
        other: "Entry of kind {kind}.",
        via_cli: "the command line",
        via_kiosk: "the kiosk",
        via_staff_mode: "staff mode at the kiosk",
        via_panic: "the panic button",
        via_ack_link: "an acknowledge link",
        via_channel_link: "a link in a shared channel",
        via_sms: "an SMS reply",
        via_web: "the admin web",
        via_hub: "the city hub",
        role_staff: "staff",
        role_designated: "designated staff",
        role_counsel: "city counsel",
        role_manager: "manager",
        role_rapid: "rapid response",
        role_none: "no role",
        role_cli: "command line",
        role_account_counsel: "counsel",
        role_account_city: "city staff",
        channel_email: "e-mail",
        channel_webhook: "webhook",
        channel_sms: "SMS",
        kind_document_page: "document page",
        kind_badge: "badge or card",
        kind_other: "other evidence",
        what_encounter: "the encounter record",
        what_page: "a document page",
        what_report: "the PDF report",
        what_export: "a log export",
        what_bundle: "a signed export bundle",
        what_dashboard: "the dashboard",
        what_log: "the check-in log",
        what_alerts: "the alert deliveries",
        what_records_request: "a public-records export",
    }
}

const OFFICERS_ONE: &str = "Details recorded: {n} officer; document: {document}.";
const OFFICERS_OTHER: &str = "Details recorded: {n} officers; document: {document}.";

/// Every plural message this module reads: (one, other).
pub const PLURALS: &[(&str, &str)] = &[(OFFICERS_ONE, OFFICERS_OTHER)];

/// How an action reached the record, in words.
pub fn via(v: Via, lang: Language) -> &'static str {
    let w = Lines::get(lang);
    match v {
        Via::Cli => w.via_cli,
        Via::Kiosk => w.via_kiosk,
        Via::StaffMode => w.via_staff_mode,
        Via::PanicButton => w.via_panic,
        Via::AckLink => w.via_ack_link,
        Via::ChannelLink => w.via_channel_link,
        Via::Sms => w.via_sms,
        Via::Web => w.via_web,
        Via::Hub => w.via_hub,
    }
}

/// A recorded token (`cli`, `counsel`, `email`) read back as its type:
/// the tokens are the types' serde names.
fn parsed<T: serde::de::DeserializeOwned>(token: &str) -> Option<T> {
    use serde::de::IntoDeserializer;
    let token: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        token.into_deserializer();
    T::deserialize(token).ok()
}

/// A recorded `via` token in words; the token if unknown.
pub fn via_token(token: &str, lang: Language) -> String {
    parsed(token).map_or_else(|| token.to_string(), |v| via(v, lang).to_string())
}

/// A contact's role in words.
pub fn role(r: Role, lang: Language) -> &'static str {
    let w = Lines::get(lang);
    match r {
        Role::DesignatedStaff => w.role_designated,
        Role::Counsel => w.role_counsel,
        Role::Manager => w.role_manager,
        Role::RapidResponse => w.role_rapid,
    }
}

/// A recorded role token (`counsel`, ...) in words; the token if unknown.
pub fn role_token(token: &str, lang: Language) -> String {
    parsed(token).map_or_else(|| token.to_string(), |r| role(r, lang).to_string())
}

/// An alert channel in words.
pub fn channel(c: Channel, lang: Language) -> &'static str {
    let w = Lines::get(lang);
    match c {
        Channel::Email => w.channel_email,
        Channel::Webhook => w.channel_webhook,
        Channel::Sms => w.channel_sms,
    }
}

/// A recorded channel token in words; the token if unknown.
pub fn channel_token(token: &str, lang: Language) -> String {
    parsed(token).map_or_else(|| token.to_string(), |c| channel(c, lang).to_string())
}

/// What a photographed page is, in words.
pub fn page_kind(k: PageKind, lang: Language) -> &'static str {
    let w = Lines::get(lang);
    match k {
        PageKind::DocumentPage => w.kind_document_page,
        PageKind::Badge => w.kind_badge,
        PageKind::Other => w.kind_other,
    }
}

/// Who acknowledged in what role and how: "city counsel, from the admin web".
pub fn ack_role(r: Option<Role>, v: Via, lang: Language) -> &'static str {
    let w = Lines::get(lang);
    match (r, v) {
        (Some(r), _) => role(r, lang),
        (None, Via::ChannelLink) => w.role_none,
        (None, _) => w.role_staff,
    }
}

/// An acknowledgement's role and way, in words: "city counsel, the admin
/// web".
pub fn ack_how(r: Option<Role>, v: Via, lang: Language) -> String {
    format!("{}{}{}", ack_role(r, v, lang), comma(lang), via(v, lang))
}

/// An admin-web account's role in words (no role: the command line).
pub fn account_role(r: Option<AccountRole>, lang: Language) -> &'static str {
    let w = Lines::get(lang);
    match r {
        Some(AccountRole::Manager) => w.role_manager,
        Some(AccountRole::Counsel) => w.role_account_counsel,
        Some(AccountRole::Staff) => w.role_staff,
        Some(AccountRole::City) => w.role_account_city,
        None => w.role_cli,
    }
}

fn viewing(what: Viewing, lang: Language) -> &'static str {
    let w = Lines::get(lang);
    match what {
        Viewing::Encounter => w.what_encounter,
        Viewing::Page => w.what_page,
        Viewing::Report => w.what_report,
        Viewing::Export => w.what_export,
        Viewing::Bundle => w.what_bundle,
        Viewing::Dashboard => w.what_dashboard,
        Viewing::Log => w.what_log,
        Viewing::Alerts => w.what_alerts,
        Viewing::RecordsRequest => w.what_records_request,
    }
}

fn channel_of(c: &Option<String>, lang: Language) -> String {
    c.as_deref()
        .map_or_else(|| "?".to_string(), |c| channel_token(c, lang))
}

/// One timeline entry as a sentence in `lang`.
pub fn line(profile: &PolicyProfile, l: &Line, lang: Language) -> String {
    let w = Lines::get(lang);
    let aw = super::words::words(lang);
    match l {
        Line::Opened {
            drill,
            entrance,
            via: v,
        } => fill(
            if *drill { w.opened_drill } else { w.opened },
            &[("entrance", entrance), ("via", &via(*v, lang))],
        ),
        Line::Details {
            officers,
            document,
            exigent,
        } => {
            let doc = profile.document_label(Some(document.token()), lang);
            let mut s = trn(
                lang,
                OFFICERS_ONE,
                OFFICERS_OTHER,
                *officers as u64,
                &[("document", &doc)],
            );
            if *exigent {
                s.push(' ');
                s.push_str(w.exigent);
            }
            s
        }
        Line::Page {
            number,
            kind,
            by,
            bytes,
            sha256,
        } => {
            let hash = &sha256[..12.min(sha256.len())];
            let k = page_kind(*kind, lang);
            let text = match (kind, by) {
                (PageKind::DocumentPage, None) => w.page,
                (_, None) => w.page_kind,
                (_, Some(_)) => w.page_kind_by,
            };
            let by = by.as_deref().unwrap_or_default();
            fill(
                text,
                &[
                    ("number", number),
                    ("kind", &k),
                    ("by", &by),
                    ("bytes", bytes),
                    ("hash", &hash),
                ],
            )
        }
        Line::Acknowledged {
            by,
            role: r,
            via: v,
        } => fill(
            w.acknowledged,
            &[
                ("by", by),
                ("role", &ack_role(*r, *v, lang)),
                ("via", &via(*v, lang)),
            ],
        ),
        Line::Checklist {
            item,
            answer,
            by,
            via: v,
        } => {
            let question = profile
                .checklist_item(item)
                .map_or_else(|| item.clone(), |i| i.question.get(lang).to_string());
            let answer = aw.answer(answer).unwrap_or(answer);
            match v {
                None => fill(
                    w.checklist,
                    &[("question", &question), ("answer", &answer), ("by", by)],
                ),
                Some(v) => fill(
                    w.checklist_via,
                    &[
                        ("question", &question),
                        ("answer", &answer),
                        ("by", by),
                        ("via", &via(*v, lang)),
                    ],
                ),
            }
        }
        Line::Instruction { by, via: None } => fill(w.instruction, &[("by", by)]),
        Line::Instruction { by, via: Some(v) } => {
            fill(w.instruction_via, &[("by", by), ("via", &via(*v, lang))])
        }
        Line::Note { by, via: None } => fill(w.note, &[("by", by)]),
        Line::Note { by, via: Some(v) } => fill(w.note_via, &[("by", by), ("via", &via(*v, lang))]),
        Line::Decided { outcome, basis, by } => {
            let outcome = profile.outcome_label(outcome.token(), lang);
            match aw.basis(basis) {
                Some(b) => fill(
                    w.decided_basis,
                    &[("by", by), ("outcome", &outcome), ("basis", &b)],
                ),
                None => fill(w.decided, &[("by", by), ("outcome", &outcome)]),
            }
        }
        Line::Closed { by } => fill(w.closed, &[("by", by)]),
        Line::TierPaged { tier } => fill(w.tier_paged, &[("tier", tier)]),
        Line::PageQueued {
            contact,
            role: r,
            channel: c,
        } => fill(
            w.queued,
            &[
                ("contact", contact),
                ("role", &role(*r, lang)),
                ("channel", &channel(*c, lang)),
            ],
        ),
        Line::PageDelivered {
            contact,
            channel: c,
            attempt,
        } => fill(
            w.delivered,
            &[
                ("contact", contact),
                ("channel", &channel_of(c, lang)),
                ("attempt", attempt),
            ],
        ),
        Line::PageFailed {
            contact,
            channel: c,
            attempt,
            error,
            will_retry,
        } => fill(
            if *will_retry {
                w.failed_retry
            } else {
                w.failed_given_up
            },
            &[
                ("contact", contact),
                ("channel", &channel_of(c, lang)),
                ("attempt", attempt),
                ("error", error),
            ],
        ),
        Line::Purged => w.purged.to_string(),
        Line::HoldPlaced { hold, by, reason } => fill(
            w.hold_placed,
            &[("hold", hold), ("by", by), ("reason", reason)],
        ),
        Line::HoldReleased { hold, by } => fill(w.hold_released, &[("hold", hold), ("by", by)]),
        Line::Viewed {
            user,
            role: r,
            what,
            page,
        } => {
            let r = account_role(*r, lang);
            match page {
                Some(n) => fill(w.viewed_page, &[("user", user), ("role", &r), ("page", n)]),
                None => fill(
                    w.viewed,
                    &[
                        ("user", user),
                        ("role", &r),
                        ("what", &viewing(*what, lang)),
                    ],
                ),
            }
        }
        Line::Other { kind } => fill(w.other, &[("kind", kind)]),
    }
}
