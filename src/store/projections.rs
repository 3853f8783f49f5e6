//! Projections: indexed tables for queries, derived from the journal.
//!
//! [`apply`] is the only code that writes them. It runs in the same
//! transaction as the journal append, and `log verify` runs it again over the
//! whole journal into an empty database and compares the result, so a hand
//! edit of any projection row is caught.

use super::events::*;
use super::journal::Entry;
use rusqlite::{params, Connection};

/// The projection tables and the order `log verify` compares them in.
pub const TABLES: &[(&str, &str)] = &[
    ("checkins", "id"),
    ("encounters", "id"),
    ("pages", "id"),
    ("checklist_answers", "encounter_id, item"),
    ("outbox", "key"),
    ("used_links", "link"),
    ("users", "name"),
    ("settings", "key"),
    ("holds", "id"),
];

/// Why an entry could not be projected.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("{}", crate::msg!("unknown entry kind `{found}`", found = .0))]
    UnknownKind(String),
    #[error("{}", crate::msg!("body does not match its kind: {error}", error = .0))]
    Body(#[from] serde_json::Error),
    #[error("{}", crate::msg!("entry refers to {what} `{id}`, which no earlier entry created", what = .what, id = .id))]
    Dangling { what: &'static str, id: String },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Update the projections for one journal entry.
pub fn apply(conn: &Connection, e: &Entry) -> Result<(), ProjectionError> {
    let kind = EventKind::from_token(&e.kind)
        .ok_or_else(|| ProjectionError::UnknownKind(e.kind.clone()))?;
    let id = e.subject.as_str();
    let vault_id = |r: &Option<VaultRef>| r.as_ref().map(|r| r.vault);
    match kind {
        EventKind::CheckinRecorded => {
            let b: CheckinRecorded = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "INSERT INTO checkins (id, seq, at, entrance, purpose, language, name_vault, host_vault)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id,
                e.seq,
                e.at,
                b.entrance,
                b.purpose,
                b.language.code(),
                vault_id(&b.name),
                vault_id(&b.host)
            ])?;
            return Ok(());
        }
        EventKind::EncounterOpened => {
            let b: EncounterOpened = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "INSERT INTO encounters (id, seq, opened_at, entrance, via, drill, last_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?2)",
            )?
            .execute(params![id, e.seq, e.at, b.entrance, b.via.token(), b.drill])?;
            return Ok(());
        }
        EventKind::AlertQueued => {
            let b: AlertQueued = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "INSERT INTO outbox (key, encounter_id, seq, tier, contact, role, channel, state, due_at, fallback_after_s)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9)",
            )?
            .execute(params![
                b.key,
                id,
                e.seq,
                b.tier,
                b.contact,
                b.role.token(),
                b.channel.token(),
                b.due_at,
                b.fallback_after_s
            ])?;
            if let Some(prev) = b.follows {
                conn.prepare_cached("UPDATE outbox SET fallback_at = NULL WHERE key = ?1")?
                    .execute([prev])?;
            }
            return Ok(());
        }
        EventKind::AlertSent => {
            let b: AlertSent = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached(
                    "UPDATE outbox SET state = 'sent', attempts = ?2, sent_at = ?3, last_error = NULL, fallback_at = ?4
                     WHERE key = ?1",
                )?
                .execute(params![b.key, b.attempt, e.at, b.fallback_at])?;
            return dangling_outbox(n, b.key);
        }
        EventKind::AlertFailed => {
            let b: AlertFailed = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached(
                    "UPDATE outbox SET attempts = ?2, last_error = ?3,
                     state = CASE WHEN ?4 IS NULL THEN 'failed' ELSE 'retry' END,
                     due_at = COALESCE(?4, due_at) WHERE key = ?1",
                )?
                .execute(params![b.key, b.attempt, b.error, b.retry_at])?;
            return dangling_outbox(n, b.key);
        }
        EventKind::UserAdded => {
            let b: UserAdded = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "INSERT INTO users (name, role, seq, credential) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![b.name, b.role.token(), e.seq, b.credential])?;
            return Ok(());
        }
        EventKind::RoleChanged => {
            let b: UserAdded = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached("UPDATE users SET role = ?2 WHERE name = ?1")?
                .execute(params![b.name, b.role.token()])?;
            return dangling_user(n, b.name);
        }
        EventKind::PasswordChanged => {
            let b: AccountEvent = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached("UPDATE users SET credential = ?2 WHERE name = ?1")?
                .execute(params![b.name, b.credential])?;
            return dangling_user(n, b.name);
        }
        EventKind::UserDisabled | EventKind::UserEnabled => {
            let b: AccountEvent = serde_json::from_str(&e.body)?;
            let disabled = kind == EventKind::UserDisabled;
            let n = conn
                .prepare_cached("UPDATE users SET disabled = ?2 WHERE name = ?1")?
                .execute(params![b.name, disabled])?;
            return dangling_user(n, b.name);
        }
        EventKind::UserRemoved => {
            let b: AccountEvent = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached("DELETE FROM users WHERE name = ?1")?
                .execute(params![b.name])?;
            return dangling_user(n, b.name);
        }
        EventKind::SignedIn => {
            let _: AccountEvent = serde_json::from_str(&e.body)?;
            return Ok(());
        }
        EventKind::Viewed => {
            let _: Viewed = serde_json::from_str(&e.body)?;
            return Ok(());
        }
        EventKind::RetentionChanged => {
            let b: RetentionChanged = serde_json::from_str(&e.body)?;
            let mut stmt = conn.prepare_cached(
                "INSERT INTO settings (key, value, seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
            )?;
            stmt.execute(params![
                "retention.visitor_days",
                b.visitor_days.to_string(),
                e.seq
            ])?;
            stmt.execute(params![
                "retention.encounter_years",
                b.encounter_years.to_string(),
                e.seq
            ])?;
            return Ok(());
        }
        EventKind::HoldPlaced => {
            let b: HoldPlaced = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "INSERT INTO holds (id, encounter_id, from_at, until_at, from_day, to_day, reason, placed_at, placed_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                b.hold,
                b.encounter,
                b.from_at,
                b.until_at,
                b.from_day.map(|d| d.to_string()),
                b.to_day.map(|d| d.to_string()),
                b.reason,
                e.at,
                e.seq
            ])?;
            return Ok(());
        }
        EventKind::HoldReleased => {
            let b: HoldReleased = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached("UPDATE holds SET released_seq = ?2 WHERE id = ?1")?
                .execute(params![b.hold, e.seq])?;
            if n == 0 {
                return Err(ProjectionError::Dangling {
                    what: "hold",
                    id: b.hold,
                });
            }
            return Ok(());
        }
        EventKind::Purged => {
            let b: Purged = serde_json::from_str(&e.body)?;
            for (table, ids) in [
                ("checkins", &b.checkins),
                ("encounters", &b.encounters),
                ("pages", &b.pages),
            ] {
                let mut stmt =
                    conn.prepare_cached(&format!("UPDATE {table} SET purged = 1 WHERE id = ?1"))?;
                for id in ids {
                    stmt.execute([id])?;
                }
            }
            return Ok(());
        }
        _ => {}
    }
    // Everything else updates an existing encounter.
    let touched = match kind {
        EventKind::TierPaged => {
            let b: TierPaged = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "UPDATE encounters SET tier = ?2, tier_deadline = CASE WHEN first_ack_at IS NULL THEN ?3 END, last_seq = ?4 WHERE id = ?1",
            )?
            .execute(params![id, b.tier, b.deadline, e.seq])?
        }
        EventKind::DetailsRecorded => {
            let b: DetailsRecorded = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "UPDATE encounters SET exigent = ?2, document_kind = ?3, area = ?4, area_public = ?5,
                 purpose_vault = ?6, officers = ?7, last_seq = ?8 WHERE id = ?1",
            )?
            .execute(params![
                id,
                b.exigent,
                b.document_kind.token(),
                b.area,
                b.area_public,
                vault_id(&b.purpose),
                b.officers.len() as i64,
                e.seq
            ])?
        }
        EventKind::PageCaptured => {
            let b: PageCaptured = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached(
                    "UPDATE encounters SET pages = pages + 1, last_seq = ?2 WHERE id = ?1",
                )?
                .execute(params![id, e.seq])?;
            if n == 1 {
                conn.prepare_cached(
                    "INSERT INTO pages (id, encounter_id, seq, number, sha256, bytes, media)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    b.page.page,
                    id,
                    e.seq,
                    b.number,
                    b.page.sha256,
                    b.page.bytes as i64,
                    b.page.media
                ])?;
            }
            n
        }
        EventKind::Acknowledged => {
            let b: Acknowledged = serde_json::from_str(&e.body)?;
            if let Some(link) = &b.link {
                conn.prepare_cached(
                    "INSERT INTO used_links (link, encounter_id, seq, at) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![link, id, e.seq, e.at])?;
            }
            let counsel = b.role == Some(crate::domain::role::Role::Counsel);
            conn.prepare_cached(
                "UPDATE encounters SET acks = acks + 1, first_ack_at = COALESCE(first_ack_at, ?2),
                 counsel_ack_at = CASE WHEN ?3 THEN COALESCE(counsel_ack_at, ?2) ELSE counsel_ack_at END,
                 tier_deadline = NULL, last_seq = ?4 WHERE id = ?1",
            )?
            .execute(params![id, e.at, counsel, e.seq])?
        }
        EventKind::ChecklistAnswered => {
            let b: ChecklistAnswered = serde_json::from_str(&e.body)?;
            let n = conn
                .prepare_cached("UPDATE encounters SET last_seq = ?2 WHERE id = ?1")?
                .execute(params![id, e.seq])?;
            if n == 1 {
                let answer = serde_json::to_value(b.answer)?;
                conn.prepare_cached(
                    "INSERT INTO checklist_answers (encounter_id, item, answer, seq) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (encounter_id, item) DO UPDATE SET answer = excluded.answer, seq = excluded.seq",
                )?
                .execute(params![id, b.item, answer.as_str(), e.seq])?;
            }
            n
        }
        EventKind::InstructionRecorded => {
            let _: TextAdded = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "UPDATE encounters SET instructions = instructions + 1, last_seq = ?2 WHERE id = ?1",
            )?
            .execute(params![id, e.seq])?
        }
        EventKind::NoteAdded => {
            let _: TextAdded = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "UPDATE encounters SET notes = notes + 1, last_seq = ?2 WHERE id = ?1",
            )?
            .execute(params![id, e.seq])?
        }
        EventKind::Decided => {
            let b: Decided = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "UPDATE encounters SET outcome = ?2, decided_at = ?3, basis = ?4, last_seq = ?5 WHERE id = ?1",
            )?
            .execute(params![id, b.outcome.token(), e.at, b.basis.token(), e.seq])?
        }
        EventKind::Closed => {
            let _: Closed = serde_json::from_str(&e.body)?;
            conn.prepare_cached(
                "UPDATE encounters SET closed_at = ?2, last_seq = ?3 WHERE id = ?1",
            )?
            .execute(params![id, e.at, e.seq])?
        }
        EventKind::CheckinRecorded
        | EventKind::EncounterOpened
        | EventKind::Purged
        | EventKind::AlertQueued
        | EventKind::AlertSent
        | EventKind::AlertFailed
        | EventKind::UserAdded
        | EventKind::PasswordChanged
        | EventKind::SignedIn
        | EventKind::Viewed
        | EventKind::RetentionChanged
        | EventKind::UserDisabled
        | EventKind::UserEnabled
        | EventKind::UserRemoved
        | EventKind::RoleChanged
        | EventKind::HoldPlaced
        | EventKind::HoldReleased => {
            unreachable!("handled above")
        }
    };
    if touched == 0 {
        return Err(ProjectionError::Dangling {
            what: "encounter",
            id: id.to_string(),
        });
    }
    Ok(())
}

fn dangling_user(updated: usize, name: String) -> Result<(), ProjectionError> {
    if updated == 0 {
        return Err(ProjectionError::Dangling {
            what: "account",
            id: name,
        });
    }
    Ok(())
}

fn dangling_outbox(updated: usize, key: String) -> Result<(), ProjectionError> {
    if updated == 0 {
        return Err(ProjectionError::Dangling {
            what: "page",
            id: key,
        });
    }
    Ok(())
}
