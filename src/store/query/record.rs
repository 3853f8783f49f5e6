//! The full record of one encounter, rebuilt from its journal entries:
//! officers, document, pages, checklist, who was paged and who acknowledged,
//! counsel's instructions, outcome, notes and the timeline.

use super::line::Line;
use super::PURGED;
use crate::domain::encounter::Via;
use crate::store::events::*;
use crate::store::journal::{self, Entry};
use crate::store::vault;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// An officer as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct OfficerView {
    pub name: String,
    pub badge: String,
    pub agency: String,
}

/// A page of the presented document.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub number: u32,
    /// A document page, a badge or card, or other evidence.
    pub kind: crate::domain::encounter::PageKind,
    /// Who photographed it, when staff did.
    pub by: Option<String>,
    pub id: String,
    pub sha256: String,
    pub bytes: u64,
    pub media: String,
    pub captured_at: String,
}

/// A checklist question's latest answer: `yes`, `no` or `unclear`, who
/// gave it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answered {
    pub item: String,
    pub answer: String,
    pub by: String,
    pub at: String,
    /// How it reached the record, when not answered here (the city hub).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
}

/// Something a person did, with who and when.
#[derive(Debug, Clone, Serialize)]
pub struct Act {
    pub at: String,
    pub by: String,
    pub text: String,
    /// How it reached the record, when not typed at this kiosk (from the
    /// city hub).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
}

/// An acknowledgement: who, when, in what role and how it reached the
/// record.
#[derive(Debug, Clone, Serialize)]
pub struct Ack {
    pub at: String,
    pub by: String,
    pub role: Option<crate::domain::role::Role>,
    pub via: Via,
}

/// One page sent (or being sent) about an encounter.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub key: String,
    pub tier: u32,
    pub contact: String,
    pub role: String,
    pub channel: String,
    pub queued_at: String,
    pub sent_at: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// One entry of an encounter's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    /// What happened, as facts: worded in the reader's language when read
    /// (`app::timeline`).
    pub line: Line,
}

/// Everything recorded about one encounter.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EncounterRecord {
    pub id: String,
    pub facility: String,
    pub entrance: String,
    pub via: String,
    pub drill: bool,
    /// The language the kiosk showed the official, when opened there.
    pub kiosk_language: Option<crate::domain::language::Language>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub officers: Vec<OfficerView>,
    pub supervisor: Option<String>,
    pub purpose: Option<String>,
    pub sought: Option<String>,
    pub area: Option<String>,
    pub area_public: Option<bool>,
    pub exigent: bool,
    pub document_kind: Option<String>,
    pub court: Option<String>,
    pub judge: Option<String>,
    pub issued: Option<String>,
    pub expires: Option<String>,
    pub address: Option<String>,
    pub areas_named: Option<String>,
    pub pages: Vec<PageView>,
    /// Latest answer per checklist item.
    pub checklist: Vec<Answered>,
    /// Acknowledgements: text is "role via path".
    pub acknowledgements: Vec<Ack>,
    pub counsel_instructions: Vec<Act>,
    pub outcome: Option<String>,
    pub decision_basis: Option<String>,
    pub decided: Option<Act>,
    pub override_reason: Option<String>,
    /// What the officials said, recorded as theirs (an exigent entry).
    pub officials_reason: Option<String>,
    pub notes: Vec<Act>,
    /// Who was paged, on which channel, and when it was delivered.
    pub notifications: Vec<Notification>,
    pub purged: bool,
    /// Legal holds placed on this encounter itself (range holds are listed
    /// by `threshold hold list`).
    pub holds: Vec<HoldView>,
    pub timeline: Vec<TimelineItem>,
}

/// A legal hold on an encounter: while it is not released, retention keeps
/// the encounter whatever its age.
#[derive(Debug, Clone, Serialize)]
pub struct HoldView {
    pub id: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: String,
    pub released: Option<Act>,
}

/// The value behind a reference, or [`PURGED`].
pub fn reveal(conn: &Connection, r: &VaultRef) -> rusqlite::Result<String> {
    Ok(vault::open(conn, r)?.unwrap_or_else(|| PURGED.to_string()))
}

