//! Safe defaults: a webhook URL is a credential (Slack, Teams), so the
//! record, the outbox, the admin web, `alerts test` and signed bundles name
//! its host only; the dashboard shows a broken part in red with what to do.

mod common;

use common::admin::{get, send, session, AdminWorld, PASSWORD};
use common::*;
use threshold::app::{Desk, SystemClock};
use threshold::domain::encounter::Via;

/// A webhook path as Slack gives them: whoever has it can post.
const SECRET: &str = "services/T0SECRET0/B0SECRET0/XXXXsecretXXXXtoken";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_path_never_reaches_the_record_the_web_or_a_bundle() {
    // One receiver that refuses everything (HTTP 404) and one address with
    // nothing listening: both failures are journaled.
    let refusing = axum::Router::new().fallback(|| async { axum::http::StatusCode::NOT_FOUND });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let refusing_at = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, refusing).await.unwrap() });
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut loaded = alerting_config(dir.path(), &format!("http://{refusing_at}/{SECRET}"), "");
    for (i, c) in loaded.config.contacts.iter_mut().enumerate() {
        if i % 2 == 1 {
            c.webhook = Some(format!("http://{dead}/{SECRET}?token={SECRET}"));
        }
    }
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    let t = d.tick().await.unwrap();
    assert_eq!(t.failed, 3, "{t:?}");

    // The journal and the outbox keep the host and why, never the path.
    let conn = rusqlite::Connection::open(dir.path().join("threshold.db")).unwrap();
    let bodies: Vec<String> = conn
        .prepare("SELECT body FROM journal WHERE kind = 'alert.failed'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies.iter().any(|b| b.contains("answered HTTP 404")),
        "{bodies:?}"
    );
    assert!(bodies.iter().all(|b| b.contains("127.0.0.1")), "{bodies:?}");
    let everything: String = conn
        .prepare("SELECT body FROM journal UNION ALL SELECT COALESCE(last_error, '') FROM outbox")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!everything.contains("SECRET"), "{everything}");
    drop(conn);

    // A signed bundle of everything: no path either.
    let bundle = dir.path().join("all.bundle.jsonl");
    let out = bin()
        .arg("--config")
        .arg(dir.path().join("alerting.toml"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["log", "bundle", "--out"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(text.contains(&id) && !text.contains("SECRET"), "{text}");

    // The admin web's alert deliveries: the error, with the host only.
    let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    let hash = threshold::admin::auth::hash_password(PASSWORD);
    desk.add_account(
        "carl",
        threshold::domain::account::AccountRole::Counsel,
        &hash,
    )
    .unwrap();
    let state =
        threshold::admin::AppState::new(desk, threshold::devices::health::Health::default(), false)
            .unwrap();
    let app = threshold::admin::router(state);
    let cookie = session(&app, "carl").await;
    let page = send(&app, get("/alerts", Some(&cookie))).await.text();
    assert!(page.contains("HTTP 404"), "{page}");
    assert!(!page.contains("SECRET"), "{page}");

    // `alerts test` says which host failed, not the URL.
    let out = bin()
        .arg("--config")
        .arg(dir.path().join("alerting.toml"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["alerts", "test"])
        .output()
        .unwrap();
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("127.0.0.1") && !said.contains("SECRET"),
        "{said}"
    );
    // ... and names the broken channel with what to do.
    assert!(
        said.contains("webhook is not working") && said.contains("what to do:"),
        "{said}"
    );
}

#[test]
fn config_errors_name_a_webhook_by_its_host_only() {
    let text = threshold::config::DEMO_CONFIG.replacen(
        "role = \"counsel\"\n",
        &format!("role = \"counsel\"\nwebhook = \"http://hooks.example.org/{SECRET}\"\n"),
        1,
    );
    let err = threshold::config::Loaded::from_text("c.toml", &text, std::path::Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("hooks.example.org") && err.contains("https://"),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_a_broken_part_in_red_with_what_to_do() {
    let w = AdminWorld::new();
    w.state.health.broken(
        "modem",
        threshold::devices::health::PartKind::Device,
        "/dev/threshold-modem",
        "the modem did not answer `AT` within 3s",
        "Check the modem's USB cable, power, antenna and SIM.",
    );
    w.state.health.working(
        "printer",
        threshold::devices::health::PartKind::Device,
        "/dev/threshold-printer",
        "ready",
    );
    let app = w.app();
    let cookie = session(&app, "carl").await;
    let page = send(&app, get("/", Some(&cookie))).await.text();
    let row = page
        .split("<tr")
        .find(|r| r.contains(">modem<"))
        .expect("the modem has a row");
    assert!(row.contains("class=\"broken\""), "{row}");
    assert!(
        row.contains("NOT WORKING") && row.contains("did not answer"),
        "{row}"
    );
    assert!(row.contains("Check the modem"), "{row}");
    // Broken parts come first.
    assert!(page.find(">modem<").unwrap() < page.find(">printer<").unwrap());
}
