//! E-mail pages against a real SMTP server process on loopback, and the
//! fallback to a webhook while the SMTP server is down.

mod common;

use chrono::Duration;
use common::smtp::{SmtpServer, SmtpSetup};
use common::*;
use threshold::config::{Channel, Loaded};
use threshold::domain::encounter::Via;

fn smtp_section(port: u16, attach: bool) -> String {
    format!(
        "\n[alerts.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"Threshold <threshold@example.org>\"\ntimeout_s = 5\nattach_pages = {attach}\n"
    )
}

#[tokio::test]
async fn pages_arrive_by_email_with_text_html_and_a_stable_message_id() {
    let sink = SmtpServer::plain(None);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}{}",
        threshold::config::DEMO_CONFIG,
        smtp_section(sink.port, false)
    );
    std::fs::write(dir.path().join("mail.toml"), text).unwrap();
    let loaded = Loaded::from_file(&dir.path().join("mail.toml")).unwrap();
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let page = threshold::app::PageImage::from_bytes("p", png(1)).unwrap();
    let id = desk.open_encounter(None, Via::Kiosk, true).unwrap();
    desk.attach_page(&id, &page).unwrap();
    let t = dispatcher(dir.path(), &loaded, clock).tick().await.unwrap();
    assert_eq!(t.sent, 3, "{t:?}");
    let mail = sink.messages();
    assert_eq!(mail.len(), 3);
    let to: Vec<&str> = mail.iter().map(|m| m.lines().next().unwrap()).collect();
    for addr in [
        "dana.whitfield@example.org",
        "minh.tran@example.org",
        "rosa.delgado@example.org",
    ] {
        assert!(to.iter().any(|l| l.contains(addr)), "{to:?}");
    }
    for m in &mail {
        assert!(m.contains("multipart/alternative"), "text and HTML: {m}");
        assert!(m.contains("text/html"));
        assert!(m.contains("Message-ID: <") && m.contains("@example.org>"));
        assert!(m.contains(&id));
        assert!(m.contains("DRILL"), "a drill says so: {m}");
        assert!(!m.contains("image/png"), "no page images unless configured");
    }
}

#[tokio::test]
async fn page_images_are_attached_only_when_configured() {
    let sink = SmtpServer::plain(None);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}{}",
        threshold::config::DEMO_CONFIG,
        smtp_section(sink.port, true)
    );
    std::fs::write(dir.path().join("mail.toml"), text).unwrap();
    let loaded = Loaded::from_file(&dir.path().join("mail.toml")).unwrap();
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let details = threshold::domain::encounter::EncounterDetails {
        officers: vec!["A;1;ICE".parse().unwrap()],
        supervisor: None,
        purpose: None,
        sought: None,
        area: None,
        exigent: false,
        document_kind: threshold::domain::document::DocumentKind::AdministrativeWarrant,
        document: Default::default(),
    };
    let pages = [threshold::app::PageImage::from_bytes("p", png(1)).unwrap()];
    let id = desk
        .check_in_official(None, Via::Cli, false, details, &pages)
        .unwrap();
    dispatcher(dir.path(), &loaded, clock).tick().await.unwrap();
    let mail = sink.messages();
    assert_eq!(mail.len(), 3);
    assert!(mail
        .iter()
        .all(|m| m.contains("image/png") && m.contains(&format!("{id}-page-1.png"))));
}

