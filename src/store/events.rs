//! The journal's event kinds and their JSON bodies.
//!
//! Bodies hold tokens, flags, times and references; every piece of personal
//! data or free text is in the vault and referenced by a [`VaultRef`].

use crate::domain::document::DocumentKind;
use crate::domain::encounter::{ChecklistAnswer, DecisionBasis, Outcome, PageKind, Via};
use crate::domain::language::Language;
use serde::{Deserialize, Serialize};

/// A reference to a vault row: its id and the salted SHA-256 commitment
/// `SHA-256(salt ‖ value)` as lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultRef {
    pub vault: i64,
    pub commit: String,
}

/// A reference to an encrypted page file: its id and the SHA-256 of the
/// plaintext image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRef {
    pub page: String,
    pub sha256: String,
    pub bytes: u64,
    pub media: String,
}

/// Every kind of journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    CheckinRecorded,
    EncounterOpened,
    DetailsRecorded,
    PageCaptured,
    Acknowledged,
    ChecklistAnswered,
    InstructionRecorded,
    Decided,
    NoteAdded,
    Closed,
    Purged,
    TierPaged,
    AlertQueued,
    AlertSent,
    AlertFailed,
    UserAdded,
    PasswordChanged,
    SignedIn,
    Viewed,
    RetentionChanged,
    UserDisabled,
    UserEnabled,
    UserRemoved,
    RoleChanged,
    HoldPlaced,
    HoldReleased,
}

impl EventKind {
    pub const ALL: [EventKind; 26] = [
        EventKind::CheckinRecorded,
        EventKind::EncounterOpened,
        EventKind::DetailsRecorded,
        EventKind::PageCaptured,
        EventKind::Acknowledged,
        EventKind::ChecklistAnswered,
        EventKind::InstructionRecorded,
        EventKind::Decided,
        EventKind::NoteAdded,
        EventKind::Closed,
        EventKind::Purged,
        EventKind::TierPaged,
        EventKind::AlertQueued,
        EventKind::AlertSent,
        EventKind::AlertFailed,
        EventKind::UserAdded,
        EventKind::PasswordChanged,
        EventKind::SignedIn,
        EventKind::Viewed,
        EventKind::RetentionChanged,
        EventKind::UserDisabled,
        EventKind::UserEnabled,
        EventKind::UserRemoved,
        EventKind::RoleChanged,
        EventKind::HoldPlaced,
        EventKind::HoldReleased,
    ];

