//! What the shipper reads and keeps: journal entries after a seq, exactly
//! as stored, the city hub's receipts for them, and the document pages it
//! has taken. These live outside the journal, so keeping one is not itself
//! an entry to ship.

use super::journal::{self, Entry};
use super::{timestamp, Store, StoreError};
use crate::domain::shipping::command::Applied;
use crate::domain::shipping::{
    ships_values, Receipt, VaultValue, WireEntry, RECEIPT_FORMAT, VAULT_PER_ENTRY,
};
use rusqlite::{params, Connection, OptionalExtension};

/// An entry as shipped.
pub fn wire(e: Entry) -> WireEntry {
    WireEntry {
        seq: e.seq,
        at: e.at,
        facility: e.facility,
        kind: e.kind,
        subject: e.subject,
        body: e.body,
        hash: hex::encode(e.hash),
    }
}

/// Up to `limit` entries after `after`, in seq order, and the hash of
/// entry `after` (the zeros before seq 1).
pub fn after(
    conn: &Connection,
    after: i64,
    limit: usize,
) -> rusqlite::Result<([u8; 32], Vec<WireEntry>)> {
    let prev = if after < 1 {
        journal::GENESIS
    } else {
        let h: Option<Vec<u8>> = conn
            .prepare_cached("SELECT hash FROM journal WHERE seq = ?1")?
            .query_row([after], |r| r.get(0))
            .optional()?;
        h.and_then(|h| h.try_into().ok()).unwrap_or([0xff; 32])
    };
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, facility, kind, subject, body, hash FROM journal WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![after, limit as i64], journal::from_row)?
        .map(|r| r.map(wire))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((prev, rows))
}

/// The values the encounters' entries among `entries` sealed, as far as
/// the vault still holds them (a purged value is not sent). Visitors'
/// values are never read here.
pub fn values_for(conn: &Connection, entries: &[WireEntry]) -> rusqlite::Result<Vec<VaultValue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, salt, value FROM vault WHERE id >= ?1 AND id < ?2 ORDER BY id",
    )?;
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| ships_values(&e.kind)) {
        let first = e.seq * VAULT_PER_ENTRY;
        let rows = stmt.query_map(params![first, first + VAULT_PER_ENTRY], |r| {
            Ok(VaultValue {
                id: r.get(0)?,
                salt: hex::encode(r.get::<_, Vec<u8>>(1)?),
                value: r.get(2)?,
            })
        })?;
        for r in rows {
            out.push(r?);
        }
    }
    Ok(out)
}

/// The receipt with the highest seq, if any.
pub fn last_receipt(conn: &Connection, facility: &str) -> rusqlite::Result<Option<Receipt>> {
    conn.prepare_cached(
        "SELECT seq, head_hash, issued_at, signature FROM hub_receipts ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([], |r| {
        Ok(Receipt {
            format: RECEIPT_FORMAT.into(),
            facility: facility.into(),
            seq: r.get(0)?,
            head_hash: r.get(1)?,
            issued_at: r.get(2)?,
            signature: r.get(3)?,
        })
    })
    .optional()
}

/// Keep a receipt (one per seq; a repeated one is kept once).
pub fn keep_receipt(store: &mut Store, r: &Receipt) -> Result<(), StoreError> {
    let now = timestamp(chrono::Utc::now());
    store
        .conn()
        .prepare_cached(
            "INSERT OR IGNORE INTO hub_receipts (seq, head_hash, issued_at, signature, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![r.seq, r.head_hash, r.issued_at, r.signature, now]))
        .map(|_| ())
        .map_err(|e| store.err(e))
}

/// Up to `limit` document pages the hub has not answered for yet, whose
/// entries it holds (seq at most `receipted`): `(page id, seq)`.
pub fn pages_to_send(
    conn: &Connection,
    receipted: i64,
    limit: usize,
) -> rusqlite::Result<Vec<(String, i64)>> {
    conn.prepare_cached(
        "SELECT id, seq FROM pages WHERE purged = 0 AND seq <= ?1
           AND id NOT IN (SELECT page FROM hub_pages) ORDER BY seq LIMIT ?2",
    )?
    .query_map(params![receipted, limit as i64], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?
    .collect()
}

/// Note that the hub answered for page `page` (`outcome`: stored, purged,
/// or why the kiosk could not send it).
pub fn page_sent(store: &mut Store, page: &str, outcome: &str) -> Result<(), StoreError> {
    let now = timestamp(chrono::Utc::now());
    store
        .conn()
        .prepare_cached(
            "INSERT OR REPLACE INTO hub_pages (page, outcome, sent_at) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut s| s.execute(params![page, outcome, now]))
        .map(|_| ())
        .map_err(|e| store.err(e))
}

/// How many pages the hub has taken, and how many wait to be sent.
pub fn pages_shipped(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM hub_pages WHERE outcome = 'stored'),
                (SELECT count(*) FROM pages WHERE purged = 0 AND id NOT IN (SELECT page FROM hub_pages))",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The last hub command this kiosk took (0 before the first).
pub fn commands_cursor(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM hub_commands", [], |r| {
        r.get(0)
    })
}

/// Whether hub command `id` was taken already.
pub fn command_taken(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM hub_commands WHERE id = ?1")?
        .exists([id])
}

/// Note how hub command `id` went, in the transaction that applied it (or
/// on its own when it was refused).
pub fn note_command(
    conn: &Connection,
    id: i64,
    encounter: &str,
    outcome: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO hub_commands (id, encounter, outcome, applied_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, encounter, outcome, timestamp(chrono::Utc::now())])
    .map(|_| ())
}

/// The commands whose outcome the hub has not been told yet.
pub fn unreported(conn: &Connection) -> rusqlite::Result<Vec<Applied>> {
    conn.prepare_cached(
        "SELECT id, outcome FROM hub_commands WHERE reported = 0 ORDER BY id LIMIT 200",
    )?
    .query_map([], |r| {
        Ok(Applied {
            id: r.get(0)?,
            outcome: r.get(1)?,
        })
    })?
    .collect()
}

/// The hub has been told how commands up to `upto` went.
pub fn reported(conn: &Connection, upto: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE hub_commands SET reported = 1 WHERE id <= ?1 AND reported = 0")?
        .execute([upto])
        .map(|_| ())
}
