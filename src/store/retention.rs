//! Retention: purge visitors' personal data after `visitor_days` and closed
//! encounters' personal data and page images after `encounter_years`.
//!
//! Each batch deletes vault rows and journals a `retention.purged` entry in
//! one transaction; page files are removed after it commits. The chain still
//! verifies afterwards, and the deleted bytes leave the database file
//! (`secure_delete`, then a WAL checkpoint that truncates the log).

use super::events::{EventKind, Purged};
use super::query::entries_for;
use super::refs;
use super::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Subjects per `retention.purged` entry, to keep bodies small.
const BATCH: usize = 500;

/// What a purge removed, or would remove with `--dry-run`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PurgeSummary {
    pub dry_run: bool,
    pub visitor_cutoff: String,
    pub encounter_cutoff: String,
    pub checkins: usize,
    pub encounters: usize,
    pub vault_rows: usize,
    pub page_files: usize,
    /// Journal entries written.
    pub entries: usize,
    /// Encounters past retention kept because a legal hold covers them.
    pub held: usize,
}

struct Due {
    subject: String,
    is_checkin: bool,
    vault: Vec<i64>,
    pages: Vec<String>,
}

fn due(
    store: &Store,
    visitor_cutoff: &str,
    encounter_cutoff: &str,
) -> Result<Vec<Due>, StoreError> {
    let conn = store.conn();
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare(
            "SELECT id, name_vault, host_vault FROM checkins
             WHERE purged = 0 AND at < ?1 AND (name_vault IS NOT NULL OR host_vault IS NOT NULL)
             ORDER BY at",
        )
        .map_err(|e| store.err(e))?;
    let rows = stmt
        .query_map([visitor_cutoff], |r| {
            let vault: Vec<i64> = [r.get::<_, Option<i64>>(1)?, r.get(2)?]
                .into_iter()
                .flatten()
                .collect();
            Ok(Due {
                subject: r.get(0)?,
                is_checkin: true,
                vault,
                pages: Vec::new(),
            })
        })
        .map_err(|e| store.err(e))?;
    for row in rows {
        out.push(row.map_err(|e| store.err(e))?);
    }
    let ids: Vec<String> = conn
        .prepare(&format!("SELECT id FROM encounters e WHERE purged = 0 AND closed_at IS NOT NULL AND closed_at < ?1 AND NOT {HELD} ORDER BY closed_at"))
        .and_then(|mut s| s.query_map([encounter_cutoff], |r| r.get(0))?.collect())
        .map_err(|e| store.err(e))?;
    for id in ids {
        let (mut vault, mut pages) = (Vec::new(), Vec::new());
        for e in entries_for(conn, &id).map_err(|e| store.err(e))? {
            let found = refs::scan(&e.body);
            vault.extend(found.vault.into_iter().map(|(id, _)| id));
            pages.extend(found.pages.into_iter().map(|(id, _)| id.to_string()));
        }
        out.push(Due {
            subject: id,
            is_checkin: false,
            vault,
            pages,
        });
    }
    Ok(out)
}

/// Whether encounter `e` is covered by a legal hold not released: a hold on
/// it, or on a range of days it was opened in.
const HELD: &str = "EXISTS (SELECT 1 FROM holds h WHERE h.released_seq IS NULL
    AND (h.encounter_id = e.id
         OR (h.encounter_id IS NULL AND e.opened_at >= h.from_at AND e.opened_at < h.until_at)))";

/// Encounters past retention that a legal hold keeps.
fn held(store: &Store, encounter_cutoff: &str) -> Result<usize, StoreError> {
    store
        .conn()
        .query_row(
            &format!("SELECT COUNT(*) FROM encounters e WHERE purged = 0 AND closed_at IS NOT NULL AND closed_at < ?1 AND {HELD}"),
            [encounter_cutoff],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as usize)
        .map_err(|e| store.err(e))
}

/// Purge what is due at `now`; with `dry_run`, only count it. Encounters a
/// legal hold covers are kept and counted in `held`.
pub fn purge(
    store: &mut Store,
    now: DateTime<Utc>,
    visitor_days: u32,
    encounter_years: u32,
    dry_run: bool,
) -> Result<PurgeSummary, StoreError> {
    let visitor_cutoff = super::timestamp(now - chrono::Duration::days(visitor_days as i64));
    let encounter_cutoff = super::timestamp(
        now.checked_sub_months(chrono::Months::new(12 * encounter_years))
            .unwrap_or(DateTime::<Utc>::MIN_UTC),
    );
    let due = due(store, &visitor_cutoff, &encounter_cutoff)?;
    let mut summary = PurgeSummary {
        dry_run,
        visitor_cutoff: visitor_cutoff.clone(),
        encounter_cutoff: encounter_cutoff.clone(),
        held: held(store, &encounter_cutoff)?,
        ..Default::default()
    };
    for batch in due.chunks(BATCH) {
        let mut body = Purged {
            visitor_cutoff: visitor_cutoff.clone(),
            encounter_cutoff: encounter_cutoff.clone(),
            ..Default::default()
        };
        for d in batch {
            if d.is_checkin {
                body.checkins.push(d.subject.clone());
            } else {
                body.encounters.push(d.subject.clone());
            }
            body.vault.extend(d.vault.iter().cloned());
            body.pages.extend(d.pages.iter().cloned());
        }
        summary.checkins += body.checkins.len();
        summary.encounters += body.encounters.len();
        summary.vault_rows += body.vault.len();
        summary.page_files += body.pages.len();
        if dry_run {
            continue;
        }
        let pages = body.pages.clone();
        store.write(now, |w| -> Result<(), StoreError> {
            w.delete_vault(&body.vault)?;
            w.append(EventKind::Purged, "retention", &body)?;
            Ok(())
        })?;
        summary.entries += 1;
        for id in pages {
            store.pages().delete(&id)?;
        }
    }
    if !dry_run {
        sweep_leftovers(store)?;
        // Move the zeroed pages into the main file and empty the WAL, so the
        // purged text is in neither.
        store
            .conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| store.err(e))?;
    }
    Ok(summary)
}

/// Remove files of pages already purged (left by a crash between the commit
/// and the file deletion).
fn sweep_leftovers(store: &Store) -> Result<(), StoreError> {
    let purged: Vec<String> = store
        .conn()
        .prepare("SELECT id FROM pages WHERE purged = 1")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| store.err(e))?;
    for id in purged {
        store.pages().delete(&id)?;
    }
    Ok(())
}
