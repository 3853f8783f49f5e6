//! `log verify` catches every hand edit of the record: any column of any
//! table, a deleted or added row, a changed or missing page file.

mod common;

use chrono::Duration;
use common::*;
use rusqlite::Connection;
use std::path::Path;
use threshold::app::{PageImage, TextKind};
use threshold::domain::checkin::VisitorCheckIn;
use threshold::domain::document::DocumentKind;
use threshold::domain::encounter::*;
use threshold::domain::language::Language;

const TABLES: [&str; 11] = [
    "journal",
    "vault",
    "checkins",
    "encounters",
    "pages",
    "checklist_answers",
    "outbox",
    "used_links",
    "users",
    "settings",
    "credentials",
];

/// A data dir holding one of everything the record can hold.
fn fixture(dir: &Path) -> String {
    let clock = TestClock::at(2026, 11, 27, 17);
    // Contacts reachable by webhook, so the encounter queues pages too.
    let loaded = alerting_config(dir, "https://hooks.example.org", "");
    let desk = desk_with(dir, loaded, clock.clone());
    for name in ["Lan", "J.D."] {
        desk.check_in_visitor(VisitorCheckIn {
            purpose: "program".into(),
            name: Some(name.into()),
            host: Some("Teen lab".into()),
            language: Language::Vietnamese,
            entrance: "main".into(),
        })
        .unwrap();
    }
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    desk.record_details(
        &id,
        EncounterDetails {
            officers: vec!["Ana Ruiz;4471;ICE ERO".parse().unwrap()],
            supervisor: Some("Sgt. Lee".into()),
            purpose: Some("interview".into()),
            sought: Some("records".into()),
            area: Some(("Workroom".into(), false)),
            exigent: false,
            document_kind: DocumentKind::JudicialSubpoena,
            document: DocumentDetails {
                court: Some("N.D. Cal.".into()),
                judge: Some("Hon. Ortiz".into()),
                issued: chrono::NaiveDate::from_ymd_opt(2026, 11, 20),
                expires: chrono::NaiveDate::from_ymd_opt(2026, 12, 4),
                address: Some("1 Main St".into()),
                areas_named: Some("records room".into()),
            },
        },
        "Dana",
    )
    .unwrap();
    for seed in [1, 2] {
        desk.attach_page(&id, &PageImage::from_bytes("page", png(seed)).unwrap())
            .unwrap();
    }
    clock.advance(Duration::seconds(30));
    desk.acknowledge(&id, "Rosa Delgado", Via::Cli).unwrap();
    // An acknowledgement by signed link, so `used_links` has a row too.
    let claim = threshold::alerts::ack_link::Claim {
        encounter: id.clone(),
        contact: "Dana Whitfield".into(),
        expires: chrono::Utc::now() + Duration::hours(1),
        link: threshold::alerts::ack_link::link_id("fixture"),
        shared: false,
    };
    desk.acknowledge_link(&claim).unwrap();
    desk.answer_checklist(&id, "names-court", ChecklistAnswer::Yes, "Dana")
        .unwrap();
    desk.add_text(
        &id,
        TextKind::CounselInstruction,
        "Refer to my office",
        "Rosa Delgado",
    )
    .unwrap();
    desk.decide(&id, Outcome::WaitedInPublicArea, "Dana", None, None)
        .unwrap();
    desk.add_text(&id, TextKind::Note, "Polite", "Dana")
        .unwrap();
    desk.close(&id, "Dana").unwrap();
    // An admin-web account and a retention setting (both projections).
    desk.add_account(
        "rosa",
        threshold::domain::account::AccountRole::Counsel,
        "hash",
    )
    .unwrap();
    desk.set_retention("rosa", 30, 7).unwrap();
    id
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Copy the pristine fixture, apply `edit`, run `log verify`.
fn verify_after(pristine: &Path, edit: impl FnOnce(&Path)) -> (i32, String) {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(pristine, copy.path());
    edit(copy.path());
    let out = cli(copy.path(), &["log", "verify"]);
    (
        out.status.code().unwrap_or(-1),
        stdout(&out) + &stderr(&out),
    )
}

fn sql(dir: &Path, statement: &str) {
    let conn = Connection::open(dir.join("threshold.db")).unwrap();
    let changed = conn.execute(statement, []).unwrap();
    assert_eq!(changed, 1, "{statement}");
}

fn pristine() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    // Fold the WAL into the main file so copies are self-contained.
    let conn = Connection::open(dir.path().join("threshold.db")).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    dir
}

#[test]
fn the_untouched_fixture_verifies() {
    let p = pristine();
    let (code, out) = verify_after(p.path(), |_| {});
    assert_eq!(code, 0, "{out}");
    // 2 check-ins; opened, tier paged, 3 pages queued, details, 2 pages,
    // 2 acknowledgements, checklist, instruction, decided, note, closed,
    // an account and a retention setting.
    assert!(out.contains("entries         19"), "{out}");
}

#[test]
fn editing_any_column_of_any_table_is_caught() {
    let p = pristine();
    let conn = Connection::open(p.path().join("threshold.db")).unwrap();
    let mut cases = 0;
    for table in TABLES {
        let columns: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!columns.is_empty());
        for column in columns {
            // Change the value in the last row to something different of
            // the same kind, as someone with the sqlite3 tool would.
            let statement = format!(
                "UPDATE {table} SET {column} = CASE typeof({column})
                    WHEN 'integer' THEN {column} + 1
                    WHEN 'text' THEN {column} || 'x'
                    WHEN 'blob' THEN zeroblob(length({column}))
                    ELSE 'x' END
                 WHERE rowid = (SELECT MAX(rowid) FROM {table})"
            );
            let (code, out) = verify_after(p.path(), |d| sql(d, &statement));
            assert_eq!(code, 3, "editing {table}.{column} was not caught:\n{out}");
            assert!(out.contains("ALTERED"), "{table}.{column}: {out}");
            cases += 1;
        }
    }
    assert!(cases >= 50, "only {cases} columns checked");
}

