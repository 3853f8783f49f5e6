//! The city's web on a year of a hundred facilities (`cargo bench --bench
//! city`; figures go in BENCHMARKS.md). A private PostgreSQL server made
//! with the machine's initdb holds 100 facilities × one year: 10 million
//! check-in entries and 5,000 encounters (five entries each, the last 20
//! still open), written straight into the hub's tables with
//! generate_series (ingest has its own benchmark), the projections built
//! by the hub's own code. Then each page is asked through the city web's
//! router, signed in, and its server time measured: p50 and p99 beside
//! the limits (page p99 under 50 ms; the council report for a year under
//! 2 s); then the hub's own retention over the same city. Asserts
//! nothing about time.
//!
//! `THRESHOLD_BENCH_CHECKINS` sets the number of check-ins (default
//! 10,000,000).

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::summary;
use http_body_util::BodyExt;
use std::time::Instant;
use threshold::domain::account::{AccountRole, Scope};
use threshold::hub::{accounts, project, store};
use tower::ServiceExt;

const FACILITIES: i64 = 100;
const ENCOUNTERS: i64 = 5_000;
const PASSWORD: &str = "a long bench password";

async fn send(app: &axum::Router, req: Request<Body>) -> (u16, Vec<u8>, Vec<String>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let cookies = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| {
            v.to_str()
                .ok()
                .map(|s| s.split(';').next().unwrap().to_string())
        })
        .collect();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, body, cookies)
}

async fn sign_in(app: &axum::Router, name: &str) -> String {
    let (_, form, cookies) = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let form = String::from_utf8(form).unwrap();
    let at = form.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &form[at..at + form[at..].find('"').unwrap()];
    let body = format!(
        "account={name}&password={}&csrf={csrf}&next=%2F",
        PASSWORD.replace(' ', "+")
    );
    let (status, _, set) = send(
        app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookies.join("; "))
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(status, 303, "{name} signs in");
    set.into_iter()
        .find(|c| c.starts_with("th_session="))
        .unwrap()
}

/// `n` requests of `path`: p50 and p99 in ms, and the last body's size.
async fn measure(app: &axum::Router, cookie: &str, path: &str, n: usize) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(n);
    let mut size = 0;
    for _ in 0..n {
        let req = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let t = Instant::now();
        let (status, body, _) = send(app, req).await;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        size = body.len();
    }
    let (p50, p99) = summary(times);
    (p50, p99, size)
}

