//! The city's web on a real PostgreSQL for router tests: two facilities
//! with open, acknowledged and closed encounters, heartbeats (one silent),
//! a fork, and accounts of every role, one scoped to East.
#![allow(dead_code)]

use super::admin::{sign_in, PASSWORD};
use super::hub::Pg;
use axum::http::StatusCode;
use axum::Router;
use threshold::domain::account::{AccountRole, Scope};
use threshold::hub::{accounts, project, store};

/// The city's web on `pool`, `[web]` with `timezone` (and the name "City
/// of Testing"), with a hub key and data key of fixed seeds.
pub fn router_on(pool: &deadpool_postgres::Pool, timezone: &str) -> Router {
    let config: threshold::hub::config::HubConfig = toml::from_str(&format!(
        "[hub]\nlisten = \"127.0.0.1:1\"\nkey_file = \"k\"\n[database]\nurl = \"u\"\n[web]\nname = \"City of Testing\"\ntimezone = \"{timezone}\"\n"
    ))
    .unwrap();
    let hub = threshold::hub::web::Hub {
        pool: pool.clone(),
        key: std::sync::Arc::new(threshold::hub::HubKey::from_seed([7; 32])),
        data: std::sync::Arc::new(threshold::hub::seal::DataKey::from_bytes([9; 32])),
        issued: Default::default(),
        tz: chrono_tz::UTC,
    };
    threshold::hub::city::router(threshold::hub::city::City::new(&config, hub, false).unwrap())
}

/// A migrated hub database on a private server of its own.
pub async fn hub_database() -> (Pg, deadpool_postgres::Pool) {
    let pg = Pg::start();
    let pool = store::pool(&pg.url(), None, 4, &store::Tls::AsUrlSays).unwrap();
    store::migrate(&pool).await.unwrap();
    (pg, pool)
}

pub const EAST: &str = "east-library";
pub const WEST: &str = "west-center";

/// Entries as a kiosk journals them (kind, subject, body), stored without
/// the chain checks a batch gets: the router is under test here, the
/// ingest in `hub.rs`.
pub async fn entries(pool: &deadpool_postgres::Pool, facility: &str, rows: &[(&str, &str, &str)]) {
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

pub struct CityWorld {
    pub pg: Pg,
    pub pool: deadpool_postgres::Pool,
    pub app: Router,
}

pub async fn city() -> CityWorld {
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
    let app = router_on(&pool, "America/Los_Angeles");
    CityWorld { pg, pool, app }
}

pub async fn session_of(app: &Router, name: &str) -> String {
    let (r, cookie) = sign_in(app, name, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.text());
    cookie.unwrap()
}
