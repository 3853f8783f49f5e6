//! The hub's HTTP interface for kiosks: batches in, receipts out,
//! heartbeats, and a health check for the load balancer.
//!
//! - `POST /v1/batches`: a signed batch (JSON); answers an
//!   [`crate::domain::shipping::Answer`]: 200 stored or already stored (with
//!   the receipt), 409 gap or fork, 400 malformed, 403 not enrolled or not
//!   signed by the facility, 503 the database is down (send it again).
//! - `POST /v1/pages`: a document page's image, with the facility, page id
//!   and signature in headers; answers a
//!   [`crate::domain::shipping::page::PageAnswer`]: 200 stored, already
//!   stored or purged, 409 not yet (its entry has not arrived), 400 not the
//!   image its entry names, 403 not enrolled or not signed.
//! - `POST /v1/commands`: a kiosk's signed poll; answers its facility's
//!   commands after the last it took (held open up to 25 s for one), 403
//!   not enrolled, not signed or a clock far off, 503.
//! - `POST /v1/heartbeats`: a signed heartbeat; 200, 400, 403 or 503.
//! - `GET /v1/health`: 200 when the database answers, else 503.
//! - `GET /v1/key`: the hub's public key, hex, for kiosks' `[hub] public_key`.

use super::HubKey;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use deadpool_postgres::Pool;
use std::sync::Arc;
use std::time::Duration;

/// The largest body taken: a batch of the most entries, bodies included.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// What every request handler shares: nothing of its own beyond the pool.
#[derive(Clone)]
pub struct Hub {
    pub pool: Pool,
    pub key: Arc<HubKey>,
    pub data: Arc<super::seal::DataKey>,
    /// Wakes the polls this process holds when it issues a command.
    pub issued: Arc<tokio::sync::Notify>,
    /// `[web] timezone`: the visitor counts' months.
    pub tz: chrono_tz::Tz,
}

/// The hub's routes.
pub fn router(hub: Hub) -> Router {
    Router::new()
        .route("/v1/batches", post(batches))
        .route("/v1/pages", post(pages))
        .route("/v1/commands", post(commands))
        .route("/v1/heartbeats", post(heartbeats))
        .route("/v1/health", get(health))
        .route("/v1/key", get(key))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .with_state(hub)
}

fn json(status: u16, body: String) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn unavailable(e: super::store::DbError) -> Response {
    tracing::warn!("database: {e}");
    json(
        503,
        serde_json::json!({ "result": "unavailable", "error": format!("the hub cannot use its database just now ({e}); the kiosk keeps the batch and sends it again") }).to_string(),
    )
}

async fn batches(State(hub): State<Hub>, body: Bytes) -> Response {
    match super::ingest::ingest(&hub.pool, &hub.key, &hub.data, hub.tz, &body).await {
        Ok((status, answer)) => json(status, serde_json::to_string(&answer).unwrap_or_default()),
        Err(e) => unavailable(e),
    }
}

async fn pages(State(hub): State<Hub>, headers: HeaderMap, body: Bytes) -> Response {
    use crate::domain::shipping::page::{FACILITY_HEADER, PAGE_HEADER, SIGNATURE_HEADER};
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let up = super::pages::Upload {
        facility: h(FACILITY_HEADER),
        page: h(PAGE_HEADER),
        signature: h(SIGNATURE_HEADER),
        image: &body,
    };
    match super::pages::take(&hub.pool, &hub.data, up).await {
        Ok((status, answer)) => json(status, serde_json::to_string(&answer).unwrap_or_default()),
        Err(e) => unavailable(e),
    }
}

async fn commands(State(hub): State<Hub>, body: Bytes) -> Response {
    match super::commands::poll(&hub.pool, &hub.data, &hub.issued, &body).await {
        Ok((status, text)) => json(status, text),
        Err(e) => unavailable(e),
    }
}

async fn heartbeats(State(hub): State<Hub>, body: Bytes) -> Response {
    match super::ingest::heartbeat(&hub.pool, &body).await {
        Ok((200, text)) => json(200, text),
        Ok((status, error)) => json(
            status,
            serde_json::json!({ "result": "refused", "error": error }).to_string(),
        ),
        Err(e) => unavailable(e),
    }
}

async fn health(State(hub): State<Hub>) -> Response {
    let ok = async {
        let c = hub.pool.get().await.ok()?;
        c.query_one("SELECT 1", &[]).await.ok()
    };
    match tokio::time::timeout(Duration::from_secs(5), ok).await {
        Ok(Some(_)) => json(200, "{\"database\":\"ok\"}".into()),
        _ => json(503, "{\"database\":\"unreachable\"}".into()),
    }
}

async fn key(State(hub): State<Hub>) -> Response {
    json(
        200,
        serde_json::json!({ "public_key": hub.key.public_hex(), "fingerprint": hub.key.fingerprint() })
            .to_string(),
    )
}
