//! Whether the journal still extends a record head copied off the box
//! (see [`crate::domain::anchor`]).

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// Whether today's journal extends `anchor` (a head copied off the box).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Extends {
    /// Entry `seq` still has the hash the anchor names.
    Yes,
    /// Entry `seq` has another hash now: the record was rewritten.
    Rewritten { found: String },
    /// The journal ends before `seq`: entries were cut off.
    Shorter { head_seq: i64 },
}

/// Check `anchor` against the journal `conn` holds.
pub fn extends(
    conn: &Connection,
    anchor: &crate::domain::anchor::Anchor,
) -> rusqlite::Result<Extends> {
    let found: Option<Vec<u8>> = conn
        .prepare_cached("SELECT hash FROM journal WHERE seq = ?1")?
        .query_row([anchor.seq], |r| r.get(0))
        .optional()?;
    Ok(match found {
        Some(h) if anchor.matches(&h) => Extends::Yes,
        Some(h) => Extends::Rewritten {
            found: hex::encode(h),
        },
        None => Extends::Shorter {
            head_seq: super::query::chain_head(conn)?.0,
        },
    })
}
