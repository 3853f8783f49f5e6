//! Signed one-time acknowledge links, end to end: the page a contact gets
//! carries the link; opening it shows a button; the button acknowledges as
//! that contact, or, for a link a webhook posted to a shared channel, as
//! someone in that channel without the contact's role. Forged, expired and
//! reused links are refused and change nothing.

mod common;

use axum::routing::post;
use axum::Router;
use common::*;
use std::sync::{Arc, Mutex};
use threshold::admin::{router, AppState};
use threshold::alerts::ack_link::{issue, link_id, AckKey, Claim};
use threshold::alerts::{Channels, Dispatcher};
use threshold::app::{Desk, SystemClock};
use threshold::devices::health::Health;
use threshold::domain::encounter::Via;

struct World {
    dir: tempfile::TempDir,
    state: AppState,
    base: String,
    pages: Arc<Mutex<Vec<serde_json::Value>>>,
}

/// A receiver for webhook pages and the web server, both on loopback.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let pages = Arc::new(Mutex::new(Vec::new()));
    let got = pages.clone();
    let hooks = Router::new().route(
        "/{role}/{n}",
        post(move |body: axum::body::Bytes| {
            let got = got.clone();
            async move {
                got.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                "ok"
            }
        }),
    );
    let hook_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}", hook_listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(hook_listener, hooks).await.unwrap() });
    let web_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", web_listener.local_addr().unwrap());
    let loaded = alerting_config(
        dir.path(),
        &hook_url,
        &format!("\n[admin]\npublic_url = \"{base}\"\n"),
    );
    let desk = Desk::open(loaded, dir.path(), SystemClock).unwrap();
    let state = AppState::new(desk, Health::default(), false).unwrap();
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(web_listener, app).await.unwrap() });
    World {
        dir,
        state,
        base,
        pages,
    }
}

impl World {
    fn journal(&self) -> i64 {
        journal_len(self.dir.path())
    }

    /// Open an encounter and dispatch its first pages; returns its id.
    async fn encounter(&self) -> String {
        let id = self
            .state
            .desk
            .open_encounter(None, Via::Kiosk, false)
            .unwrap();
        let loaded = self.state.loaded.clone();
        let channels = Channels::from_config(&loaded, &Health::default());
        let record = self.state.desk.record().clone();
        let mut d = Dispatcher::new(loaded, record, channels, SystemClock).unwrap();
        assert_eq!(d.tick().await.unwrap().sent, 3);
        id
    }

    /// The acknowledge link in the page counsel received.
    fn counsel_link(&self) -> String {
        let pages = self.pages.lock().unwrap();
        let text = pages
            .iter()
            .map(|p| p["text"].as_str().unwrap().to_string())
            .find(|t| t.starts_with("Funcionarios"))
            .expect("counsel (Spanish) got a page");
        let url = text.split_whitespace().last().unwrap().to_string();
        assert!(url.starts_with(&format!("{}/ack/", self.base)), "{text}");
        url
    }
}

/// Who acknowledged `id`, how, and whether counsel has.
fn acknowledged(w: &World, id: &str) -> (String, String, bool) {
    let desk = w.state.desk.clone();
    let rec = desk
        .record()
        .read(|r| threshold::store::query::encounter(r.conn(), id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rec.acknowledgements.len(), 1);
    let state = desk
        .record()
        .read(|r| threshold::store::query::encounter_state(r.conn(), id))
        .unwrap()
        .unwrap()
        .unwrap();
    let a = &rec.acknowledgements[0];
    let how = format!(
        "{} via {}",
        a.role.map_or("no role", |r| r.token()),
        a.via.token()
    );
    (a.by.clone(), how, state.counsel_acknowledged)
}

#[tokio::test]
async fn a_link_posted_to_a_shared_channel_acknowledges_once_as_someone_in_it() {
    let w = world().await;
    let id = w.encounter().await;
    // Counsel's page went to a chat channel by webhook: anyone in the
    // channel can press its link.
    let link = w.counsel_link();
    let http = reqwest::Client::new();

    // Opening the link changes nothing; it shows a button, in Spanish.
    let before = w.journal();
    let get = http.get(&link).send().await.unwrap();
    assert_eq!(get.status(), 200);
    for (header, value) in [
        ("cache-control", "no-store, private"),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(get.headers()[header], value, "{header}");
    }
    assert!(get.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let html = get.text().await.unwrap();
    assert!(
        html.contains("<form method=\"post\">") && html.contains("Confirmo"),
        "{html}"
    );
    assert!(html.contains(&id));
    assert_eq!(w.journal(), before, "a GET must not acknowledge");

    let post = http.post(&link).send().await.unwrap();
    assert_eq!(post.status(), 200);
    let html = post.text().await.unwrap();
    assert!(
        html.contains("Gracias, someone in Rosa Delgado&#39;s channel"),
        "{html}"
    );
    let (by, how, counsel) = acknowledged(&w, &id);
    assert_eq!(by, "someone in Rosa Delgado's channel");
    assert_eq!(how, "no role via channel-link");
    assert!(
        !counsel,
        "a link anyone in a channel can press does not act with counsel's role"
    );

    // Replayed: refused, and nothing changes.
    let after = w.journal();
    let again = http.post(&link).send().await.unwrap();
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("ya se usó"));
    assert_eq!(http.get(&link).send().await.unwrap().status(), 409);
    assert_eq!(w.journal(), after);
    let v = cli(w.dir.path(), &["log", "verify"]);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));
}

