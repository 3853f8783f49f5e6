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
use common::hub::Pg;
use threshold::domain::account::{AccountRole, Scope};
use threshold::hub::{accounts, project, store};

const EAST: &str = "east-library";
const WEST: &str = "west-center";

/// Entries as a kiosk journals them (kind, subject, body), stored without
/// the chain checks a batch gets: the router is under test here, the
/// ingest in `hub.rs`.
async fn entries(pool: &deadpool_postgres::Pool, facility: &str, rows: &[(&str, &str, &str)]) {
    let c = pool.get().await.unwrap();
    for (i, (kind, subject, body)) in rows.iter().enumerate() {
        c.execute(
            "INSERT INTO entries (facility, seq, at, kind, subject, body, hash)
             VALUES ($1, $2, to_char(now() - interval '7 minutes', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $3, $4, $5, '\\x00')",
            &[&facility, &(i as i64 + 1), kind, subject, body],
        )
        .await
        .unwrap();
    }
}

struct City {
    _pg: Pg,
    pool: deadpool_postgres::Pool,
    app: Router,
}

async fn city() -> City {
    let pg = Pg::start();
    let pool = store::pool(&pg.url(), None, 4, &store::Tls::AsUrlSays).unwrap();
    store::migrate(&pool).await.unwrap();
    for (f, seed) in [(EAST, 1u8), (WEST, 2u8)] {
        let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        store::enroll(&pool, f, &key.verifying_key().to_bytes())
            .await
            .unwrap();
    }
    entries(
        &pool,
        EAST,
        &[
            ("encounter.opened", "E-EASTOPEN", r#"{"entrance":"main","via":"kiosk","drill":false}"#),
            ("alert.tier-paged", "E-EASTOPEN", r#"{"tier":0,"deadline":null}"#),
            ("alert.queued", "E-EASTOPEN", r#"{"key":"k1","tier":0,"contact":"Dana Whitfield","role":"designated-staff","channel":"sms","due_at":"x"}"#),
            ("encounter.details-recorded", "E-EASTOPEN", r#"{"document_kind":"administrative-warrant","officers":[],"exigent":false}"#),
        ],
    )
    .await;
    entries(
        &pool,
        WEST,
        &[
            (
                "encounter.opened",
                "E-WESTOPEN",
                r#"{"entrance":"side","via":"staff-mode","drill":false}"#,
            ),
            (
                "encounter.acknowledged",
                "E-WESTOPEN",
                r#"{"by":{"vault":1,"commit":"x"},"role":"counsel","via":"ack-link"}"#,
            ),
            (
                "encounter.opened",
                "E-WESTSHUT",
                r#"{"entrance":"side","via":"kiosk","drill":false}"#,
            ),
            (
                "encounter.closed",
                "E-WESTSHUT",
                r#"{"by":{"vault":2,"commit":"y"}}"#,
            ),
        ],
    )
    .await;
    {
        let mut c = pool.get().await.unwrap();
        let tx = c.transaction().await.unwrap();
        assert_eq!(project::rebuild(&tx).await.unwrap(), 3);
        tx.commit().await.unwrap();
        // East's kiosk spoke a moment ago with its printer out of paper;
        // West's went silent ten minutes ago, and sent a forked batch.
        c.batch_execute(&format!(
            "INSERT INTO heartbeats (facility, sent_at, received_at, report) VALUES
               ('{EAST}', 'x', now() - interval '5 seconds', '{{\"backlog\": 3, \"parts\": [{{\"part\": \"printer\", \"working\": false, \"detail\": \"out of paper\", \"fix\": \"load a roll\"}}]}}'),
               ('{WEST}', 'x', now() - interval '10 minutes', '{{\"backlog\": 0, \"parts\": []}}');
             INSERT INTO forks (facility, seq, exact, detail, batch) VALUES ('{WEST}', 4, true, 'differs', '{{}}');"
        ))
        .await
        .unwrap();
    }
    let hash = threshold::admin::auth::hash_password(PASSWORD);
    for (name, role, scope) in [
        ("rosa", AccountRole::Counsel, Scope::All),
        ("sam", AccountRole::Manager, Scope::All),
        ("lee", AccountRole::City, Scope::All),
        ("eve", AccountRole::Counsel, Scope::Only(vec![EAST.into()])),
    ] {
        accounts::add(&pool, name, role, &scope, &hash)
            .await
            .unwrap();
    }
    let config: threshold::hub::config::HubConfig = toml::from_str(
        "[hub]\nlisten = \"127.0.0.1:1\"\nkey_file = \"k\"\n[database]\nurl = \"u\"\n[web]\nname = \"City of Testing\"\ntimezone = \"America/Los_Angeles\"\n",
    )
    .unwrap();
    let hub = threshold::hub::web::Hub {
        pool: pool.clone(),
        key: std::sync::Arc::new(threshold::hub::HubKey::from_seed([7; 32])),
        data: std::sync::Arc::new(threshold::hub::seal::DataKey::from_bytes([9; 32])),
        issued: Default::default(),
    };
    let state = threshold::hub::city::City::new(&config, hub, false).unwrap();
    City {
        _pg: pg,
        pool,
        app: threshold::hub::city::router(state),
    }
}

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
        assert!(page.contains("FORK: the hub refused 1 batches"));
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

async fn session_of(app: &Router, name: &str) -> String {
    let (r, cookie) = sign_in(app, name, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.text());
    cookie.unwrap()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_log_filters_pages_and_keeps_to_the_account_s_facilities() {
    let w = city().await;
    let app = &w.app;
    // Sixty more of East's encounters, closed, a week apart from now back;
    // one of them under a legal hold, and a released hold on another.
    let mut rows = Vec::new();
    for i in 0..60 {
        let id = format!("E-MORE{i:04}");
        rows.push((
            "encounter.opened".to_string(),
            id.clone(),
            format!(r#"{{"entrance":"main","via":"kiosk","drill":false}}"#),
            i * 7,
        ));
        rows.push((
            "encounter.decided".into(),
            id.clone(),
            r#"{"outcome":"left","basis":"before-counsel","by":{"vault":9,"commit":"c"}}"#.into(),
            i * 7,
        ));
        rows.push((
            "encounter.closed".into(),
            id.clone(),
            r#"{"by":{"vault":9,"commit":"c"}}"#.into(),
            i * 7,
        ));
    }
    rows.push(("retention.hold-placed".into(), "E-MORE0003".into(), r#"{"hold":"H-1","encounter":"E-MORE0003","reason":"Doe v. City","by":{"vault":9,"commit":"c"}}"#.into(), 0));
    rows.push((
        "retention.hold-placed".into(),
        "E-MORE0004".into(),
        r#"{"hold":"H-2","encounter":"E-MORE0004","reason":"done","by":{"vault":9,"commit":"c"}}"#
            .into(),
        0,
    ));
    rows.push((
        "retention.hold-released".into(),
        "E-MORE0004".into(),
        r#"{"hold":"H-2","by":{"vault":9,"commit":"c"}}"#.into(),
        0,
    ));
    {
        let mut c = w.pool.get().await.unwrap();
        for (n, (kind, subject, body, days)) in rows.iter().enumerate() {
            c.execute(
                "INSERT INTO entries (facility, seq, at, kind, subject, body, hash)
                 VALUES ($1, $2, to_char(now() - make_interval(days => $3), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $4, $5, $6, '\\x00')",
                &[&EAST, &(1000 + n as i64), days, kind, subject, body],
            )
            .await
            .unwrap();
        }
        let tx = c.transaction().await.unwrap();
        project::rebuild(&tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    let rosa = session_of(app, "rosa").await;
    let log = |q: &str| {
        let q = q.to_string();
        let rosa = rosa.clone();
        async move { send(app, get(&format!("/log{q}"), Some(&rosa))).await }
    };
    // Newest first, fifty to a page, then the rest from the cursor.
    let first = log("").await;
    assert_eq!(first.status, StatusCode::OK);
    let first = first.text();
    let ids = |page: &str| -> Vec<String> {
        page.match_indices("/encounters/E-")
            .map(|(i, _)| page[i + 12..].split('"').next().unwrap().to_string())
            .collect()
    };
    let one = ids(&first);
    assert_eq!(one.len(), 50);
    assert_eq!(
        one[..4],
        ["E-MORE0000", "E-WESTSHUT", "E-WESTOPEN", "E-EASTOPEN"]
    );
    let older = first
        .split("href=\"/log?")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"));
    let older = older.expect("a link to the older encounters");
    let two = ids(&log(&format!("?{older}")).await.text());
    assert_eq!(one.len() + two.len(), 63, "every encounter once: {two:?}");
    assert!(two.iter().all(|id| !one.contains(id)));
    // Filters: facility, state, outcome, document, hold, dates.
    let only = |q: &str| {
        let f = log(q);
        async move { ids(&f.await.text()) }
    };
    assert_eq!(
        only(&format!("?facility={WEST}")).await,
        ["E-WESTSHUT", "E-WESTOPEN"]
    );
    assert_eq!(only("?state=open").await, ["E-WESTOPEN", "E-EASTOPEN"]);
    assert_eq!(
        only("?document=administrative-warrant").await,
        ["E-EASTOPEN"]
    );
    assert_eq!(
        only("?outcome=left&state=closed").await.len(),
        50,
        "a page of sixty"
    );
    assert_eq!(only("?held=yes").await, ["E-MORE0003"]);
    let today = chrono::Utc::now().date_naive();
    let week = (today - chrono::Duration::days(8))
        .format("%Y-%m-%d")
        .to_string();
    let q = format!(
        "?facility={EAST}&from={week}&to={}",
        today.format("%Y-%m-%d")
    );
    let recent = only(&q).await;
    assert!(
        recent.contains(&"E-MORE0001".to_string()) && !recent.contains(&"E-MORE0002".to_string()),
        "{recent:?}"
    );
    let bad = log("?from=2026-12-10&to=2026-12-01").await.text();
    assert!(bad.contains("Dates are written YYYY-MM-DD"));
    // The city role has no log; counsel for East sees East's only.
    let lee = session_of(app, "lee").await;
    assert_eq!(
        send(app, get("/log", Some(&lee))).await.status,
        StatusCode::FORBIDDEN
    );
    let eve = session_of(app, "eve").await;
    let theirs = ids(&send(app, get("/log?state=open", Some(&eve))).await.text());
    assert_eq!(theirs, ["E-EASTOPEN"]);
    let r = send(app, get(&format!("/log?facility={WEST}"), Some(&eve))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let c = w.pool.get().await.unwrap();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM audit WHERE action = 'viewed-log' AND username = 'rosa'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 9, "each of rosa's nine views");
}
