//! Alerts against a real HTTP receiver started by the test: pages reach
//! staff and counsel signed, escalate when nobody acknowledges, retry, and
//! survive a restart without being sent twice.

mod common;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::Duration;
use common::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use threshold::alerts::webhook::signature;
use threshold::domain::encounter::Via;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    at: std::time::Instant,
    path: String,
    /// The X-Threshold-Key header.
    key: String,
    /// Whether X-Threshold-Signature verifies with the test secret.
    signed: bool,
    json: serde_json::Value,
}

/// What the receiver got.
#[derive(Clone, Default)]
struct Inbox {
    got: Arc<Mutex<Vec<Received>>>,
    /// Paths that answer 500 this many more times.
    failing: Arc<Mutex<HashMap<String, u32>>>,
}

impl Inbox {
    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
    fn paths(&self) -> Vec<String> {
        let mut p: Vec<String> = self.received().into_iter().map(|r| r.path).collect();
        p.sort();
        p
    }
}

async fn receive(
    State(inbox): State<Inbox>,
    UrlPath((role, n)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let path = format!("/{role}/{n}");
    if let Some(left) = inbox.failing.lock().unwrap().get_mut(&path) {
        if *left > 0 {
            *left -= 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    let header = |h: &str| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let signed = header("x-threshold-signature") == signature(b"test-secret", &body);
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    inbox.got.lock().unwrap().push(Received {
        at: std::time::Instant::now(),
        path,
        key: header("x-threshold-key"),
        signed,
        json,
    });
    StatusCode::OK
}

/// Start the receiver on a loopback port; returns its base URL.
async fn receiver(inbox: Inbox) -> String {
    let app = Router::new()
        .route("/{role}/{n}", post(receive))
        .with_state(inbox);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn journal_kinds(dir: &std::path::Path, kind: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("threshold.db")).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM journal WHERE kind = ?1",
        [kind],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn staff_and_counsel_are_paged_at_once_signed_and_in_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    let url = receiver(inbox.clone()).await;
    let loaded = alerting_config(dir.path(), &url, "");
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    let tick = d.tick().await.unwrap();
    assert_eq!(tick.sent, 3, "two designated staff and counsel: {tick:?}");
    assert_eq!(
        inbox.paths(),
        vec!["/counsel/3", "/designated-staff/1", "/designated-staff/2"]
    );
    for Received {
        path,
        key,
        signed,
        json,
        ..
    } in inbox.received()
    {
        assert!(signed, "{path}: the signature does not verify");
        assert!(key.starts_with(&format!("{id}/0/")), "{key}");
        assert_eq!(json["encounter"], id.as_str());
        assert_eq!(json["drill"], false);
        let text = json["text"].as_str().unwrap();
        if path.starts_with("/counsel") {
            // Rosa Delgado's language is Spanish in the demo config.
            assert!(text.starts_with("Funcionarios en el mostrador"), "{text}");
        }
    }
    assert_eq!(journal_kinds(dir.path(), "alert.sent"), 3);
    // Nothing more to do until a deadline passes.
    assert_eq!(d.tick().await.unwrap(), Default::default());
    let show = query_record(&desk, &id);
    assert_eq!(show.notifications.len(), 3);
    assert!(show.notifications.iter().all(|n| n.sent_at.is_some()));
}

fn query_record(
    desk: &threshold::app::Desk<TestClock>,
    id: &str,
) -> threshold::store::query::EncounterRecord {
    desk.record()
        .read(|r| threshold::store::query::encounter(r.conn(), id))
        .unwrap()
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn escalation_waits_for_the_deadline_and_stops_at_an_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    let url = receiver(inbox.clone()).await;
    let loaded = alerting_config(dir.path(), &url, "");
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::StaffMode, false).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    d.tick().await.unwrap();
    clock.advance(Duration::seconds(59));
    assert_eq!(
        d.tick().await.unwrap().escalated,
        0,
        "tier 2 before tier 1's 60 s"
    );
    clock.advance(Duration::seconds(2));
    let t = d.tick().await.unwrap();
    assert_eq!((t.escalated, t.sent), (1, 1), "the manager at 61 s");
    assert!(inbox.paths().contains(&"/manager/4".to_string()));
    let escalated_text = inbox.received().last().unwrap().json["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(escalated_text.contains("Escalated"), "{escalated_text}");
    // The manager acknowledges: rapid response is never paged.
    desk.acknowledge(&id, "Alex Chen", Via::Cli).unwrap();
    clock.advance(Duration::seconds(600));
    assert_eq!(d.tick().await.unwrap(), Default::default());
    assert!(!inbox
        .paths()
        .iter()
        .any(|p| p.starts_with("/rapid-response")));
}

#[tokio::test]
async fn an_early_acknowledgement_pages_nobody_further_and_drills_spare_rapid_response() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    let url = receiver(inbox.clone()).await;
    let loaded = alerting_config(dir.path(), &url, "");
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let real = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    desk.acknowledge(&real, "Dana Whitfield", Via::StaffMode)
        .unwrap();
    let drill = desk.open_encounter(None, Via::StaffMode, true).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    d.tick().await.unwrap();
    for _ in 0..5 {
        clock.advance(Duration::seconds(90));
        d.tick().await.unwrap();
    }
    let drill_pages: Vec<_> = inbox
        .received()
        .into_iter()
        .filter(|r| r.json["encounter"] == drill.as_str())
        .collect();
    assert!(drill_pages
        .iter()
        .all(|r| r.json["text"].as_str().unwrap().starts_with("DRILL — ")));
    assert!(
        drill_pages.iter().any(|r| r.path.starts_with("/manager")),
        "the drill escalates to the manager"
    );
    assert!(
        !drill_pages
            .iter()
            .any(|r| r.path.starts_with("/rapid-response")),
        "drills spare rapid response"
    );
    let real_pages: Vec<_> = inbox
        .received()
        .into_iter()
        .filter(|r| r.json["encounter"] == real.as_str())
        .collect();
    assert_eq!(
        real_pages.len(),
        3,
        "the first tier only: it was acknowledged"
    );
}

#[tokio::test]
async fn counsel_is_paged_at_once_even_when_the_config_leaves_counsel_out() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    let url = receiver(inbox.clone()).await;
    let mut loaded = alerting_config(dir.path(), &url, "");
    loaded.config.escalation.tiers[0].notify = vec![threshold::config::Role::DesignatedStaff];
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    desk.open_encounter(None, Via::Kiosk, false).unwrap();
    dispatcher(dir.path(), &loaded, clock).tick().await.unwrap();
    assert!(inbox.paths().contains(&"/counsel/3".to_string()));
}

#[tokio::test]
async fn failures_retry_with_backoff_and_every_attempt_is_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    inbox.failing.lock().unwrap().insert("/counsel/3".into(), 2);
    let url = receiver(inbox.clone()).await;
    let loaded = alerting_config(dir.path(), &url, "");
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    let t = d.tick().await.unwrap();
    assert_eq!((t.sent, t.failed), (2, 1));
    // Not before the backoff (at least 1 s, at most 2 s for the first retry).
    assert_eq!(d.tick().await.unwrap().failed, 0);
    clock.advance(Duration::seconds(3));
    assert_eq!(d.tick().await.unwrap().failed, 1);
    clock.advance(Duration::seconds(5));
    assert_eq!(d.tick().await.unwrap().sent, 1);
    assert_eq!(journal_kinds(dir.path(), "alert.failed"), 2);
    assert_eq!(journal_kinds(dir.path(), "alert.sent"), 3);
    let counsel = query_record(&desk, &id)
        .notifications
        .into_iter()
        .find(|n| n.role == "counsel")
        .unwrap();
    assert_eq!(counsel.attempts, 3);
    assert!(counsel.sent_at.is_some());
    // Exactly one delivery per key.
    let keys: Vec<String> = inbox.received().into_iter().map(|r| r.key).collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(keys.len(), unique.len());
}

