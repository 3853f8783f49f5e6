//! The admin web's exports and audit, request by request (`oneshot`):
//! every view and export journaled with who and when, exports that follow
//! the log's filters, bundles that verify.

mod common;

use axum::http::{header, StatusCode};
use common::admin::*;

/// Every route that needs a session: (method, path).
#[tokio::test]
async fn views_and_exports_are_journaled_with_who_and_when() {
    let w = AdminWorld::new();
    let app = w.app();
    let counsel = session(&app, "carl").await;
    let id = &w.encounter;
    let html = send(&app, get(&format!("/encounters/{id}"), Some(&counsel)))
        .await
        .text();
    for shown in [
        "Ana Ruiz",
        "Trần Bảo",
        "ICE ERO",
        "looking for a person",
        "a resident",
        "/pages/2",
    ] {
        assert!(html.contains(shown), "the encounter page shows {shown}");
    }
    // This view is already in the timeline it shows.
    assert!(
        html.contains("carl (counsel) viewed the encounter record"),
        "{html}"
    );
    let image = send(
        &app,
        get(&format!("/encounters/{id}/pages/2"), Some(&counsel)),
    )
    .await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(image.headers[header::CACHE_CONTROL], "no-store, private");
    assert_eq!(
        image.body,
        common::admin::page(2).bytes,
        "the page comes back decrypted, byte for byte"
    );
    assert_eq!(
        send(
            &app,
            get(&format!("/encounters/{id}/pages/3"), Some(&counsel))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&app, get("/encounters/E-NOSUCH01", Some(&counsel)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&app, get("/encounters/..%2Fetc", Some(&counsel)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let pdf = send(
        &app,
        get(&format!("/encounters/{id}/report.pdf"), Some(&counsel)),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF-"));
    send(&app, get("/export.csv?kind=visitor", Some(&counsel))).await;
    let viewed = w.entries("web.viewed");
    let bodies: Vec<&str> = viewed.iter().map(|(_, b)| b.as_str()).collect();
    assert_eq!(viewed.len(), 4, "{bodies:?}");
    assert!(viewed[..3].iter().all(|(s, b)| s == id
        && b.contains("\"user\":\"carl\"")
        && b.contains("\"role\":\"counsel\"")));
    assert!(bodies[0].contains("\"what\":\"encounter\""));
    assert!(bodies[1].contains("\"what\":\"page\"") && bodies[1].contains("\"page\":2"));
    assert!(bodies[2].contains("\"what\":\"report\""));
    assert_eq!(viewed[3].0, "log");
    assert!(bodies[3].contains("format=csv kind=visitor"));

    // Pages that show names, hosts and purposes are journaled too, with
    // their filters and cursor; the dashboard reloading itself is not
    // journaled every 15 s.
    for path in [
        "/",
        "/?refresh=1",
        "/?refresh=1",
        "/log?kind=visitor&purpose=program",
        "/log?before=2026-11-27T10%3A00%3A00.000Z%7CV-1",
        "/alerts",
        "/alerts?before=5",
    ] {
        assert_eq!(
            send(&app, get(path, Some(&counsel))).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let viewed = w.entries("web.viewed");
    let bodies: Vec<&str> = viewed[4..].iter().map(|(_, b)| b.as_str()).collect();
    assert_eq!(bodies.len(), 5, "{bodies:?}");
    assert!(viewed[4..].iter().all(|(s, b)| s == "log"
        && b.contains("\"user\":\"carl\"")
        && b.contains("\"role\":\"counsel\"")));
    assert!(bodies[0].contains("\"what\":\"dashboard\""));
    assert!(
        bodies[1].contains("\"what\":\"log\"")
            && bodies[1].contains("kind=visitor&purpose=program")
            && !bodies[1].contains("cursor"),
        "{}",
        bodies[1]
    );
    assert!(
        bodies[2].contains("\"cursor\":\"2026-11-27T10:00:00.000Z|V-1\""),
        "{}",
        bodies[2]
    );
    assert!(bodies[3].contains("\"what\":\"alerts\""));
    assert!(bodies[4].contains("\"cursor\":\"5\""));
}

#[tokio::test]
async fn exports_follow_the_filters_and_bundles_verify() {
    let w = AdminWorld::new();
    let app = w.app();
    let counsel = session(&app, "carl").await;
    let csv = send(&app, get("/export.csv?kind=visitor", Some(&counsel))).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let text = csv.text();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert!(rows[0].starts_with("kind,id,at_utc"));
    for v in &w.visitors {
        assert!(text.contains(v.as_str()));
    }
    assert!(
        text.contains(",'=cmd,"),
        "a formula typed as a host is defused: {text}"
    );
    let all = send(&app, get("/export.jsonl", Some(&counsel)))
        .await
        .text();
    assert_eq!(all.lines().count(), 4);
    assert!(all.contains(&w.encounter));
    let none = send(
        &app,
        get("/export.csv?from=2001-01-01&to=2001-01-02", Some(&counsel)),
    )
    .await
    .text();
    assert_eq!(none.lines().count(), 1);
    let bad = send(&app, get("/export.csv?from=yesterday", Some(&counsel))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("YYYY-MM-DD"));
    let bad = send(
        &app,
        get("/export.csv?purpose=no-such-purpose", Some(&counsel)),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // The bundle verifies with the facility's key, and not once edited.
    let bundle = send(&app, get("/export.bundle", Some(&counsel))).await;
    assert_eq!(bundle.status, StatusCode::OK);
    let key = w.state.key.public_hex();
    let report =
        threshold::store::bundle::verify(std::io::Cursor::new(&bundle.body), Some(&key)).unwrap();
    assert!(report.intact(), "{:?}", report.problems);
    let edited = bundle.text().replacen(
        "\"entrance\\\":\\\"main\\\"",
        "\"entrance\\\":\\\"side\\\"",
        1,
    );
    assert_ne!(edited, bundle.text());
    let report =
        threshold::store::bundle::verify(std::io::Cursor::new(edited.as_bytes()), Some(&key))
            .unwrap();
    assert!(!report.intact());
    let empty = send(
        &app,
        get(
            "/export.bundle?from=2001-01-01&to=2001-01-01",
            Some(&counsel),
        ),
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}