#[tokio::test]
async fn a_personal_link_acknowledges_as_its_contact_with_their_role_escaped() {
    let w = world().await;
    let id = w.encounter().await;
    let http = reqwest::Client::new();
    // A link sent to one person (by e-mail or text message).
    let claim = |contact: &str, page: &str| Claim {
        encounter: id.clone(),
        contact: contact.into(),
        expires: chrono::Utc::now() + chrono::Duration::hours(1),
        link: link_id(page),
        shared: false,
    };
    let url = format!(
        "{}/ack/{}",
        w.base,
        issue(&w.state.ack, &claim("Rosa Delgado", "personal page"))
    );
    let post = http.post(&url).send().await.unwrap();
    assert_eq!(post.status(), 200);
    assert!(post.text().await.unwrap().contains("Gracias, Rosa Delgado"));
    let (by, how, counsel) = acknowledged(&w, &id);
    assert_eq!(
        (by.as_str(), how.as_str()),
        ("Rosa Delgado", "counsel via ack-link")
    );
    assert!(
        counsel,
        "counsel's own link unlocks outcomes that need counsel"
    );
    // Names reach the page through the template, escaped.
    let id2 = w.encounter().await;
    let odd = Claim {
        encounter: id2,
        ..claim("<b>Rosa</b>", "odd page")
    };
    let url = format!("{}/ack/{}", w.base, issue(&w.state.ack, &odd));
    let html = http.post(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("&#60;b&#62;Rosa&#60;/b&#62;") && !html.contains("<b>Rosa"),
        "{html}"
    );
}

#[tokio::test]
async fn forged_and_expired_links_are_refused_and_change_nothing() {
    let w = world().await;
    let id = w.encounter().await;
    let link = w.counsel_link();
    let http = reqwest::Client::new();
    let before = w.journal();

    // A changed signature, a changed claim, garbage.
    let mut forged = link.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let other_key = AckKey::open(tempfile::tempdir().unwrap().path()).unwrap();
    let claim = Claim {
        encounter: id.clone(),
        contact: "Rosa Delgado".into(),
        expires: chrono::Utc::now() + chrono::Duration::hours(1),
        link: link_id("made up"),
        shared: false,
    };
    let wrong_key = format!("{}/ack/{}", w.base, issue(&other_key, &claim));
    for url in [forged, wrong_key, format!("{}/ack/not-a-token", w.base)] {
        for response in [
            http.get(&url).send().await.unwrap(),
            http.post(&url).send().await.unwrap(),
        ] {
            assert_eq!(response.status(), 403, "{url}");
            let html = response.text().await.unwrap();
            assert!(
                html.contains("not valid") && html.contains("无效"),
                "every language: {html}"
            );
        }
    }

    // Properly signed, but past its time.
    let expired = Claim {
        expires: chrono::Utc::now() - chrono::Duration::minutes(1),
        ..claim
    };
    let url = format!("{}/ack/{}", w.base, issue(&w.state.ack, &expired));
    let response = http.post(&url).send().await.unwrap();
    assert_eq!(response.status(), 410);
    assert!(response.text().await.unwrap().contains("expired"));

    assert_eq!(w.journal(), before, "refused links change nothing");
}
