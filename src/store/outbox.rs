//! The dispatcher's reads of the outbox and of the encounters it pages
//! about: what is due, what must escalate or fall back, and whether that is
//! still so inside the write transaction that acts on it.

use crate::domain::document::DocumentKind;
use crate::domain::role::Channel;
use rusqlite::{params, Connection, OptionalExtension};

/// A page due to be sent, with what it says about its encounter (read in
/// the same query, so a page costs one read).
#[derive(Debug, Clone)]
pub struct DuePage {
    pub key: String,
    pub encounter: String,
    pub tier: u32,
    pub contact: String,
    pub channel: Channel,
    pub attempts: u32,
    pub fallback_after_s: Option<u32>,
    /// The journal seq of the entry that queued it.
    pub seq: i64,
    /// `None` only when the encounter row is gone (edited by hand).
    pub facts: Option<PageFacts>,
}

/// What a page says about its encounter, and whether the encounter is
/// settled (acknowledged or closed).
#[derive(Debug, Clone)]
pub struct PageFacts {
    pub id: String,
    pub opened_at: String,
    pub entrance: String,
    pub drill: bool,
    pub exigent: bool,
    pub document_kind: Option<DocumentKind>,
    pub area: Option<String>,
    pub area_public: Option<bool>,
    pub officers: u32,
    pub settled: bool,
    /// The journal entry that queued the page, as an anchor (see
    /// [`crate::domain::anchor`]).
    pub record: Option<crate::domain::anchor::Anchor>,
}

/// An encounter whose tier's deadline passed without an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEscalation {
    pub encounter: String,
    /// The tier paged last; the next one is due.
    pub tier: u32,
    pub drill: bool,
}

/// A page whose fallback to the contact's next channel is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueFallback {
    pub key: String,
    pub encounter: String,
    pub tier: u32,
    pub contact: String,
    pub channel: Channel,
}

fn channel(token: &str) -> Channel {
    match token {
        "email" => Channel::Email,
        "sms" => Channel::Sms,
        _ => Channel::Webhook,
    }
}

/// The columns of a [`DuePage`], for [`due_page`].
const DUE_PAGE: &str = "SELECT o.key, o.encounter_id, o.tier, o.contact, o.channel, o.attempts,
        o.fallback_after_s, o.seq,
        e.id, e.opened_at, e.entrance, e.drill, e.exigent, e.document_kind, e.area,
        e.area_public, e.officers, e.first_ack_at IS NOT NULL OR e.closed_at IS NOT NULL,
        j.hash
     FROM outbox o LEFT JOIN encounters e ON e.id = o.encounter_id
     LEFT JOIN journal j ON j.seq = o.seq";

fn due_page(r: &rusqlite::Row<'_>) -> rusqlite::Result<DuePage> {
    let found: Option<String> = r.get(8)?;
    let seq: i64 = r.get(7)?;
    let hash: Option<Vec<u8>> = r.get(18)?;
    let facts = match found {
        Some(id) => {
            let mut f = facts_at(r, 9, id)?;
            f.record = hash.map(|h| crate::domain::anchor::Anchor::short(seq, &h));
            Some(f)
        }
        None => None,
    };
    Ok(DuePage {
        key: r.get(0)?,
        encounter: r.get(1)?,
        tier: r.get(2)?,
        contact: r.get(3)?,
        channel: channel(&r.get::<_, String>(4)?),
        attempts: r.get(5)?,
        fallback_after_s: r.get(6)?,
        seq: r.get(7)?,
        facts,
    })
}

/// Pages pending or to retry whose time has come, oldest first, at most
/// `limit` of them, leaving out those whose key `skip` says (pages this
/// process is sending now): their keys are read first, without the join,
/// so a crowd of pages hanging on a dead relay costs the rounds little.
pub fn due_pages(
    conn: &Connection,
    now: &str,
    limit: u32,
    skip: impl Fn(&str) -> bool,
) -> rusqlite::Result<Vec<DuePage>> {
    let mut keys = conn.prepare_cached(
        "SELECT key FROM outbox WHERE state IN ('pending', 'retry') AND due_at <= ?1
         ORDER BY due_at, key",
    )?;
    let mut rows = keys.query([now])?;
    let mut page = conn.prepare_cached(&format!(
        "{DUE_PAGE} WHERE o.key = ?1 AND o.state IN ('pending', 'retry')"
    ))?;
    let mut due = Vec::new();
    while let Some(row) = rows.next()? {
        if due.len() as u32 >= limit {
            break;
        }
        let key: String = row.get(0)?;
        if skip(&key) {
            continue;
        }
        if let Some(p) = page.query_row([&key], due_page).optional()? {
            due.push(p);
        }
    }
    Ok(due)
}

/// Pages queued after journal entry `after`, due and never tried yet, in
/// queue order.
pub fn new_after(
    conn: &Connection,
    after: i64,
    now: &str,
    limit: u32,
) -> rusqlite::Result<Vec<DuePage>> {
    conn.prepare_cached(&format!(
        "{DUE_PAGE} WHERE o.seq > ?1 AND o.state = 'pending' AND o.attempts = 0 AND o.due_at <= ?2
         ORDER BY o.seq LIMIT ?3"
    ))?
    .query_map(params![after, now, limit], due_page)?
    .collect()
}

