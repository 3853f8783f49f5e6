//! Store benchmarks (run with `cargo bench --bench store`; figures go in
//! BENCHMARKS.md). Prints a table; asserts nothing about time.
//!
//! THRESHOLD_BENCH_ROWS sets the size of the large store (default 1,000,000);
//! THRESHOLD_BENCH_KEEP=DIR keeps it in DIR, for profiling commands on it.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{fill, summary};
use std::time::Instant;
use threshold::app::{Desk, SystemClock};
use threshold::config::Loaded;
use threshold::domain::checkin::VisitorCheckIn;
use threshold::domain::language::Language;
use threshold::store::query::{checkins_page, LogFilter};
use threshold::store::{configure, verify, Store};

/// Durable check-ins one by one through the record writer (the desk sends
/// each to the writer thread and waits for its commit), beside the bare
/// SQLite limit: one INSERT and COMMIT of a row of the same size with the
/// same settings on this thread. The two are interleaved, so both meet the
/// same disk.
fn checkin_latency(n: usize) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let loaded = Loaded::demo();
    let desk = Desk::open(loaded, dir.path(), SystemClock).unwrap();
    let bare_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let conn = rusqlite::Connection::open(bare_dir.path().join("bare.db")).unwrap();
    conn.pragma_update(None, "page_size", threshold::store::PAGE_SIZE)
        .unwrap();
    configure(&conn).unwrap();
    conn.execute_batch("CREATE TABLE t (seq INTEGER PRIMARY KEY, at TEXT, body TEXT, hash BLOB)")
        .unwrap();
    let body = "x".repeat(220);
    // The same transaction on this thread, without the writer: what the
    // hop to the writer thread costs is the difference.
    let direct_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut direct = Store::open(direct_dir.path(), "sj-demo-branch").unwrap();
    let (mut ours, mut bare) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut here, mut hop) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let t = Instant::now();
        desk.check_in_visitor(VisitorCheckIn {
            purpose: "program".into(),
            name: (i % 2 == 0).then(|| "Lan".to_string()),
            host: None,
            language: Language::Vietnamese,
            entrance: "main".into(),
        })
        .unwrap();
        ours.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        conn.execute(
            "INSERT INTO t (seq, at, body, hash) VALUES (?1, '2026-11-27T10:00:00.000Z', ?2, zeroblob(32))",
            rusqlite::params![i as i64 + 1, body],
        )
        .unwrap();
        conn.execute_batch("COMMIT").unwrap();
        bare.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        direct
            .write(
                chrono::Utc::now(),
                |w| -> Result<(), threshold::store::StoreError> {
                    let id = w.fresh_ordered_id("V", "checkins")?;
                    let body = threshold::store::events::CheckinRecorded {
                        purpose: "program".into(),
                        language: Language::Vietnamese,
                        entrance: "main".into(),
                        name: if i % 2 == 0 {
                            Some(w.seal("Lan")?)
                        } else {
                            None
                        },
                        host: None,
                    };
                    w.append(
                        threshold::store::events::EventKind::CheckinRecorded,
                        &id,
                        &body,
                    )?;
                    Ok(())
                },
            )
            .unwrap();
        here.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        desk.record().with_store(|_| ()).unwrap();
        hop.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let (p50, p99) = summary(ours);
    let (b50, b99) = summary(bare);
    let (h50, h99) = summary(here);
    let (o50, o99) = summary(hop);
    println!("| the same transaction on the caller's thread, no writer | p50 {h50:.0} µs, p99 {h99:.0} µs |");
    println!(
        "| an empty job through the writer (the hop alone) | p50 {o50:.0} µs, p99 {o99:.0} µs |"
    );
    println!("| durable check-in ({n}, interleaved with the next row) | p50 {p50:.0} µs, p99 {p99:.0} µs |");
    println!("| bare SQLite INSERT+COMMIT, same pragmas | p50 {b50:.0} µs, p99 {b99:.0} µs |");
    println!(
        "| ratio check-in / bare | p50 {:.2}×, p99 {:.2}× |",
        p50 / b50,
        p99 / b99
    );
}

