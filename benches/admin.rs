//! Admin web benchmarks (run with `cargo bench --bench admin`; figures go
//! in BENCHMARKS.md). Prints a table; asserts nothing about time.
//!
//! The server time of the dashboard and of log pages over a store with
//! 1,000,000 check-ins and 10,000 encounters (THRESHOLD_BENCH_ROWS and
//! THRESHOLD_BENCH_ENCOUNTERS change the sizes), measured through the
//! router as a request from a signed-in counsel account; and the PDF report
//! of an encounter with ten scanned pages.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{fill, summary};
use http_body_util::BodyExt;
use std::time::Instant;
use threshold::admin::auth::hash_password;
use threshold::admin::{router, AppState};
use threshold::app::{Desk, PageImage, SystemClock};
use threshold::config::Loaded;
use threshold::devices::health::Health;
use threshold::domain::account::AccountRole;
use threshold::domain::document::DocumentKind;
use threshold::domain::encounter::{DocumentDetails, EncounterDetails, Outcome, Via};
use threshold::store::accounts;
use tower::ServiceExt;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn details() -> EncounterDetails {
    EncounterDetails {
        officers: vec!["Ana Ruiz;4471;ICE ERO".parse().unwrap()],
        supervisor: None,
        purpose: Some("looking for a person".into()),
        sought: None,
        area: None,
        exigent: false,
        document_kind: DocumentKind::AdministrativeWarrant,
        document: DocumentDetails::default(),
    }
}

/// A scanned page: 1700×2200 (A4-ish at 200 dpi) with lines of "text".
fn scanned_page(seed: u32) -> PageImage {
    let img = image::RgbImage::from_fn(1700, 2200, |x, y| {
        let line = (y / 36) % 2 == 0 && y > 200 && y < 2000;
        let ink = line && ((x / 9 + y / 36 + seed) % 7 != 0) && x > 150 && x < 1550;
        let v = if ink { 40 } else { 245 - ((x ^ y) % 6) as u8 };
        image::Rgb([v, v, v.saturating_sub(4)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 85,
        ))
        .unwrap();
    PageImage::from_bytes("scan.jpg", out.into_inner()).unwrap()
}

async fn time_get(app: &axum::Router, path: &str, cookie: &str, n: usize) -> (f64, f64) {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        let t = Instant::now();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        samples.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(body.len() > 1000);
    }
    summary(samples)
}

fn main() {
    let rows = env_or("THRESHOLD_BENCH_ROWS", 1_000_000);
    let encounters = env_or("THRESHOLD_BENCH_ENCOUNTERS", 10_000);
    println!("| benchmark | result |\n|---|---|");
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let t = Instant::now();
    drop(fill(dir.path(), rows));
    let loaded = Loaded::demo();
    let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    for i in 0..encounters {
        let id = desk
            .check_in_official(None, Via::Kiosk, i % 10 == 0, details(), &[])
            .unwrap();
        // All but the last five are over.
        if i + 5 < encounters {
            desk.decide(&id, Outcome::WaitedInPublicArea, "Dana", None, None)
                .unwrap();
            desk.close(&id, "Dana").unwrap();
        }
    }
    desk.add_account(
        "carl",
        AccountRole::Counsel,
        &hash_password("bench password 1"),
    )
    .unwrap();
    let pages: Vec<PageImage> = (0..10).map(scanned_page).collect();
    let bytes: usize = pages.iter().map(|p| p.bytes.len()).sum();
    let report_id = desk
        .check_in_official(None, Via::Kiosk, false, details(), &pages)
        .unwrap();
    println!(
        "| setup: {rows} check-ins and {encounters} encounters | {:.1} s |",
        t.elapsed().as_secs_f64()
    );
    let state = AppState::new(desk.clone(), Health::default(), false).unwrap();
    let app = router(state.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let cookie = {
            let conn = rusqlite::Connection::open(dir.path().join("threshold.db")).unwrap();
            format!("th_session={}", accounts::open_session(&conn, "carl", chrono::Utc::now()).unwrap())
        };
        let n = 200;
        for (label, path) in [
            ("dashboard (6 open encounters, today's counts, channels)", "/".to_string()),
            ("check-in log, newest 50 of everything", "/log".to_string()),
            ("check-in log, one purpose and 7 days", "/log?purpose=program&from=2026-01-10&to=2026-01-16".to_string()),
            ("check-in log, encounters only", "/log?kind=encounter".to_string()),
            ("check-in log, page 100 by cursor", "/log?before=2026-01-20T00%3A00%3A00.000Z%7C~".to_string()),
            ("alert deliveries", "/alerts".to_string()),
        ] {
            let (p50, p99) = time_get(&app, &path, &cookie, n).await;
            println!("| {label} ({n} requests) | p50 {p50:.2} ms, p99 {p99:.2} ms |");
        }
        // Encounter pages write an audit entry per view (one durable commit).
        let (p50, p99) = time_get(&app, &format!("/encounters/{report_id}"), &cookie, 50).await;
        println!("| encounter record with 10 pages, audit entry included (50 requests) | p50 {p50:.2} ms, p99 {p99:.2} ms |");
    });
    let key = threshold::store::bundle::FacilityKey::from_seed([1; 32]);
    // In every language: the labels, the policy text and the certification
    // are in the report's language (Chinese draws from Noto Sans SC), and each
    // report is PDF/A-2u with its structure tree.
    for lang in threshold::domain::language::Language::ALL {
        let mut samples = Vec::new();
        let mut size = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let pdf = desk.report_pdf(&key, &report_id, lang, "bench").unwrap();
            samples.push(t.elapsed().as_secs_f64() * 1e3);
            size = pdf.len();
        }
        let (p50, max) = summary(samples);
        println!(
            "| PDF report of a 10-page encounter in {} ({} KB of JPEG pages, {} KB PDF, 5 runs) | p50 {p50:.0} ms, max {max:.0} ms |",
            lang.code(),
            bytes / 1024,
            size / 1024
        );
    }
}