/// Why a record could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", crate::msg!("journal entry {seq} ({kind}) has a body that does not match its kind: {source}; run `threshold log verify`", seq = .seq, kind = .kind, source = .source))]
    Body {
        seq: i64,
        kind: String,
        source: serde_json::Error,
    },
}

/// The journal entries about encounter `subject`, oldest first (check-ins
/// are left out of the index this reads).
pub fn entries_for(conn: &Connection, subject: &str) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, facility, kind, subject, body, hash FROM journal
         WHERE subject = ?1 AND kind <> 'checkin.recorded' ORDER BY seq",
    )?;
    let rows = stmt.query_map([subject], journal::from_row)?;
    rows.collect()
}

fn body<T: serde::de::DeserializeOwned>(e: &Entry) -> Result<T, ReadError> {
    serde_json::from_str(&e.body).map_err(|source| ReadError::Body {
        seq: e.seq,
        kind: e.kind.clone(),
        source,
    })
}

/// A note or an instruction entry as who said what, when.
/// A note or instruction; one relayed for someone else is by them,
/// "relayed by" whoever typed it.
fn text_act(rev: &mut Reveal<'_>, e: &Entry) -> Result<Act, ReadError> {
    let b: TextAdded = body(e)?;
    let by = rev(&b.by)?;
    Ok(Act {
        at: e.at.clone(),
        by: match reveal_with(rev, &b.from)? {
            Some(from) => format!("{from} (relayed by {by})"),
            None => by,
        },
        text: rev(&b.text)?,
        via: b.via,
    })
}

/// Opens a vault reference: its value, or [`PURGED`].
pub type Reveal<'a> = dyn FnMut(&VaultRef) -> Result<String, ReadError> + 'a;

fn reveal_with(rev: &mut Reveal<'_>, r: &Option<VaultRef>) -> Result<Option<String>, ReadError> {
    r.as_ref().map(rev).transpose()
}

/// The full record of encounter `id`, rebuilt from its journal entries.
pub fn encounter(conn: &Connection, id: &str) -> Result<Option<EncounterRecord>, ReadError> {
    let entries = entries_for(conn, id)?;
    let mut rev = |r: &VaultRef| -> Result<String, ReadError> { Ok(reveal(conn, r)?) };
    let Some(mut rec) = assemble(id, &entries, &mut rev)? else {
        return Ok(None);
    };
    rec.purged |= conn
        .query_row("SELECT purged FROM encounters WHERE id = ?1", [id], |r| {
            r.get::<_, bool>(0)
        })
        .optional()?
        .unwrap_or(false);
    Ok(Some(rec))
}