#[test]
fn deleted_and_added_rows_are_caught() {
    let p = pristine();
    let cases = [
        "DELETE FROM journal WHERE seq = 5",
        "DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)",
        "DELETE FROM vault WHERE id = (SELECT id FROM vault ORDER BY id LIMIT 1 OFFSET 2)",
        "DELETE FROM checkins WHERE rowid = 1",
        "DELETE FROM encounters WHERE rowid = 1",
        "DELETE FROM pages WHERE rowid = 2",
        "DELETE FROM checklist_answers WHERE rowid = 1",
        "INSERT INTO vault (id, salt, value) VALUES (9999, X'00', 'planted')",
        "INSERT INTO checkins (id, seq, at, entrance, purpose, language) VALUES ('V-PLANTED', 99, '2026-01-01', 'main', 'program', 'en')",
    ];
    for statement in cases {
        let (code, out) = verify_after(p.path(), |d| sql(d, statement));
        assert_eq!(code, 3, "`{statement}` was not caught:\n{out}");
    }
}

#[test]
fn the_first_bad_entry_is_named_by_seq_and_kind() {
    let p = pristine();
    let (code, out) = verify_after(p.path(), |d| {
        sql(d, "UPDATE journal SET body = replace(body, 'judicial-subpoena', 'judicial-search-warrant') WHERE kind = 'encounter.details-recorded'")
    });
    assert_eq!(code, 3);
    assert!(
        out.contains("ALTERED: first bad entry seq 8 (encounter.details-recorded)"),
        "{out}"
    );
    // A changed name in the vault is placed at the entry that references it.
    let (code, out) = verify_after(p.path(), |d| {
        sql(d, "UPDATE vault SET value = 'Mai' WHERE value = 'Lan'")
    });
    assert_eq!(code, 3);
    assert!(
        out.contains("first bad entry seq 1 (checkin.recorded)"),
        "{out}"
    );
}

#[test]
fn changed_or_missing_page_files_are_caught() {
    let p = pristine();
    let first_page = |d: &Path| walk(&d.join("pages")).into_iter().next().unwrap();
    let (code, out) = verify_after(p.path(), |d| {
        let f = first_page(d);
        let mut bytes = std::fs::read(&f).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
        std::fs::write(&f, bytes).unwrap();
    });
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("encounter.page-captured"), "{out}");
    let (code, out) = verify_after(p.path(), |d| std::fs::remove_file(first_page(d)).unwrap());
    assert_eq!(code, 3, "{out}");
    let (code, out) = verify_after(p.path(), |d| {
        std::fs::write(d.join("pages/0123.page"), b"planted").unwrap()
    });
    assert_eq!(code, 3, "{out}");
}

/// The record head `log verify` prints, as pages and receipts carry it.
fn record_head(dir: &Path) -> String {
    let out = cli(dir, &["log", "verify"]);
    let text = stdout(&out);
    text.lines()
        .find_map(|l| l.strip_prefix("record head     "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no record head in: {text}"))
        .to_string()
}

/// What someone with the kiosk's files can do: change an early entry and
/// its projection, then recompute every hash after it. `log verify` alone
/// cannot tell; a head copied off the box before can.
fn rewrite_history(dir: &Path) {
    let conn = Connection::open(dir.join("threshold.db")).unwrap();
    conn.execute(
        "UPDATE journal SET at = '2026-11-27T09:00:00.000Z' WHERE seq = 1",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE checkins SET at = '2026-11-27T09:00:00.000Z' WHERE seq = 1",
        [],
    )
    .unwrap();
    rehash_journal(&conn);
}

#[test]
fn a_rewritten_and_rehashed_record_does_not_extend_a_head_copied_off_the_box() {
    let p = pristine();
    let head = record_head(p.path());
    // Untouched: it extends the head.
    let out = cli(p.path(), &["log", "verify", "--against", &head]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("extends {head}: yes")));
    // Rewritten and re-hashed: the chain alone still verifies …
    let (code, out) = verify_after(p.path(), rewrite_history);
    assert_eq!(code, 0, "the rewrite is self-consistent:\n{out}");
    // … but not against the head counsel's page carried.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(p.path(), copy.path());
    rewrite_history(copy.path());
    let out = cli(copy.path(), &["log", "verify", "--against", &head]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("NOT EXTENDED") && stdout(&out).contains("rewritten"),
        "{}",
        stdout(&out)
    );
    // Entries cut off the end (with their projections): the same.
    let cut = tempfile::tempdir().unwrap();
    copy_dir(p.path(), cut.path());
    let conn = Connection::open(cut.path().join("threshold.db")).unwrap();
    conn.execute("DELETE FROM settings", []).unwrap();
    conn.execute(
        "DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)",
        [],
    )
    .unwrap();
    drop(conn);
    let out = cli(cut.path(), &["log", "verify", "--against", &head]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(stdout(&out).contains("cut off"), "{}", stdout(&out));
    // A head that is not SEQ:HASH is named as the thing to fix.
    let out = cli(p.path(), &["log", "verify", "--against", "12"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--against"), "{}", stderr(&out));
}

#[test]
fn a_replaced_password_hash_is_caught() {
    let p = pristine();
    let (code, out) = verify_after(p.path(), |d| {
        sql(
            d,
            "UPDATE credentials SET password_hash = '$argon2id$v=19$m=19456,t=2,p=1$forged' WHERE user = 'rosa'",
        )
    });
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("password hash of account `rosa`") && out.contains("user.added"),
        "{out}"
    );
}
