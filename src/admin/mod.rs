//! The service's web server: the admin pages for managers and counsel
//! (dashboard, check-in log, encounter records with their document pages,
//! alert deliveries, retention, record integrity, exports) and the
//! acknowledge links that pages carry.
//!
//! Pages are rendered on the server from templates and work without
//! JavaScript. Every route but `/login`, `/ack/…` and `/healthz` needs a
//! session; see [`auth`] for accounts, sessions, CSRF and rate limiting.

pub mod ack;
mod act;
pub mod auth;
mod chrome;
pub mod client;
mod encounter;
mod exports;
mod overview;
pub mod page;
pub mod passwords;
pub mod serve;
mod settings;
pub mod throttle;

pub use chrome::WebError;
pub use serve::serve;

use crate::alerts::ack_link::AckKey;
use crate::app::records::{FacilityKey, KeyError};
use crate::app::Desk;
use crate::config::Loaded;
use crate::devices::health::Health;
use axum::routing::{get, post};
use axum::Router;
use std::sync::{Arc, Mutex};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    pub loaded: Arc<Loaded>,
    pub ack: AckKey,
    /// The health of every part of the service, for the dashboard.
    pub health: Health,
    pub web: Arc<Web>,
}

/// The admin web's own state.
pub struct Web {
    /// Signs export bundles and reports.
    pub key: FacilityKey,
    /// Sign-in limits, counted before passwords are checked.
    throttle: Mutex<throttle::Throttle>,
    /// The password checkers sign-ins queue for.
    checkers: passwords::Checkers,
    /// Browsers that signed in before.
    devices: auth::Devices,
    /// When each reader's dashboard view was last journaled.
    dashboard_views: Mutex<std::collections::HashMap<String, std::time::Instant>>,
    /// `[admin] trusted_proxies`.
    pub proxies: Vec<ipnet::IpNet>,
    /// Cookies are marked `Secure`, and HSTS sent, when browsers reach the
    /// server over HTTPS (its own, or a TLS proxy's).
    pub secure_cookies: bool,
}

impl Web {
    /// The sign-in limits, locked.
    fn throttle(&self) -> std::sync::MutexGuard<'_, throttle::Throttle> {
        self.throttle.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl AppState {
    /// The state for a service recording through `desk`.
    pub fn new(desk: Desk, health: Health, https: bool) -> Result<AppState, KeyError> {
        let data_dir = desk.record().data_dir().to_path_buf();
        Ok(AppState {
            ack: AckKey::open(&data_dir)?,
            web: Arc::new(Web {
                key: FacilityKey::open(&data_dir)?,
                throttle: Mutex::new(throttle::Throttle::default()),
                checkers: passwords::Checkers::default(),
                devices: auth::Devices::default(),
                dashboard_views: Mutex::default(),
                proxies: desk.loaded.config.admin.proxies(),
                secure_cookies: https || desk.loaded.config.admin.behind_tls_proxy,
            }),
            loaded: desk.loaded.clone(),
            health,
            desk,
        })
    }

    /// Run `f` with the desk on the blocking pool: its reads and writes
    /// wait for SQLite, the async workers do not.
    pub async fn call<T, F>(&self, f: F) -> Result<T, WebError>
    where
        F: FnOnce(&Desk) -> Result<T, WebError> + Send + 'static,
        T: Send + 'static,
    {
        let desk = self.desk.clone();
        tokio::task::spawn_blocking(move || f(&desk)).await?
    }
}

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(overview::dashboard))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/session/keep", post(auth::keep))
        .route("/log", get(overview::log))
        .route("/alerts", get(overview::alerts))
        .route("/encounters/{id}", get(encounter::show))
        .route("/encounters/{id}/acknowledge", post(act::acknowledge))
        .route("/encounters/{id}/instruction", post(act::instruction))
        .route("/encounters/{id}/note", post(act::note))
        .route("/encounters/{id}/checklist", post(act::checklist))
        .route("/encounters/{id}/hold", post(act::hold))
        .route("/encounters/{id}/release", post(act::release))
        .route(
            "/encounters/{id}/pages/{number}",
            get(encounter::page_image),
        )
        .route("/encounters/{id}/report.pdf", get(exports::report))
        .route(
            "/retention",
            get(settings::retention).post(settings::set_retention),
        )
        .route("/retention/purge", post(settings::purge))
        .route("/integrity", get(settings::integrity))
        .route("/export.csv", get(exports::csv))
        .route("/export.jsonl", get(exports::jsonl))
        .route("/export.bundle", get(exports::bundle))
        .route("/ack/{token}", get(ack::confirm).post(ack::acknowledge))
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn(chrome::remember_language))
        .layer(axum::middleware::from_fn_with_state(
            state.web.secure_cookies,
            chrome::security_headers,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            serve::REQUEST,
        ))
        .with_state(state)
}
