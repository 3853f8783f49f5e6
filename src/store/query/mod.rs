//! Reads for the CLI, kiosk and admin web: encounter lists and records, and
//! the check-in log with filters, pages and exports.

mod line;
pub mod overview;
mod record;

pub use line::Line;
pub use record::*;

use crate::domain::document::DocumentKind;
use crate::domain::encounter::{EncounterState, Outcome};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// Shown wherever retention has removed a value.
pub const PURGED: &str = "[purged]";

/// One line of the encounter list.
#[derive(Debug, Clone, Serialize)]
pub struct EncounterRow {
    pub id: String,
    pub opened_at: String,
    pub entrance: String,
    pub drill: bool,
    pub document_kind: Option<String>,
    pub officers: i64,
    pub pages: i64,
    pub acknowledgements: i64,
    pub counsel_acknowledged_at: Option<String>,
    pub outcome: Option<String>,
    pub closed_at: Option<String>,
    /// Pages queued for it (any tier, any state).
    pub paged: u32,
}

/// Encounters, newest first; only those not yet closed when `open_only`.
pub fn encounters(conn: &Connection, open_only: bool) -> rusqlite::Result<Vec<EncounterRow>> {
    let sql = format!(
        "SELECT id, opened_at, entrance, drill, document_kind, officers, pages, acks, counsel_ack_at, outcome, closed_at,
                (SELECT COUNT(*) FROM outbox o WHERE o.encounter_id = encounters.id)
         FROM encounters {} ORDER BY opened_at DESC, id",
        if open_only { "WHERE closed_at IS NULL" } else { "" }
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(EncounterRow {
            id: r.get(0)?,
            opened_at: r.get(1)?,
            entrance: r.get(2)?,
            drill: r.get(3)?,
            document_kind: r.get(4)?,
            officers: r.get(5)?,
            pages: r.get(6)?,
            acknowledgements: r.get(7)?,
            counsel_acknowledged_at: r.get(8)?,
            outcome: r.get(9)?,
            closed_at: r.get(10)?,
            paged: r.get(11)?,
        })
    })?;
    rows.collect()
}

/// The facts the encounter rules need, or `None` for an unknown id.
pub fn encounter_state(conn: &Connection, id: &str) -> rusqlite::Result<Option<EncounterState>> {
    conn.query_row(
        "SELECT closed_at IS NOT NULL, outcome, document_kind, counsel_ack_at IS NOT NULL FROM encounters WHERE id = ?1",
        [id],
        |r| {
            let outcome: Option<String> = r.get(1)?;
            let kind: Option<String> = r.get(2)?;
            Ok(EncounterState {
                closed: r.get(0)?,
                decided: outcome.and_then(|o| o.parse::<Outcome>().ok()),
                document_kind: kind.and_then(|k| k.parse::<DocumentKind>().ok()),
                counsel_acknowledged: r.get(3)?,
            })
        },
    )
    .optional()
}

/// Which records a log query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    Visitor,
    Encounter,
}

/// Filters for the check-in log. Times are journal timestamps (UTC);
/// `from` is inclusive and `to` exclusive.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: Option<LogKind>,
    pub purpose: Option<String>,
}

/// One row of the log, as exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRow {
    pub kind: &'static str,
    pub id: String,
    pub at: String,
    pub entrance: String,
    pub purpose: Option<String>,
    pub language: Option<String>,
    pub name: Option<String>,
    pub host: Option<String>,
    pub document_kind: Option<String>,
    pub drill: Option<bool>,
    pub outcome: Option<String>,
    pub closed_at: Option<String>,
    pub purged: bool,
}

/// The columns of a visitor row of the log, names and hosts from the vault
/// (`[purged]` once retention removed them).
const VISITOR_SELECT: &str = "SELECT c.id, c.at, c.entrance, c.purpose, c.language,
        CASE WHEN c.name_vault IS NULL THEN NULL ELSE COALESCE(n.value, '[purged]') END,
        CASE WHEN c.host_vault IS NULL THEN NULL ELSE COALESCE(h.value, '[purged]') END,
        c.purged
     FROM checkins c
     LEFT JOIN vault n ON n.id = c.name_vault
     LEFT JOIN vault h ON h.id = c.host_vault";

