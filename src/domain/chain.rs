//! The journal's hash chain, shared by the kiosk's record, its export
//! bundles, and the city hub that checks what a kiosk ships.
//!
//! Each entry's `hash = SHA-256(prev_hash ‖ canonical row)`, with 32 zero
//! bytes before the first entry. The canonical row is `seq` as 8 big-endian
//! bytes, then `at`, `facility`, `kind`, `subject` and `body`, each as a
//! 4-byte big-endian length followed by its UTF-8 bytes.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// `SHA-256(prev ‖ canonical row)`.
pub fn chain_hash(
    prev: &[u8; 32],
    seq: i64,
    at: &str,
    facility: &str,
    kind: &str,
    subject: &str,
    body: &str,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    for field in [at, facility, kind, subject, body] {
        h.update((field.len() as u32).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().into()
}