/// The limit for `log verify`: SHA-256 over the same canonical bytes, in
/// one pass (the `sha2` crate with its hardware path), on rows already in
/// memory; and what reading those rows from SQLite costs, which verify
/// also pays.
fn verify_limits(store: &Store, verified: f64) {
    let t = Instant::now();
    let rows: Vec<(i64, String, String, String, String, String)> = store
        .conn()
        .prepare("SELECT seq, at, facility, kind, subject, body FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let read = t.elapsed().as_secs_f64();
    let bytes: usize = rows
        .iter()
        .map(|r| 8 + 32 + 20 + r.1.len() + r.2.len() + r.3.len() + r.4.len() + r.5.len())
        .sum();
    let t = Instant::now();
    let mut head = threshold::store::journal::GENESIS;
    for (seq, at, facility, kind, subject, body) in &rows {
        head =
            threshold::store::journal::chain_hash(&head, *seq, at, facility, kind, subject, body);
    }
    let hashed = t.elapsed().as_secs_f64();
    std::hint::black_box(head);
    println!(
        "| limit: SHA-256 chain over the same {} entries ({:.0} MB of canonical bytes, in memory) | {hashed:.2} s |",
        rows.len(),
        bytes as f64 / 1e6
    );
    println!("| reading those rows from SQLite (part of verify's time) | {read:.2} s |");
    println!("| ratio `log verify` / limit | {:.1}× |", verified / hashed);
}

fn main() {
    let rows: usize = std::env::var("THRESHOLD_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("| benchmark | result |\n|---|---|");
    checkin_latency(5_000);

    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let keep = std::env::var_os("THRESHOLD_BENCH_KEEP").map(std::path::PathBuf::from);
    let path = keep.clone().unwrap_or_else(|| dir.path().to_path_buf());
    let t = Instant::now();
    let store = fill(&path, rows);
    println!(
        "| bulk load {rows} check-ins (setup, batches of 1,000, one hour apart) | {:.1} s |",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let report = verify::verify(&store.reader()).unwrap();
    assert!(report.intact());
    let verified = t.elapsed().as_secs_f64();
    println!(
        "| `log verify` over {} entries | {verified:.2} s |",
        report.entries
    );
    verify_limits(&store, verified);

    // A week a third of the way into the data, one purpose.
    let span_hours = rows.div_ceil(1_000) as i64;
    let from =
        Utc.with_ymd_and_hms(2026, 1, 1, 16, 0, 0).unwrap() + Duration::hours(span_hours / 3);
    let to = from + Duration::hours((span_hours / 3).min(24 * 7));
    let filter = LogFilter {
        from: Some(threshold::store::timestamp(from)),
        to: Some(threshold::store::timestamp(to)),
        kind: None,
        purpose: Some("program".into()),
    };
    let mut first = Vec::new();
    let mut deep = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let page = checkins_page(store.conn(), &filter, None, 50).unwrap();
        first.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(page.len(), 50);
        // Ten pages further on, by cursor.
        let mut cursor = page.last().map(|r| (r.at.clone(), r.id.clone())).unwrap();
        let t = Instant::now();
        for _ in 0..10 {
            let p = checkins_page(store.conn(), &filter, Some((&cursor.0, &cursor.1)), 50).unwrap();
            cursor = p.last().map(|r| (r.at.clone(), r.id.clone())).unwrap();
        }
        deep.push(t.elapsed().as_secs_f64() * 1e3 / 10.0);
    }
    let (f50, f99) = summary(first);
    let (d50, d99) = summary(deep);
    println!("| filtered page (purpose + 7 days, 50 rows) over {rows} | p50 {f50:.2} ms, p99 {f99:.2} ms |");
    println!("| next pages by cursor | p50 {d50:.2} ms, p99 {d99:.2} ms |");
    drop(store);

    let out = path.join("export.csv");
    let t = Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_threshold"))
        .arg("--data-dir")
        .arg(&path)
        .args(["log", "export", "--format", "csv", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let lines = std::fs::read_to_string(&out).unwrap().lines().count();
    println!(
        "| `log export --format csv` of {} rows (whole command) | {:.2} s |",
        lines - 1,
        t.elapsed().as_secs_f64()
    );
}
