//! Sign-in limits and accounts through the router: delays instead of
//! lockouts, known devices, parallel guesses, disabled accounts, and idle
//! sessions that the dashboard's reloading does not keep alive.

mod common;

use axum::http::{header, StatusCode};
use axum::Router;
use common::admin::*;
use std::time::Instant;
use threshold::admin::throttle::delay;

#[tokio::test]
async fn sign_in_failures_slow_the_account_down_but_never_lock_its_owner_out() {
    use threshold::admin::throttle::FREE;
    let w = AdminWorld::new();
    let app = w.app();
    let (r, cookie) = sign_in(&app, "nobody", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none() && r.text().contains("do not match"));
    // Carl signed in from this browser before: it is a known device.
    let (r, _) = sign_in(&app, "carl", PASSWORD).await;
    let device = r.cookie("th_device").expect("a known-device cookie");
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("HttpOnly"));
    // Strangers guess: the first attempts are checked, then each must
    // wait a growing delay, the right password included.
    for i in 0..FREE {
        let (r, cookie) = sign_in(&app, "carl", "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(cookie.is_none());
    }
    let mut failures = FREE;
    let r = inside_the_delay(&app, &mut failures, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.cookie("th_session").is_none());
    let wait: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let most = delay(failures).as_secs();
    assert!((1..=most).contains(&wait), "a delay, not a lockout: {wait}");
    let said = if wait == 1 {
        "Wait 1 second, then try again".to_string()
    } else {
        format!("Wait {wait} seconds, then try again")
    };
    assert!(r.text().contains(&said), "{}", r.text());
    // A forged device cookie is no help.
    // (Its last character changed: one in sixteen devices already ends in 0.)
    let last = if device.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &device[..device.len() - 1]);
    assert_ne!(forged, device);
    let r = inside_the_delay(&app, &mut failures, Some(&forged)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Carl's own browser is not slowed by the strangers.
    let (r, cookie) = sign_in_with(&app, "carl", PASSWORD, Some(&device)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(cookie.is_some());
    // Another account is not slowed by it, and successes are journaled.
    session(&app, "maria").await;
    let signed = w.entries("web.signed-in");
    assert_eq!(signed.len(), 3);
    assert_eq!(signed[2].0, "user:maria");
}

/// Strangers fail on Carl's account once more (after waiting out the
/// current delay, so the guess is checked), then Carl's right password is
/// sent at once from a browser sending `cookie`. The reply is returned
/// when it came inside the new delay. On a loaded machine the delay can
/// run out first, and then the reply proves nothing: the delay has
/// doubled, and the round is repeated.
async fn inside_the_delay(app: &Router, failures: &mut u32, cookie: Option<&str>) -> Reply {
    for _ in 0..6 {
        tokio::time::sleep(delay(*failures)).await;
        let t0 = Instant::now();
        let (r, _) = sign_in(app, "carl", "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
        *failures += 1;
        let (r, _) = sign_in_with(app, "carl", PASSWORD, cookie).await;
        if t0.elapsed() < delay(*failures) {
            return r;
        }
    }
    panic!("six delays in a row ran out before their reply came")
}

/// A burst of parallel guesses from one client: no more password checks
/// than the limit, whatever their order (the attempt is counted before
/// the check).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_get_no_more_checks_than_the_limit() {
    use threshold::admin::throttle::FREE;
    let w = AdminWorld::new();
    let app = w.app();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            // The right password hides among the guesses.
            let password = if i == 20 { PASSWORD } else { "wrong password!" };
            sign_in(&app, "carl", password).await.0.status
        }));
    }
    let mut checked = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::TOO_MANY_REQUESTS => {}
            StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER => checked += 1,
            other => panic!("{other}"),
        }
    }
    assert!(
        checked <= FREE as usize + 1,
        "{checked} of 40 parallel guesses were checked"
    );
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_at_once_and_cannot_sign_in() {
    use threshold::app::records::AccountChange;
    let w = AdminWorld::new();
    let app = w.app();
    let carl = session(&app, "carl").await;
    assert_eq!(
        send(&app, get("/", Some(&carl))).await.status,
        StatusCode::OK
    );
    w.state
        .desk
        .change_account("carl", AccountChange::Disable, "root")
        .unwrap();
    let r = send(&app, get("/", Some(&carl))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the session ended");
    let (r, cookie) = sign_in(&app, "carl", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none());
    w.state
        .desk
        .change_account("carl", AccountChange::Enable, "root")
        .unwrap();
    w.state
        .desk
        .change_account(
            "carl",
            AccountChange::Role(threshold::domain::account::AccountRole::Staff),
            "root",
        )
        .unwrap();
    let carl = session(&app, "carl").await;
    assert_eq!(
        send(&app, get("/log", Some(&carl))).await.status,
        StatusCode::FORBIDDEN,
        "a staff account sees nothing on the web"
    );
}

#[tokio::test]
async fn the_dashboard_reloading_itself_does_not_keep_a_session_alive() {
    let w = AdminWorld::new();
    let app = w.app();
    let carl = session(&app, "carl").await;
    // Let the session's last activity be 31 minutes ago, as if the reader
    // had walked away with the dashboard open.
    let conn = rusqlite::Connection::open(w.dir.path().join("threshold.db")).unwrap();
    conn.execute(
        "UPDATE web_sessions SET seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-31 minutes')",
        [],
    )
    .unwrap();
    let r = send(&app, get("/?refresh=1", Some(&carl))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location().starts_with("/login?next="));
    // 29 minutes: still signed in, and an automatic reload does not
    // renew it.
    let carl = session(&app, "carl").await;
    conn.execute(
        "UPDATE web_sessions SET seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-29 minutes')",
        [],
    )
    .unwrap();
    assert_eq!(
        send(&app, get("/?refresh=1", Some(&carl))).await.status,
        StatusCode::OK
    );
    let seen: String = conn
        .query_row("SELECT seen_at FROM web_sessions", [], |r| r.get(0))
        .unwrap();
    let age = chrono::Utc::now()
        - chrono::DateTime::parse_from_rfc3339(&seen)
            .unwrap()
            .with_timezone(&chrono::Utc);
    assert!(age >= chrono::Duration::minutes(28), "renewed: {seen}");
    // The reader's own request does renew it.
    assert_eq!(
        send(&app, get("/", Some(&carl))).await.status,
        StatusCode::OK
    );
    let seen2: String = conn
        .query_row("SELECT seen_at FROM web_sessions", [], |r| r.get(0))
        .unwrap();
    assert!(seen2 > seen);
}

#[tokio::test]
async fn the_dashboard_refresh_can_be_paused_and_every_page_skips_to_its_content() {
    let w = AdminWorld::new();
    let app = w.app();
    let carl = session(&app, "carl").await;
    let refresh = "http-equiv=\"refresh\"";
    let page = send(&app, get("/", Some(&carl))).await.text();
    assert!(page.contains(refresh), "{page}");
    assert!(
        page.contains("href=\"/?paused=1&amp;lang=en\">Pause automatic refresh</a>"),
        "{page}"
    );
    // Paused, the page stays as it is until the reader resumes it.
    let page = send(&app, get("/?paused=1&lang=vi", Some(&carl)))
        .await
        .text();
    assert!(!page.contains(refresh), "{page}");
    assert!(
        page.contains(
            "Đã tạm dừng tự động tải lại. <a href=\"/?lang=vi\">Tiếp tục tự động tải lại</a>"
        ),
        "{page}"
    );
    // Every page starts with a link past the header and menu to its content.
    for path in ["/", "/log", "/alerts", "/retention", "/integrity"] {
        let page = send(&app, get(path, Some(&carl))).await.text();
        let body = page.split("<body>").nth(1).unwrap_or_default();
        assert!(
            body.trim_start()
                .starts_with("<a class=\"skip\" href=\"#main\">Skip to the main content</a>"),
            "{path}: {page}"
        );
        assert!(
            page.contains("<main id=\"main\" tabindex=\"-1\">"),
            "{path}"
        );
    }
}