#[tokio::test]
async fn a_restarted_dispatcher_sends_what_was_queued_once_and_picks_up_other_processes() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    let url = receiver(inbox.clone()).await;
    let loaded = alerting_config(dir.path(), &url, "");
    // The CLI records an encounter in the data folder while no dispatcher runs.
    let out = bin()
        .arg("--config")
        .arg(dir.path().join("alerting.toml"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "--json",
            "checkin",
            "official",
            "--officer",
            "A. Ruiz;1;ICE",
            "--document-kind",
            "none",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let clock = TestClock::real_now();
    // A dispatcher starts, and stops before its first tick (a crash).
    drop(dispatcher(dir.path(), &loaded, clock.clone()));
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    assert_eq!(d.tick().await.unwrap().sent, 3);
    drop(d);
    let mut again = dispatcher(dir.path(), &loaded, clock);
    assert_eq!(again.tick().await.unwrap(), Default::default());
    assert_eq!(inbox.received().len(), 3, "nothing sent twice");
    let v = cli(dir.path(), &["log", "verify"]);
    assert!(v.status.success(), "{}", stdout(&v));
}

#[tokio::test]
async fn alerts_test_reaches_every_contact_and_reports_failures() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    inbox
        .failing
        .lock()
        .unwrap()
        .insert("/manager/4".into(), 100);
    let url = receiver(inbox.clone()).await;
    alerting_config(dir.path(), &url, "");
    let config = dir.path().join("alerting.toml");
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .arg("--config")
            .arg(config)
            .arg("--data-dir")
            .arg(data)
            .args(["alerts", "test"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let table = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed channel fails the command: {table}"
    );
    assert!(
        table.contains("Alex Chen") && table.contains("FAILED") && table.contains("HTTP 500"),
        "{table}"
    );
    assert_eq!(table.matches("ok (HTTP 200)").count(), 4, "{table}");
    let got = inbox.received();
    assert_eq!(got.len(), 4);
    assert!(got
        .iter()
        .all(|r| r.json["type"] == "threshold.test" && r.signed));
    assert_eq!(
        journal_len(dir.path()),
        0,
        "a test message is not journaled"
    );
}

#[tokio::test]
async fn sms_through_an_http_gateway_with_basic_auth() {
    use base64::Engine;
    let got = Arc::new(Mutex::new(Vec::<(HashMap<String, String>, String)>::new()));
    let record = got.clone();
    let gateway = Router::new().route(
        "/sms",
        post(
            move |axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
                  headers: HeaderMap| {
                let record = record.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    record.lock().unwrap().push((q, auth));
                    StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gw = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, gateway).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sms.credentials"), "gw-user:gw-pass\n").unwrap();
    let extra = format!("\n[alerts.sms]\ngateway_url = \"{gw}/sms?to={{to}}&text={{text}}\"\ngateway_credentials_file = \"sms.credentials\"\n");
    let mut loaded = alerting_config(dir.path(), "https://hooks.invalid", &extra);
    for c in &mut loaded.config.contacts {
        c.channels = Some(vec![threshold::config::Channel::Sms]);
    }
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    desk.open_encounter(None, Via::Kiosk, false).unwrap();
    assert_eq!(
        dispatcher(dir.path(), &loaded, clock)
            .tick()
            .await
            .unwrap()
            .sent,
        3
    );
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("gw-user:gw-pass")
    );
    assert!(got.iter().all(|(_, auth)| *auth == expected_auth));
    let counsel = got
        .iter()
        .find(|(q, _)| q["to"] == "+14085550120")
        .expect("counsel's phone");
    assert!(
        counsel.0["text"].starts_with("Funcionarios en el mostrador"),
        "{:?}",
        counsel.0
    );
}

#[cfg(feature = "simulate")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_relay_and_a_silent_modem_never_delay_counsels_webhook() {
    use threshold::app::{Desk, SystemClock};
    use threshold::config::Channel;
    use threshold::devices::sim::modem::{ModemSim, Options};
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::default();
    let url = receiver(inbox.clone()).await;
    let (relay, connections) = common::smtp::blackhole_counted();
    let modem = ModemSim::start(Options {
        silent: true,
        ..Default::default()
    });
    let extra = format!(
        "\n[alerts.smtp]\nhost = \"127.0.0.1\"\nport = {relay}\ntls = \"none\"\nfrom = \"t@example.org\"\ntimeout_s = 15\n\n[alerts.sms]\nmodem = \"{}\"\ntimeout_s = 30\n",
        modem.path.display()
    );
    let mut loaded = alerting_config(dir.path(), &url, &extra);
    for c in &mut loaded.config.contacts {
        c.channels = Some(match c.name.as_str() {
            "Rosa Delgado" => vec![Channel::Webhook],
            "Dana Whitfield" => vec![Channel::Email],
            _ => vec![Channel::Sms],
        });
    }
    let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    let health = threshold::devices::health::Health::default();
    let channels = threshold::alerts::Channels::from_config(&loaded, &health);
    let d =
        threshold::alerts::Dispatcher::new(loaded, desk.record().clone(), channels, SystemClock)
            .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(d.run(std::time::Duration::from_millis(250), async move {
        let _ = stopped.await;
    }));
    let mut worst = std::time::Duration::ZERO;
    for _ in 0..10 {
        let desk = desk.clone();
        let id = tokio::task::spawn_blocking(move || desk.open_encounter(None, Via::Kiosk, false))
            .await
            .unwrap()
            .unwrap();
        let committed = std::time::Instant::now();
        let page = loop {
            if let Some(r) = inbox
                .received()
                .into_iter()
                .find(|r| r.path.starts_with("/counsel") && r.json["encounter"] == id.as_str())
            {
                break r;
            }
            assert!(
                committed.elapsed() < std::time::Duration::from_secs(5),
                "counsel's webhook page never came"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        };
        let took = page.at.saturating_duration_since(committed);
        worst = worst.max(took);
        // Not a benchmark: the relay's 15 s and the modem's silence must
        // not be waited for; a second is far beyond any scheduling noise.
        assert!(took < std::time::Duration::from_secs(1), "{took:?}");
    }
    eprintln!("counsel's webhook page at most {worst:?} after the commit");
    // Ten e-mail pages hang on the relay, through a few sessions only.
    let held = connections.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=threshold::alerts::email::SESSIONS).contains(&held),
        "{held} connections to the hanging relay"
    );
    let _ = stop.send(());
    task.await.unwrap();
}