    /// The token stored in the journal's `kind` column.
    pub fn token(self) -> &'static str {
        match self {
            EventKind::CheckinRecorded => "checkin.recorded",
            EventKind::EncounterOpened => "encounter.opened",
            EventKind::DetailsRecorded => "encounter.details-recorded",
            EventKind::PageCaptured => "encounter.page-captured",
            EventKind::Acknowledged => "encounter.acknowledged",
            EventKind::ChecklistAnswered => "encounter.checklist-answered",
            EventKind::InstructionRecorded => "encounter.instruction-recorded",
            EventKind::Decided => "encounter.decided",
            EventKind::NoteAdded => "encounter.note-added",
            EventKind::Closed => "encounter.closed",
            EventKind::Purged => "retention.purged",
            EventKind::TierPaged => "alert.tier-paged",
            EventKind::AlertQueued => "alert.queued",
            EventKind::AlertSent => "alert.sent",
            EventKind::AlertFailed => "alert.failed",
            EventKind::UserAdded => "user.added",
            EventKind::PasswordChanged => "user.password-changed",
            EventKind::SignedIn => "web.signed-in",
            EventKind::Viewed => "web.viewed",
            EventKind::RetentionChanged => "settings.retention-changed",
            EventKind::UserDisabled => "user.disabled",
            EventKind::UserEnabled => "user.enabled",
            EventKind::UserRemoved => "user.removed",
            EventKind::RoleChanged => "user.role-changed",
            EventKind::HoldPlaced => "retention.hold-placed",
            EventKind::HoldReleased => "retention.hold-released",
        }
    }

    /// The kind for a stored token.
    pub fn from_token(s: &str) -> Option<EventKind> {
        Some(match s {
            "checkin.recorded" => EventKind::CheckinRecorded,
            "encounter.opened" => EventKind::EncounterOpened,
            "encounter.details-recorded" => EventKind::DetailsRecorded,
            "encounter.page-captured" => EventKind::PageCaptured,
            "encounter.acknowledged" => EventKind::Acknowledged,
            "encounter.checklist-answered" => EventKind::ChecklistAnswered,
            "encounter.instruction-recorded" => EventKind::InstructionRecorded,
            "encounter.decided" => EventKind::Decided,
            "encounter.note-added" => EventKind::NoteAdded,
            "encounter.closed" => EventKind::Closed,
            "retention.purged" => EventKind::Purged,
            "alert.tier-paged" => EventKind::TierPaged,
            "alert.queued" => EventKind::AlertQueued,
            "alert.sent" => EventKind::AlertSent,
            "alert.failed" => EventKind::AlertFailed,
            "user.added" => EventKind::UserAdded,
            "user.password-changed" => EventKind::PasswordChanged,
            "web.signed-in" => EventKind::SignedIn,
            "web.viewed" => EventKind::Viewed,
            "settings.retention-changed" => EventKind::RetentionChanged,
            "user.disabled" => EventKind::UserDisabled,
            "user.enabled" => EventKind::UserEnabled,
            "user.removed" => EventKind::UserRemoved,
            "user.role-changed" => EventKind::RoleChanged,
            "retention.hold-placed" => EventKind::HoldPlaced,
            "retention.hold-released" => EventKind::HoldReleased,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_token(kind.token()), Some(kind));
        }
        assert_eq!(EventKind::from_token("checkin"), None);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckinRecorded {
    pub purpose: String,
    pub language: Language,
    pub entrance: String,
    pub name: Option<VaultRef>,
    pub host: Option<VaultRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncounterOpened {
    pub entrance: String,
    pub via: Via,
    pub drill: bool,
    /// The language the kiosk showed the official (opened at the kiosk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficerRefs {
    pub name: VaultRef,
    pub badge: VaultRef,
    pub agency: VaultRef,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailsRecorded {
    pub officers: Vec<OfficerRefs>,
    pub supervisor: Option<VaultRef>,
    pub purpose: Option<VaultRef>,
    pub sought: Option<VaultRef>,
    pub area: Option<String>,
    pub area_public: Option<bool>,
    pub exigent: bool,
    pub document_kind: DocumentKind,
    pub court: Option<VaultRef>,
    pub judge: Option<VaultRef>,
    pub issued: Option<chrono::NaiveDate>,
    pub expires: Option<chrono::NaiveDate>,
    pub address: Option<VaultRef>,
    pub areas_named: Option<VaultRef>,
    pub by: Option<VaultRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageCaptured {
    pub number: u32,
    pub page: PageRef,
    /// Document pages (the official's flow, and entries written before
    /// kinds existed) leave it out.
    #[serde(default, skip_serializing_if = "PageKind::is_document_page")]
    pub kind: PageKind,
    /// Who photographed it, when staff did (sealed like other names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<VaultRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledged {
    pub by: VaultRef,
    /// The contact's role when the name matches a configured contact.
    pub role: Option<crate::domain::role::Role>,
    pub via: Via,
    /// The acknowledge link used, which can never be used again.
    #[serde(default)]
    pub link: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswered {
    pub item: String,
    pub answer: ChecklistAnswer,
    pub by: VaultRef,
    /// How it reached the record when not answered here: from the city hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
}

/// A note or counsel's instruction.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextAdded {
    pub text: VaultRef,
    pub by: VaultRef,
    /// Whose words they are, when `by` relays them (staff typing counsel's
    /// instruction given by phone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<VaultRef>,
    /// How it reached the record when not typed here: from the city hub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decided {
    pub outcome: Outcome,
    pub basis: DecisionBasis,
    pub by: VaultRef,
    pub override_reason: Option<VaultRef>,
    pub counsel_instruction: Option<VaultRef>,
    /// What the officials said, recorded as theirs (the emergency they
    /// claimed for an exigent entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officials_reason: Option<VaultRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closed {
    pub by: VaultRef,
}

/// What a retention run removed. The chain still verifies: the references
/// stay, the vault rows and page files are gone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purged {
    pub checkins: Vec<String>,
    pub encounters: Vec<String>,
    pub vault: Vec<i64>,
    pub pages: Vec<String>,
    /// Records older than these times were due.
    pub visitor_cutoff: String,
    pub encounter_cutoff: String,
}

/// An escalation tier was paged; the next one is due at `deadline` unless
/// someone acknowledges (none after the last tier).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierPaged {
    pub tier: u32,
    pub deadline: Option<String>,
}

/// A page put in the outbox. `key` = encounter/tier/contact/channel, so the
/// same page is never queued twice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertQueued {
    pub key: String,
    pub tier: u32,
    /// The contact's name as configured.
    pub contact: String,
    pub role: crate::domain::role::Role,
    pub channel: crate::domain::role::Channel,
    pub due_at: String,
    /// Seconds after sending before the contact's next channel is tried
    /// (none when this is their last channel).
    pub fallback_after_s: Option<u32>,
    /// The page on the previous channel this one follows up.
    pub follows: Option<String>,
}

/// A page was delivered (the receiver accepted it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSent {
    pub key: String,
    pub attempt: u32,
    pub detail: String,
    /// When the next channel is tried if nobody has acknowledged.
    pub fallback_at: Option<String>,
}