/// A visitor row read with [`VISITOR_SELECT`].
fn visitor_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogRow> {
    Ok(LogRow {
        kind: "visitor",
        id: r.get(0)?,
        at: r.get(1)?,
        entrance: r.get(2)?,
        purpose: r.get(3)?,
        language: r.get(4)?,
        name: r.get(5)?,
        host: r.get(6)?,
        document_kind: None,
        drill: None,
        outcome: None,
        closed_at: None,
        purged: r.get(7)?,
    })
}

/// The columns of an encounter row of the log, its purpose from the vault.
const ENCOUNTER_SELECT: &str = "SELECT e.id, e.opened_at, e.entrance,
        CASE WHEN e.purpose_vault IS NULL THEN NULL ELSE COALESCE(p.value, '[purged]') END,
        e.document_kind, e.drill, e.outcome, e.closed_at, e.purged
     FROM encounters e LEFT JOIN vault p ON p.id = e.purpose_vault";

/// An encounter row read with [`ENCOUNTER_SELECT`].
fn encounter_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogRow> {
    Ok(LogRow {
        kind: "encounter",
        id: r.get(0)?,
        at: r.get(1)?,
        entrance: r.get(2)?,
        purpose: r.get(3)?,
        language: None,
        name: None,
        host: None,
        document_kind: r.get(4)?,
        drill: Some(r.get(5)?),
        outcome: r.get(6)?,
        closed_at: r.get(7)?,
        purged: r.get(8)?,
    })
}

