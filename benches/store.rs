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
use threshold::store::{configure, verify};

/// Durable check-ins one by one, beside the bare SQLite limit: one INSERT
/// and COMMIT of a row of the same size with the same settings. The two are
/// interleaved, so both meet the same disk.
fn checkin_latency(n: usize) {
    let dir = tempfile::tempdir_in(".").unwrap();
    let loaded = Loaded::demo();
    let desk = Desk::open(loaded, dir.path(), SystemClock).unwrap();
    let bare_dir = tempfile::tempdir_in(".").unwrap();
    let conn = rusqlite::Connection::open(bare_dir.path().join("bare.db")).unwrap();
    configure(&conn).unwrap();
    conn.execute_batch("CREATE TABLE t (seq INTEGER PRIMARY KEY, at TEXT, body TEXT, hash BLOB)")
        .unwrap();
    let body = "x".repeat(220);
    let (mut ours, mut bare) = (Vec::with_capacity(n), Vec::with_capacity(n));
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
    }
    let (p50, p99) = summary(ours);
    let (b50, b99) = summary(bare);
    println!("| durable check-in ({n}, interleaved with the next row) | p50 {p50:.0} µs, p99 {p99:.0} µs |");
    println!("| bare SQLite INSERT+COMMIT, same pragmas | p50 {b50:.0} µs, p99 {b99:.0} µs |");
    println!(
        "| ratio check-in / bare | p50 {:.2}×, p99 {:.2}× |",
        p50 / b50,
        p99 / b99
    );
}

fn main() {
    let rows: usize = std::env::var("THRESHOLD_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("| benchmark | result |\n|---|---|");
    checkin_latency(5_000);

    let dir = tempfile::tempdir_in(".").unwrap();
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
    println!(
        "| `log verify` over {} entries | {:.2} s |",
        report.entries,
        t.elapsed().as_secs_f64()
    );

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
