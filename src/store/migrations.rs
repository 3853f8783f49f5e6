//! Embedded schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each migration runs in its own transaction together with the version bump.
//! A database from a newer version of Threshold is refused, never downgraded.

use rusqlite::Connection;

/// Marks a SQLite file as Threshold's (`PRAGMA application_id`, "THRS").
pub const APPLICATION_ID: i32 = 0x5448_5253;

/// The migrations, in order; migration `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the journal, the vault and the projections.
    r#"
    CREATE TABLE journal (
        seq      INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        facility TEXT NOT NULL,
        kind     TEXT NOT NULL,
        subject  TEXT NOT NULL,
        body     TEXT NOT NULL,
        hash     BLOB NOT NULL
    );
    CREATE TABLE vault (
        -- seq × 4096 + k: see store::vault. Never reused after a purge.
        id    INTEGER PRIMARY KEY,
        salt  BLOB NOT NULL,
        value TEXT NOT NULL
    );
    CREATE TABLE checkins (
        id         TEXT PRIMARY KEY,
        seq        INTEGER NOT NULL,
        at         TEXT NOT NULL,
        entrance   TEXT NOT NULL,
        purpose    TEXT NOT NULL,
        language   TEXT NOT NULL,
        name_vault INTEGER,
        host_vault INTEGER,
        purged     INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE encounters (
        id               TEXT PRIMARY KEY,
        seq              INTEGER NOT NULL,
        opened_at        TEXT NOT NULL,
        entrance         TEXT NOT NULL,
        via              TEXT NOT NULL,
        drill            INTEGER NOT NULL,
        exigent          INTEGER NOT NULL DEFAULT 0,
        document_kind    TEXT,
        area             TEXT,
        area_public      INTEGER,
        purpose_vault    INTEGER,
        officers         INTEGER NOT NULL DEFAULT 0,
        pages            INTEGER NOT NULL DEFAULT 0,
        acks             INTEGER NOT NULL DEFAULT 0,
        first_ack_at     TEXT,
        counsel_ack_at   TEXT,
        instructions     INTEGER NOT NULL DEFAULT 0,
        notes            INTEGER NOT NULL DEFAULT 0,
        outcome          TEXT,
        decided_at       TEXT,
        basis            TEXT,
        closed_at        TEXT,
        purged           INTEGER NOT NULL DEFAULT 0,
        last_seq         INTEGER NOT NULL
    );
    CREATE TABLE pages (
        id           TEXT PRIMARY KEY,
        encounter_id TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        number       INTEGER NOT NULL,
        sha256       TEXT NOT NULL,
        bytes        INTEGER NOT NULL,
        media        TEXT NOT NULL,
        purged       INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE checklist_answers (
        encounter_id TEXT NOT NULL,
        item         TEXT NOT NULL,
        answer       TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        PRIMARY KEY (encounter_id, item)
    );
    "#,
    // 2: indexes for the log queries, timelines and retention.
    r#"
    -- Timelines are read for encounters only; check-ins stay out of this
    -- index so each durable check-in writes one page fewer.
    CREATE INDEX journal_subject ON journal (subject, seq) WHERE kind <> 'checkin.recorded';
    CREATE INDEX checkins_at ON checkins (at, id);
    CREATE INDEX checkins_purpose_at ON checkins (purpose, at, id);
    CREATE INDEX encounters_opened_at ON encounters (opened_at);
    CREATE INDEX encounters_open ON encounters (closed_at, opened_at);
    CREATE INDEX pages_encounter ON pages (encounter_id, number);
    "#,
    // 3: alerts: the escalation state of each encounter and the outbox.
    r#"
    ALTER TABLE encounters ADD COLUMN tier INTEGER;
    ALTER TABLE encounters ADD COLUMN tier_deadline TEXT;
    CREATE TABLE outbox (
        key              TEXT PRIMARY KEY,
        encounter_id     TEXT NOT NULL,
        seq              INTEGER NOT NULL,
        tier             INTEGER NOT NULL,
        contact          TEXT NOT NULL,
        role             TEXT NOT NULL,
        channel          TEXT NOT NULL,
        state            TEXT NOT NULL,
        due_at           TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_error       TEXT,
        sent_at          TEXT,
        fallback_after_s INTEGER,
        fallback_at      TEXT
    );
    CREATE INDEX outbox_due ON outbox (state, due_at);
    CREATE INDEX outbox_fallback ON outbox (fallback_at) WHERE fallback_at IS NOT NULL;
    CREATE INDEX encounters_escalation ON encounters (tier_deadline) WHERE tier_deadline IS NOT NULL;
    CREATE TABLE used_links (
        link         TEXT PRIMARY KEY,
        encounter_id TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        at           TEXT NOT NULL
    );
    "#,
    // 4: the admin web: accounts (a projection of the journal, so a role
    // edited in the database shows up in `log verify`), their password
    // hashes and sessions (outside the journal), and settings.
    r#"
    CREATE TABLE users (
        name  TEXT PRIMARY KEY,
        role  TEXT NOT NULL,
        seq   INTEGER NOT NULL
    );
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        seq   INTEGER NOT NULL
    );
    CREATE TABLE credentials (
        user          TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        changed_at    TEXT NOT NULL
    );
    CREATE TABLE web_sessions (
        -- SHA-256 of the cookie's token: a copied database opens no session.
        id_hash    BLOB PRIMARY KEY,
        user       TEXT NOT NULL,
        csrf       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seen_at    TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX encounters_opened_id ON encounters (opened_at, id);
    CREATE INDEX outbox_queued ON outbox (seq);
    CREATE INDEX outbox_encounter ON outbox (encounter_id);
    CREATE INDEX outbox_channel_sent ON outbox (channel, sent_at);
    "#,
    // 5: accounts can be disabled; each records the SHA-256 of its password
    // hash as journaled, so `log verify` covers `credentials` too.
    r#"
    ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN credential TEXT;
    "#,
    // 6: legal holds: retention keeps what a hold covers until released.
    r#"
    CREATE TABLE holds (
        id           TEXT PRIMARY KEY,
        encounter_id TEXT,
        from_at      TEXT,
        until_at     TEXT,
        from_day     TEXT,
        to_day       TEXT,
        reason       TEXT NOT NULL,
        placed_at    TEXT NOT NULL,
        placed_seq   INTEGER NOT NULL,
        released_seq INTEGER
    );
    "#,
    // 7: the city hub's signed receipts for the journal shipped to it. Kept
    // outside the journal: storing a receipt is not an event to ship.
    r#"
    CREATE TABLE hub_receipts (
        seq         INTEGER PRIMARY KEY,
        head_hash   TEXT NOT NULL,
        issued_at   TEXT NOT NULL,
        signature   TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    "#,
    // 8: document pages the city hub has taken (or answered for), and the
    // hub's commands applied here, each once. Outside the journal too:
    // what a command did is journaled by the command itself.
    r#"
    CREATE TABLE hub_pages (
        page    TEXT PRIMARY KEY,
        outcome TEXT NOT NULL,
        sent_at TEXT NOT NULL
    );
    CREATE TABLE hub_commands (
        id         INTEGER PRIMARY KEY,
        encounter  TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        reported   INTEGER NOT NULL DEFAULT 0
    );
    "#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("{}", crate::msg!("this database was written by a newer version of Threshold (schema version {found}; this build understands up to {supported}); upgrade Threshold, or point --data-dir at another folder", found = .found, supported = .supported))]
    TooNew { found: i64, supported: i64 },
    #[error("{}", crate::msg!("this SQLite file is not a Threshold database (application id {id}); point --data-dir at a Threshold data folder", id = format!("{:#x}", .0)))]
    NotThreshold(i32),
    #[error("{}", crate::msg!("schema migration {version} failed: {source}", version = .version, source = .source))]
    Failed {
        version: i64,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Bring the schema to `target` (normally [`latest`]).
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), MigrationError> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(MigrationError::NotThreshold(app_id));
    }
    if current > latest() {
        return Err(MigrationError::TooNew {
            found: current,
            supported: latest(),
        });
    }
    for version in (current + 1)..=target {
        let sql = MIGRATIONS[(version - 1) as usize];
        // Two processes may open a new data folder at once (the service
        // starting as the CLI records): take the write lock first, then see
        // whether the other one applied this step already.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now >= version {
            tx.commit()?;
            continue;
        }
        tx.execute_batch(sql)
            .and_then(|()| tx.pragma_update(None, "user_version", version))
            .and_then(|()| tx.pragma_update(None, "application_id", APPLICATION_ID))
            .map_err(|source| MigrationError::Failed { version, source })?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_cleanly_and_are_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, latest()).unwrap();
        migrate_to(&mut conn, latest()).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest());
    }

    #[test]
    fn newer_and_foreign_databases_are_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        let err = migrate_to(&mut conn, latest()).unwrap_err();
        assert!(err.to_string().contains("newer version of Threshold"));
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "application_id", 42).unwrap();
        assert!(matches!(
            migrate_to(&mut conn, latest()),
            Err(MigrationError::NotThreshold(42))
        ));
    }
}