#[tokio::test]
async fn smtp_down_falls_back_to_the_webhook_and_nothing_is_sent_twice_when_it_returns() {
    // A port with nothing listening: the SMTP server is down.
    let port = common::free_port();
    let inbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let got = inbox.clone();
    let hooks = axum::Router::new().route(
        "/{role}/{n}",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let got = got.clone();
            async move {
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
    let mut loaded = alerting_config(dir.path(), &url, &smtp_section(port, false));
    for c in &mut loaded.config.contacts {
        c.channels = Some(vec![Channel::Email, Channel::Webhook]);
    }
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    // Three attempts by e-mail, with backoff between them.
    assert_eq!(d.tick().await.unwrap().failed, 3);
    clock.advance(Duration::seconds(3));
    assert_eq!(d.tick().await.unwrap().failed, 3);
    clock.advance(Duration::seconds(5));
    assert_eq!(
        d.tick().await.unwrap().failed,
        3,
        "the third attempt gives e-mail up"
    );
    // The webhook pages were queued with the failure; they go out next.
    assert_eq!(d.tick().await.unwrap().sent, 3);
    let keys = inbox.lock().unwrap().clone();
    assert_eq!(keys.len(), 3);
    assert!(keys
        .iter()
        .all(|k| k.starts_with(&format!("{id}/0/")) && k.ends_with("/webhook")));

    // SMTP comes back on the same port: nothing is sent again.
    let sink = SmtpServer::plain(Some(port));
    for _ in 0..5 {
        clock.advance(Duration::seconds(20));
        d.tick().await.unwrap();
    }
    // Nobody acknowledged, so tier 2 (the manager) was paged meanwhile, by
    // e-mail now that it works; the given-up first-tier e-mails never went.
    let rcpt: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| m.lines().next().unwrap().to_string())
        .collect();
    assert_eq!(rcpt, vec!["X-Rcpt-To: alex.chen@example.org".to_string()]);
    // ... and 30 s without an acknowledgement later, the manager's webhook.
    let keys = inbox.lock().unwrap().clone();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(keys.len(), unique.len(), "no key twice: {keys:?}");
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert!(keys[3].contains("/1/Alex Chen/webhook"), "{keys:?}");
    let rec = desk
        .record()
        .read(|r| threshold::store::query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    let email = rec
        .notifications
        .iter()
        .filter(|n| n.channel == "email")
        .count();
    let webhook = rec
        .notifications
        .iter()
        .filter(|n| n.channel == "webhook" && n.sent_at.is_some())
        .count();
    assert_eq!((email, webhook), (4, 4));
    assert!(rec
        .notifications
        .iter()
        .filter(|n| n.channel == "email" && n.tier == 0)
        .all(|n| n.attempts == 3
            && n.last_error
                .as_deref()
                .is_some_and(|e| e.contains("SMTP server 127.0.0.1"))));
}

async fn send_one(dir: &std::path::Path, smtp: &str) -> (threshold::alerts::Tick, String) {
    let text = format!("{}{smtp}", threshold::config::DEMO_CONFIG);
    std::fs::write(dir.join("mail.toml"), text).unwrap();
    let mut loaded = Loaded::from_file(&dir.join("mail.toml")).unwrap();
    loaded.config.contacts.retain(|c| c.name == "Rosa Delgado");
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir, loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let tick = dispatcher(dir, &loaded, clock).tick().await.unwrap();
    let rec = desk
        .record()
        .read(|r| threshold::store::query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    (
        tick,
        rec.notifications[0].last_error.clone().unwrap_or_default(),
    )
}

#[tokio::test]
async fn starttls_and_tls_with_a_private_ca() {
    for mode in ["starttls", "tls"] {
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = private_ca(dir.path());
        let sink = SmtpServer::start(&SmtpSetup {
            tls: mode,
            cert: Some(&cert),
            key: Some(&key),
            ..Default::default()
        });
        let smtp = |ca: &str| {
            format!(
                "\n[alerts.smtp]\nhost = \"localhost\"\nport = {}\ntls = \"{mode}\"\nfrom = \"Threshold <threshold@example.org>\"\ntimeout_s = 5\n{ca}",
                sink.port
            )
        };
        // Without the private CA, the server's certificate is not trusted.
        let (tick, error) = send_one(dir.path(), &smtp("")).await;
        assert_eq!(tick.failed, 1, "{mode}: {error}");
        assert!(
            error.to_lowercase().contains("certificate"),
            "{mode}: the error says why: {error}"
        );
        assert!(sink.messages().is_empty());
        // With it, the message goes over TLS.
        let other = tempfile::tempdir().unwrap();
        std::fs::copy(&ca, other.path().join("ca.pem")).unwrap();
        let (tick, error) = send_one(other.path(), &smtp("ca_file = \"ca.pem\"\n")).await;
        assert_eq!(tick.sent, 1, "{mode}: {error}");
        let mail = sink.messages();
        assert_eq!(mail.len(), 1, "{mode}");
        assert!(
            mail[0].starts_with("X-Rcpt-To: rosa.delgado@example.org"),
            "{mode}: {}",
            mail[0]
        );
    }
}
