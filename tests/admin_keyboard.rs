//! The admin web with a keyboard only, at phone width, and near the end of
//! a session, in headless Chromium: sign in and review an encounter by Tab
//! and Enter (the acknowledgement announced in a status region); every page
//! reflows at 320 px with nothing to scroll sideways; two minutes before
//! the session ends the page warns (an alert) and "Stay signed in" keeps
//! the session without leaving the page or losing what was typed.

mod common;

use common::admin::*;
use common::browser::{axe_source, browser, chromium_and_driver, serve, violations, Driver};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;

async fn eval(c: &Client, js: &str) -> Value {
    c.execute(js, vec![]).await.expect(js)
}

/// What the focused element is: its id, or its text, or its link.
async fn focused(c: &Client) -> String {
    eval(
        c,
        "const e = document.activeElement;
         if (!e || e === document.body) { return ''; }
         return (e.id ? '#' + e.id + ' ' : '') + (e.getAttribute('href') || '') + ' ' + (e.innerText || e.value || '').trim();",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Tab until the focused element's description contains `what`; the
/// number of Tab presses it took.
async fn tab_to(c: &Client, what: &str) -> usize {
    let mut seen = Vec::new();
    for n in 1..=60 {
        c.active_element()
            .await
            .unwrap()
            .send_keys(&Key::Tab.to_string())
            .await
            .unwrap();
        let now = focused(c).await;
        if now.contains(what) {
            return n;
        }
        seen.push(now);
    }
    panic!("Tab never reached {what:?}; went through {seen:#?}");
}

async fn type_here(c: &Client, text: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn enter(c: &Client) {
    type_here(c, &Key::Enter.to_string()).await;
}

/// Make the signed-in session look idle for `minutes`.
fn age_sessions(w: &AdminWorld, minutes: i64) {
    let db = rusqlite::Connection::open(w.dir.path().join("threshold.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let then = (chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    db.execute("UPDATE web_sessions SET seen_at = ?1", [&then])
        .unwrap();
}

fn last_seen(w: &AdminWorld) -> chrono::DateTime<chrono::Utc> {
    let db = rusqlite::Connection::open(w.dir.path().join("threshold.db")).unwrap();
    let seen: String = db
        .query_row("SELECT MAX(seen_at) FROM web_sessions", [], |r| r.get(0))
        .unwrap();
    chrono::DateTime::parse_from_rfc3339(&seen)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only_sign_in_review_reflow_and_the_session_warning() {
    let Some((chromium, chromedriver)) = chromium_and_driver() else {
        return;
    };
    let w = AdminWorld::new();
    let base = serve(&w);
    let driver = Driver::start(&chromedriver);
    let c = browser(&driver, &chromium).await;

    // Sign in by keys: the skip link first, then the fields, Enter sends.
    c.goto(&format!("{base}/login")).await.unwrap();
    tab_to(&c, "#account").await;
    type_here(&c, "carl").await;
    tab_to(&c, "#password").await;
    type_here(&c, PASSWORD).await;
    enter(&c).await;
    c.wait().for_element(Locator::Css("nav")).await.unwrap();

    // The dashboard: the skip link is the first stop, the pause control
    // comes before the page's other content.
    c.goto(&format!("{base}/?paused=1")).await.unwrap();
    assert_eq!(tab_to(&c, "#main").await, 1, "the skip link first");
    // Review the encounter: reach its link, open it, acknowledge by keys.
    tab_to(&c, &format!("/encounters/{}", w.encounter)).await;
    enter(&c).await;
    c.wait()
        .for_url(&url::Url::parse(&format!("{base}/encounters/{}", w.encounter)).unwrap())
        .await
        .unwrap();
    tab_to(&c, "I acknowledge").await;
    enter(&c).await;
    let status = c
        .wait()
        .for_element(Locator::Css("[role=status]"))
        .await
        .expect("the acknowledgement is announced in a status region");
    let said = status.text().await.unwrap();
    assert!(said.contains("acknowledged"), "{said}");
    tab_to(&c, "report.pdf").await;

    // Reflow at 320 px: nothing to scroll sideways on any page (tables
    // scroll inside their own box).
    c.set_window_size(320, 900).await.unwrap();
    for page in review_pages(&w) {
        c.goto(&format!("{base}{page}")).await.unwrap();
        let wide = eval(
            &c,
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
        )
        .await;
        let (scroll, client) = (wide[0].as_u64().unwrap(), wide[1].as_u64().unwrap());
        assert!(
            scroll <= client,
            "{page} at 320 px: {scroll} px wide in {client}"
        );
    }
    c.set_window_size(1280, 900).await.unwrap();

    // Two minutes before the session ends, the page says so; what was
    // typed stays while the session is kept.
    let page = format!("{base}/encounters/{}?refresh=1", w.encounter);
    c.goto(&page).await.unwrap();
    let warning = c.find(Locator::Id("session-warning")).await.unwrap();
    assert!(
        !warning.is_displayed().await.unwrap(),
        "no warning while there is time"
    );
    age_sessions(&w, 29);
    c.goto(&page).await.unwrap();
    c.find(Locator::Id("instruction"))
        .await
        .unwrap()
        .send_keys("Do not consent; I am on my way")
        .await
        .unwrap();
    let warning = c.find(Locator::Id("session-warning")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#session-warning:not([hidden])"))
        .await
        .unwrap();
    assert_eq!(
        warning.attr("role").await.unwrap().as_deref(),
        Some("alert")
    );
    assert!(warning.text().await.unwrap().contains("two minutes"));
    // The page with its warning showing passes axe-core too.
    if let Some(axe) = axe_source() {
        let found = violations(&c, &axe).await;
        assert!(found.is_empty(), "{found:#?}");
    }
    // (The page's images counted as activity: idle again, as it would be
    // two minutes before the end.)
    age_sessions(&w, 28);
    let before = last_seen(&w);
    tab_to(&c, "Stay signed in").await;
    enter(&c).await;
    c.wait()
        .for_element(Locator::Css("#session-warning[hidden]"))
        .await
        .unwrap();
    assert!(
        last_seen(&w) > before + chrono::Duration::minutes(20),
        "the session was kept"
    );
    assert_eq!(
        c.current_url().await.unwrap().as_str(),
        page,
        "still on the page"
    );
    let typed = eval(&c, "return document.getElementById('instruction').value").await;
    assert_eq!(typed, "Do not consent; I am on my way");
    c.close().await.unwrap();
}