/// Encounter `id`'s record from its entries (oldest first), its vault
/// values opened by `rev`: the kiosk's from its SQLite vault, the hub's
/// from its sealed copy.
pub fn assemble(
    id: &str,
    entries: &[Entry],
    rev: &mut Reveal<'_>,
) -> Result<Option<EncounterRecord>, ReadError> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut rec = EncounterRecord {
        id: id.to_string(),
        ..Default::default()
    };
    for e in entries {
        let line = match EventKind::from_token(&e.kind) {
            Some(EventKind::EncounterOpened) => {
                let b: EncounterOpened = body(e)?;
                rec.facility = e.facility.clone();
                rec.entrance = b.entrance.clone();
                rec.via = b.via.token().into();
                rec.drill = b.drill;
                rec.opened_at = e.at.clone();
                rec.kiosk_language = b.language;
                Line::Opened {
                    drill: b.drill,
                    entrance: b.entrance.clone(),
                    via: b.via,
                }
            }
            Some(EventKind::DetailsRecorded) => {
                let b: DetailsRecorded = body(e)?;
                rec.officers = b
                    .officers
                    .iter()
                    .map(|o| {
                        Ok(OfficerView {
                            name: rev(&o.name)?,
                            badge: rev(&o.badge)?,
                            agency: rev(&o.agency)?,
                        })
                    })
                    .collect::<Result<_, ReadError>>()?;
                rec.supervisor = reveal_with(rev, &b.supervisor)?;
                rec.purpose = reveal_with(rev, &b.purpose)?;
                rec.sought = reveal_with(rev, &b.sought)?;
                rec.area = b.area.clone();
                rec.area_public = b.area_public;
                rec.exigent = b.exigent;
                rec.document_kind = Some(b.document_kind.token().into());
                rec.court = reveal_with(rev, &b.court)?;
                rec.judge = reveal_with(rev, &b.judge)?;
                rec.issued = b.issued.map(|d| d.to_string());
                rec.expires = b.expires.map(|d| d.to_string());
                rec.address = reveal_with(rev, &b.address)?;
                rec.areas_named = reveal_with(rev, &b.areas_named)?;
                Line::Details {
                    officers: b.officers.len(),
                    document: b.document_kind,
                    exigent: b.exigent,
                }
            }
            Some(EventKind::PageCaptured) => {
                let b: PageCaptured = body(e)?;
                let by = match &b.by {
                    Some(r) => Some(rev(r)?),
                    None => None,
                };
                rec.pages.push(PageView {
                    number: b.number,
                    kind: b.kind,
                    by: by.clone(),
                    id: b.page.page.clone(),
                    sha256: b.page.sha256.clone(),
                    bytes: b.page.bytes,
                    media: b.page.media.clone(),
                    captured_at: e.at.clone(),
                });
                Line::Page {
                    number: b.number,
                    kind: b.kind,
                    by,
                    bytes: b.page.bytes,
                    sha256: b.page.sha256.clone(),
                }
            }
            Some(EventKind::Acknowledged) => {
                let b: Acknowledged = body(e)?;
                let by = rev(&b.by)?;
                // A link in a shared channel: whoever in it pressed the link.
                let by = if b.via == crate::domain::encounter::Via::ChannelLink {
                    crate::domain::encounter::in_channel_of(&by)
                } else {
                    by
                };
                rec.acknowledgements.push(Ack {
                    at: e.at.clone(),
                    by: by.clone(),
                    role: b.role,
                    via: b.via,
                });
                Line::Acknowledged {
                    by,
                    role: b.role,
                    via: b.via,
                }
            }
            Some(EventKind::ChecklistAnswered) => {
                let b: ChecklistAnswered = body(e)?;
                let by = rev(&b.by)?;
                let answer = serde_json::to_value(b.answer)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                rec.checklist.retain(|a| a.item != b.item);
                rec.checklist.push(Answered {
                    item: b.item.clone(),
                    answer: answer.clone(),
                    by: by.clone(),
                    at: e.at.clone(),
                    via: b.via,
                });
                Line::Checklist {
                    item: b.item,
                    answer,
                    by,
                    via: b.via,
                }
            }
            Some(EventKind::InstructionRecorded) => {
                let act = text_act(rev, e)?;
                let line = Line::Instruction {
                    by: act.by.clone(),
                    via: act.via,
                };
                rec.counsel_instructions.push(act);
                line
            }
            Some(EventKind::NoteAdded) => {
                let act = text_act(rev, e)?;
                let line = Line::Note {
                    by: act.by.clone(),
                    via: act.via,
                };
                rec.notes.push(act);
                line
            }
            Some(EventKind::Decided) => {
                let b: Decided = body(e)?;
                let by = rev(&b.by)?;
                rec.outcome = Some(b.outcome.token().into());
                rec.decision_basis = Some(b.basis.token().into());
                rec.override_reason = reveal_with(rev, &b.override_reason)?;
                rec.officials_reason = reveal_with(rev, &b.officials_reason)?;
                rec.decided = Some(Act {
                    at: e.at.clone(),
                    by: by.clone(),
                    text: b.outcome.token().into(),
                    via: None,
                });
                if let Some(instr) = reveal_with(rev, &b.counsel_instruction)? {
                    rec.counsel_instructions.push(Act {
                        at: e.at.clone(),
                        by: by.clone(),
                        text: instr,
                        via: None,
                    });
                }
                Line::Decided {
                    outcome: b.outcome,
                    basis: b.basis.token().into(),
                    by,
                }
            }
            Some(EventKind::Closed) => {
                let b: Closed = body(e)?;
                let by = rev(&b.by)?;
                rec.closed_at = Some(e.at.clone());
                rec.closed_by = Some(by.clone());
                Line::Closed { by }
            }
            Some(EventKind::TierPaged) => {
                let b: TierPaged = body(e)?;
                Line::TierPaged { tier: b.tier + 1 }
            }
            Some(EventKind::AlertQueued) => {
                let b: AlertQueued = body(e)?;
                let line = Line::PageQueued {
                    contact: b.contact.clone(),
                    role: b.role,
                    channel: b.channel,
                };
                rec.notifications.push(Notification {
                    key: b.key,
                    tier: b.tier,
                    contact: b.contact,
                    role: b.role.token().into(),
                    channel: b.channel.token().into(),
                    queued_at: e.at.clone(),
                    sent_at: None,
                    attempts: 0,
                    last_error: None,
                });
                line
            }
            Some(EventKind::AlertSent) => {
                let b: AlertSent = body(e)?;
                let n = rec.notifications.iter_mut().find(|n| n.key == b.key);
                let (contact, channel) = n.as_ref().map_or((b.key.clone(), None), |n| {
                    (n.contact.clone(), Some(n.channel.clone()))
                });
                if let Some(n) = n {
                    n.sent_at = Some(e.at.clone());
                    n.attempts = b.attempt;
                    n.last_error = None;
                }
                Line::PageDelivered {
                    contact,
                    channel,
                    attempt: b.attempt,
                }
            }
            Some(EventKind::AlertFailed) => {
                let b: AlertFailed = body(e)?;
                let n = rec.notifications.iter_mut().find(|n| n.key == b.key);
                let (contact, channel) = n.as_ref().map_or((b.key.clone(), None), |n| {
                    (n.contact.clone(), Some(n.channel.clone()))
                });
                if let Some(n) = n {
                    n.attempts = b.attempt;
                    n.last_error = Some(b.error.clone());
                }
                Line::PageFailed {
                    contact,
                    channel,
                    attempt: b.attempt,
                    error: b.error,
                    will_retry: b.retry_at.is_some(),
                }
            }
            Some(EventKind::Purged) => {
                rec.purged = true;
                Line::Purged
            }
            Some(EventKind::HoldPlaced) => {
                let b: HoldPlaced = body(e)?;
                let by = rev(&b.by)?;
                let line = Line::HoldPlaced {
                    hold: b.hold.clone(),
                    by: by.clone(),
                    reason: b.reason.clone(),
                };
                rec.holds.push(HoldView {
                    id: b.hold,
                    reason: b.reason,
                    placed_by: by,
                    placed_at: e.at.clone(),
                    released: None,
                });
                line
            }
            Some(EventKind::HoldReleased) => {
                let b: HoldReleased = body(e)?;
                let by = rev(&b.by)?;
                if let Some(h) = rec.holds.iter_mut().find(|h| h.id == b.hold) {
                    h.released = Some(Act {
                        at: e.at.clone(),
                        by: by.clone(),
                        text: String::new(),
                        via: None,
                    });
                }
                Line::HoldReleased { hold: b.hold, by }
            }
            Some(EventKind::Viewed) => {
                let b: Viewed = body(e)?;
                Line::Viewed {
                    user: b.user,
                    role: b.role,
                    what: b.what,
                    page: b.page,
                }
            }
            Some(
                EventKind::CheckinRecorded
                | EventKind::UserAdded
                | EventKind::PasswordChanged
                | EventKind::SignedIn
                | EventKind::RetentionChanged
                | EventKind::UserDisabled
                | EventKind::UserEnabled
                | EventKind::UserRemoved
                | EventKind::RoleChanged,
            )
            | None => Line::Other {
                kind: e.kind.clone(),
            },
        };
        rec.timeline.push(TimelineItem {
            seq: e.seq,
            at: e.at.clone(),
            kind: e.kind.clone(),
            line,
        });
    }
    Ok(Some(rec))
}
