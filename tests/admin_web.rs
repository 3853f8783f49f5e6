//! The admin web's router, request by request (`oneshot`): sign-in,
//! sessions, roles on every route, CSRF, rate limiting, the integrity page,
//! the log and the five-language page chrome (exports and audit:
//! tests/admin_exports.rs).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::admin::*;

/// Every route that needs a session: (method, path).
fn protected(encounter: &str) -> Vec<(&'static str, String)> {
    let mut routes: Vec<(&'static str, String)> = [
        "/",
        "/log",
        "/log?kind=visitor&from=2026-01-01",
        "/alerts",
        "/retention",
        "/integrity",
        "/export.csv",
        "/export.jsonl",
        "/export.bundle",
    ]
    .iter()
    .map(|p| ("GET", p.to_string()))
    .collect();
    for p in ["", "/pages/1", "/report.pdf"] {
        routes.push(("GET", format!("/encounters/{encounter}{p}")));
    }
    routes.push(("POST", "/retention".into()));
    routes.push(("POST", "/retention/purge".into()));
    for act in [
        "acknowledge",
        "instruction",
        "note",
        "checklist",
        "hold",
        "release",
    ] {
        routes.push(("POST", format!("/encounters/{encounter}/{act}")));
    }
    routes
}

fn request(method: &str, path: &str, cookie: Option<&str>, accept_html: bool) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if accept_html {
        b = b.header(header::ACCEPT, "text/html");
    }
    if method == "POST" {
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(if method == "POST" {
        "visitor_days=1&encounter_years=1"
    } else {
        ""
    }))
    .unwrap()
}

