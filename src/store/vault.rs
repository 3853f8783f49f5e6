//! The vault: personal data and free text, kept apart from the journal.
//!
//! Journal bodies reference a vault row by id and a salted SHA-256
//! commitment. Purging deletes the row; the commitment stays and the chain
//! still verifies, while the data is gone.

use super::events::VaultRef;
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

/// `SHA-256(salt ‖ value)` as lower-case hex.
pub fn commitment(salt: &[u8], value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

/// Store `value` under a fresh id and salt; return the reference to journal.
pub fn seal(tx: &Transaction<'_>, value: &str) -> rusqlite::Result<VaultRef> {
    let mut rng = rand::thread_rng();
    let mut id = [0u8; 16];
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut salt);
    let id = hex::encode(id);
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
pub fn delete(tx: &Transaction<'_>, ids: &[String]) -> rusqlite::Result<usize> {
    let mut stmt = tx.prepare_cached("DELETE FROM vault WHERE id = ?1")?;
    let mut n = 0;
    for id in ids {
        n += stmt.execute([id])?;
    }
    Ok(n)
}
