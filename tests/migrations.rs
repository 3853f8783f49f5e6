//! Databases from an older schema migrate with their data; newer ones are
//! refused with a clear error.

mod common;

use common::*;
use rusqlite::Connection;
use threshold::store::events::{CheckinRecorded, EventKind};
use threshold::store::{journal, migrations, projections, vault, Store};

#[test]
fn a_version_1_database_migrates_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    {
        // Write a check-in the way version 1 of the schema held it.
        let mut conn = Connection::open(dir.path().join("threshold.db")).unwrap();
        migrations::migrate_to(&mut conn, 1).unwrap();
        let tx = conn.transaction().unwrap();
        let name = vault::seal(&tx, vault::id_for(1, 1), "Lan").unwrap();
        let body = serde_json::to_string(&CheckinRecorded {
            purpose: "program".into(),
            language: threshold::domain::language::Language::Tagalog,
            entrance: "main".into(),
            name: Some(name),
            host: None,
        })
        .unwrap();
        let e = journal::append(
            &tx,
            journal::head(&tx).unwrap(),
            "2025-06-01T17:00:00.000Z",
            "sj-demo-branch",
            EventKind::CheckinRecorded.token(),
            "V-OLDSCHEMA1",
            &body,
        )
        .unwrap();
        projections::apply(&tx, &e).unwrap();
        tx.commit().unwrap();
        let indexes: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'checkins_at'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 0, "version 1 has no log indexes");
    }
    let store = Store::open(dir.path(), "sj-demo-branch").unwrap();
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, migrations::latest());
    let indexes: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'checkins_at'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 1);
    drop(store);
    let out = cli(dir.path(), &["log", "export", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("V-OLDSCHEMA1"));
    assert!(stdout(&out).contains(",Lan,"));
    let v = cli(dir.path(), &["log", "verify"]);
    assert!(v.status.success(), "{}", stdout(&v));
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cli(dir.path(), &["log", "verify"]).status.success());
    let conn = Connection::open(dir.path().join("threshold.db")).unwrap();
    conn.pragma_update(None, "user_version", migrations::latest() + 1)
        .unwrap();
    drop(conn);
    let out = cli(dir.path(), &["checkin", "visitor", "--purpose", "program"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("newer version of Threshold"), "{err}");
    assert!(
        err.contains("threshold.db"),
        "the message names the file: {err}"
    );
}