/// An attempt failed. With `retry_at` it is tried again then; without, this
/// channel is given up (and the next one, if any, is queued).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertFailed {
    pub key: String,
    pub attempt: u32,
    pub error: String,
    pub retry_at: Option<String>,
}

/// An admin-web account was created (subject `user:NAME`). The password
/// hash is kept outside the journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAdded {
    pub name: String,
    pub role: crate::domain::account::AccountRole,
    /// SHA-256 of the password hash as stored, so `log verify` catches a
    /// hash replaced in the database (absent before this was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// Who did it, when not the account itself (the command line's user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Something about an account (subject `user:NAME`): its password was set
/// or changed, someone signed in, it was disabled, enabled or removed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEvent {
    pub name: String,
    /// For a password change: SHA-256 of the new hash as stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// Who did it, when not the account itself (the command line's user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// What a reader looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Viewing {
    Encounter,
    Page,
    Report,
    Export,
    Bundle,
    /// The dashboard: open encounters, who acknowledged, today's check-ins.
    Dashboard,
    /// A page of the check-in log (visitor names and hosts, purposes).
    Log,
    /// A page of the alert delivery log (who was paged about what).
    Alerts,
    /// An encounter exported for a public-records request.
    RecordsRequest,
}

impl Viewing {
    pub fn token(self) -> &'static str {
        match self {
            Viewing::Encounter => "the encounter record",
            Viewing::Page => "a document page",
            Viewing::Report => "the PDF report",
            Viewing::Export => "a log export",
            Viewing::Bundle => "a signed export bundle",
            Viewing::Dashboard => "the dashboard",
            Viewing::Log => "the check-in log",
            Viewing::Alerts => "the alert deliveries",
            Viewing::RecordsRequest => "a public-records export",
        }
    }
}

/// Where a reader looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewedVia {
    /// The admin web, signed in to an account.
    #[default]
    Web,
    /// The command line on the box, as an operating-system user.
    Cli,
}

impl ViewedVia {
    fn is_web(&self) -> bool {
        *self == ViewedVia::Web
    }
}

/// An audit entry: `user` (with `role`, on the web) viewed or exported
/// something. The subject is the encounter id, or `log` for the log, its
/// exports, the dashboard and the alert deliveries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Viewed {
    pub user: String,
    /// The web account's role; none for the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::domain::account::AccountRole>,
    #[serde(default, skip_serializing_if = "ViewedVia::is_web")]
    pub via: ViewedVia,
    pub what: Viewing,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The filters, e.g. `format=csv from=2026-11-01 kind=visitor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Where in the log a page started (its cursor), when not at the top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Counsel or a manager placed a legal hold: retention keeps the held
/// encounters whatever their age until it is released. Subject: the
/// encounter held, or `holds` for a range of days.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldPlaced {
    pub hold: String,
    /// The encounter held, or none for a range.
    pub encounter: Option<String>,
    /// A range: encounters opened from `from_at` (inclusive) to `until_at`
    /// (exclusive), the facility's local days `from_day`..=`to_day`.
    pub from_at: Option<String>,
    pub until_at: Option<String>,
    pub from_day: Option<chrono::NaiveDate>,
    pub to_day: Option<chrono::NaiveDate>,
    pub reason: String,
    pub by: VaultRef,
}

/// A legal hold was released (same subject as its placing).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldReleased {
    pub hold: String,
    pub by: VaultRef,
}

/// A manager changed the retention periods (subject `settings`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionChanged {
    pub by: String,
    pub visitor_days: u32,
    pub encounter_years: u32,
}