fn main() {
    let checkins: i64 = std::env::var("THRESHOLD_BENCH_CHECKINS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let dir = tempfile::Builder::new()
        .prefix("thcity")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let cluster =
        threshold::hub::cluster::Cluster::start(&dir.path().join("pg")).expect("PostgreSQL starts");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = store::pool(&cluster.url(), None, 8, &store::Tls::AsUrlSays).unwrap();
        store::migrate(&pool).await.unwrap();
        for f in 0..FACILITIES {
            let key = ed25519_dalek::SigningKey::from_bytes(&[f as u8 + 1; 32]);
            store::enroll(&pool, &format!("f-{f:03}"), &key.verifying_key().to_bytes())
                .await
                .unwrap();
        }
        let c = pool.get().await.unwrap();
        let t = Instant::now();
        // The year's check-ins, a hundred facilities in turn, every 3 s.
        c.execute(
            "INSERT INTO entries (facility, seq, at, kind, subject, body, hash)
             SELECT 'f-' || lpad((g % 100)::text, 3, '0'), g / 100 + 1,
                    to_char(timestamp '2026-01-01' + g * (interval '1 second' * $2), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    'checkin.recorded', 'V-' || g,
                    '{\"purpose\":\"' || (ARRAY['appointment','program','permits','services'])[1 + g % 4]
                      || '\",\"language\":\"en\",\"entrance\":\"main\",\"name\":{\"vault\":' || g
                      || ',\"commit\":\"' || repeat('ab', 32) || '\"},\"host\":null}',
                    '\\x00'
             FROM generate_series(0, $1::bigint - 1) g",
            &[&checkins, &(31_000_000.0 / checkins as f64)],
        )
        .await
        .unwrap();
        let filled = t.elapsed().as_secs_f64();
        // The year's encounters: opened, details, acknowledged, decided,
        // closed (the last twenty still open), every 1.75 h.
        let t = Instant::now();
        c.execute(
            "INSERT INTO entries (facility, seq, at, kind, subject, body, hash)
             SELECT 'f-' || lpad((e % 100)::text, 3, '0'), 1000000000 + e * 5 + k,
                    to_char(timestamp '2026-01-01' + e * interval '105 minutes' + k * interval '3 minutes', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    (ARRAY['encounter.opened','encounter.details-recorded','encounter.acknowledged','encounter.decided','encounter.closed'])[k + 1],
                    'E-B' || lpad(e::text, 6, '0'),
                    CASE k
                      WHEN 0 THEN '{\"entrance\":\"main\",\"via\":\"kiosk\",\"drill\":' || (e % 40 = 0)::text || '}'
                      WHEN 1 THEN '{\"document_kind\":\"' || (ARRAY['administrative-warrant','judicial-search-warrant','agency-form','court-order'])[1 + e % 4] || '\",\"officers\":[],\"exigent\":false}'
                      WHEN 2 THEN '{\"by\":{\"vault\":1,\"commit\":\"c\"},\"role\":\"' || (ARRAY['counsel','designated-staff'])[1 + e % 2] || '\",\"via\":\"ack-link\"}'
                      WHEN 3 THEN '{\"outcome\":\"' || (ARRAY['left','waited-in-public-area','records-demanded'])[1 + e % 3] || '\",\"basis\":\"before-counsel\",\"by\":{\"vault\":1,\"commit\":\"c\"}}'
                      ELSE '{\"by\":{\"vault\":1,\"commit\":\"c\"}}'
                    END,
                    '\\x00'
             FROM generate_series(0, $1::bigint - 1) e, generate_series(0, 4) k
             WHERE NOT (k = 4 AND e >= $1 - 20)",
            &[&ENCOUNTERS],
        )
        .await
        .unwrap();
        c.batch_execute(
            "INSERT INTO heartbeats (facility, sent_at, received_at, report)
             SELECT id, 'x', now() - (random() * interval '3 minutes'), '{\"backlog\": 0, \"parts\": []}'::jsonb FROM facilities;
             ANALYZE;",
        )
        .await
        .unwrap();
        let mut cl = pool.get().await.unwrap();
        let tx = cl.transaction().await.unwrap();
        let projected = project::rebuild(&tx).await.unwrap();
        tx.commit().await.unwrap();
        assert!(project::use_timezone(&pool, "America/Los_Angeles").await.unwrap());
        c.batch_execute("ANALYZE").await.unwrap();
        let built = t.elapsed().as_secs_f64();
        let size: String = c
            .query_one("SELECT pg_size_pretty(pg_database_size(current_database()))", &[])
            .await
            .unwrap()
            .get(0);
        println!(
            "{checkins} check-ins written in {filled:.0} s; {projected} encounters and the visitor counts projected in {built:.1} s; database {size}"
        );

        let hash = threshold::admin::auth::hash_password(PASSWORD);
        accounts::add(&pool, "rosa", AccountRole::Counsel, &Scope::All, &hash).await.unwrap();
        accounts::add(&pool, "lee", AccountRole::City, &Scope::All, &hash).await.unwrap();
        let config: threshold::hub::config::HubConfig = toml::from_str(
            "[hub]\nlisten = \"127.0.0.1:1\"\nkey_file = \"k\"\n[database]\nurl = \"u\"\n[web]\ntimezone = \"America/Los_Angeles\"\n",
        )
        .unwrap();
        let hub = threshold::hub::web::Hub {
            pool: pool.clone(),
            key: std::sync::Arc::new(threshold::hub::HubKey::from_seed([7; 32])),
            data: std::sync::Arc::new(threshold::hub::seal::DataKey::from_bytes([9; 32])),
            issued: Default::default(),
            tz: chrono_tz::UTC,
        };
        let app = threshold::hub::city::router(threshold::hub::city::City::new(&config, hub, false).unwrap());
        let rosa = sign_in(&app, "rosa").await;
        let lee = sign_in(&app, "lee").await;
        let year = "from=2026-01&to=2026-12";
        println!("\n| What (100 facilities, one year) | p50 | p99 | limit | body |");
        println!("|---|---|---|---|---|");
        for (what, cookie, path, n, limit) in [
            ("dashboard (counsel: 20 open encounters, 100 facilities)", &rosa, "/?refresh=1".to_string(), 200, "p99 < 50 ms"),
            ("dashboard (city role)", &lee, "/?refresh=1".to_string(), 200, "p99 < 50 ms"),
            ("encounter log, first page", &rosa, "/log".to_string(), 200, "p99 < 50 ms"),
            ("encounter log, one facility, closed, one outcome", &rosa, "/log?facility=f-042&state=closed&outcome=left".to_string(), 200, "p99 < 50 ms"),
            ("encounter log, legal holds only", &rosa, "/log?held=yes".to_string(), 200, "p99 < 50 ms"),
            ("encounter page", &rosa, "/facilities/f-042/encounters/E-B000042".to_string(), 200, "p99 < 50 ms"),
            ("statistics, a year, every facility", &lee, format!("/statistics?{year}"), 200, "p99 < 50 ms"),
            ("statistics CSV, a year", &lee, format!("/statistics.csv?{year}"), 100, "—"),
            ("council report PDF, a year", &lee, format!("/statistics.pdf?{year}"), 20, "< 2 s"),
        ] {
            let (p50, p99, size) = measure(&app, cookie, &path, n).await;
            println!("| {what} | {p50:.1} ms | {p99:.1} ms | {limit} | {size} B |");
        }
        // The hub's own retention over the same city: the hourly pass when
        // nothing is due, then eight years on (every closed encounter due).
        println!("\n| Hub retention (100 facilities, one year) | time | limit | encounters |");
        println!("|---|---|---|---|");
        let rules = threshold::hub::retention::Rules { encounter_years: 7, grace_days: 30 };
        let now = chrono::Utc::now();
        let later = now + chrono::Duration::days(8 * 366);
        for (what, at, dry) in [
            ("hourly pass, nothing due", now, false),
            ("dry run eight years on", later, true),
            ("purge eight years on, every closed encounter", later, false),
            ("hourly pass after it, nothing left", later, false),
        ] {
            let t = Instant::now();
            let done = threshold::hub::retention::purge(&pool, at, rules, dry).await.unwrap();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            println!("| {what} | {ms:.0} ms | < 60 s (it runs hourly) | {} |", done.encounters());
        }
        pool.close();
    });
    drop(rt);
    let _ = cluster.stop();
}
