//! The city's web through its router, on a real PostgreSQL: every route
//! for every role. Counsel and managers see the open encounters of their
//! facilities, unanswered first; the city role sees the facilities'
//! health and no encounter; an account scoped to some facilities sees
//! nothing of the others. Sign-in, sessions and CSRF are the kiosk's
//! (one implementation), with accounts and sessions in the hub's database.

mod common;

use axum::http::{header, StatusCode};
use axum::Router;
use common::admin::{get, post, send, sign_in, PASSWORD};
use common::city_world::*;
use threshold::domain::account::{AccountRole, Scope};
use threshold::hub::accounts;

async fn dashboard_of(app: &Router, name: &str) -> String {
    let (r, cookie) = sign_in(app, name, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.text());
    let page = send(app, get("/", cookie.as_deref())).await;
    assert_eq!(page.status, StatusCode::OK, "{name}");
    page.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_what_it_may_of_the_facilities_it_covers() {
    let w = city().await;
    let app = &w.app;
    for name in ["rosa", "sam"] {
        let page = dashboard_of(app, name).await;
        // Both open encounters, the unanswered first and red; the closed
        // one not.
        let east = page.find("E-EASTOPEN").expect("east's open encounter");
        let west = page.find("E-WESTOPEN").expect("west's open encounter");
        assert!(east < west, "the unanswered encounter comes first");
        assert!(!page.contains("E-WESTSHUT"));
        assert_eq!(page.matches("Nobody has acknowledged yet").count(), 1);
        assert!(page.contains("ICE administrative warrant (Form I-200 or I-205)"));
        assert!(page.contains("Paged: Dana Whitfield"));
        assert!(page.contains("arrived 7 min ago"), "{page}");
        // The facilities' health: the printer, the silence, the fork.
        assert!(page.contains("printer: out of paper (load a roll)"));
        assert!(page.contains("SILENT for 10 min"));
        assert!(page.contains("FORK: the hub refused 1 batch that disagrees"));
        assert!(page.contains("City of Testing"));
    }
    // The city role: the facilities, never an encounter.
    let page = dashboard_of(app, "lee").await;
    assert!(!page.contains("E-EASTOPEN") && !page.contains("E-WESTOPEN"));
    assert!(page.contains(EAST) && page.contains(WEST));
    assert!(page.contains("details are for counsel and managers"));
    // Counsel for one building sees nothing of the other.
    let page = dashboard_of(app, "eve").await;
    assert!(page.contains("E-EASTOPEN"));
    assert!(!page.contains("E-WESTOPEN") && !page.contains(WEST));
    assert!(page.contains("This account covers: east-library."));
    // In Spanish.
    let (_, cookie) = sign_in(app, "rosa", PASSWORD).await;
    let es = send(app, get("/?lang=es", cookie.as_deref())).await.text();
    assert!(es.contains("<html lang=\"es\">") && es.contains("Instalaciones"));
    // Every sign-in and view is journaled on the hub.
    let c = w.pool.get().await.unwrap();
    let n = |action: &'static str| {
        let c = &c;
        async move {
            c.query_one(
                "SELECT count(DISTINCT username) FROM audit WHERE action = $1",
                &[&action],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
        }
    };
    assert_eq!(n("signed-in").await, 4);
    assert_eq!(n("viewed-dashboard").await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sessions_and_forms_are_the_kiosks_rules() {
    let w = city().await;
    let app = &w.app;
    // Signed out: browsers are sent to sign in, scripts told.
    let r = send(app, get("/", None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?next=%2F"));
    let r = send(
        app,
        axum::http::Request::get("/")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The sign-in page is the kiosk's, with the city's name.
    let form = send(app, get("/login", None)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("City of Testing"));
    assert!(form.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(form.headers[header::CACHE_CONTROL], "no-store, private");
    // A wrong password, an unknown account.
    let (r, cookie) = sign_in(app, "rosa", "not the password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none() && r.text().contains("do not match"));
    let (r, _) = sign_in(app, "nobody", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A session; sign-out needs its CSRF token.
    let (r, cookie) = sign_in(app, "rosa", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("HttpOnly"));
    let cookie = cookie.unwrap();
    let page = send(app, get("/", Some(&cookie))).await.text();
    let csrf = common::admin::csrf_of(&page);
    let r = send(app, post("/logout", Some(&cookie), &[("csrf", "forged")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        app,
        post(
            "/session/keep",
            Some(&cookie),
            &[("csrf", &csrf), ("next", "/")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(app, post("/logout", Some(&cookie), &[("csrf", &csrf)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        send(app, get("/", Some(&cookie))).await.status,
        StatusCode::SEE_OTHER
    );
    // Idle for 31 minutes: the session has ended.
    let (_, cookie) = sign_in(app, "sam", PASSWORD).await;
    let cookie = cookie.unwrap();
    let c = w.pool.get().await.unwrap();
    c.execute(
        "UPDATE sessions SET seen_at = now() - interval '31 minutes' WHERE username = 'sam'",
        &[],
    )
    .await
    .unwrap();
    let r = send(app, get("/", Some(&cookie))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().contains("expired=1"));
    // Disabling an account ends its sessions and its sign-ins.
    let (_, cookie) = sign_in(app, "lee", PASSWORD).await;
    let cookie = cookie.unwrap();
    accounts::change(&w.pool, "lee", &accounts::Change::Disable)
        .await
        .unwrap();
    assert_eq!(
        send(app, get("/", Some(&cookie))).await.status,
        StatusCode::SEE_OTHER
    );
    let (r, _) = sign_in(app, "lee", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Only the city's roles exist on the hub.
    let hash = threshold::admin::auth::hash_password(PASSWORD);
    assert!(
        accounts::add(&w.pool, "dana", AccountRole::Staff, &Scope::All, &hash)
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counsel_reads_an_encounter_of_any_facility_and_acts_on_it_by_command() {
    let w = city().await;
    let app = &w.app;
    let east = format!("/facilities/{EAST}/encounters/E-EASTOPEN");
    let west = format!("/facilities/{WEST}/encounters/E-WESTOPEN");
    let rosa = session_of(app, "rosa").await;
    // The kiosk's encounter page, its forms under the hub's address.
    let page = send(app, get(&east, Some(&rosa))).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert!(page.contains("ICE administrative warrant (Form I-200 or I-205)"));
    assert!(page.contains(&format!("action=\"{east}/acknowledge\"")));
    assert!(page.contains(&format!("{east}/report.pdf")) && !page.contains("/hold\""));
    assert!(
        !page.contains("has not been heard from"),
        "east's kiosk is in reach"
    );
    let csrf = common::admin::csrf_of(&page);
    // Acknowledging issues a command, signed and waiting for the kiosk.
    let r = send(
        app,
        post(
            &format!("{east}/acknowledge"),
            Some(&rosa),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), format!("{east}#act"));
    let page = send(app, get(&east, Some(&rosa))).await.text();
    assert!(page.contains("Your acknowledgement sent at"), "{page}");
    assert!(page.contains("waiting for the kiosk to take it"));
    let r = send(
        app,
        post(
            &format!("{east}/instruction"),
            Some(&rosa),
            &[
                ("csrf", &csrf),
                ("text", "Do not consent.\r\nWait in the lobby."),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let c = w.pool.get().await.unwrap();
    let rows = c
        .query(
            "SELECT action, by_account, role FROM commands ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(String, String, Option<String>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("acknowledge".into(), "rosa".into(), Some("counsel".into())),
            ("instruct".into(), "rosa".into(), Some("counsel".into())),
        ]
    );
    // Bad forms are refused with what to fix, and send nothing.
    for (path, form, says) in [
        ("instruction", vec![("text", " ")], "Write the text first."),
        (
            "checklist",
            vec![("item", "no-such-question"), ("answer", "yes")],
            "That is not a question of this checklist.",
        ),
        (
            "checklist",
            vec![("item", "names-court"), ("answer", "maybe")],
            "Choose yes, no or unclear.",
        ),
    ] {
        let mut form = form;
        form.push(("csrf", &csrf));
        let r = send(app, post(&format!("{east}/{path}"), Some(&rosa), &form)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(r.text().contains(says), "{path}: {}", r.text());
    }
    let r = send(
        app,
        post(
            &format!("{east}/acknowledge"),
            Some(&rosa),
            &[("csrf", "forged")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A closed encounter takes nothing more.
    let shut = format!("/facilities/{WEST}/encounters/E-WESTSHUT");
    let r = send(
        app,
        post(
            &format!("{shut}/note"),
            Some(&rosa),
            &[("csrf", &csrf), ("text", "late")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // West's kiosk is silent: the page says what happens to a command.
    let page = send(app, get(&west, Some(&rosa))).await.text();
    assert!(
        page.contains("has not been heard from for 10 min"),
        "{page}"
    );
    // A page image not on the hub, an encounter not there.
    assert_eq!(
        send(app, get(&format!("{east}/pages/1"), Some(&rosa)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            app,
            get(
                &format!("/facilities/{EAST}/encounters/E-NOSUCH1"),
                Some(&rosa)
            )
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // The report for counsel's file, from the hub's copy, signed by the hub.
    let pdf = send(app, get(&format!("{east}/report.pdf"), Some(&rosa))).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.pdf"), &pdf.body).unwrap();
    let keep = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("city-screens");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::write(keep.join("city-report.pdf"), &pdf.body).unwrap();
    if let Some(text) = common::pdf_text(&dir.path().join("r.pdf")) {
        for want in [
            "E-EASTOPEN",
            "City hub signing key",
            "threshold-hub-report/1",
            "threshold hub verify east-library",
        ] {
            assert!(text.contains(want), "{want} not in the report:\n{text}");
        }
    }
    // The city role reads no encounter; counsel for east reads none of west's.
    let lee = session_of(app, "lee").await;
    let r = send(app, get(&east, Some(&lee))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(app, get(&format!("{east}/report.pdf"), Some(&lee))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.text().contains("ICE administrative warrant"));
    let eve = session_of(app, "eve").await;
    assert_eq!(
        send(app, get(&east, Some(&eve))).await.status,
        StatusCode::OK
    );
    let r = send(app, get(&west, Some(&eve))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("does not cover facility west-center"));
    let eve_page = send(app, get(&east, Some(&eve))).await.text();
    let eve_csrf = common::admin::csrf_of(&eve_page);
    let r = send(
        app,
        post(
            &format!("{west}/acknowledge"),
            Some(&eve),
            &[("csrf", &eve_csrf)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let n: i64 = c
        .query_one("SELECT count(*) FROM commands", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2, "nothing sent but rosa's two");
    // Every view and action is journaled on the hub.
    let audit: Vec<(String, String)> = c
        .query(
            "SELECT username, action FROM audit WHERE encounter IS NOT NULL ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for want in [
        ("rosa", "viewed-encounter"),
        ("rosa", "acknowledge"),
        ("rosa", "instruct"),
        ("eve", "viewed-encounter"),
    ] {
        assert!(
            audit.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {audit:?}"
        );
    }
    assert!(!audit.iter().any(|(u, _)| u == "lee"));
}
