//! The city's statistics equal a hand count: a generated month of
//! encounters and check-ins in five facilities (with officers' names,
//! notes and staff names among the entries and the vault), counted by the
//! test beside them, against the statistics page, its CSV and the council
//! report; no name reaches the CSV or the PDF.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use common::admin::{get, send, sign_in, PASSWORD};
use std::collections::BTreeMap;
use threshold::domain::account::{AccountRole, Scope};
use threshold::hub::{accounts, project, store};

const DOCS: [&str; 3] = [
    "administrative-warrant",
    "judicial-search-warrant",
    "agency-form",
];
const OUTCOMES: [&str; 3] = ["left", "waited-in-public-area", "records-demanded"];
const PURPOSES: [&str; 3] = ["appointment", "program", "permits"];
const NAMES: [&str; 3] = ["Xochitl Quispe", "Dana Whitfield", "Officer Lorna Baptiste"];

fn facility(i: usize) -> String {
    format!("branch-{}", i % 5)
}

struct Hand {
    /// (facility, document, outcome) -> count, November, drills left out.
    cells: BTreeMap<(String, String, String), u64>,
    drills: u64,
    first_waits: Vec<i64>,
    unanswered: usize,
    visitors: BTreeMap<(String, String), u64>,
}

fn at(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Write the month into the hub's tables as the kiosks' entries would
/// arrive, and count it by hand.
async fn generate(pool: &deadpool_postgres::Pool) -> Hand {
    let tz: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
    let c = pool.get().await.unwrap();
    let mut seq: BTreeMap<String, i64> = BTreeMap::new();
    let mut rows: Vec<(String, i64, String, &str, String, String)> = Vec::new();
    let mut push =
        |f: &str, t: chrono::DateTime<Utc>, kind: &'static str, subject: &str, body: String| {
            let s = seq.entry(f.to_string()).or_default();
            *s += 1;
            rows.push((f.to_string(), *s, at(t), kind, subject.to_string(), body));
        };
    let mut hand = Hand {
        cells: BTreeMap::new(),
        drills: 0,
        first_waits: Vec::new(),
        unanswered: 0,
        visitors: BTreeMap::new(),
    };
    for i in 0..160usize {
        let f = facility(i);
        let local = tz
            .with_ymd_and_hms(2026, 11, 1 + (i % 30) as u32, 8 + (i % 9) as u32, 0, 0)
            .unwrap();
        // Two arrivals just outside November in the city (inside it in UTC
        // for the first): never counted.
        let outside = i >= 158;
        let opened = if i == 158 {
            tz.with_ymd_and_hms(2026, 10, 31, 23, 30, 0).unwrap()
        } else if i == 159 {
            tz.with_ymd_and_hms(2026, 12, 1, 0, 30, 0).unwrap()
        } else {
            local
        }
        .with_timezone(&Utc);
        let id = format!("E-GEN{i:05}");
        let drill = i % 13 == 0;
        push(
            &f,
            opened,
            "encounter.opened",
            &id,
            format!(r#"{{"entrance":"main","via":"kiosk","drill":{drill}}}"#),
        );
        push(
            &f,
            opened,
            "alert.queued",
            &id,
            format!(
                r#"{{"key":"k{i}","tier":0,"contact":"{}","role":"designated-staff","channel":"sms","due_at":"x"}}"#,
                NAMES[1]
            ),
        );
        let doc = (i % 7 != 0).then(|| DOCS[i % 3]);
        if let Some(d) = doc {
            push(
                &f,
                opened + Duration::seconds(5),
                "encounter.details-recorded",
                &id,
                format!(
                    r#"{{"document_kind":"{d}","officers":[{{"name":{{"vault":{},"commit":"c"}},"badge":{{"vault":{},"commit":"c"}},"agency":{{"vault":{},"commit":"c"}}}}],"exigent":false}}"#,
                    i * 10,
                    i * 10 + 1,
                    i * 10 + 2
                ),
            );
        }
        let wait = (i % 4 != 0).then(|| 30 + i as i64 * 3);
        if let Some(wait) = wait {
            let role = if i % 2 == 0 {
                "counsel"
            } else {
                "designated-staff"
            };
            push(
                &f,
                opened + Duration::seconds(wait),
                "encounter.acknowledged",
                &id,
                format!(
                    r#"{{"by":{{"vault":{},"commit":"c"}},"role":"{role}","via":"ack-link"}}"#,
                    i * 10 + 3
                ),
            );
        }
        let outcome = (i % 5 != 0).then(|| OUTCOMES[i % 3]);
        if let Some(o) = outcome {
            push(
                &f,
                opened + Duration::seconds(600),
                "encounter.decided",
                &id,
                format!(
                    r#"{{"outcome":"{o}","basis":"before-counsel","by":{{"vault":{},"commit":"c"}}}}"#,
                    i * 10 + 4
                ),
            );
        }
        if outside {
            continue;
        }
        if drill {
            hand.drills += 1;
            continue;
        }
        *hand
            .cells
            .entry((
                f.clone(),
                doc.unwrap_or("-").into(),
                outcome.unwrap_or("-").into(),
            ))
            .or_default() += 1;
        match wait {
            Some(w) => hand.first_waits.push(w),
            None => hand.unanswered += 1,
        }
    }
    for i in 0..300usize {
        let f = facility(i * 7);
        let t = tz
            .with_ymd_and_hms(2026, 11, 1 + (i % 30) as u32, 10, (i % 60) as u32, 0)
            .unwrap()
            .with_timezone(&Utc);
        let p = PURPOSES[i % 3];
        push(
            &f,
            t,
            "checkin.recorded",
            &format!("V-{i:05}"),
            format!(
                r#"{{"purpose":"{p}","language":"en","entrance":"main","name":{{"vault":{},"commit":"c"}}}}"#,
                90_000 + i
            ),
        );
        *hand.visitors.entry((f, p.to_string())).or_default() += 1;
    }
    for (f, s, t, kind, subject, body) in &rows {
        c.execute(
            "INSERT INTO entries (facility, seq, at, kind, subject, body, hash) VALUES ($1, $2, $3, $4, $5, $6, '\\x00')",
            &[f, s, t, kind, subject, body],
        )
        .await
        .unwrap();
    }
    // Officers' names sealed in the hub's vault, as ingest keeps them.
    let data = threshold::hub::seal::DataKey::from_bytes([9; 32]);
    for i in 0..160i64 {
        let f = facility(i as usize);
        let sealed = data.seal(&f, i * 10, b"salt", NAMES[(i % 3) as usize]);
        c.execute(
            "INSERT INTO vault (facility, id, sealed) VALUES ($1, $2, $3)",
            &[&f, &(i * 10), &sealed],
        )
        .await
        .unwrap();
    }
    hand.first_waits.sort_unstable();
    hand
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_equal_a_hand_count_and_carry_no_name() {
    let (_pg, pool) = common::city_world::hub_database().await;
    for i in 0..5u8 {
        let key = ed25519_dalek::SigningKey::from_bytes(&[i + 1; 32]);
        store::enroll(
            &pool,
            &facility(i as usize),
            &key.verifying_key().to_bytes(),
        )
        .await
        .unwrap();
    }
    let hand = generate(&pool).await;
    {
        let mut c = pool.get().await.unwrap();
        let tx = c.transaction().await.unwrap();
        assert_eq!(project::rebuild(&tx).await.unwrap(), 160);
        tx.commit().await.unwrap();
    }
    assert!(project::use_timezone(&pool, "America/Los_Angeles")
        .await
        .unwrap());
    assert!(!project::use_timezone(&pool, "America/Los_Angeles")
        .await
        .unwrap());
    let hash = threshold::admin::auth::hash_password(PASSWORD);
    accounts::add(&pool, "lee", AccountRole::City, &Scope::All, &hash)
        .await
        .unwrap();
    let app = common::city_world::router_on(&pool, "America/Los_Angeles");
    let (_, cookie) = sign_in(&app, "lee", PASSWORD).await;
    let cookie = cookie.expect("the city role signs in");
    let q = "from=2026-11&to=2026-11";

    // The CSV against the hand count, cell by cell.
    let csv = send(&app, get(&format!("/statistics.csv?{q}"), Some(&cookie))).await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = csv.text();
    let (mut cells, mut drills, mut visitors) = (BTreeMap::new(), 0u64, BTreeMap::new());
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[0], "2026-11", "{line}");
        let n: u64 = f[6].parse().unwrap();
        match f[2] {
            "encounter" => {
                cells.insert((f[1].to_string(), f[3].to_string(), f[4].to_string()), n);
            }
            "drill" => drills += n,
            "visitors" => {
                visitors.insert((f[1].to_string(), f[5].to_string()), n);
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(cells, hand.cells);
    assert_eq!(drills, hand.drills);
    assert_eq!(visitors, hand.visitors);

    // The page: totals, the times to acknowledgement (nearest rank).
    let page = send(&app, get(&format!("/statistics?{q}"), Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    let total: u64 = hand.cells.values().sum();
    assert!(
        page.contains(&format!(
            "<dt>Encounters (drills not counted)</dt><dd>{total}</dd>"
        )),
        "{page}"
    );
    let w = &hand.first_waits;
    let rank = |p: f64| w[((p * w.len() as f64).ceil() as usize).clamp(1, w.len()) - 1];
    let (median, p90) = (rank(0.5), rank(0.9));
    assert!(page.contains(&format!(
        "<dt>Median</dt><dd>{} min {} s</dd>",
        median / 60,
        median % 60
    )));
    assert!(page.contains(&format!(
        "<dt>90th percentile</dt><dd>{} min {} s</dd>",
        p90 / 60,
        p90 % 60
    )));
    assert!(page.contains(&format!(
        "<dt>Never acknowledged</dt><dd>{}</dd>",
        hand.unanswered
    )));
    assert!(page.contains("<svg class=\"chart\"") && !page.contains("<script src"));

    // The council report, in Spanish: the same totals, and no name.
    let pdf = send(
        &app,
        get(&format!("/statistics.pdf?{q}&lang=es"), Some(&cookie)),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("council.pdf");
    std::fs::write(&file, &pdf.body).unwrap();
    let keep = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("city-screens");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::write(keep.join("council-report-es.pdf"), &pdf.body).unwrap();
    if let Some(text) = common::pdf_text(&file) {
        assert!(text.contains("Informe al concejo"), "{text}");
        assert!(text.contains(&total.to_string()));
        for name in NAMES {
            assert!(!text.contains(name), "{name} in the council report");
        }
    } else {
        assert!(std::env::var("CI").is_err(), "CI installs poppler-utils");
    }
    for name in NAMES {
        assert!(!csv.contains(name), "{name} in the CSV");
        assert!(!page.contains(name), "{name} on the statistics page");
    }
    // A period the reader typed wrong is said, and the last year shown.
    let bad = send(
        &app,
        get("/statistics?from=2026-11&to=2025-01", Some(&cookie)),
    )
    .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.text().contains("Months are written YYYY-MM"));
}
