//! `kill -9` of the service in the middle of dispatching: after a restart
//! every queued page is delivered, each key's delivery is journaled once,
//! and the journal shows every attempt.

mod common;

use axum::http::HeaderMap;
use common::*;
use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn service(config: &std::path::Path, data: &std::path::Path) -> Child {
    bin()
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .arg("run")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_service_delivers_everything_after_a_restart() {
    // A receiver that takes longer with each page it is handed (pages go
    // out at once, each its own task), so the kill lands mid-dispatch.
    let keys = Arc::new(Mutex::new(Vec::<String>::new()));
    let got = keys.clone();
    let handed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let hooks = axum::Router::new().route(
        "/{role}/{n}",
        axum::routing::post(move |headers: HeaderMap| {
            let got = got.clone();
            let n = handed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(150 * (n % 18))).await;
                got.lock()
                    .unwrap()
                    .push(headers["x-threshold-key"].to_str().unwrap().to_string());
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hooks).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    alerting_config(dir.path(), &url, "\n[admin]\nlisten = \"127.0.0.1:0\"\n");
    let config = dir.path().join("alerting.toml");
    // Six encounters recorded while no service runs: 18 pages queued.
    for _ in 0..6 {
        let out = bin()
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir.path())
            .args([
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
    }
    let received = || keys.lock().unwrap().len();

    let mut first = service(&config, dir.path());
    wait_for("the first pages", Duration::from_secs(20), || {
        received() >= 5
    });
    std::process::Command::new("kill")
        .args(["-KILL", &first.id().to_string()])
        .status()
        .unwrap();
    first.wait().unwrap();
    let at_kill = received();
    assert!(
        at_kill < 18,
        "the kill came too late to test anything ({at_kill} delivered)"
    );

    let mut second = service(&config, dir.path());
    wait_for("every page", Duration::from_secs(30), || {
        keys.lock().unwrap().iter().collect::<HashSet<_>>().len() == 18
    });
    std::thread::sleep(Duration::from_millis(500));
    std::process::Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(second.wait().unwrap().success());

    let all = keys.lock().unwrap().clone();
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), 18);
    // At least once: only a page in flight at the kill can arrive twice,
    // with the same key, for the receiver to drop.
    assert!(
        all.len() - distinct.len() <= 1,
        "{} deliveries for 18 keys",
        all.len()
    );

    let conn = rusqlite::Connection::open(dir.path().join("threshold.db")).unwrap();
    let sent_per_key: Vec<i64> = conn
        .prepare("SELECT COUNT(*) FROM journal WHERE kind = 'alert.sent' GROUP BY json_extract(body, '$.key')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sent_per_key.len(), 18);
    assert!(
        sent_per_key.iter().all(|n| *n == 1),
        "each delivery journaled once: {sent_per_key:?}"
    );
    let states: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND attempts >= 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(states, 18);
    drop(conn);
    let v = cli(dir.path(), &["log", "verify"]);
    assert!(v.status.success(), "{}", stdout(&v));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_waits_for_pages_in_flight_and_journals_them() {
    // A receiver that takes 1.5 s to answer: the pages are in flight when
    // the service is told to stop.
    let started = Arc::new(Mutex::new(0usize));
    let seen = started.clone();
    let hooks = axum::Router::new().route(
        "/{role}/{n}",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                *seen.lock().unwrap() += 1;
                tokio::time::sleep(Duration::from_millis(1500)).await;
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hooks).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    alerting_config(dir.path(), &url, "\n[admin]\nlisten = \"127.0.0.1:0\"\n");
    let config = dir.path().join("alerting.toml");
    let mut running = service(&config, dir.path());
    let out = bin()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path())
        .args([
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
    wait_for("the pages to be in flight", Duration::from_secs(10), || {
        *started.lock().unwrap() == 3
    });
    let t = Instant::now();
    std::process::Command::new("kill")
        .args(["-TERM", &running.id().to_string()])
        .status()
        .unwrap();
    assert!(running.wait().unwrap().success());
    let took = t.elapsed();
    assert!(took < Duration::from_secs(5), "stopped after {took:?}");
    let conn = rusqlite::Connection::open(dir.path().join("threshold.db")).unwrap();
    let sent: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM journal WHERE kind = 'alert.sent'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        sent, 3,
        "the pages in flight were journaled before the exit"
    );
}