/// The journal seq of the last page queued (0 when none).
pub fn last_queued(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM outbox")?
        .query_row([], |r| r.get(0))
}

/// [`PageFacts`] from the columns `opened_at, entrance, drill, exigent,
/// document_kind, area, area_public, officers, settled` starting at `at`.
fn facts_at(r: &rusqlite::Row<'_>, at: usize, id: String) -> rusqlite::Result<PageFacts> {
    let kind: Option<String> = r.get(at + 4)?;
    Ok(PageFacts {
        id,
        opened_at: r.get(at)?,
        entrance: r.get(at + 1)?,
        drill: r.get(at + 2)?,
        exigent: r.get(at + 3)?,
        document_kind: kind.and_then(|k| k.parse().ok()),
        area: r.get(at + 5)?,
        area_public: r.get(at + 6)?,
        officers: r.get(at + 7)?,
        settled: r.get(at + 8)?,
        record: None,
    })
}

/// Encounters whose tier deadline passed, unacknowledged and open.
pub fn due_escalations(conn: &Connection, now: &str) -> rusqlite::Result<Vec<DueEscalation>> {
    conn.prepare_cached(
        "SELECT id, tier, drill FROM encounters
         WHERE tier_deadline IS NOT NULL AND tier_deadline <= ?1
           AND first_ack_at IS NULL AND closed_at IS NULL",
    )?
    .query_map([now], |r| {
        Ok(DueEscalation {
            encounter: r.get(0)?,
            tier: r.get(1)?,
            drill: r.get(2)?,
        })
    })?
    .collect()
}

/// Whether `e` is still due as this connection sees it: the same tier,
/// past its deadline, nobody has acknowledged, not closed. Read inside the
/// write transaction that pages the next tier, so an acknowledgement that
/// committed first stops the escalation.
pub fn escalation_still_due(
    conn: &Connection,
    e: &DueEscalation,
    now: &str,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM encounters
         WHERE id = ?1 AND tier = ?2 AND tier_deadline IS NOT NULL AND tier_deadline <= ?3
           AND first_ack_at IS NULL AND closed_at IS NULL)",
    )?
    .query_row(params![e.encounter, e.tier, now], |r| r.get(0))
}

/// Pages whose fallback time passed, for unacknowledged open encounters.
pub fn due_fallbacks(conn: &Connection, now: &str) -> rusqlite::Result<Vec<DueFallback>> {
    conn.prepare_cached(
        "SELECT o.key, o.encounter_id, o.tier, o.contact, o.channel
         FROM outbox o JOIN encounters e ON e.id = o.encounter_id
         WHERE o.fallback_at IS NOT NULL AND o.fallback_at <= ?1
           AND e.first_ack_at IS NULL AND e.closed_at IS NULL",
    )?
    .query_map([now], |r| {
        Ok(DueFallback {
            key: r.get(0)?,
            encounter: r.get(1)?,
            tier: r.get(2)?,
            contact: r.get(3)?,
            channel: channel(&r.get::<_, String>(4)?),
        })
    })?
    .collect()
}

/// Whether the fallback of page `key` is still due (see [`due_fallbacks`]),
/// read inside the write transaction that queues it.
pub fn fallback_still_due(conn: &Connection, key: &str, now: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM outbox o JOIN encounters e ON e.id = o.encounter_id
         WHERE o.key = ?1 AND o.fallback_at IS NOT NULL AND o.fallback_at <= ?2
           AND e.first_ack_at IS NULL AND e.closed_at IS NULL)",
    )?
    .query_row(params![key, now], |r| r.get(0))
}

/// Whether a page with this key is in the outbox already.
pub fn queued(conn: &Connection, key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE key = ?1)")?
        .query_row([key], |r| r.get(0))
}

/// Whether encounter `id` is acknowledged or closed (or gone).
pub fn settled(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT first_ack_at IS NOT NULL OR closed_at IS NOT NULL FROM encounters WHERE id = ?1",
        )?
        .query_row([id], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(true))
}

/// The page images of encounter `id` not purged: `(page id, number, media)`.
pub fn page_files(conn: &Connection, id: &str) -> rusqlite::Result<Vec<(String, u32, String)>> {
    conn.prepare_cached(
        "SELECT id, number, media FROM pages WHERE encounter_id = ?1 AND purged = 0 ORDER BY number",
    )?
    .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

/// The text-message pages to `contact` for open encounters:
/// `(page key, encounter)`, to match an `ACK <code>` reply against.
pub fn sms_pages_to(conn: &Connection, contact: &str) -> rusqlite::Result<Vec<(String, String)>> {
    conn.prepare_cached(
        "SELECT o.key, o.encounter_id FROM outbox o JOIN encounters e ON e.id = o.encounter_id
         WHERE o.contact = ?1 AND o.channel = 'sms' AND e.closed_at IS NULL",
    )?
    .query_map([contact], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}