/// Call `f` for every log row matching `filter`, oldest first.
pub fn for_each_log_row(
    conn: &Connection,
    filter: &LogFilter,
    mut f: impl FnMut(LogRow) -> std::io::Result<()>,
) -> Result<u64, LogError> {
    let from = filter.from.clone().unwrap_or_default();
    let to = filter.to.clone().unwrap_or_else(|| "~".into());
    let mut n = 0;
    let visitors = filter.kind != Some(LogKind::Encounter);
    // A purpose filter names visitor purposes; encounters have free-text purposes.
    let encounters = filter.kind != Some(LogKind::Visitor) && filter.purpose.is_none();
    if visitors {
        let mut stmt = conn.prepare(&format!(
            "{VISITOR_SELECT}
             WHERE c.at >= ?1 AND c.at < ?2 AND (?3 IS NULL OR c.purpose = ?3)
             ORDER BY c.at, c.id"
        ))?;
        let mut rows = stmt.query(params![from, to, filter.purpose])?;
        while let Some(r) = rows.next()? {
            f(visitor_row(r)?)?;
            n += 1;
        }
    }
    if encounters {
        let mut stmt = conn.prepare(&format!(
            "{ENCOUNTER_SELECT}
             WHERE e.opened_at >= ?1 AND e.opened_at < ?2
             ORDER BY e.opened_at, e.id"
        ))?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            f(encounter_row(r)?)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Why a log read or export failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", crate::msg!("writing the export failed: {error}", error = .0))]
    Write(#[from] std::io::Error),
}

/// One page of visitor check-ins, newest first, for screens: at most `limit`
/// rows strictly before the `(at, id)` cursor.
pub fn checkins_page(
    conn: &Connection,
    filter: &LogFilter,
    before: Option<(&str, &str)>,
    limit: u32,
) -> rusqlite::Result<Vec<LogRow>> {
    // Only the conditions in use appear in the SQL, so the planner walks
    // the (purpose, at, id) or (at, id) index backwards and stops at
    // `limit`. With a cursor, the cursor is the only upper bound: given two
    // on one column SQLite bounds its walk by one of them, and the row-value
    // comparison alone bounds nothing.
    let from = filter.from.clone().unwrap_or_default();
    let to = filter.to.clone().unwrap_or_else(|| "~".into());
    // A cursor always comes from a row inside the range; one beyond it
    // (typed by hand) starts from the top.
    let before = before.filter(|(at, _)| *at < to.as_str());
    let upper = if before.is_some() {
        "c.at <= :at AND (c.at, c.id) < (:at, :id)"
    } else {
        "c.at < :to"
    };
    let (b_at, b_id) = before.unwrap_or(("", ""));
    let sql = format!(
        "{VISITOR_SELECT}
         WHERE c.at >= :from AND {upper} {}
         ORDER BY c.at DESC, c.id DESC LIMIT :limit",
        if filter.purpose.is_some() {
            "AND c.purpose = :purpose"
        } else {
            ""
        }
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":from", &from), (":limit", &limit)];
    if before.is_some() {
        params.push((":at", &b_at));
        params.push((":id", &b_id));
    } else {
        params.push((":to", &to));
    }
    if let Some(p) = &filter.purpose {
        params.push((":purpose", p));
    }
    let rows = stmt.query_map(params.as_slice(), visitor_row)?;
    rows.collect()
}

/// One page of encounters for the log, newest first, strictly before the
/// `(opened_at, id)` cursor.
pub fn encounters_page(
    conn: &Connection,
    filter: &LogFilter,
    before: Option<(&str, &str)>,
    limit: u32,
) -> rusqlite::Result<Vec<LogRow>> {
    let from = filter.from.clone().unwrap_or_default();
    let to = filter.to.clone().unwrap_or_else(|| "~".into());
    // As in `checkins_page`: with a cursor, it is the only upper bound.
    let (b_at, b_id) = before
        .filter(|(at, _)| *at < to.as_str())
        .unwrap_or((to.as_str(), ""));
    let mut stmt = conn.prepare_cached(&format!(
        "{ENCOUNTER_SELECT}
         WHERE e.opened_at >= ?1 AND e.opened_at <= ?2 AND (e.opened_at, e.id) < (?2, ?3)
         ORDER BY e.opened_at DESC, e.id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![from, b_at, b_id, limit], encounter_row)?;
    rows.collect()
}

/// When the acknowledge link `link` was used, if it was.
pub fn link_used_at(conn: &Connection, link: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT at FROM used_links WHERE link = ?1")?
        .query_row([link], |r| r.get(0))
        .optional()
}

/// How many pages encounter `id` has.
pub fn page_count(conn: &Connection, id: &str) -> rusqlite::Result<u32> {
    conn.prepare_cached("SELECT pages FROM encounters WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
}

/// Visitor check-ins and encounters since `since` (a journal timestamp).
pub fn counts_since(conn: &Connection, since: &str) -> rusqlite::Result<(u32, u32)> {
    let visitors = conn
        .prepare_cached("SELECT COUNT(*) FROM checkins WHERE at >= ?1")?
        .query_row([since], |r| r.get(0))?;
    let encounters = conn
        .prepare_cached("SELECT COUNT(*) FROM encounters WHERE opened_at >= ?1")?
        .query_row([since], |r| r.get(0))?;
    Ok((visitors, encounters))
}

/// Pages per channel not delivered yet after at least one attempt, with
/// the last error: `(channel, count, last error)`.
pub fn channel_trouble(conn: &Connection) -> rusqlite::Result<Vec<(String, u32, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, COUNT(*), MAX(last_error) FROM outbox
         WHERE state <> 'sent' AND attempts > 0 GROUP BY channel ORDER BY channel",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// Whether officials (not a drill) are on site: any open real encounter.
pub fn officials_on_site(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM encounters WHERE closed_at IS NULL AND drill = 0)",
    )?
    .query_row([], |r| r.get(0))
}

/// The journal's last entry: its seq and hash (`(0, [])` when empty).
pub fn chain_head(conn: &Connection) -> rusqlite::Result<(i64, Vec<u8>)> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |x| Ok((x.get(0)?, x.get(1)?)))
        .optional()?
        .unwrap_or((0, Vec::new())))
}

/// The hash of journal entry `seq`.
pub fn entry_hash(conn: &Connection, seq: i64) -> rusqlite::Result<Vec<u8>> {
    conn.prepare_cached("SELECT hash FROM journal WHERE seq = ?1")?
        .query_row([seq], |x| x.get(0))
}