#[tokio::test]
async fn every_protected_route_refuses_signed_out_requests_and_staff_accounts() {
    let w = AdminWorld::new();
    let app = w.app();
    let staff = session(&app, "sam").await;
    for (method, path) in protected(&w.encounter) {
        // A browser is sent to sign in, and comes back afterwards.
        let r = send(&app, request(method, &path, None, true)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{method} {path}");
        assert!(
            r.location().starts_with("/login?next="),
            "{method} {path}: {}",
            r.location()
        );
        // A script gets 401 and how to sign in.
        let r = send(&app, request(method, &path, None, false)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert!(r.text().contains("POST /login"));
        // A forged or expired session cookie is no better.
        let r = send(&app, request(method, &path, Some("th_session=00ff"), false)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        // Staff accounts see nothing here.
        let r = send(&app, request(method, &path, Some(&staff), true)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
        let text = r.text();
        assert!(
            text.contains("Staff accounts have no access"),
            "{method} {path}"
        );
        for secret in ["Ana Ruiz", "Xuan", "looking for a person", "Ms. Ortiz"] {
            assert!(
                !text.contains(secret),
                "{method} {path} shows {secret} to staff"
            );
        }
    }
    // Nothing was changed by any of those POSTs.
    assert!(w.entries("settings.retention-changed").is_empty());
    assert!(w.entries("retention.purged").is_empty());
    // The public routes stay public.
    assert_eq!(
        send(&app, get("/healthz", None)).await.status,
        StatusCode::OK
    );
    assert_eq!(send(&app, get("/login", None)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn counsel_reviews_and_only_managers_change_settings() {
    let w = AdminWorld::new();
    let app = w.app();
    let counsel = session(&app, "carl").await;
    let manager = session(&app, "maria").await;
    for (method, path) in protected(&w.encounter) {
        if method == "GET" {
            for who in [&counsel, &manager] {
                let r = send(&app, request(method, &path, Some(who), true)).await;
                assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text());
                assert_eq!(
                    r.headers[header::CACHE_CONTROL],
                    "no-store, private",
                    "GET {path}"
                );
            }
        }
    }
    // Counsel: the retention page without the form, and a POST refused.
    let page = send(&app, get("/retention", Some(&counsel))).await.text();
    assert!(
        page.contains("Only managers can change this.") && !page.contains("action=\"/retention\"")
    );
    let csrf = csrf_of(&page);
    for path in ["/retention", "/retention/purge"] {
        let r = send(
            &app,
            post(
                path,
                Some(&counsel),
                &[
                    ("csrf", &csrf),
                    ("visitor_days", "3"),
                    ("encounter_years", "2"),
                ],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(w.entries("settings.retention-changed").is_empty());
    // A manager changes the periods: journaled with who, and in force.
    let page = send(&app, get("/retention", Some(&manager))).await.text();
    let csrf = csrf_of(&page);
    let r = send(
        &app,
        post(
            "/retention",
            Some(&manager),
            &[
                ("csrf", &csrf),
                ("visitor_days", "14"),
                ("encounter_years", "5"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("Saved.") && r.text().contains("value=\"14\""));
    let changed = w.entries("settings.retention-changed");
    assert_eq!(changed.len(), 1);
    assert!(
        changed[0].1.contains("\"by\":\"maria\"") && changed[0].1.contains("\"visitor_days\":14")
    );
    assert_eq!(w.state.desk.retention().unwrap(), (14, 5));
    // Out-of-range input changes nothing and says what is allowed.
    let r = send(
        &app,
        post(
            "/retention",
            Some(&manager),
            &[
                ("csrf", &csrf),
                ("visitor_days", "0"),
                ("encounter_years", "abc"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("1 to 3650 days"));
    assert_eq!(w.entries("settings.retention-changed").len(), 1);
    // The purge preview counts what is due; a purge now finds nothing due.
    assert!(page.contains("0 visitor check-ins and 0 encounters would lose their personal data"));
    let r = send(
        &app,
        post("/retention/purge", Some(&manager), &[("csrf", &csrf)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Purged: 0 visitor check-ins"));
}

#[tokio::test]
async fn every_form_needs_its_csrf_token() {
    let w = AdminWorld::new();
    let app = w.app();
    let manager = session(&app, "maria").await;
    for token in ["", "0000", "not-the-token"] {
        for path in ["/retention", "/retention/purge", "/logout"] {
            let r = send(
                &app,
                post(
                    path,
                    Some(&manager),
                    &[
                        ("csrf", token),
                        ("visitor_days", "9"),
                        ("encounter_years", "9"),
                    ],
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} with `{token}`");
            assert!(r.text().contains("nothing was changed"), "{path}");
        }
    }
    assert!(w.entries("settings.retention-changed").is_empty());
    assert!(w.entries("retention.purged").is_empty());
    // The session survived the forged sign-outs.
    assert_eq!(
        send(&app, get("/", Some(&manager))).await.status,
        StatusCode::OK
    );
    // Signing in needs the token of the form's own cookie.
    let form = send(&app, get("/login", None)).await;
    let csrf = csrf_of(&form.text());
    for cookie in [None, Some("th_login=ffff".to_string())] {
        let r = send(
            &app,
            post(
                "/login",
                cookie.as_deref(),
                &[
                    ("account", "maria"),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                ],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.cookie("th_session").is_none());
    }
    // Signing out with the right token ends the session.
    let csrf = csrf_of(&send(&app, get("/", Some(&manager))).await.text());
    let r = send(&app, post("/logout", Some(&manager), &[("csrf", &csrf)])).await;
    assert_eq!(
        (r.status, r.location().as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );
    let r = send(&app, get("/", Some(&manager))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().contains("expired=1"));
}

#[tokio::test]
async fn pages_speak_the_readers_language() {
    let w = AdminWorld::new();
    let app = w.app();
    let counsel = session(&app, "carl").await;
    let r = send(&app, get("/?lang=vi", Some(&counsel))).await;
    assert!(r.text().contains("Tổng quan") && r.text().contains("lang=\"vi\""));
    let remembered = r.cookie("th_lang").expect("the choice is remembered");
    assert_eq!(remembered, "th_lang=vi");
    let both = format!("{counsel}; {remembered}");
    assert!(send(&app, get("/log", Some(&both)))
        .await
        .text()
        .contains("Nhật ký đăng ký"));
    let req = Request::get("/integrity")
        .header(header::COOKIE, &counsel)
        .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    let text = send(&app, req).await.text();
    assert!(
        text.contains("记录完整性") && text.contains("记录完整"),
        "{text}"
    );
    let login = send(&app, get("/login?lang=es", None)).await.text();
    assert!(login.contains("Iniciar sesión") && login.contains("Contraseña"));
    let tl = send(&app, get("/alerts?lang=tl", Some(&counsel)))
        .await
        .text();
    assert!(tl.contains("Mga ipinadalang alerto"));
}

#[tokio::test]
async fn the_integrity_page_reports_the_chain_head_and_alterations() {
    let w = AdminWorld::new();
    let app = w.app();
    let counsel = session(&app, "carl").await;
    let r = send(&app, get("/integrity", Some(&counsel))).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    assert!(text.contains("The record is intact"));
    assert!(text.contains(&w.state.key.fingerprint()));
    let conn = rusqlite::Connection::open(w.dir.path().join("threshold.db")).unwrap();
    let (seq, hash): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        text.contains(&format!("#{seq} {}", hex::encode(&hash))),
        "{text}"
    );
    // Someone edits an account's role in the database.
    conn.execute("UPDATE users SET role = 'manager' WHERE name = 'sam'", [])
        .unwrap();
    let r = send(&app, get("/integrity", Some(&counsel))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("The record has been altered"));
}

#[tokio::test]
async fn the_log_pages_through_the_record_with_filters() {
    let w = AdminWorld::new();
    {
        let desk = w.state.desk.clone();
        for i in 0..60 {
            desk.check_in_visitor(threshold::domain::checkin::VisitorCheckIn {
                purpose: if i % 2 == 0 {
                    "program".into()
                } else {
                    "services".into()
                },
                name: None,
                host: None,
                language: threshold::domain::language::Language::English,
                entrance: "main".into(),
            })
            .unwrap();
        }
    }
    let app = w.app();
    let counsel = session(&app, "carl").await;
    let first = send(&app, get("/log", Some(&counsel))).await.text();
    assert_eq!(first.matches("<tr>").count() - 1, 50, "50 rows per page");
    let at = first
        .find("href=\"/log?before=")
        .expect("a link to older rows")
        + 6;
    let older = first[at..at + first[at..].find('"').unwrap()].replace("&amp;", "&");
    let second = send(&app, get(&older, Some(&counsel))).await.text();
    // 64 rows in all: 3 + 60 visitors and the encounter.
    assert_eq!(second.matches("<tr>").count() - 1, 14, "{older}");
    assert!(second.contains("← Newest"));
    let programs = send(&app, get("/log?purpose=program", Some(&counsel)))
        .await
        .text();
    assert_eq!(programs.matches("<tr>").count() - 1, 30);
    let encounters = send(&app, get("/log?kind=encounter", Some(&counsel)))
        .await
        .text();
    assert!(encounters.contains(&format!("href=\"/encounters/{}\"", w.encounter)));
    // Outcomes read as the policy profile names them, in the reader's language.
    w.state
        .desk
        .decide(
            &w.encounter,
            threshold::domain::encounter::Outcome::WaitedInPublicArea,
            "Dana",
            None,
            None,
        )
        .unwrap();
    let encounters = send(&app, get("/log?kind=encounter", Some(&counsel)))
        .await
        .text();
    assert!(
        encounters.contains("Officers waited in the public area"),
        "{encounters}"
    );
    let record = send(
        &app,
        get(
            &format!("/encounters/{}?lang=es", w.encounter),
            Some(&counsel),
        ),
    )
    .await
    .text();
    assert!(
        record.contains("Resultado") && record.contains("Los agentes esperaron en el área pública"),
        "{record}"
    );
    let bad = send(&app, get("/log?from=2026-13-01", Some(&counsel))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn the_dashboard_shows_the_emergency_when_nobody_can_be_paged() {
    // The demo facility has no alert channel set up, and its encounter is open.
    let w = AdminWorld::new();
    let app = w.app();
    let counsel = session(&app, "carl").await;
    let page = send(&app, get("/", Some(&counsel))).await.text();
    assert!(
        page.contains("class=\"emergency\" role=\"alert\""),
        "{page}"
    );
    assert!(
        page.contains("No alert channel is set up: nobody can be paged. Call counsel now"),
        "{page}"
    );
    // The demo's counsel contact's phone, as a link a phone can dial.
    assert!(
        page.contains("<a href=\"tel:+14085550120\">+14085550120</a>"),
        "{page}"
    );
    // In the reader's language.
    let page = send(&app, get("/?lang=es", Some(&counsel))).await.text();
    assert!(page.contains("Llame ya a la asesoría jurídica"), "{page}");
}
