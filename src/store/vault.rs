//! The vault: personal data and free text, kept apart from the journal.
//!
//! Journal bodies reference a vault row by id and a salted SHA-256
//! commitment. A row's id is `seq × 4096 + k` for the k-th value sealed for
//! the journal entry `seq`: ids are never reused after a purge (seqs are
//! not), and new rows always land at the end of the table. Purging deletes the row; the commitment stays and the chain
//! still verifies, while the data is gone.

use super::events::VaultRef;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

/// `SHA-256(salt ‖ value)` as lower-case hex.
pub fn commitment(salt: &[u8], value: &str) -> String {
    hex::encode(commitment_bytes(salt, value))
}

/// `SHA-256(salt ‖ value)`.
pub fn commitment_bytes(salt: &[u8], value: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value.as_bytes());
    h.finalize().into()
}

/// Values one journal entry may seal.
pub const PER_ENTRY: i64 = 4096;

/// The id of the `k`-th value sealed for entry `seq`.
pub fn id_for(seq: i64, k: i64) -> i64 {
    seq * PER_ENTRY + k
}

/// Store `value` under `id` with a fresh salt; return the reference to journal.
pub fn seal(tx: &Transaction<'_>, id: i64, value: &str) -> rusqlite::Result<VaultRef> {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    tx.prepare_cached("INSERT INTO vault (id, salt, value) VALUES (?1, ?2, ?3)")?
        .execute(params![id, &salt[..], value])?;
    Ok(VaultRef {
        commit: commitment(&salt, value),
        vault: id,
    })
}

/// The value behind a reference, or `None` once purged.
pub fn open(conn: &Connection, r: &VaultRef) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM vault WHERE id = ?1")?
        .query_row([&r.vault], |row| row.get(0))
        .optional()
}

/// Delete vault rows (retention).
pub fn delete(tx: &Transaction<'_>, ids: &[i64]) -> rusqlite::Result<usize> {
    let mut stmt = tx.prepare_cached("DELETE FROM vault WHERE id = ?1")?;
    let mut n = 0;
    for id in ids {
        n += stmt.execute([id])?;
    }
    Ok(n)
}
