//! What the shipper reads and keeps: journal entries after a seq, exactly
//! as stored, and the city hub's receipts for them. Receipts live outside
//! the journal, so storing one is not itself an entry to ship.

use super::journal::{self, Entry};
use super::{timestamp, Store, StoreError};
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
