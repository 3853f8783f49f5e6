//! Reads for the admin web's overview pages: today's check-ins, the health
//! of each alert channel, the alert delivery log, and log pages that mix
//! visitor check-ins and encounters.

use super::{checkins_page, encounters_page, LogFilter, LogKind, LogRow};
use rusqlite::{params, Connection};
use serde::Serialize;

/// Check-ins since `since` per purpose, most first.
pub fn checkins_since(conn: &Connection, since: &str) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        // Without the hint the planner walks the (purpose, at) index to
        // avoid sorting for GROUP BY: every check-in ever, not just today's.
        "SELECT purpose, COUNT(*) FROM checkins INDEXED BY checkins_at WHERE at >= ?1
         GROUP BY purpose ORDER BY 2 DESC, 1",
    )?;
    let rows = stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Encounters opened since `since`.
pub fn encounters_since(conn: &Connection, since: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COUNT(*) FROM encounters WHERE opened_at >= ?1")?
        .query_row([since], |r| r.get(0))
}

/// How one alert channel has been doing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChannelHealth {
    pub channel: String,
    pub last_delivered: Option<String>,
    /// Pages being retried now, or given up since `since`.
    pub failing: i64,
    pub last_error: Option<String>,
}

/// The health of `channel`: its last delivery, and its failures since `since`.
pub fn channel_health(
    conn: &Connection,
    channel: &str,
    since: &str,
) -> rusqlite::Result<ChannelHealth> {
    let last_delivered = conn
        .prepare_cached("SELECT MAX(sent_at) FROM outbox WHERE channel = ?1")?
        .query_row([channel], |r| r.get(0))?;
    let (failing, last_error) = conn
        .prepare_cached(
            "SELECT COUNT(*), (SELECT last_error FROM outbox WHERE channel = ?1
                    AND (state = 'retry' OR (state = 'failed' AND due_at >= ?2)) ORDER BY due_at DESC LIMIT 1)
             FROM outbox WHERE channel = ?1 AND (state = 'retry' OR (state = 'failed' AND due_at >= ?2))",
        )?
        .query_row(params![channel, since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(ChannelHealth {
        channel: channel.to_string(),
        last_delivered,
        failing,
        last_error,
    })
}

/// One page in the alert delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub seq: i64,
    pub encounter_id: String,
    pub tier: i64,
    pub contact: String,
    pub role: String,
    pub channel: String,
    pub state: String,
    pub queued_at: String,
    pub sent_at: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Pages queued before journal entry `before` (newest first), at most `limit`.
pub fn deliveries(
    conn: &Connection,
    before: Option<i64>,
    limit: u32,
) -> rusqlite::Result<Vec<Delivery>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.seq, o.encounter_id, o.tier, o.contact, o.role, o.channel, o.state, j.at, o.sent_at, o.attempts, o.last_error
         FROM outbox o JOIN journal j ON j.seq = o.seq
         WHERE o.seq < ?1 ORDER BY o.seq DESC, o.key LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit], |r| {
        Ok(Delivery {
            seq: r.get(0)?,
            encounter_id: r.get(1)?,
            tier: r.get(2)?,
            contact: r.get(3)?,
            role: r.get(4)?,
            channel: r.get(5)?,
            state: r.get(6)?,
            queued_at: r.get(7)?,
            sent_at: r.get(8)?,
            attempts: r.get(9)?,
            last_error: r.get(10)?,
        })
    })?;
    rows.collect()
}

/// One page of the log (visitors and encounters as `filter` says), newest
/// first, before the `(at, id)` cursor; `more` when older rows exist.
pub fn log_page(
    conn: &Connection,
    filter: &LogFilter,
    before: Option<(&str, &str)>,
    limit: u32,
) -> rusqlite::Result<(Vec<LogRow>, bool)> {
    let mut rows = Vec::new();
    if filter.kind != Some(LogKind::Encounter) {
        rows.extend(checkins_page(conn, filter, before, limit + 1)?);
    }
    // A purpose filter names visitor purposes; encounters have none.
    if filter.kind != Some(LogKind::Visitor) && filter.purpose.is_none() {
        rows.extend(encounters_page(conn, filter, before, limit + 1)?);
    }
    rows.sort_by(|a, b| (&b.at, &b.id).cmp(&(&a.at, &a.id)));
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}
